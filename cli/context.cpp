#include "cli/context.h"

#include <chrono>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "sim/run/messages.h"

namespace claw::cli {

void Context::Fail(const Status& status, std::optional<int> exit_override) {
  *err << prog << ": error: " << status.message() << "\n";
  if (!status.hint().empty()) *err << "  hint: " << status.hint() << "\n";
  if (json) {
    nlohmann::json j = {{"error",
                         {{"code", StatusCodeName(status.code())},
                          {"message", status.message()},
                          {"hint", status.hint()}}}};
    *out << j.dump() << "\n";
  }
  exit_code = exit_override.value_or(ExitCodeFor(status));
  if (exit_code == kExitOk) exit_code = kExitFailure;
}

std::string ClawHome() {
  if (const char* h = std::getenv("CLAW_HOME"); h && *h) return h;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/claw";
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.config/claw";
  }
  return ".claw";
}

std::string NowIsoMillis() {
  using namespace std::chrono;
  return run::IsoMillis(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace claw::cli
