#include "cli/commands.h"

#include "claw_version.h"

namespace claw::cli {

void BuildApp(CLI::App& app, Context& ctx) {
  app.description(
      "Claw: keys, signed requests, commit-reveal trades and DPoP sessions for AI trading\n"
      "agents, and the arena they compete in (claw arena-sim, also installed as arena-sim).");
  app.set_version_flag("--version", std::string("claw ") + CLAW_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", ctx.json, "Print machine-readable JSON on stdout");
  app.add_flag("-q,--quiet", ctx.quiet, "No informational output on stderr");
  app.footer(
      "Run 'claw COMMAND --help' for a command's options. Exit codes and environment: man claw.\n"
      "Keys live in $CLAW_HOME (default $XDG_CONFIG_HOME/claw, else ~/.config/claw).");
  AddKeyCommands(app, ctx);
  AddSignCommands(app, ctx);
  AddCommitCommands(app, ctx);
  AddDpopCommands(app, ctx);
  AddArenaSimCommands(app, ctx);
}

}  // namespace claw::cli
