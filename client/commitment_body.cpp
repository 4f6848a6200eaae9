#include "client/commitment_body.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "client/commitment.h"
#include "client/js_json.h"
#include "client/signed_request.h"
#include "client/view_key.h"

namespace claw::client {
namespace {

using nlohmann::json;

Status Bad(std::string message, std::string hint = "") {
  return Status::InvalidArgument(std::move(message), std::move(hint));
}

// A required (or optional) string field of 1..max characters.
Status Str(const json& b, const char* f, std::size_t max, std::string* out, bool required = true) {
  auto it = b.find(f);
  if (it == b.end() || it->is_null()) {
    return required ? Bad(std::string("'") + f + "' is required") : Status::Ok();
  }
  if (!it->is_string()) return Bad(std::string("'") + f + "' must be a string");
  *out = it->get<std::string>();
  if (out->empty() || out->size() > max) {
    return Bad(std::string("'") + f + "' must be 1 to " + std::to_string(max) + " characters");
  }
  return Status::Ok();
}

Status Timestamp(const json& b, const char* f, std::string* text, std::int64_t* ms) {
  CLAW_RETURN_IF_ERROR(Str(b, f, 40, text));
  auto t = ParseRequestTimestamp(*text);
  if (!t || text->find('T') == std::string::npos) {
    return Bad(std::string("'") + f + "' must be ISO-8601 UTC like 2026-02-22T01:50:00Z");
  }
  *ms = *t;
  return Status::Ok();
}

// A JSON number or decimal string, read as JavaScript's Number() would.
Status Price(const json& b, const char* f, JsPrice* out) {
  auto it = b.find(f);
  if (it == b.end() || it->is_null()) return Bad(std::string("'") + f + "' is required");
  std::string text;
  if (it->is_string()) {
    text = it->get<std::string>();
  } else if (it->is_number_integer() || it->is_number_unsigned()) {
    text = it->dump();
  } else if (it->is_number_float()) {
    text = JsNumberToString(it->get<double>());
  } else {
    return Bad(std::string("'") + f + "' must be a number");
  }
  Result<double> d = ParseJsPrice(text);
  if (!d.ok() || *d <= 0) return Bad(std::string("'") + f + "' must be a positive number");
  out->js = *d;
  out->text = JsNumberToString(*d);
  return Status::Ok();
}

Status Proof(const json& b, const char* f, CommitmentProof* c) {
  auto it = b.find(f);
  if (it == b.end() || !it->is_object()) return Bad(std::string("'") + f + "' must be an object");
  CLAW_RETURN_IF_ERROR(Str(*it, "hash", 66, &c->hash));
  CLAW_RETURN_IF_ERROR(Str(*it, "signature", 200, &c->signature));
  CLAW_RETURN_IF_ERROR(Str(*it, "scheme", 16, &c->scheme, /*required=*/false));
  if (c->scheme.empty()) c->scheme = "ed25519";
  if (c->scheme != "ed25519" && c->scheme != "eip191") {
    return Bad("'scheme' must be \"ed25519\" or \"eip191\"");
  }
  bool hex = c->hash.size() == 66 && c->hash[0] == '0' && c->hash[1] == 'x';
  for (std::size_t i = 2; hex && i < c->hash.size(); ++i) {
    hex = std::isxdigit(static_cast<unsigned char>(c->hash[i])) != 0;
  }
  if (!hex) return Bad("'hash' must be 0x and 64 hex digits");
  for (char& ch : c->hash) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return Status::Ok();
}

Status Reveal(const json& b, RevealBody* r) {
  if (!b.is_object()) return Bad("reveal data must be an object");
  CLAW_RETURN_IF_ERROR(Str(b, "symbol", 32, &r->symbol));
  CLAW_RETURN_IF_ERROR(Price(b, "price", &r->price));
  return Str(b, "nonce", 128, &r->nonce);
}

Result<json> Object(std::string_view text) {
  json b = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (b.is_discarded() || !b.is_object()) return Bad("body is not a JSON object");
  return b;
}

}  // namespace

Result<CommitBody> ParseCommitBody(std::string_view json_text) {
  Result<json> parsed = Object(json_text);
  if (!parsed.ok()) return parsed.status();
  const json& b = *parsed;
  CommitBody c;
  CLAW_RETURN_IF_ERROR(Str(b, "action", 8, &c.action));
  CLAW_RETURN_IF_ERROR(Str(b, "side", 8, &c.side));
  CLAW_RETURN_IF_ERROR(Timestamp(b, "timestamp", &c.timestamp, &c.timestamp_ms));
  CLAW_RETURN_IF_ERROR(Proof(b, "commitment", &c.commitment));
  if (c.action != "OPEN") {
    return Bad("'action' must be \"OPEN\"", "close a trade with POST /v1/commitments/{id}/close");
  }
  if (c.side != "LONG" && c.side != "SHORT") return Bad("'side' must be \"LONG\" or \"SHORT\"");
  auto lobs = b.find("lobs");
  if (lobs == b.end() || !lobs->is_number_integer() || lobs->get<std::int64_t>() <= 0) {
    return Bad("'lobs' must be a whole number above 0");
  }
  c.lobs = lobs->get<std::int64_t>();
  if (auto it = b.find("sealed"); it != b.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("'sealed' must be {nonce, ciphertext}");
    CLAW_RETURN_IF_ERROR(Str(*it, "nonce", 64, &c.sealed_nonce));
    CLAW_RETURN_IF_ERROR(Str(*it, "ciphertext", 8192, &c.sealed_ciphertext));
    auto sealed = ParseSealed(c.sealed_nonce, c.sealed_ciphertext);
    if (!sealed.ok()) return Bad("'sealed': " + sealed.status().message());
  }
  return c;
}

Result<RevealBody> ParseRevealBody(std::string_view json_text) {
  Result<json> parsed = Object(json_text);
  if (!parsed.ok()) return parsed.status();
  RevealBody r;
  CLAW_RETURN_IF_ERROR(Reveal(*parsed, &r));
  return r;
}

Result<CloseBody> ParseCloseBody(std::string_view json_text) {
  Result<json> parsed = Object(json_text);
  if (!parsed.ok()) return parsed.status();
  const json& b = *parsed;
  CloseBody c;
  if (auto it = b.find("reveal"); it != b.end() && !it->is_null()) {
    RevealBody r;
    Status st = Reveal(*it, &r);
    if (!st.ok()) return Bad("reveal: " + st.message());
    c.reveal = std::move(r);
  }
  auto close = b.find("close");
  if (close == b.end() || !close->is_object()) {
    return Bad("'close' {price, timestamp, nonce} is required");
  }
  Status st = Price(*close, "price", &c.price);
  if (st.ok()) st = Timestamp(*close, "timestamp", &c.timestamp, &c.timestamp_ms);
  if (st.ok()) st = Str(*close, "nonce", 128, &c.nonce);
  if (!st.ok()) return Bad("close: " + st.message());
  CLAW_RETURN_IF_ERROR(Proof(b, "close_commitment", &c.close_commitment));
  return c;
}

}  // namespace claw::client
