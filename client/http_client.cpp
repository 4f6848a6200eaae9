#include "client/http_client.h"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace claw::client {
namespace {

std::size_t WriteBody(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// Errors that no retry can fix: the URL or the build is wrong.
bool Permanent(CURLcode code) {
  return code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT ||
         code == CURLE_NOT_BUILT_IN || code == CURLE_OUT_OF_MEMORY;
}

double RandomJitter() { return static_cast<double>(randombytes_uniform(1'000'001)) / 1'000'000.0; }

}  // namespace

bool RetryPolicy::ShouldRetry(int attempt, bool idempotent, int http_status) const {
  if (!idempotent || attempt >= max_attempts) return false;
  return http_status == 0 || (http_status >= 500 && http_status <= 599);
}

std::int64_t RetryPolicy::BackoffMs(int attempt, double jitter) const {
  std::int64_t d = std::max<std::int64_t>(0, base_ms);
  for (int i = 1; i < attempt && d < max_ms; ++i) d *= 2;
  d = std::min(d, std::max<std::int64_t>(0, max_ms));
  jitter = std::clamp(jitter, 0.0, 1.0);
  return static_cast<std::int64_t>(static_cast<double>(d) * (0.5 + jitter / 2));
}

CurlTransport::CurlTransport(HttpOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  curl_ = curl_easy_init();
}

CurlTransport::~CurlTransport() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> CurlTransport::Perform(const HttpRequest& request,
                                            const std::vector<std::string>& headers) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return Status::Internal("libcurl could not create a handle");
  // curl_easy_reset keeps the connection cache, so the next request reuses the connection.
  curl_easy_reset(c);
  const std::string url = options_.base_url + request.target;
  HttpResponse response;
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Accept: application/json");
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!request.body.empty()) list = curl_slist_append(list, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    }
  }
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    Status s = Status::Unavailable(request.method + " " + url + ": " + curl_easy_strerror(rc),
                                   "check the server URL (claw config get server) and that the arena runs");
    if (Permanent(rc)) return Status::InvalidArgument(s.message(), "check the server URL");
    return s;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

Result<HttpResponse> SendWithRetry(Transport& transport, const RetryPolicy& policy,
                                   const HttpRequest& request, const SleepFn& sleep,
                                   const JitterFn& jitter) {
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> headers;
    if (request.sign) {
      Result<std::vector<std::string>> signed_headers = request.sign(request);
      if (!signed_headers.ok()) return signed_headers.status();
      headers = std::move(signed_headers).value();
    }
    Result<HttpResponse> r = transport.Perform(request, headers);
    if (!r.ok() && r.status().code() != StatusCode::kUnavailable) return r.status();
    const int http = r.ok() ? r->status : 0;
    if (!policy.ShouldRetry(attempt, request.idempotent, http)) {
      if (r.ok()) r->attempts = attempt;
      return r;
    }
    const std::int64_t ms = policy.BackoffMs(attempt, jitter ? jitter() : RandomJitter());
    if (sleep) {
      sleep(ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  }
}

}  // namespace claw::client
