#include "cli/exit_codes.h"

#include <catch2/catch.hpp>

using namespace claw;
using namespace claw::cli;

TEST_CASE("status codes map to the documented exit classes", "[cli]") {
  CHECK(ExitCodeFor(Status()) == 0);
  CHECK(ExitCodeFor(Status::InvalidArgument("x")) == 2);
  CHECK(ExitCodeFor(Status::Unauthenticated("x")) == 3);
  CHECK(ExitCodeFor(Status::Rejected("x")) == 4);
  CHECK(ExitCodeFor(Status::NotFound("x")) == 5);
  CHECK(ExitCodeFor(Status::Unavailable("x")) == 6);
  CHECK(ExitCodeFor(Status::DataLoss("x")) == 8);
  CHECK(ExitCodeFor(Status::Internal("x")) == 1);
}

TEST_CASE("Result holds a value or an error with context", "[cli]") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Status::NotFound("key 'bob' not found", "run 'claw keys list'");
  REQUIRE_FALSE(bad.ok());
  Status s = bad.status().WithContext("signing");
  CHECK(s.message() == "signing: key 'bob' not found");
  CHECK(s.hint() == "run 'claw keys list'");
}
