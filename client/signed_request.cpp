#include "client/signed_request.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "client/ed25519.h"

namespace claw::client {

std::string CanonicalString(std::string_view method, std::string_view target,
                            std::string_view timestamp, std::string_view nonce,
                            std::string_view body) {
  std::string m(method);
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string out = "CLAW-SIG-V1\n";
  out += m;
  out += '\n';
  out.append(target);
  out += "\n";
  out.append(timestamp);
  out += "\n";
  out.append(nonce);
  out += '\n';
  out += Sha256Hex(body);
  return out;
}

std::string NewNonce() {
  if (sodium_init() < 0) return {};
  std::uint8_t raw[16];
  randombytes_buf(raw, sizeof raw);
  return Base64UrlEncode(raw, sizeof raw);
}

std::int64_t NowUnixMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool IsValidNonce(std::string_view nonce) {
  if (nonce.size() < 16 || nonce.size() > 64) return false;
  return std::all_of(nonce.begin(), nonce.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
}

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isdigit(c);
  });
}

int Num(std::string_view s, std::size_t pos, std::size_t len) {
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::optional<std::int64_t> ParseIso(std::string_view v) {
  // YYYY-MM-DDTHH:MM:SS[.fff...]Z
  if (v.size() < 20 || v.back() != 'Z') return std::nullopt;
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:dd";
  for (std::size_t i = 0; i < 19; ++i) {
    const bool ok = kShape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(v[i]))
                                     : v[i] == kShape[i];
    if (!ok) return std::nullopt;
  }
  std::string_view frac = v.substr(19, v.size() - 20);
  int ms = 0;
  if (!frac.empty()) {
    if (frac[0] != '.' || !AllDigits(frac.substr(1)) || frac.size() > 10) return std::nullopt;
    std::string f(frac.substr(1));
    f.resize(3, '0');
    ms = Num(f, 0, 3);
  }
  const int mo = Num(v, 5, 2), d = Num(v, 8, 2), h = Num(v, 11, 2), mi = Num(v, 14, 2),
            s = Num(v, 17, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const std::int64_t days = DaysFromCivil(Num(v, 0, 4), mo, d);
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms;
}

}  // namespace

std::optional<std::int64_t> ParseRequestTimestamp(std::string_view value) {
  if (AllDigits(value)) {
    if (value.size() > 15) return std::nullopt;  // beyond year 33658: not a real clock
    return std::stoll(std::string(value));
  }
  return ParseIso(value);
}

Result<SignedHeaders> SignRequest(const SignRequestInput& in, const Bytes& secret_key) {
  if (secret_key.size() != kEd25519SecretKeyBytes) {
    return Status::InvalidArgument("secret key must be 64 bytes");
  }
  SignedHeaders h;
  h.agent_id = in.agent_id;
  h.timestamp = in.timestamp ? *in.timestamp : std::to_string(NowUnixMillis());
  h.nonce = in.nonce ? *in.nonce : NewNonce();
  if (!ParseRequestTimestamp(h.timestamp)) {
    return Status::InvalidArgument("timestamp '" + h.timestamp +
                                   "' is neither unix milliseconds nor ISO-8601 UTC");
  }
  if (!IsValidNonce(h.nonce)) {
    return Status::InvalidArgument("nonce '" + h.nonce + "' must be 16-64 chars of [A-Za-z0-9_-]");
  }
  const std::string canonical = CanonicalString(in.method, in.target, h.timestamp, h.nonce, in.body);
  h.signature = Base64UrlEncode(Ed25519Sign(secret_key, canonical));
  return h;
}

const char* RequestCheckName(RequestCheck check) {
  switch (check) {
    case RequestCheck::kOk: return "ok";
    case RequestCheck::kMissingHeader: return "missing_header";
    case RequestCheck::kBadNonce: return "bad_nonce";
    case RequestCheck::kBadTimestamp: return "bad_timestamp";
    case RequestCheck::kExpiredTimestamp: return "expired_timestamp";
    case RequestCheck::kBadSignatureEncoding: return "bad_signature_encoding";
    case RequestCheck::kBadSignature: return "bad_signature";
  }
  return "unknown";
}

namespace {

RequestVerdict Fail(RequestCheck check, std::string detail) {
  RequestVerdict v;
  v.check = check;
  v.detail = std::move(detail);
  return v;
}

std::optional<RequestVerdict> CheckPresence(const VerifyRequestInput& in) {
  if (!in.registration && (!in.agent_id || in.agent_id->empty())) {
    return Fail(RequestCheck::kMissingHeader, "X-Agent-Id header missing");
  }
  if (!in.timestamp) return Fail(RequestCheck::kMissingHeader, "X-Timestamp header missing");
  if (!in.nonce) return Fail(RequestCheck::kMissingHeader, "X-Nonce header missing");
  if (!in.signature) return Fail(RequestCheck::kMissingHeader, "X-Signature header missing");
  return std::nullopt;
}

std::optional<RequestVerdict> CheckTimestamp(const VerifyRequestInput& in) {
  const std::optional<std::int64_t> ts = ParseRequestTimestamp(*in.timestamp);
  if (!ts) {
    return Fail(RequestCheck::kBadTimestamp,
                "X-Timestamp '" + *in.timestamp + "' is neither unix milliseconds nor ISO-8601 UTC");
  }
  const std::int64_t skew = *ts - in.now_ms;
  if (skew > in.window_ms || -skew > in.window_ms) {
    return Fail(RequestCheck::kExpiredTimestamp,
                "X-Timestamp is " + std::to_string((skew < 0 ? -skew : skew) / 1000) + " s " +
                    (skew < 0 ? "in the past" : "in the future") + " (window +-" +
                    std::to_string(in.window_ms / 1000) + " s)");
  }
  return std::nullopt;
}

}  // namespace

RequestVerdict VerifyRequest(const VerifyRequestInput& in, const Bytes& public_key) {
  if (auto v = CheckPresence(in)) return *v;
  if (!IsValidNonce(*in.nonce)) {
    return Fail(RequestCheck::kBadNonce, "X-Nonce must be 16-64 chars of [A-Za-z0-9_-]");
  }
  if (auto v = CheckTimestamp(in)) return *v;
  Result<Bytes> sig = ParseEd25519Signature(*in.signature);
  if (!sig.ok()) return Fail(RequestCheck::kBadSignatureEncoding, "X-Signature: " + sig.status().message());
  RequestVerdict verdict;
  verdict.canonical = CanonicalString(in.method, in.target, *in.timestamp, *in.nonce, in.body);
  if (!Ed25519Verify(public_key, verdict.canonical, *sig)) {
    verdict.check = RequestCheck::kBadSignature;
    verdict.detail =
        "signature does not verify over the canonical string (method, target, timestamp, "
        "nonce or body sha256 " + Sha256Hex(in.body) + " differs from what was signed, or the key is wrong)";
  }
  return verdict;
}

}  // namespace claw::client
