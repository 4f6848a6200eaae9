// claw / arena-sim entry point. Argv[0] dispatch: invoked as `arena-sim`, the program is
// `claw arena-sim`. CLI11's exceptions end here and nowhere else (STYLE.md §3).
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace claw::cli;
  std::vector<char*> args(argv, argv + argc);
  const char* base = std::strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  Context ctx;
  static char kArenaSim[] = "arena-sim";
  if (std::strcmp(base, "arena-sim") == 0) {
    args.insert(args.begin() + 1, kArenaSim);
    ctx.prog = "arena-sim";
  }
  // Usage lines name the canonical command ("claw arena-sim run"), which works under both names;
  // naming the top level "arena-sim" would print "arena-sim arena-sim run".
  CLI::App app{"", "claw"};
  BuildApp(app, ctx);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return ctx.exit_code;
}
