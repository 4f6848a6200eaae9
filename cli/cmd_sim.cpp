#include "cli/commands.h"

namespace claw::cli {

void AddSynthCommand(CLI::App& sim, Context& ctx);  // cmd_sim_synth.cpp: arena-sim synth
void AddRunCommand(CLI::App& sim, Context& ctx);    // cmd_sim_run.cpp: arena-sim run
void AddServeCommand(CLI::App& sim, Context& ctx);  // cmd_sim_serve.cpp: arena-sim serve

// `claw arena-sim ...` (also installed as `arena-sim`): the arena's own commands.
void AddArenaSimCommands(CLI::App& app, Context& ctx) {
  CLI::App* sim = app.add_subcommand(
      "arena-sim", "The arena: host it over HTTP (serve), replay recorded Binance data through "
                   "the engine (run), make synthetic feeds (synth)");
  sim->require_subcommand(1);
  AddSynthCommand(*sim, ctx);
  AddRunCommand(*sim, ctx);
  AddServeCommand(*sim, ctx);
}

}  // namespace claw::cli
