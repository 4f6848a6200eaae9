// HTTP transport of `claw`: one libcurl easy handle reused across requests (keep-alive),
// connect and total timeouts, and retries with exponential backoff and jitter.
//
// What is retried (RetryPolicy::ShouldRetry): network errors and 5xx answers, and only for
// requests marked `idempotent` by the caller: GET and DELETE, and POST /v1/orders when the body
// carries a client_order_id (the arena answers a repeat with the original order, so a retry
// never doubles an order). Registration and claims are never retried. Every attempt is signed
// afresh through the request's signer (new X-Nonce and X-Timestamp), since the arena refuses a
// replayed nonce.
//
// The retry loop (SendWithRetry) runs over a Transport interface so tests drive it with a fake
// transport and a fake sleep. Thread safety: an HttpClient is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/status.h"

namespace claw::client {

struct RetryPolicy {
  int max_attempts = 4;         // first try included; 1 disables retries
  std::int64_t base_ms = 200;   // backoff before the 2nd attempt (before jitter)
  std::int64_t max_ms = 5000;   // cap of one backoff (before jitter)

  // True when attempt number `attempt` (1-based, just finished) may be followed by another.
  // `http_status` is 0 for a network error (no answer).
  bool ShouldRetry(int attempt, bool idempotent, int http_status) const;
  // Pause before attempt `attempt + 1`: min(max_ms, base_ms * 2^(attempt-1)) scaled by
  // 0.5 + jitter/2 ("equal jitter"), jitter in [0, 1]. Never negative.
  std::int64_t BackoffMs(int attempt, double jitter) const;
};

struct HttpRequest {
  std::string method;  // upper-case
  std::string target;  // path plus ?query, appended to the base URL and signed verbatim
  std::string body;    // sent with Content-Type: application/json when non-empty
  bool idempotent = false;
  // Extra headers for one attempt ("Name: value"), called before each attempt; an error
  // stops the request. Null for unsigned requests.
  std::function<Result<std::vector<std::string>>(const HttpRequest&)> sign;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  int attempts = 0;  // how many attempts were made
};

// One attempt on the wire. Network failures are Unavailable with the reason.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> Perform(const HttpRequest& request,
                                       const std::vector<std::string>& headers) = 0;
};

struct HttpOptions {
  std::string base_url;  // "http://127.0.0.1:8080" (no trailing slash needed)
  std::int64_t connect_timeout_ms = 5000;
  std::int64_t timeout_ms = 30000;  // whole attempt
  std::string user_agent = "claw";
};

// libcurl over one reused easy handle. Construction never fails; Perform reports errors.
class CurlTransport : public Transport {
 public:
  explicit CurlTransport(HttpOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  Result<HttpResponse> Perform(const HttpRequest& request,
                               const std::vector<std::string>& headers) override;

 private:
  HttpOptions options_;
  void* curl_;  // CURL*, kept out of this header so only http_client.cpp includes curl
};

// Sleeps this many milliseconds (injectable for tests).
using SleepFn = std::function<void(std::int64_t ms)>;
// Uniform in [0, 1] (injectable for tests).
using JitterFn = std::function<double()>;

// Runs `request` through `transport` under `policy`. Returns the last answer (whatever its
// HTTP status) once it is final or retries are exhausted; Unavailable when the last attempt
// got no answer; the signer's error when signing fails. `sleep`/`jitter` default to real ones.
Result<HttpResponse> SendWithRetry(Transport& transport, const RetryPolicy& policy,
                                   const HttpRequest& request, const SleepFn& sleep = nullptr,
                                   const JitterFn& jitter = nullptr);

}  // namespace claw::client
