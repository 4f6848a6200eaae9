#include "sim/engine/status.h"

#include <catch2/catch.hpp>

TEST_CASE("status names are stable", "[sim][engine]") {
  CHECK(std::string(claw::StatusCodeName(claw::StatusCode::kDataLoss)) == "data_loss");
}
