// The one Catch2 main shared by sim_tests and claw_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
