#include "cli/commands.h"

#include "claw_version.h"

namespace claw::cli {

void BuildApp(CLI::App& app, Context& ctx) {
  app.description(
      "Claw: keys, signed requests, commit-reveal trades and DPoP sessions for AI trading\n"
      "agents; their shell client of a running arena (register, order, portfolio...); and the\n"
      "arena they compete in (claw arena-sim, also installed as arena-sim).");
  app.set_version_flag("--version", std::string("claw ") + CLAW_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", ctx.json, "Print machine-readable JSON on stdout");
  app.add_flag("-q,--quiet", ctx.quiet, "No informational output on stderr");
  app.add_option("--profile", ctx.client_flags.profile, "Arena commands: profile in config.toml (env CLAW_PROFILE)");
  app.add_option("--server", ctx.client_flags.server, "Arena commands: server URL (env CLAW_SERVER)");
  app.add_option("--key", ctx.client_flags.key, "Arena commands: signing key name (env CLAW_KEY)");
  app.add_option("--passphrase-file", ctx.client_flags.passphrase_file,
                 "Arena commands: read the key's passphrase from this file");
  app.footer(
      "Run 'claw COMMAND --help' for a command's options. Exit codes and environment: man claw.\n"
      "Keys and config.toml (profiles: man 5 claw-config) live in $CLAW_HOME\n"
      "(default $XDG_CONFIG_HOME/claw, else ~/.config/claw).");
  AddKeyCommands(app, ctx);
  AddSignCommands(app, ctx);
  AddCommitCommands(app, ctx);
  AddViewKeyCommands(app, ctx);
  AddDpopCommands(app, ctx);
  AddConfigCommands(app, ctx);
  AddAgentCommands(app, ctx);
  AddOrderCommands(app, ctx);
  AddAccountCommands(app, ctx);
  AddMarketCommands(app, ctx);
  AddSessionCommands(app, ctx);
  AddOwnerCommands(app, ctx);
  AddArenaSimCommands(app, ctx);
  AddCompletionCommands(app, ctx);  // last
}

}  // namespace claw::cli
