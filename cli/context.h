// Context: what every command callback shares: global flags, output streams and the result.
//
// Command files (cli/cmd_*.cpp) each expose `void Add<Family>Commands(CLI::App&, Context&)`.
// A callback does its work through client/, keystore/ or sim/, prints its result to `out`
// (JSON when `json` is set) and reports failure with Fail(). main() turns that into the exit code.
// Not thread-safe; one per process.
#pragma once

#include <iostream>
#include <optional>
#include <string>

#include "cli/config.h"
#include "cli/exit_codes.h"
#include "sim/engine/status.h"

namespace claw::cli {

struct Context {
  bool json = false;      // --json: machine-readable output on stdout
  bool quiet = false;     // --quiet: no progress or informational lines on stderr
  std::string prog = "claw";  // "claw" or "arena-sim" (argv[0] dispatch)
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  int exit_code = kExitOk;
  // Global flags of the arena commands (--profile, --server, --key, --passphrase-file).
  ClientFlags client_flags;

  // Reports a failed command: prints "claw: error: ..." and the hint to stderr (and an
  // {"error":{...}} document to stdout with --json), and sets the exit code. `exit_override`
  // forces an exit class where the Status code alone does not tell it (keystore errors).
  void Fail(const Status& status, std::optional<int> exit_override = std::nullopt);
};

// $CLAW_HOME, else $XDG_CONFIG_HOME/claw, else ~/.config/claw.
std::string ClawHome();

// The wall clock as ISO-8601 UTC with milliseconds (PROTOCOL.md §1), e.g. for timestamps.
std::string NowIsoMillis();

}  // namespace claw::cli
