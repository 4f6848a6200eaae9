#include "cli/commands.h"

namespace claw::cli {

// Placeholder: filled in by the command family's implementation.
void AddKeyCommands(CLI::App& app, Context& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace claw::cli
