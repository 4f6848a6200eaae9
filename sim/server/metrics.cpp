// Prometheus text exposition format 0.0.4 (sim/server/http.h).
//
// One mutex: a request costs one map lookup under it, far below the cost of serving it.
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <string>

#include "sim/server/http.h"

namespace claw::server {
namespace {

// Upper bounds in seconds: from a cached read (sub-millisecond) to a slow durable write.
constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1.0,   2.5,   5.0};

struct Histogram {
  std::array<std::uint64_t, kBuckets.size()> counts{};  // per bucket, not cumulative
  std::uint64_t count = 0;
  double sum = 0;
};

struct Gauge {
  std::string help;
  double value = 0;
};

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];  // fixed notation of the largest double needs ~310 characters
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// Bucket bounds as people write them ("0.0005", not "5e-04").
std::string FormatBound(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

// Label values escape backslash, double quote and newline (exposition format spec).
std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Metric names are [a-zA-Z_:][a-zA-Z0-9_:]*; anything else becomes '_'.
std::string SanitizeName(std::string_view name) {
  std::string out(name);
  for (std::size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) out[i] = '_';
  }
  if (out.empty()) out = "_";
  return out;
}

}  // namespace

struct Metrics::Impl {
  mutable std::mutex mu;
  std::map<std::pair<std::string, int>, std::uint64_t> requests;  // (route, status)
  std::map<std::string, Histogram> durations;                     // by route
  std::map<std::string, Gauge> gauges;                            // by sanitised name
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::ObserveRequest(std::string_view route_pattern, int status, double seconds) {
  std::string route(route_pattern);
  std::lock_guard<std::mutex> lock(impl_->mu);
  ++impl_->requests[{route, status}];
  Histogram& h = impl_->durations[route];
  ++h.count;
  if (std::isfinite(seconds)) h.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.counts[i];
      break;
    }
  }
}

void Metrics::SetGauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Gauge& g = impl_->gauges[SanitizeName(name)];
  g.help = help;
  g.value = value;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string out;
  out += "# HELP claw_http_requests_total HTTP responses sent, by route pattern and status.\n";
  out += "# TYPE claw_http_requests_total counter\n";
  for (const auto& [key, n] : impl_->requests) {
    out += "claw_http_requests_total{route=\"" + EscapeLabel(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP claw_http_request_duration_seconds Time from request header to response.\n";
  out += "# TYPE claw_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : impl_->durations) {
    std::string label = "route=\"" + EscapeLabel(route) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out += "claw_http_request_duration_seconds_bucket{" + label + ",le=\"" +
             FormatBound(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "claw_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "claw_http_request_duration_seconds_sum{" + label + "} " + FormatNumber(h.sum) + "\n";
    out += "claw_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) +
           "\n";
  }
  for (const auto& [name, g] : impl_->gauges) {
    bool counter = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
    out += "# HELP " + name + " " + EscapeHelp(g.help) + "\n";
    out += "# TYPE " + name + (counter ? " counter\n" : " gauge\n");
    out += name + " " + FormatNumber(g.value) + "\n";
  }
  return out;
}

}  // namespace claw::server
