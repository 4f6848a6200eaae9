// Every command family of `claw`, one file each (STYLE.md §6).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace claw::cli {

void AddKeyCommands(CLI::App& app, Context& ctx);      // cmd_keys.cpp: keygen, keys ...
void AddSignCommands(CLI::App& app, Context& ctx);     // cmd_sign.cpp: sign-request, verify-request
void AddCommitCommands(CLI::App& app, Context& ctx);   // cmd_commit.cpp: commit hash|verify
void AddDpopCommands(CLI::App& app, Context& ctx);     // cmd_dpop.cpp: dpop proof
void AddConfigCommands(CLI::App& app, Context& ctx);   // cmd_config.cpp: config get|set|unset|list
void AddAgentCommands(CLI::App& app, Context& ctx);    // cmd_agent.cpp: register, claim, me
void AddOrderCommands(CLI::App& app, Context& ctx);    // cmd_orders.cpp: order buy|sell|get, orders, cancel
void AddAccountCommands(CLI::App& app, Context& ctx);  // cmd_account.cpp: positions, portfolio, history...
void AddMarketCommands(CLI::App& app, Context& ctx);   // cmd_market.cpp: prices, symbols, leaderboard, health
void AddSessionCommands(CLI::App& app, Context& ctx);  // cmd_session.cpp: session login|status|refresh|logout
void AddOwnerCommands(CLI::App& app, Context& ctx);    // cmd_owner.cpp: owner show|pause|budget|approve...
void AddArenaSimCommands(CLI::App& app, Context& ctx); // cmd_sim.cpp: arena-sim run|synth
void AddSealedCommitCommands(CLI::App* commit, Context& ctx);  // cmd_sealed.cpp: commit open|close|reveal|list|show
void AddViewKeyCommands(CLI::App& app, Context& ctx);  // cmd_sealed.cpp: viewkey derive
// cmd_completion.cpp: completion bash. Added last: it walks the tree the others built.
void AddCompletionCommands(CLI::App& app, Context& ctx);

// Builds the whole command tree. `prog` is "claw" or "arena-sim".
void BuildApp(CLI::App& app, Context& ctx);

}  // namespace claw::cli
