// The HTTP adapter of `arena-sim serve`: a Boost.Beast HTTP/1.1 server with keep-alive and a
// fixed pool of IO threads, a route table, and the PROTOCOL.md §5 error envelope.
//
// The route table is the one description of the API: the server dispatches on it, and
// /openapi.json, /skill.md and /skill.json are generated from it (server/discovery.h), so the
// documents cannot drift from the code.
//
// Order of checks for every request (PROTOCOL.md §5): size limits (413) -> routing (404 for an
// unknown path, 405 for a known path with another method) -> rate limits (429) -> handler.
// Authentication happens inside handlers (server/auth.h), after routing.
//
// Threads: handlers run on IO threads. A handler may answer later from any thread by calling
// its Reply exactly once (e.g. after the engine thread made a change durable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/engine/status.h"

namespace claw::server {

struct Request {
  std::string method;   // "GET", "POST", ... as received
  std::string target;   // request-target verbatim: path plus ?query (what §2 signs)
  std::string path;     // target before '?', not percent-decoded
  std::string query;    // after '?', empty when none
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined by ","
  std::string body;
  std::string peer_ip;    // TCP peer address
  std::string client_ip;  // peer_ip, or X-Forwarded-For's last untrusted hop when the peer is a
                          // trusted proxy (HttpOptions::trusted_proxies)
  std::map<std::string, std::string> params;  // from the route pattern: "/v1/orders/{id}" -> id
  std::string request_id;  // "req-<16 hex>", also sent back as X-Request-Id
  std::int64_t received_ms = 0;  // wall clock, unix ms

  // Header value by lower-case name; nullopt when absent.
  std::optional<std::string> Header(std::string_view lower_name) const;
  // Percent-decoded query parameter; nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Builds the §5 envelope:
// {"error":{"code","message","hint","request_id","timestamp"[,"details"]}}.
// `details_json` is a JSON object text or empty.
Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view hint, const Request& request,
                       std::string_view details_json = {});
// A JSON body (already serialised) with the given status.
Response JsonResponse(int status, std::string body);

using Reply = std::function<void(Response)>;  // call exactly once, from any thread
using Handler = std::function<void(const Request&, Reply)>;

enum class AuthKind : std::uint8_t {
  kNone,        // public
  kSigned,      // §2 signed request (or, later, a DPoP session)
  kRegistration,// §3 proof of possession: signed, no X-Agent-Id
  kOwner,       // the owner token of the human who claimed the agent
};

struct Route {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // "/v1/orders/{id}": literal segments and {name} segments
  AuthKind auth = AuthKind::kNone;
  std::string rate_class;   // rate-limit bucket class: "public", "orders", "read", "register"...
  std::string summary;      // one line, for openapi/skill
  std::string description;  // longer text for skill.md (may be empty)
  std::string request_example;   // JSON text or empty (docs)
  std::string response_example;  // JSON text or empty (docs)
  std::string content_type = "application/json";  // of the success response
  Handler handler;
};

class Router {
 public:
  void Add(Route route);
  struct Match {
    const Route* route = nullptr;         // set when method and path matched
    bool path_known = false;              // path matched some route (405 when route is null)
    std::vector<std::string> allowed;     // methods for a known path (Allow header)
    std::map<std::string, std::string> params;
  };
  // Segments compare byte for byte (no percent-decoding, no UTF-8 check, a trailing slash is
  // one more, empty, segment); a {name} segment matches one non-empty segment, captured
  // verbatim. When several patterns match, the one with a literal segment earliest wins.
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

struct HttpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;          // 0: an ephemeral port (see HttpServer::port())
  int io_threads = 2;
  std::size_t max_body = 64 * 1024;   // larger: 413 BODY_TOO_LARGE
  std::size_t max_header = 16 * 1024;
  int header_timeout_ms = 10'000;     // the whole header must arrive within this
  int body_timeout_ms = 30'000;       // and the body within this
  int idle_timeout_ms = 60'000;       // keep-alive connection idle limit
  int max_connections = 1024;         // further connections are closed at once
  std::vector<std::string> trusted_proxies;  // peer IPs whose X-Forwarded-For is honoured
};

// The address a request is attributed to: `peer_ip`, unless the peer is a trusted proxy and
// `forwarded_for` (the X-Forwarded-For value, empty when absent) names hops; then the
// rightmost hop that is not itself a trusted proxy (the leftmost when all are trusted).
// A malformed hop where the answer would be yields `peer_ip`. Addresses compare as parsed
// IPs ("::ffff:10.0.0.1" is not "10.0.0.1").
std::string ClientIp(std::string_view peer_ip, std::string_view forwarded_for,
                     const std::vector<std::string>& trusted_proxies);
// "req-" + 16 lowercase hex characters from libsodium's randombytes.
std::string NewRequestId();
// ISO-8601 UTC with milliseconds: "2026-02-22T01:50:00.000Z".
std::string FormatIsoMillis(std::int64_t unix_ms);

// Rate limiting: token buckets per (key, class). Keys are "agent:<id>" or "ip:<addr>".
struct RateRule {
  std::string rate_class;
  int limit = 60;            // requests per window
  int window_s = 60;
};
class RateLimiter {
 public:
  explicit RateLimiter(std::vector<RateRule> rules);
  ~RateLimiter();
  struct Decision {
    bool allowed = true;
    int limit = 0;
    int remaining = 0;
    std::int64_t reset_unix_s = 0;  // when the bucket is full again
    int retry_after_s = 0;          // when !allowed: seconds until one request fits (>= 1)
  };
  // Thread-safe. An unknown class is always allowed (limit 0 in the decision).
  // Buckets refill continuously (limit / window_s per second) from a full start. Memory is
  // bounded: full buckets are dropped periodically (losslessly) and, past a cap, arbitrary
  // ones (those keys start full again). Rules with limit < 1 or window_s < 1 are ignored.
  Decision Take(std::string_view key, std::string_view rate_class, std::int64_t now_ms);
  std::size_t size() const;  // buckets held

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Prometheus text exposition of request counters and latencies; other components add gauges.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  void ObserveRequest(std::string_view route_pattern, int status, double seconds);
  // Named gauge or counter set by other components ("claw_engine_queue_depth", ...).
  void SetGauge(const std::string& name, const std::string& help, double value);
  std::string Render() const;  // text/plain; version=0.0.4

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class HttpServer {
 public:
  // `rate_key` maps a request to its rate-limit key (default: "ip:<client_ip>"); the arena
  // supplies one that uses the agent id once known.
  // `router` must outlive the server; `limiter` and `metrics` may be null (no limits, no
  // metrics) and must outlive it otherwise.
  HttpServer(HttpOptions options, const Router& router, RateLimiter* limiter, Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // REQUIRES: before Start(). An empty key, or an exception from `key`, falls back to the
  // default key. Called on IO threads, concurrently.
  void SetRateKey(std::function<std::string(const Request&)> key);

  // Binds and starts the IO threads. kUnavailable naming the address when it cannot listen
  // (port taken), kInvalidArgument for a host that does not resolve; one Start per server.
  // Connections beyond max_connections are accepted and closed at once, without an answer
  // (cheapest under overload). Timeouts answer 408 while a request is being received and close
  // silently when a keep-alive connection idles. An oversized header answers 431
  // HEADER_TOO_LARGE, a malformed request 400 INVALID_REQUEST; both close the connection.
  // A handler that drops its Reply without calling it answers 500 INTERNAL.
  Status Start();
  std::uint16_t port() const;
  // Stops accepting, lets requests in flight finish (up to `drain_ms`), closes connections,
  // joins the IO threads. Idempotent. Idle connections close at once; a handler still
  // running after `drain_ms` delays the join (handlers should not block IO threads long).
  // A Reply called after Stop is dropped.
  void Stop(int drain_ms = 5'000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace claw::server
