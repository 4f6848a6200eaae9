// CurlTransport against a scripted HTTP/1.1 server on a loopback socket: what goes on the wire,
// keep-alive across requests and attempts, and retries of real 503s and dropped connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/http_client.h"

using namespace claw;
using namespace claw::client;

namespace {

// Serves one connection at a time. Each scripted answer is an HTTP status, or 0 to close the
// connection without answering. Records every request's head and body.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::deque<int> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { Run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Run() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      Serve(c);
      ::close(c);
    }
  }
  // Answers requests on one connection until the client closes it or the script says drop.
  void Serve(int c) {
    std::string buf;
    for (;;) {
      std::size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        char tmp[4096];
        ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return;
        buf.append(tmp, static_cast<std::size_t>(n));
      }
      std::size_t length = 0;
      if (auto p = buf.find("Content-Length: "); p != std::string::npos && p < head_end) {
        length = std::stoul(buf.substr(p + 16));
      }
      while (buf.size() < head_end + 4 + length) {
        char tmp[4096];
        ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return;
        buf.append(tmp, static_cast<std::size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        requests_.push_back(buf.substr(0, head_end + 4 + length));
      }
      buf.erase(0, head_end + 4 + length);
      int status = 200;
      {
        std::lock_guard lock(mu_);
        if (!script_.empty()) {
          status = script_.front();
          script_.pop_front();
        }
      }
      if (status == 0) return;  // drop the connection: a network error for the client
      const std::string body = "{\"n\":" + std::to_string(requests_.size()) + "}";
      const std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n"
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      if (::send(c, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::deque<int> script_;
  std::vector<std::string> requests_;
};

HttpRequest Get(const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  r.idempotent = true;
  return r;
}

}  // namespace

TEST_CASE("curl transport sends method, target, headers and body, and reuses the connection", "[client][io]") {
  ScriptedServer server({200, 201});
  CurlTransport t({server.url() + "/", 2000, 5000, "claw-test"});
  Result<HttpResponse> a = t.Perform(Get("/v1/prices?x=1"), {"X-Nonce: abc"});
  REQUIRE(a.ok());
  CHECK(a->status == 200);
  CHECK(a->body == "{\"n\":1}");
  HttpRequest post;
  post.method = "POST";
  post.target = "/v1/orders";
  post.body = R"({"symbol":"BTCUSDT"})";
  Result<HttpResponse> b = t.Perform(post, {});
  REQUIRE(b.ok());
  CHECK(b->status == 201);
  const auto reqs = server.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].rfind("GET /v1/prices?x=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(reqs[0].find("\r\nX-Nonce: abc\r\n") != std::string::npos);
  CHECK(reqs[0].find("\r\nUser-Agent: claw-test\r\n") != std::string::npos);
  CHECK(reqs[1].rfind("POST /v1/orders HTTP/1.1\r\n", 0) == 0);
  CHECK(reqs[1].find("\r\nContent-Type: application/json\r\n") != std::string::npos);
  CHECK(reqs[1].ends_with("\r\n\r\n{\"symbol\":\"BTCUSDT\"}"));
  CHECK(server.connections() == 1);  // keep-alive
}

TEST_CASE("curl transport retries a 503 and a dropped connection, signing each attempt", "[client][io]") {
  // libcurl itself resends once, on a fresh connection, when a reused connection dies before
  // answering (a stale keep-alive); the second drop is a network error and our retry.
  ScriptedServer server({503, 0, 0, 200});
  CurlTransport t({server.url(), 2000, 5000, "claw"});
  RetryPolicy p;
  p.base_ms = 1;
  p.max_ms = 5;
  HttpRequest r = Get("/v1/orders");
  int n = 0;
  r.sign = [&](const HttpRequest&) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{"X-Nonce: nonce" + std::to_string(++n)};
  };
  Result<HttpResponse> out = SendWithRetry(t, p, r);
  REQUIRE(out.ok());
  CHECK(out->status == 200);
  CHECK(out->attempts == 3);
  const auto reqs = server.requests();
  REQUIRE(reqs.size() == 4);
  CHECK(reqs[0].find("X-Nonce: nonce1") != std::string::npos);
  CHECK(reqs[1].find("X-Nonce: nonce2") != std::string::npos);
  CHECK(reqs[2].find("X-Nonce: nonce2") != std::string::npos);
  CHECK(reqs[3].find("X-Nonce: nonce3") != std::string::npos);
  CHECK(server.connections() == 3);
}

TEST_CASE("curl transport reports a refused connection as unavailable", "[client][io]") {
  int port = 0;
  {
    ScriptedServer closed({});
    port = std::stoi(closed.url().substr(17));
  }
  CurlTransport t({"http://127.0.0.1:" + std::to_string(port), 2000, 5000, "claw"});
  Result<HttpResponse> r = t.Perform(Get("/v1/health"), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(r.status().message().rfind("GET http://127.0.0.1:" + std::to_string(port) + "/v1/health: ", 0) == 0);
}
