// Request helpers, the §5 error envelope and the route table (sim/server/http.h).
#include "sim/server/http.h"

#include <sodium.h>

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace claw::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space; a malformed escape stays as is.
std::string FormDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

bool IsParamSegment(std::string_view seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

// Matches `path_segs` against `pattern`; on success fills `params` and `score` (one bool per
// segment, true for a literal: the larger vector wins, so literals beat parameters).
bool MatchPattern(std::string_view pattern, const std::vector<std::string_view>& path_segs,
                  std::map<std::string, std::string>* params, std::vector<bool>* score) {
  std::vector<std::string_view> pat = SplitPath(pattern);
  if (pat.size() != path_segs.size()) return false;
  params->clear();
  score->clear();
  for (std::size_t i = 0; i < pat.size(); ++i) {
    if (IsParamSegment(pat[i])) {
      if (path_segs[i].empty()) return false;
      (*params)[std::string(pat[i].substr(1, pat[i].size() - 2))] = std::string(path_segs[i]);
      score->push_back(false);
    } else {
      if (pat[i] != path_segs[i]) return false;
      score->push_back(true);
    }
  }
  return true;
}

std::optional<boost::asio::ip::address> ParseIp(std::string_view text) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return addr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> Request::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string key = FormDecode(pair.substr(0, eq));
    if (key != name) continue;
    return eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string FormatIsoMillis(std::int64_t unix_ms) {
  std::int64_t secs = unix_ms / 1000;
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // ample for any int fields; keeps -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string NewRequestId() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing sensible to do
  });
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "req-";
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

std::string ClientIp(std::string_view peer_ip, std::string_view forwarded_for,
                     const std::vector<std::string>& trusted_proxies) {
  std::vector<boost::asio::ip::address> trusted;
  for (const std::string& t : trusted_proxies) {
    if (auto a = ParseIp(Trim(t))) trusted.push_back(*a);
  }
  auto is_trusted = [&](const boost::asio::ip::address& a) {
    for (const auto& t : trusted) {
      if (t == a) return true;
    }
    return false;
  };
  auto peer = ParseIp(peer_ip);
  if (!peer || !is_trusted(*peer) || Trim(forwarded_for).empty()) return std::string(peer_ip);

  std::vector<std::string_view> hops;
  std::string_view rest = forwarded_for;
  while (true) {
    std::size_t comma = rest.find(',');
    hops.push_back(Trim(rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  for (std::size_t i = hops.size(); i-- > 0;) {
    auto hop = ParseIp(hops[i]);
    if (!hop) return std::string(peer_ip);  // junk where the answer would be: do not trust it
    if (!is_trusted(*hop) || i == 0) return hop->to_string();
  }
  return std::string(peer_ip);
}

Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view hint, const Request& request,
                       std::string_view details_json) {
  nlohmann::ordered_json error;
  error["code"] = std::string(code);
  error["message"] = std::string(message);
  error["hint"] = std::string(hint);
  error["request_id"] = request.request_id;
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  error["timestamp"] = FormatIsoMillis(now_ms);
  if (!details_json.empty()) {
    auto details = nlohmann::ordered_json::parse(details_json, nullptr, false);
    if (!details.is_discarded() && details.is_object()) error["details"] = std::move(details);
  }
  nlohmann::ordered_json body;
  body["error"] = std::move(error);
  Response r;
  r.status = status;
  // Messages may quote what a client sent (a path): never let bad UTF-8 throw here.
  r.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  std::vector<std::string_view> segs = SplitPath(path);
  std::map<std::string, std::string> params;
  std::vector<bool> score;
  std::vector<bool> best_score;
  for (const Route& r : routes_) {
    if (!MatchPattern(r.pattern, segs, &params, &score)) continue;
    match.path_known = true;
    bool listed = false;
    for (const auto& m : match.allowed) listed = listed || m == r.method;
    if (!listed) match.allowed.push_back(r.method);
    if (r.method != method) continue;
    if (match.route == nullptr || score > best_score) {
      match.route = &r;
      match.params = params;
      best_score = score;
    }
  }
  return match;
}

}  // namespace claw::server
