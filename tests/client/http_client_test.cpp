#include "client/http_client.h"

#include <catch2/catch.hpp>
#include <deque>

#include "client/api_error.h"

using namespace claw;
using namespace claw::client;

namespace {

// Answers from a script: an HTTP status, or 0 for a network error. Records what it was sent.
class FakeTransport : public Transport {
 public:
  explicit FakeTransport(std::deque<int> script) : script_(std::move(script)) {}
  Result<HttpResponse> Perform(const HttpRequest&, const std::vector<std::string>& headers) override {
    sent.push_back(headers);
    const int status = script_.empty() ? 200 : script_.front();
    if (!script_.empty()) script_.pop_front();
    if (status == 0) return Status::Unavailable("connection refused");
    return HttpResponse{status, "{}", 0};
  }
  std::vector<std::vector<std::string>> sent;

 private:
  std::deque<int> script_;
};

HttpRequest Request(const std::string& method, bool idempotent) {
  HttpRequest r;
  r.method = method;
  r.target = "/v1/orders";
  r.idempotent = idempotent;
  return r;
}

}  // namespace

TEST_CASE("retry policy retries network errors and 5xx of idempotent requests only", "[client]") {
  RetryPolicy p;
  p.max_attempts = 3;
  CHECK(p.ShouldRetry(1, true, 0));
  CHECK(p.ShouldRetry(1, true, 503));
  CHECK(p.ShouldRetry(2, true, 500));
  CHECK_FALSE(p.ShouldRetry(3, true, 503));  // attempts exhausted
  CHECK_FALSE(p.ShouldRetry(1, false, 0));   // not idempotent
  CHECK_FALSE(p.ShouldRetry(1, false, 503));
  for (int status : {200, 201, 400, 401, 404, 409, 422, 429}) CHECK_FALSE(p.ShouldRetry(1, true, status));
}

TEST_CASE("backoff doubles from the base, is capped, and jitter scales it by 0.5-1", "[client]") {
  RetryPolicy p;
  p.base_ms = 100;
  p.max_ms = 1000;
  CHECK(p.BackoffMs(1, 1.0) == 100);
  CHECK(p.BackoffMs(2, 1.0) == 200);
  CHECK(p.BackoffMs(3, 1.0) == 400);
  CHECK(p.BackoffMs(4, 1.0) == 800);
  CHECK(p.BackoffMs(5, 1.0) == 1000);
  CHECK(p.BackoffMs(60, 1.0) == 1000);  // no overflow
  CHECK(p.BackoffMs(1, 0.0) == 50);
  CHECK(p.BackoffMs(3, 0.5) == 300);
  CHECK(p.BackoffMs(3, 7.0) == 400);  // jitter clamped
}

TEST_CASE("SendWithRetry signs every attempt afresh and sleeps between them", "[client]") {
  FakeTransport t({0, 503, 200});
  RetryPolicy p;
  p.max_attempts = 4;
  p.base_ms = 10;
  HttpRequest r = Request("GET", true);
  int signs = 0;
  r.sign = [&](const HttpRequest&) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{"X-Nonce: n" + std::to_string(++signs)};
  };
  std::vector<std::int64_t> sleeps;
  Result<HttpResponse> out = SendWithRetry(t, p, r, [&](std::int64_t ms) { sleeps.push_back(ms); },
                                           [] { return 1.0; });
  REQUIRE(out.ok());
  CHECK(out->status == 200);
  CHECK(out->attempts == 3);
  REQUIRE(t.sent.size() == 3);
  CHECK(t.sent[0] == std::vector<std::string>{"X-Nonce: n1"});
  CHECK(t.sent[2] == std::vector<std::string>{"X-Nonce: n3"});
  CHECK(sleeps == std::vector<std::int64_t>{10, 20});
}

TEST_CASE("SendWithRetry gives up after max attempts with the last answer or error", "[client]") {
  RetryPolicy p;
  p.max_attempts = 2;
  auto no_sleep = [](std::int64_t) {};
  SECTION("5xx answers") {
    FakeTransport t({502, 503, 200});
    Result<HttpResponse> out = SendWithRetry(t, p, Request("GET", true), no_sleep);
    REQUIRE(out.ok());
    CHECK(out->status == 503);
    CHECK(out->attempts == 2);
  }
  SECTION("network errors") {
    FakeTransport t({0, 0, 200});
    Result<HttpResponse> out = SendWithRetry(t, p, Request("GET", true), no_sleep);
    REQUIRE_FALSE(out.ok());
    CHECK(out.status().code() == StatusCode::kUnavailable);
    CHECK(t.sent.size() == 2);
  }
}

TEST_CASE("a request that is not idempotent is sent once", "[client]") {
  FakeTransport t({0, 200});
  Result<HttpResponse> out = SendWithRetry(t, RetryPolicy{}, Request("POST", false), [](std::int64_t) {});
  REQUIRE_FALSE(out.ok());
  CHECK(out.status().message() == "connection refused");
  CHECK(t.sent.size() == 1);
}

TEST_CASE("a signing failure stops the request before anything is sent", "[client]") {
  FakeTransport t({200});
  HttpRequest r = Request("GET", true);
  r.sign = [](const HttpRequest&) -> Result<std::vector<std::string>> { return Status::InvalidArgument("bad key"); };
  Result<HttpResponse> out = SendWithRetry(t, RetryPolicy{}, r, [](std::int64_t) {});
  REQUIRE_FALSE(out.ok());
  CHECK(out.status().message() == "bad key");
  CHECK(t.sent.empty());
}

TEST_CASE("server errors map to exit classes with the server's code, message and hint", "[client]") {
  auto status = [](int http, const std::string& body) { return StatusForError(ParseApiError({http, body, 1})); };
  Status s = status(403, R"({"error":{"code":"INSUFFICIENT_BALANCE","message":"not enough","hint":"GET /v1/portfolio","details":{"order_id":"7"}}})");
  CHECK(s.code() == StatusCode::kRejected);
  CHECK(s.message() == "INSUFFICIENT_BALANCE: not enough");
  CHECK(s.hint() == "GET /v1/portfolio");
  CHECK(ParseApiError({403, R"({"error":{"code":"X","message":"m","details":{"order_id":"7"}}})", 1}).order_id == "7");
  CHECK(status(403, R"({"error":{"code":"WRONG_CODE","message":"m"}})").code() == StatusCode::kPermissionDenied);
  CHECK(status(401, R"({"error":{"code":"INVALID_SIGNATURE","message":"m"}})").code() == StatusCode::kUnauthenticated);
  CHECK(status(400, R"({"error":{"code":"INVALID_PARAMETER","message":"m"}})").code() == StatusCode::kInvalidArgument);
  CHECK(status(400, R"({"error":{"code":"INVALID_SYMBOL","message":"m","details":{"order_id":"3"}}})").code() ==
        StatusCode::kRejected);
  CHECK(status(404, R"({"error":{"code":"NOT_FOUND","message":"m"}})").code() == StatusCode::kNotFound);
  CHECK(status(409, R"({"error":{"code":"ORDER_NOT_CANCELLABLE","message":"m"}})").code() == StatusCode::kRejected);
  CHECK(status(422, R"({"error":{"code":"MARKET_CLOSED","message":"m"}})").code() == StatusCode::kRejected);
  CHECK(status(429, R"({"error":{"code":"RATE_LIMITED","message":"m"}})").code() == StatusCode::kUnavailable);
  Status html = status(502, "<html>bad gateway</html>\n");
  CHECK(html.code() == StatusCode::kUnavailable);
  CHECK(html.message() == "HTTP_502: <html>bad gateway</html>");
}
