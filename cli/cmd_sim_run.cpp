#include "cli/commands.h"

namespace claw::cli {

// Placeholder: filled in by the command's implementation.
void AddRunCommand(CLI::App& sim, Context& ctx) {
  (void)sim;
  (void)ctx;
}

}  // namespace claw::cli
