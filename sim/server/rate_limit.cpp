// Token-bucket rate limiting per (key, class) (sim/server/http.h).
//
// Buckets live in kShards hash maps, each under its own mutex, so IO threads rarely contend.
// A bucket holds fractional tokens and refills continuously at limit / window per second.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <mutex>
#include <string>
#include <unordered_map>

#include "sim/server/http.h"

namespace claw::server {
namespace {

constexpr std::size_t kShards = 16;
// Every this many Take calls, sweep the next shard (round robin) for full buckets, so idle
// shards are cleaned too; the O(n / kShards) work is amortised over kSweepEvery calls.
constexpr std::size_t kSweepEvery = 256;
// Per shard. 16 * 65536 buckets of ~100 bytes is ~100 MB at worst; past it, keys restart full
// (a flood of distinct keys must not exhaust memory).
constexpr std::size_t kMaxBucketsPerShard = 65536;

struct Bucket {
  double tokens = 0;
  std::int64_t updated_ms = 0;
};

struct Rule {
  int limit = 0;
  double per_ms = 0;  // refill rate, tokens per millisecond
};

struct Shard {
  std::mutex mu;
  std::unordered_map<std::string, Bucket> buckets;
};

}  // namespace

struct RateLimiter::Impl {
  std::unordered_map<std::string, Rule> rules;  // immutable after construction
  std::array<Shard, kShards> shards;
  std::atomic<std::size_t> calls{0};

  // REQUIRES: shard.mu held.
  void Sweep(Shard& shard, std::int64_t now_ms) {
    // A full bucket is the same as no bucket: dropping it loses nothing. Each bucket's rule is
    // found again from its key's class prefix.
    for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
      std::string_view cls(it->first.data(), it->first.find('\0'));
      auto r = rules.find(std::string(cls));
      bool full = r == rules.end() ||
                  it->second.tokens + static_cast<double>(now_ms - it->second.updated_ms) *
                                          r->second.per_ms >=
                      r->second.limit;
      it = full ? shard.buckets.erase(it) : std::next(it);
    }
    // Still too many (a flood of distinct keys): halve, so this O(n) pass stays rare.
    if (shard.buckets.size() >= kMaxBucketsPerShard) {
      while (shard.buckets.size() > kMaxBucketsPerShard / 2) {
        shard.buckets.erase(shard.buckets.begin());
      }
    }
  }
};

RateLimiter::RateLimiter(std::vector<RateRule> rules) : impl_(std::make_unique<Impl>()) {
  for (const RateRule& r : rules) {
    if (r.limit < 1 || r.window_s < 1) continue;
    impl_->rules[r.rate_class] =
        Rule{r.limit, static_cast<double>(r.limit) / (1000.0 * r.window_s)};
  }
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Decision RateLimiter::Take(std::string_view key, std::string_view rate_class,
                                        std::int64_t now_ms) {
  Decision d;
  auto rule_it = impl_->rules.find(std::string(rate_class));
  if (rule_it == impl_->rules.end()) return d;
  const Rule& rule = rule_it->second;
  const double cap = rule.limit;
  auto refill = [&](Bucket& b) {
    if (now_ms > b.updated_ms) {
      b.tokens = std::min(cap, b.tokens + static_cast<double>(now_ms - b.updated_ms) * rule.per_ms);
      b.updated_ms = now_ms;
    }
  };

  std::string bucket_key;
  bucket_key.reserve(rate_class.size() + 1 + key.size());
  bucket_key.append(rate_class).append(1, '\0').append(key);
  Shard& shard = impl_->shards[std::hash<std::string>{}(bucket_key) % kShards];

  std::size_t call = ++impl_->calls;
  if (call % kSweepEvery == 0) {
    Shard& other = impl_->shards[(call / kSweepEvery) % kShards];
    std::lock_guard<std::mutex> lock(other.mu);
    impl_->Sweep(other, now_ms);
  }
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.buckets.size() >= kMaxBucketsPerShard) impl_->Sweep(shard, now_ms);
  auto [it, inserted] = shard.buckets.try_emplace(std::move(bucket_key));
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = cap;
    b.updated_ms = now_ms;
  }
  refill(b);

  d.limit = rule.limit;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    d.allowed = true;
  } else {
    d.allowed = false;
    d.retry_after_s = std::max<int>(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rule.per_ms / 1000.0)));
  }
  d.remaining = static_cast<int>(std::floor(b.tokens));
  double ms_to_full = (cap - b.tokens) / rule.per_ms;
  d.reset_unix_s = static_cast<std::int64_t>(std::ceil((static_cast<double>(now_ms) + ms_to_full) / 1000.0));
  return d;
}

std::size_t RateLimiter::size() const {
  std::size_t n = 0;
  for (Shard& s : impl_->shards) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace claw::server
