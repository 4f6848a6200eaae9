// RateLimiter (sim/server/http.h): token buckets per (key, class).
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "sim/server/http.h"

namespace claw::server {

TEST_CASE("token bucket allows limit requests, then refills continuously", "[sim][server]") {
  RateLimiter rl({{"orders", 10, 1}});  // 10 per second: one token per 100 ms
  const std::int64_t t0 = 1'700'000'000'000;
  for (int i = 0; i < 10; ++i) {
    auto d = rl.Take("ip:1.2.3.4", "orders", t0);
    REQUIRE(d.allowed);
    CHECK(d.limit == 10);
    CHECK(d.remaining == 9 - i);
  }
  auto denied = rl.Take("ip:1.2.3.4", "orders", t0);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.remaining == 0);
  CHECK(denied.retry_after_s == 1);
  CHECK(denied.reset_unix_s == t0 / 1000 + 1);

  CHECK_FALSE(rl.Take("ip:1.2.3.4", "orders", t0 + 99).allowed);
  auto refilled = rl.Take("ip:1.2.3.4", "orders", t0 + 100);
  CHECK(refilled.allowed);
  CHECK(refilled.remaining == 0);
  // Half a second later: five tokens back, never more than the limit.
  CHECK(rl.Take("ip:1.2.3.4", "orders", t0 + 600).remaining == 4);
  CHECK(rl.Take("ip:1.2.3.4", "orders", t0 + 60'000).remaining == 9);
}

TEST_CASE("rate limits are per key and per class; unknown classes are free", "[sim][server]") {
  RateLimiter rl({{"register", 1, 60}, {"read", 2, 60}, {"broken", 0, 60}});
  const std::int64_t t0 = 1'700'000'000'000;
  CHECK(rl.Take("ip:a", "register", t0).allowed);
  auto d = rl.Take("ip:a", "register", t0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_s == 60);
  CHECK(d.reset_unix_s == t0 / 1000 + 60);
  CHECK(rl.Take("ip:b", "register", t0).allowed);
  CHECK(rl.Take("ip:a", "read", t0).allowed);
  auto free = rl.Take("ip:a", "public", t0);
  CHECK(free.allowed);
  CHECK(free.limit == 0);
  CHECK(rl.Take("ip:a", "broken", t0).limit == 0);  // ignored rule
  CHECK(rl.Take("ip:a", "", t0).allowed);
}

TEST_CASE("rate limiter is thread-safe: exactly limit takes succeed", "[sim][server]") {
  RateLimiter rl({{"orders", 1000, 3600}});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (rl.Take("agent:x", "orders", 1'700'000'000'000).allowed) ++allowed;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(allowed == 1000);
}

TEST_CASE("rate limiter memory is bounded: full buckets are evicted", "[sim][server]") {
  RateLimiter rl({{"public", 60, 60}});
  std::int64_t t = 1'700'000'000'000;
  for (int i = 0; i < 50'000; ++i) {
    (void)rl.Take("ip:10.0." + std::to_string(i), "public", t);
  }
  std::size_t before = rl.size();
  CHECK(before > 1000);
  // A minute later every bucket is full again; sweeps drop them as traffic continues.
  t += 61'000;
  for (int i = 0; i < 20'000; ++i) (void)rl.Take("ip:fresh", "public", t + i * 1000);
  CHECK(rl.size() < 100);
}

}  // namespace claw::server
