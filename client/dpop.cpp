#include "client/dpop.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "client/ed25519.h"
#include "client/js_json.h"

namespace claw::client {
namespace {

using nlohmann::json;

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string RandomJti() {
  if (sodium_init() < 0) return {};
  std::uint8_t raw[16];
  randombytes_buf(raw, sizeof raw);
  return Base64UrlEncode(raw, sizeof raw);
}

std::int64_t NowSeconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

Result<std::string> Header(const Bytes& public_key) {
  Result<std::string> jwk = JsJsonObject()
                                .String("kty", "OKP")
                                .String("crv", "Ed25519")
                                .String("x", Base64UrlEncode(public_key))
                                .Finish();
  if (!jwk.ok()) return jwk.status();
  return JsJsonObject().String("typ", "dpop+jwt").String("alg", "EdDSA").Raw("jwk", *jwk).Finish();
}

}  // namespace

std::string DpopHtu(std::string_view url) {
  const std::size_t cut = url.find_first_of("?#");
  return std::string(url.substr(0, cut));
}

std::string DpopAth(std::string_view access_token) {
  return Base64UrlEncode(Sha256(access_token));
}

std::string JwkThumbprint(const Bytes& public_key) {
  // RFC 7638 §3: required members only, lexicographic order, no whitespace.
  const std::string canonical =
      "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + Base64UrlEncode(public_key) + "\"}";
  return Base64UrlEncode(Sha256(canonical));
}

Result<std::string> MakeDpopProof(const DpopProofInput& in, const Bytes& secret_key) {
  if (secret_key.size() != kEd25519SecretKeyBytes) {
    return Status::InvalidArgument("secret key must be 64 bytes");
  }
  const Bytes public_key(secret_key.begin() + 32, secret_key.end());
  Result<std::string> header = Header(public_key);
  if (!header.ok()) return header.status();
  JsJsonObject payload;
  payload.String("jti", in.jti ? *in.jti : RandomJti())
      .String("htm", Upper(in.method))
      .String("htu", DpopHtu(in.url))
      .Integer("iat", in.iat ? *in.iat : NowSeconds());
  if (in.access_token) payload.String("ath", DpopAth(*in.access_token));
  Result<std::string> body = payload.Finish();
  if (!body.ok()) return body.status();
  const std::string signing_input = Base64UrlEncode(*header) + "." + Base64UrlEncode(*body);
  return signing_input + "." + Base64UrlEncode(Ed25519Sign(secret_key, signing_input));
}

const char* DpopCheckName(DpopCheck check) {
  switch (check) {
    case DpopCheck::kOk: return "ok";
    case DpopCheck::kMalformed: return "malformed";
    case DpopCheck::kTyp: return "typ";
    case DpopCheck::kAlg: return "alg";
    case DpopCheck::kJwk: return "jwk";
    case DpopCheck::kSignature: return "signature";
    case DpopCheck::kHtm: return "htm";
    case DpopCheck::kHtu: return "htu";
    case DpopCheck::kIat: return "iat";
    case DpopCheck::kJti: return "jti";
    case DpopCheck::kAth: return "ath";
  }
  return "unknown";
}

namespace {

struct ParsedJws {
  json header;
  json payload;
  std::string signing_input;
  Bytes signature;
};

DpopVerdict Fail(DpopCheck check, std::string detail) {
  DpopVerdict v;
  v.check = check;
  v.detail = std::move(detail);
  return v;
}

std::optional<json> DecodeJsonPart(std::string_view part) {
  Result<Bytes> raw = Base64Decode(part, "jws part");
  if (!raw.ok()) return std::nullopt;
  json j = json::parse(raw->begin(), raw->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<ParsedJws> ParseJws(std::string_view proof) {
  const std::size_t a = proof.find('.');
  const std::size_t b = a == std::string_view::npos ? a : proof.find('.', a + 1);
  if (b == std::string_view::npos || proof.find('.', b + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<json> header = DecodeJsonPart(proof.substr(0, a));
  std::optional<json> payload = DecodeJsonPart(proof.substr(a + 1, b - a - 1));
  Result<Bytes> sig = Base64Decode(proof.substr(b + 1), "jws signature");
  if (!header || !payload || !sig.ok()) return std::nullopt;
  return ParsedJws{*header, *payload, std::string(proof.substr(0, b)), *sig};
}

bool IsString(const json& j, const char* key) { return j.contains(key) && j[key].is_string(); }

// typ, alg and a public-only OKP/Ed25519 jwk; on success the key goes into `v.public_key`.
std::optional<DpopVerdict> CheckHeader(const json& h, DpopVerdict& v) {
  if (!IsString(h, "typ") || h["typ"] != "dpop+jwt") return Fail(DpopCheck::kTyp, "typ must be \"dpop+jwt\"");
  if (!IsString(h, "alg") || h["alg"] != "EdDSA") return Fail(DpopCheck::kAlg, "alg must be \"EdDSA\"");
  if (!h.contains("jwk") || !h["jwk"].is_object()) return Fail(DpopCheck::kJwk, "jwk missing");
  const json& jwk = h["jwk"];
  if (jwk.contains("d")) return Fail(DpopCheck::kJwk, "jwk must not contain the private key \"d\"");
  if (!IsString(jwk, "kty") || jwk["kty"] != "OKP" || !IsString(jwk, "crv") ||
      jwk["crv"] != "Ed25519" || !IsString(jwk, "x")) {
    return Fail(DpopCheck::kJwk, "jwk must be {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":...}");
  }
  Result<Bytes> pk = ParseEd25519PublicKey(jwk["x"].get<std::string>());
  if (!pk.ok()) return Fail(DpopCheck::kJwk, "jwk x: " + pk.status().message());
  v.public_key = *pk;
  return std::nullopt;
}

std::optional<DpopVerdict> CheckClaims(const json& p, const DpopVerifyInput& in) {
  if (!IsString(p, "jti") || p["jti"].get<std::string>().empty()) return Fail(DpopCheck::kJti, "jti missing");
  if (!IsString(p, "htm") || p["htm"] != Upper(in.method)) {
    return Fail(DpopCheck::kHtm, "htm must be \"" + Upper(in.method) + "\"");
  }
  if (!IsString(p, "htu") || DpopHtu(p["htu"].get<std::string>()) != DpopHtu(in.url)) {
    return Fail(DpopCheck::kHtu, "htu must be \"" + DpopHtu(in.url) + "\"");
  }
  if (!p.contains("iat") || !p["iat"].is_number_integer()) return Fail(DpopCheck::kIat, "iat missing or not an integer");
  const std::int64_t skew = p["iat"].get<std::int64_t>() - in.now_s;
  if (skew > in.window_s || -skew > in.window_s) {
    return Fail(DpopCheck::kIat, "iat is " + std::to_string(skew) + " s from now (window +-" +
                                     std::to_string(in.window_s) + " s)");
  }
  if (in.access_token) {
    if (!IsString(p, "ath") || p["ath"] != DpopAth(*in.access_token)) {
      return Fail(DpopCheck::kAth, "ath must be base64url(SHA-256(access token))");
    }
  }
  return std::nullopt;
}

}  // namespace

DpopVerdict VerifyDpopProof(std::string_view proof, const DpopVerifyInput& in) {
  std::optional<ParsedJws> jws = ParseJws(proof);
  if (!jws) return Fail(DpopCheck::kMalformed, "not a compact JWS of three base64url JSON parts");
  DpopVerdict v;
  if (auto f = CheckHeader(jws->header, v)) return *f;
  if (!Ed25519Verify(v.public_key, jws->signing_input, jws->signature)) {
    return Fail(DpopCheck::kSignature, "signature does not verify under the jwk");
  }
  if (auto f = CheckClaims(jws->payload, in)) return *f;
  v.jti = jws->payload["jti"].get<std::string>();
  v.thumbprint = JwkThumbprint(v.public_key);
  return v;
}

}  // namespace claw::client
