#include "cli/commands.h"

namespace claw::cli {

// `claw arena-sim ...` (also installed as `arena-sim`): the arena's own commands.
void AddArenaSimCommands(CLI::App& app, Context& ctx) {
  (void)ctx;
  CLI::App* sim = app.add_subcommand(
      "arena-sim", "The arena: replay recorded Binance data through the engine (run), make "
                   "synthetic feeds (synth)");
  sim->require_subcommand(1);
}

}  // namespace claw::cli
