// For the in-process server tests: a temp data dir, Ed25519 keys, and a libcurl client that
// sends plain, §2-signed and DPoP-session requests to the real server on a loopback port.
#pragma once

#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include "client/dpop.h"
#include "client/ed25519.h"
#include "client/encoding.h"
#include "client/signed_request.h"
#include "sim/server/serve_config.h"

namespace claw::servertest {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/claw-server-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct Key {
  client::Bytes secret, pub;
  Key() {
    secret.resize(crypto_sign_SECRETKEYBYTES);
    pub.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_keypair(pub.data(), secret.data());
  }
  std::string pub_text() const { return client::Base64UrlEncode(pub); }
};

struct Reply {
  long status = 0;
  std::string body;
  nlohmann::json j() const { return nlohmann::json::parse(body, nullptr, false); }
  // The §5 envelope's error.code, or "".
  std::string code() const {
    nlohmann::json e = j();
    if (!e.is_object() || !e.contains("error") || !e["error"].is_object()) return "";
    return e["error"].value("code", "");
  }
  // error.details[name] as a string, or "".
  std::string detail(const char* name) const {
    nlohmann::json e = j();
    if (!e.is_object() || !e.contains("error") || !e["error"].contains("details")) return "";
    const nlohmann::json& d = e["error"]["details"];
    return d.is_object() && d.contains(name) && d[name].is_string() ? d[name].get<std::string>() : "";
  }
  std::string reason() const { return detail("reason"); }
  std::string check() const { return detail("check"); }
};

inline std::size_t OnBody(char* p, std::size_t n, std::size_t m, void* out) {
  static_cast<std::string*>(out)->append(p, n * m);
  return n * m;
}

class Client {
 public:
  explicit Client(std::string base) : base_(std::move(base)), curl_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(curl_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  const std::string& base() const { return base_; }

  Reply Send(const std::string& method, const std::string& target, const std::string& body,
             const std::vector<std::string>& headers) {
    Reply r;
    curl_easy_reset(curl_);
    const std::string url = base_ + target;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty() || method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10'000L);
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(list);
    REQUIRE(rc == CURLE_OK);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  // The §2 headers; agent empty: the registration variant.
  std::vector<std::string> SignedHeaders(const std::string& method, const std::string& target,
                                         const std::string& body, const Key& key,
                                         const std::string& agent) {
    client::SignRequestInput in;
    in.method = method;
    in.target = target;
    in.body = body;
    in.agent_id = agent;
    auto h = client::SignRequest(in, key.secret);
    REQUIRE(h.ok());
    std::vector<std::string> headers = {"X-Timestamp: " + h->timestamp, "X-Nonce: " + h->nonce,
                                        "X-Signature: " + h->signature};
    if (!agent.empty()) headers.push_back("X-Agent-Id: " + agent);
    return headers;
  }

  Reply Signed(const std::string& method, const std::string& target, const std::string& body,
               const Key& key, const std::string& agent, const std::string& forwarded_for = "") {
    std::vector<std::string> headers = SignedHeaders(method, target, body, key, agent);
    if (!forwarded_for.empty()) headers.push_back("X-Forwarded-For: " + forwarded_for);
    return Send(method, target, body, headers);
  }

  Reply Get(const std::string& target, const std::vector<std::string>& headers = {}) {
    return Send("GET", target, "", headers);
  }

  // A DPoP proof (PROTOCOL.md §7) for base + path.
  std::string Proof(const std::string& method, const std::string& path, const Key& key,
                    std::optional<std::string> token = std::nullopt,
                    std::optional<std::int64_t> iat = std::nullopt,
                    std::optional<std::string> jti = std::nullopt) {
    client::DpopProofInput in{method, base_ + path, std::move(token), std::move(jti), iat};
    auto p = client::MakeDpopProof(in, key.secret);
    REQUIRE(p.ok());
    return *p;
  }

  // An authenticated call with a session: Authorization: DPoP + a proof with ath.
  Reply WithSession(const std::string& method, const std::string& target, const std::string& token,
                    const Key& key, const std::string& body = "") {
    const std::string path = target.substr(0, target.find('?'));
    return Send(method, target, body,
                {"Authorization: DPoP " + token, "DPoP: " + Proof(method, path, key, token)});
  }

 private:
  std::string base_;
  CURL* curl_;
};

// A loopback server on a free port over `dir`, with a seeded synthetic feed.
inline server::ServeConfig Config(const std::string& dir) {
  server::ServeConfig c;
  c.listen_host = "127.0.0.1";
  c.listen_port = 0;
  c.data_dir = dir;
  c.synthetic_seed = 7;
  c.io_threads = 2;
  return c;
}

// Waits until the synthetic feed has quoted at least two symbols.
inline void WaitForPrices(Client& c) {
  for (int i = 0; i < 100; ++i) {
    nlohmann::json p = c.Get("/v1/prices").j();
    if (p.is_object() && p["prices"].size() >= 2 && !p["prices"][0]["ask"].is_null()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("the synthetic feed gave no prices");
}

}  // namespace claw::servertest
