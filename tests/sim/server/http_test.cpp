// The HTTP adapter (sim/server/http.h) against a real server on 127.0.0.1, driven by libcurl
// and, for misbehaving clients, raw sockets.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "sim/server/http.h"

namespace claw::server {
namespace {

using Clock = std::chrono::steady_clock;

long MsSince(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};
const CurlGlobal curl_global;

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  long new_connections = -1;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<Fetched*>(out)->body.append(data, size * n);
  return size * n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<Fetched*>(out)->headers[name] = value;
  }
  return size * n;
}

// One request on `curl` (reused between calls for keep-alive).
Fetched Fetch(CURL* curl, const std::string& method, const std::string& url,
              const std::string& body = {}, const std::vector<std::string>& headers = {}) {
  Fetched f;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);  // forget a previous POST on this handle
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
  }
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &f);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &f);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  f.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &f.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &f.new_connections);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(list);
  return f;
}

Fetched Fetch1(const std::string& method, const std::string& url, const std::string& body = {},
               const std::vector<std::string>& headers = {}) {
  CURL* curl = curl_easy_init();
  Fetched f = Fetch(curl, method, url, body, headers);
  curl_easy_cleanup(curl);
  return f;
}

Handler Text(std::string text) {
  return [text](const Request&, Reply reply) { reply(JsonResponse(200, text)); };
}

// Designated initializers would leave std::string members without an initializer and
// trip -Wmissing-field-initializers; this fills them.
Route MakeRoute(std::string method, std::string pattern, Handler handler = {},
                std::string rate_class = {}) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.rate_class = std::move(rate_class);
  return r;
}

// A server with its router, limiter and metrics; add routes, then Start().
struct TestServer {
  explicit TestServer(HttpOptions o = {}, std::vector<RateRule> rules = {})
      : options(std::move(o)), limiter(std::move(rules)) {
    options.host = "127.0.0.1";
    options.port = 0;
  }
  void Start() {
    server = std::make_unique<HttpServer>(options, router, &limiter, &metrics);
    if (rate_key) server->SetRateKey(rate_key);
    Status st = server->Start();
    REQUIRE(st.ok());
    REQUIRE(server->port() != 0);
  }
  std::string Url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + target;
  }

  HttpOptions options;
  Router router;
  RateLimiter limiter;
  Metrics metrics;
  std::function<std::string(const Request&)> rate_key;
  std::unique_ptr<HttpServer> server;
};

int ConnectRaw(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

// Reads until EOF or `timeout_ms`; `eof` tells which.
std::string ReadAll(int fd, int timeout_ms, bool* eof) {
  std::string out;
  *eof = false;
  auto start = Clock::now();
  while (MsSince(start) < timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *eof = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

const std::regex kRequestId("req-[0-9a-f]{16}");

}  // namespace

TEST_CASE("unknown path is 404, known path with another method is 405 with Allow",
          "[sim][server][io]") {
  TestServer ts;
  ts.router.Add(MakeRoute("GET", "/v1/orders", Text("{\"list\":1}")));
  ts.router.Add(MakeRoute("POST", "/v1/orders", Text("{}")));
  ts.router.Add(MakeRoute("GET", "/v1/orders/{id}", Text("{}")));
  ts.Start();

  Fetched ok = Fetch1("GET", ts.Url("/v1/orders"));
  CHECK(ok.status == 200);
  CHECK(ok.body == "{\"list\":1}");
  CHECK(ok.Header("content-type") == "application/json");
  CHECK(std::regex_match(ok.Header("x-request-id"), kRequestId));

  Fetched missing = Fetch1("GET", ts.Url("/v1/nothing?x=1"));
  CHECK(missing.status == 404);
  auto j = missing.Json();
  REQUIRE(j.is_object());
  CHECK(j["error"]["code"] == "NOT_FOUND");
  CHECK(j["error"]["message"] == "no route for path '/v1/nothing'");
  CHECK(j["error"]["request_id"] == missing.Header("x-request-id"));

  Fetched wrong = Fetch1("DELETE", ts.Url("/v1/orders"));
  CHECK(wrong.status == 405);
  CHECK(wrong.Header("allow") == "GET, POST");
  CHECK(wrong.Json()["error"]["code"] == "METHOD_NOT_ALLOWED");
  CHECK(wrong.Json()["error"]["details"]["allowed"] == nlohmann::json({"GET", "POST"}));

  // A trailing slash is one more (empty) segment: neither route matches.
  CHECK(Fetch1("GET", ts.Url("/v1/orders/")).status == 404);
  // HEAD is just another method: 405 on a known path, and the connection stays usable.
  CURL* curl = curl_easy_init();
  Fetched head = Fetch(curl, "HEAD", ts.Url("/v1/orders"));
  CHECK(head.status == 405);
  Fetched after = Fetch(curl, "GET", ts.Url("/v1/orders"));
  CHECK(after.status == 200);
  CHECK(after.new_connections == 0);
  curl_easy_cleanup(curl);
}

TEST_CASE("router: params, literal beats parameter, bytes compare verbatim", "[sim][server]") {
  Router r;
  r.Add(MakeRoute("GET", "/v1/orders/{id}"));
  r.Add(MakeRoute("DELETE", "/v1/orders/{id}"));
  r.Add(MakeRoute("GET", "/v1/orders/open"));
  r.Add(MakeRoute("GET", "/v1/agents/{name}/commitments/{cid}"));

  auto m = r.Find("GET", "/v1/orders/ord-1");
  REQUIRE(m.route != nullptr);
  CHECK(m.route->pattern == "/v1/orders/{id}");
  CHECK(m.params == std::map<std::string, std::string>{{"id", "ord-1"}});

  m = r.Find("GET", "/v1/orders/open");
  REQUIRE(m.route != nullptr);
  CHECK(m.route->pattern == "/v1/orders/open");
  CHECK(m.params.empty());

  m = r.Find("DELETE", "/v1/orders/open");  // only the {id} route has DELETE
  REQUIRE(m.route != nullptr);
  CHECK(m.route->pattern == "/v1/orders/{id}");
  CHECK(m.params.at("id") == "open");

  m = r.Find("POST", "/v1/orders/open");
  CHECK(m.route == nullptr);
  CHECK(m.path_known);
  CHECK(m.allowed == std::vector<std::string>{"GET", "DELETE"});

  m = r.Find("GET", "/v1/agents/bob/commitments/c%2F1");
  REQUIRE(m.route != nullptr);
  CHECK(m.params == std::map<std::string, std::string>{{"name", "bob"}, {"cid", "c%2F1"}});

  CHECK_FALSE(r.Find("GET", "/v1/orders/").path_known);
  CHECK_FALSE(r.Find("GET", "/v1/orders\xff\xfe").path_known);
  CHECK_FALSE(r.Find("GET", "").path_known);
  CHECK_FALSE(r.Find("GET", "*").path_known);
}

TEST_CASE("params and query reach the handler", "[sim][server][io]") {
  TestServer ts;
  ts.router.Add(MakeRoute("GET", "/v1/agents/{name}/commitments/{cid}", [](const Request& req, Reply reply) {
                   nlohmann::json j;
                   j["name"] = req.params.at("name");
                   j["cid"] = req.params.at("cid");
                   j["revealed"] = req.QueryParam("revealed").value_or("-");
                   j["path"] = req.path;
                   j["target"] = req.target;
                   j["ua"] = req.Header("x-test").value_or("-");
                   reply(JsonResponse(200, j.dump()));
                 }));
  ts.Start();
  Fetched f = Fetch1("GET", ts.Url("/v1/agents/bob/commitments/t-9?revealed=a%20b&x=1"), {},
                     {"X-Test: one"});
  REQUIRE(f.status == 200);
  auto j = f.Json();
  CHECK(j["name"] == "bob");
  CHECK(j["cid"] == "t-9");
  CHECK(j["revealed"] == "a b");
  CHECK(j["path"] == "/v1/agents/bob/commitments/t-9");
  CHECK(j["target"] == "/v1/agents/bob/commitments/t-9?revealed=a%20b&x=1");
  CHECK(j["ua"] == "one");
}

TEST_CASE("Request helpers: headers and percent-decoded query parameters", "[sim][server]") {
  Request r;
  r.query = "symbol=BTC%2FUSDT&limit=10&flag&empty=&q=a+b&bad=%zz&symbol=second";
  r.headers["x-agent-id"] = "alice";
  CHECK(r.QueryParam("symbol") == "BTC/USDT");
  CHECK(r.QueryParam("limit") == "10");
  CHECK(r.QueryParam("flag") == "");
  CHECK(r.QueryParam("empty") == "");
  CHECK(r.QueryParam("q") == "a b");
  CHECK(r.QueryParam("bad") == "%zz");
  CHECK_FALSE(r.QueryParam("missing").has_value());
  CHECK(r.Header("x-agent-id") == "alice");
  CHECK_FALSE(r.Header("x-nonce").has_value());
}

TEST_CASE("ErrorResponse is the section 5 envelope, keys in order", "[sim][server]") {
  Request req;
  req.request_id = "req-0123456789abcdef";
  Response r = ErrorResponse(409, "DUPLICATE_ORDER", "client_order_id 'a' was used",
                             "use a fresh client_order_id", req, R"({"order_id":"o-1"})");
  CHECK(r.status == 409);
  CHECK(r.content_type == "application/json");
  std::regex shape(
      R"(\{"error":\{"code":"DUPLICATE_ORDER","message":"client_order_id 'a' was used",)"
      R"("hint":"use a fresh client_order_id","request_id":"req-0123456789abcdef",)"
      R"("timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","details":\{"order_id":"o-1"\}\}\})");
  CHECK(std::regex_match(r.body, shape));

  Response plain = ErrorResponse(404, "NOT_FOUND", "no \xff", "", req);
  auto j = nlohmann::json::parse(plain.body, nullptr, false);  // bad UTF-8 replaced, not thrown
  REQUIRE(j.is_object());
  CHECK_FALSE(j["error"].contains("details"));
  CHECK(FormatIsoMillis(1771725000123) == "2026-02-22T01:50:00.123Z");
  CHECK(std::regex_match(NewRequestId(), kRequestId));
  CHECK(NewRequestId() != NewRequestId());
}

TEST_CASE("oversized body is 413 BODY_TOO_LARGE and the server keeps serving",
          "[sim][server][io]") {
  HttpOptions o;
  o.max_body = 1024;
  TestServer ts(o);
  std::atomic<int> calls{0};
  ts.router.Add(MakeRoute("POST", "/v1/orders", [&](const Request& req, Reply reply) {
                   ++calls;
                   reply(JsonResponse(201, "{\"size\":" + std::to_string(req.body.size()) + "}"));
                 }));
  ts.Start();

  std::string big(100 * 1024, 'x');
  SECTION("with Content-Length, no Expect") {
    Fetched f = Fetch1("POST", ts.Url("/v1/orders"), big, {"Expect:"});
    CHECK(f.code == CURLE_OK);
    CHECK(f.status == 413);
    CHECK(f.Json()["error"]["code"] == "BODY_TOO_LARGE");
    CHECK(f.Header("connection") == "close");
  }
  SECTION("with Expect: 100-continue the body is never sent") {
    Fetched f = Fetch1("POST", ts.Url("/v1/orders"), big, {"Expect: 100-continue"});
    CHECK(f.status == 413);
  }
  SECTION("chunked") {
    Fetched f = Fetch1("POST", ts.Url("/v1/orders"), big, {"Transfer-Encoding: chunked"});
    CHECK(f.status == 413);
  }
  CHECK(calls == 0);
  auto start = Clock::now();
  Fetched next = Fetch1("POST", ts.Url("/v1/orders"), std::string(1024, 'y'),
                        {"Expect: 100-continue"});
  CHECK(next.status == 201);
  CHECK(next.body == "{\"size\":1024}");
  CHECK(MsSince(start) < 500);  // 100 Continue was sent: curl did not wait for its timeout
}

TEST_CASE("a stalled client is answered 408 and dropped while others are served",
          "[sim][server][io]") {
  HttpOptions o;
  o.header_timeout_ms = 300;
  TestServer ts(o);
  ts.router.Add(MakeRoute("GET", "/v1/health", Text("{\"ok\":true}")));
  ts.Start();

  int fd = ConnectRaw(ts.server->port());
  std::string half = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(::send(fd, half.data(), half.size(), 0) == static_cast<ssize_t>(half.size()));

  auto start = Clock::now();
  Fetched other = Fetch1("GET", ts.Url("/v1/health"));
  CHECK(other.status == 200);
  CHECK(MsSince(start) < 250);

  bool eof = false;
  std::string got = ReadAll(fd, 1500, &eof);
  ::close(fd);
  CHECK(eof);
  CHECK(got.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(got.find("REQUEST_TIMEOUT") != std::string::npos);
  CHECK(MsSince(start) < 1000);
}

TEST_CASE("an idle keep-alive connection is closed silently", "[sim][server][io]") {
  HttpOptions o;
  o.idle_timeout_ms = 200;
  TestServer ts(o);
  ts.router.Add(MakeRoute("GET", "/a", Text("{}")));
  ts.Start();
  int fd = ConnectRaw(ts.server->port());
  std::string req = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size()));
  bool eof = false;
  auto start = Clock::now();
  std::string got = ReadAll(fd, 1500, &eof);
  ::close(fd);
  CHECK(eof);
  CHECK(MsSince(start) >= 150);
  CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(got.find("408") == std::string::npos);
}

TEST_CASE("keep-alive: a second request reuses the connection", "[sim][server][io]") {
  TestServer ts;
  ts.router.Add(MakeRoute("GET", "/a", Text("{\"n\":1}")));
  ts.router.Add(MakeRoute("POST", "/b", Text("{\"n\":2}")));
  ts.Start();
  CURL* curl = curl_easy_init();
  Fetched one = Fetch(curl, "GET", ts.Url("/a"));
  Fetched two = Fetch(curl, "POST", ts.Url("/b"), "{\"x\":1}");
  Fetched three = Fetch(curl, "GET", ts.Url("/missing"));
  Fetched four = Fetch(curl, "GET", ts.Url("/a"));
  curl_easy_cleanup(curl);
  CHECK(one.status == 200);
  CHECK(one.new_connections == 1);
  CHECK(two.status == 200);
  CHECK(two.body == "{\"n\":2}");
  CHECK(two.new_connections == 0);
  CHECK(three.status == 404);
  CHECK(three.new_connections == 0);
  CHECK(four.new_connections == 0);
  CHECK(one.Header("x-request-id") != two.Header("x-request-id"));
}

TEST_CASE("a handler may reply later from another thread", "[sim][server][io]") {
  TestServer ts;
  std::mutex mu;
  std::vector<std::thread> workers;
  ts.router.Add(MakeRoute("POST", "/v1/orders", [&](const Request& req, Reply reply) {
                   std::string body = req.body;  // the Request is not valid after return
                   std::lock_guard<std::mutex> lock(mu);
                   workers.emplace_back([reply, body] {
                     std::this_thread::sleep_for(std::chrono::milliseconds(50));
                     Response r = JsonResponse(201, body);
                     r.headers.emplace_back("X-Extra", "yes");
                     reply(r);
                     reply(JsonResponse(500, "{}"));  // a second call is ignored
                   });
                 }));
  ts.router.Add(MakeRoute("GET", "/dropped", [](const Request&, Reply) {}));
  ts.router.Add(MakeRoute("GET", "/throws", [](const Request&, Reply) { throw std::runtime_error("boom"); }));
  ts.Start();

  CURL* curl = curl_easy_init();
  Fetched f = Fetch(curl, "POST", ts.Url("/v1/orders"), "{\"q\":1}");
  CHECK(f.status == 201);
  CHECK(f.body == "{\"q\":1}");
  CHECK(f.Header("x-extra") == "yes");
  Fetched again = Fetch(curl, "POST", ts.Url("/v1/orders"), "{\"q\":2}");
  CHECK(again.body == "{\"q\":2}");
  CHECK(again.new_connections == 0);

  Fetched dropped = Fetch(curl, "GET", ts.Url("/dropped"));
  CHECK(dropped.status == 500);
  CHECK(dropped.Json()["error"]["code"] == "INTERNAL");

  Fetched thrown = Fetch(curl, "GET", ts.Url("/throws"));
  CHECK(thrown.status == 500);
  CHECK(thrown.Json()["error"]["code"] == "INTERNAL");
  CHECK(thrown.Json()["error"]["request_id"] == thrown.Header("x-request-id"));
  CHECK(Fetch(curl, "GET", ts.Url("/throws")).new_connections == 0);  // still kept alive
  curl_easy_cleanup(curl);
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) t.join();
}

TEST_CASE("rate limits: headers on every response, 429 with Retry-After", "[sim][server][io]") {
  TestServer ts({}, {{"tight", 2, 60}});
  ts.router.Add(MakeRoute("GET", "/v1/orders", Text("{}"), "tight"));
  ts.router.Add(MakeRoute("GET", "/v1/free", Text("{}")));
  ts.router.Add(MakeRoute("GET", "/v1/other", Text("{}"), "unconfigured"));
  ts.rate_key = [](const Request& r) {
    auto agent = r.Header("x-agent-id");
    return agent ? "agent:" + *agent : std::string();  // empty: the default ip key
  };
  ts.Start();

  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  CURL* curl = curl_easy_init();
  Fetched a = Fetch(curl, "GET", ts.Url("/v1/orders"));
  Fetched b = Fetch(curl, "GET", ts.Url("/v1/orders"));
  Fetched c = Fetch(curl, "GET", ts.Url("/v1/orders"));
  CHECK(a.status == 200);
  CHECK(a.Header("x-ratelimit-limit") == "2");
  CHECK(a.Header("x-ratelimit-remaining") == "1");
  CHECK(b.Header("x-ratelimit-remaining") == "0");
  long long reset = std::stoll(b.Header("x-ratelimit-reset"));
  CHECK(reset >= now_s + 59);
  CHECK(reset <= now_s + 62);
  CHECK(c.status == 429);
  CHECK(c.Json()["error"]["code"] == "RATE_LIMITED");
  CHECK(c.Header("x-ratelimit-remaining") == "0");
  CHECK(std::stoi(c.Header("retry-after")) >= 1);
  CHECK(std::stoi(c.Header("retry-after")) <= 31);
  CHECK(c.new_connections == 0);  // 429 keeps the connection

  // Another key (agent) has its own bucket; the ip bucket stays empty.
  Fetched agent = Fetch(curl, "GET", ts.Url("/v1/orders"), {}, {"X-Agent-Id: alice"});
  CHECK(agent.status == 200);
  CHECK(agent.Header("x-ratelimit-remaining") == "1");
  CHECK(Fetch(curl, "GET", ts.Url("/v1/orders")).status == 429);

  Fetched free = Fetch(curl, "GET", ts.Url("/v1/free"));
  CHECK(free.status == 200);
  CHECK(free.Header("x-ratelimit-limit").empty());
  CHECK(Fetch(curl, "GET", ts.Url("/v1/other")).Header("x-ratelimit-limit").empty());
  curl_easy_cleanup(curl);
}

TEST_CASE("client_ip honours X-Forwarded-For only from a trusted proxy", "[sim][server]") {
  std::vector<std::string> trusted = {"10.0.0.1", "10.0.0.2", "::1"};
  CHECK(ClientIp("203.0.113.9", "", trusted) == "203.0.113.9");
  // Untrusted peer: its header is ignored.
  CHECK(ClientIp("203.0.113.9", "1.2.3.4", trusted) == "203.0.113.9");
  // Trusted peer: the rightmost hop that is not a trusted proxy.
  CHECK(ClientIp("10.0.0.1", "1.2.3.4", trusted) == "1.2.3.4");
  CHECK(ClientIp("10.0.0.1", "6.6.6.6, 1.2.3.4", trusted) == "1.2.3.4");
  CHECK(ClientIp("10.0.0.1", "6.6.6.6,1.2.3.4 , 10.0.0.2", trusted) == "1.2.3.4");
  CHECK(ClientIp("::1", "2001:db8::7", trusted) == "2001:db8::7");
  // All hops trusted: the leftmost.
  CHECK(ClientIp("10.0.0.1", "10.0.0.2", trusted) == "10.0.0.2");
  // Junk where the answer would be: the peer.
  CHECK(ClientIp("10.0.0.1", "1.2.3.4, not-an-ip", trusted) == "10.0.0.1");
  CHECK(ClientIp("10.0.0.1", " , ", trusted) == "10.0.0.1");
  // Junk left of a good hop does not matter.
  CHECK(ClientIp("10.0.0.1", "junk, 1.2.3.4", trusted) == "1.2.3.4");
  CHECK(ClientIp("10.0.0.1", "1.2.3.4", {}) == "10.0.0.1");
}

TEST_CASE("X-Forwarded-For reaches client_ip through the server", "[sim][server][io]") {
  HttpOptions o;
  SECTION("peer trusted") {
    o.trusted_proxies = {"127.0.0.1"};
    TestServer ts(o);
    ts.router.Add(MakeRoute("GET", "/ip", [](const Request& r, Reply rep) {
                     rep(JsonResponse(200, r.client_ip + "|" + r.peer_ip));
                   }));
    ts.Start();
    CHECK(Fetch1("GET", ts.Url("/ip"), {}, {"X-Forwarded-For: 9.9.9.9, 8.8.8.8"}).body ==
          "8.8.8.8|127.0.0.1");
  }
  SECTION("peer not trusted") {
    TestServer ts(o);
    ts.router.Add(MakeRoute("GET", "/ip", [](const Request& r, Reply rep) {
                     rep(JsonResponse(200, r.client_ip + "|" + r.peer_ip));
                   }));
    ts.Start();
    CHECK(Fetch1("GET", ts.Url("/ip"), {}, {"X-Forwarded-For: 8.8.8.8"}).body ==
          "127.0.0.1|127.0.0.1");
  }
}

TEST_CASE("metrics count every response by route pattern", "[sim][server][io]") {
  TestServer ts;
  ts.router.Add(MakeRoute("GET", "/v1/orders/{id}", Text("{}")));
  ts.Start();
  Fetch1("GET", ts.Url("/v1/orders/1"));
  Fetch1("GET", ts.Url("/v1/orders/2"));
  Fetch1("GET", ts.Url("/nope"));
  ts.metrics.SetGauge("claw_engine_queue_depth", "commands waiting for the engine", 3);
  std::string text = ts.metrics.Render();
  CHECK(text.find("# TYPE claw_http_requests_total counter\n") != std::string::npos);
  CHECK(text.find("claw_http_requests_total{route=\"/v1/orders/{id}\",status=\"200\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("claw_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE claw_http_request_duration_seconds histogram\n") != std::string::npos);
  CHECK(text.find("claw_http_request_duration_seconds_bucket{route=\"/v1/orders/{id}\",le="
                  "\"+Inf\"} 2\n") != std::string::npos);
  CHECK(text.find("claw_http_request_duration_seconds_count{route=\"/v1/orders/{id}\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE claw_engine_queue_depth gauge\nclaw_engine_queue_depth 3\n") !=
        std::string::npos);
}

TEST_CASE("metrics: histogram buckets are cumulative, labels escaped", "[sim][server]") {
  Metrics m;
  m.ObserveRequest("/a", 200, 0.0004);
  m.ObserveRequest("/a", 200, 0.003);
  m.ObserveRequest("/a", 500, 7.0);
  m.ObserveRequest("/q\"\\", 200, 0.1);
  m.SetGauge("claw_feed_messages_total", "messages", 12);
  m.SetGauge("bad name", "x\ny", 1.5);
  std::string t = m.Render();
  CHECK(t.find("claw_http_requests_total{route=\"/a\",status=\"200\"} 2\n") != std::string::npos);
  CHECK(t.find("claw_http_requests_total{route=\"/a\",status=\"500\"} 1\n") != std::string::npos);
  CHECK(t.find("_bucket{route=\"/a\",le=\"0.0005\"} 1\n") != std::string::npos);
  CHECK(t.find("_bucket{route=\"/a\",le=\"0.005\"} 2\n") != std::string::npos);
  CHECK(t.find("_bucket{route=\"/a\",le=\"5\"} 2\n") != std::string::npos);
  CHECK(t.find("_bucket{route=\"/a\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(t.find("route=\"/q\\\"\\\\\"") != std::string::npos);
  CHECK(t.find("# TYPE claw_feed_messages_total counter\n") != std::string::npos);
  CHECK(t.find("# HELP bad_name x\\ny\n# TYPE bad_name gauge\nbad_name 1.5\n") !=
        std::string::npos);
}

TEST_CASE("Stop lets a request in flight finish, then refuses connections",
          "[sim][server][io]") {
  TestServer ts;
  std::atomic<bool> entered{false};
  std::thread worker;
  ts.router.Add(MakeRoute("GET", "/slow", [&](const Request&, Reply reply) {
                   entered = true;
                   worker = std::thread([reply] {
                     std::this_thread::sleep_for(std::chrono::milliseconds(200));
                     reply(JsonResponse(200, "{\"done\":true}"));
                   });
                 }));
  ts.Start();
  std::string url = ts.Url("/slow");
  Fetched result;
  std::thread client([&] { result = Fetch1("GET", url); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto start = Clock::now();
  ts.server->Stop(2000);
  long stop_ms = MsSince(start);
  client.join();
  worker.join();
  CHECK(result.status == 200);
  CHECK(result.body == "{\"done\":true}");
  CHECK(result.Header("connection") == "close");
  CHECK(stop_ms >= 100);
  CHECK(stop_ms < 1500);
  Fetched refused = Fetch1("GET", url);
  CHECK(refused.code == CURLE_COULDNT_CONNECT);
  ts.server->Stop();  // idempotent
}

TEST_CASE("Stop does not wait past drain_ms for a reply that never comes", "[sim][server][io]") {
  TestServer ts;
  std::atomic<bool> entered{false};
  Reply kept;
  std::mutex mu;
  ts.router.Add(MakeRoute("GET", "/never", [&](const Request&, Reply reply) {
                   std::lock_guard<std::mutex> lock(mu);
                   kept = reply;
                   entered = true;
                 }));
  ts.Start();
  std::string url = ts.Url("/never");
  Fetched result;
  std::thread client([&] { result = Fetch1("GET", url); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto start = Clock::now();
  ts.server->Stop(100);
  CHECK(MsSince(start) < 600);
  client.join();
  CHECK(result.code != CURLE_OK);  // closed without an answer
  ts.server.reset();
  std::lock_guard<std::mutex> lock(mu);
  kept(JsonResponse(200, "{}"));  // after the server is gone: dropped, harmless
}

TEST_CASE("Start on a taken port fails with kUnavailable naming the address",
          "[sim][server][io]") {
  TestServer first;
  first.Start();
  HttpOptions o;
  o.host = "127.0.0.1";
  o.port = first.server->port();
  Router router;
  HttpServer second(o, router, nullptr, nullptr);
  Status st = second.Start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == StatusCode::kUnavailable);
  CHECK(st.message().find("127.0.0.1:" + std::to_string(o.port)) != std::string::npos);
  second.Stop();
  CHECK(Fetch1("GET", first.Url("/x")).status == 404);  // the first is unaffected
}

TEST_CASE("connections beyond max_connections are closed at once", "[sim][server][io]") {
  HttpOptions o;
  o.max_connections = 1;
  TestServer ts(o);
  ts.router.Add(MakeRoute("GET", "/a", Text("{}")));
  ts.Start();
  int held = ConnectRaw(ts.server->port());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Fetched refused = Fetch1("GET", ts.Url("/a"));
  CHECK(refused.code != CURLE_OK);
  ::close(held);
  bool ok = false;
  for (int i = 0; i < 50 && !ok; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ok = Fetch1("GET", ts.Url("/a")).status == 200;
  }
  CHECK(ok);
}

TEST_CASE("malformed requests are 400 and oversized headers 431", "[sim][server][io]") {
  HttpOptions o;
  o.max_header = 512;
  TestServer ts(o);
  ts.router.Add(MakeRoute("GET", "/a", Text("{}")));
  ts.Start();
  auto raw = [&](const std::string& bytes) {
    int fd = ConnectRaw(ts.server->port());
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    bool eof = false;
    std::string got = ReadAll(fd, 1500, &eof);
    ::close(fd);
    return got;
  };
  CHECK(raw("NOT HTTP AT ALL\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(raw("GET /a HTTP/1.1\r\nX-Big: " + std::string(1000, 'b') + "\r\n\r\n")
            .rfind("HTTP/1.1 431", 0) == 0);
  CHECK(raw("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 200", 0) ==
        0);
}

}  // namespace claw::server
