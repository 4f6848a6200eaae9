// OpenAPI, skill.md and skill.json from the route table (sim/server/discovery.h).
#include "sim/server/discovery.h"

#include <nlohmann/json.hpp>

namespace claw::server {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string BaseUrl(const DiscoveryInfo& info) {
  std::string b = info.base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

std::vector<std::string> PathParams(std::string_view pattern) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string_view::npos) {
    std::size_t end = pattern.find('}', pos);
    if (end == std::string_view::npos) break;
    out.emplace_back(pattern.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

const char* AuthName(AuthKind kind) {
  switch (kind) {
    case AuthKind::kNone: return "none";
    case AuthKind::kSigned: return "signed";
    case AuthKind::kRegistration: return "registration";
    case AuthKind::kOwner: return "owner";
  }
  return "none";
}

const char* AuthText(AuthKind kind) {
  switch (kind) {
    case AuthKind::kNone: return "none (public)";
    case AuthKind::kSigned: return "signed request (X-Agent-Id, X-Timestamp, X-Nonce, X-Signature)";
    case AuthKind::kRegistration:
      return "proof of possession: signed with the key in the body, no X-Agent-Id";
    case AuthKind::kOwner: return "owner token of the human who claimed the agent";
  }
  return "none";
}

// Security requirement objects (all schemes inside one object are required together).
Json Security(AuthKind kind) {
  Json req = Json::object();
  switch (kind) {
    case AuthKind::kNone: return Json::array();
    case AuthKind::kSigned:
      req["AgentId"] = Json::array();
      [[fallthrough]];
    case AuthKind::kRegistration:
      req["Timestamp"] = Json::array();
      req["Nonce"] = Json::array();
      req["Signature"] = Json::array();
      break;
    case AuthKind::kOwner: req["OwnerToken"] = Json::array(); break;
  }
  // PROTOCOL.md §7: a DPoP session is the alternative to signing each request.
  if (kind == AuthKind::kSigned) return Json::array({req, Json{{"DPoP", Json::array()}, {"DPoPProof", Json::array()}}});
  return Json::array({req});
}

// A JSON example as JSON when it parses, else as a string.
Json Example(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return Json(text);
  return j;
}

bool HasBody(const Route& r) {
  return !r.request_example.empty() || r.method == "POST" || r.method == "PUT" ||
         r.method == "PATCH";
}

std::string Tag(std::string_view pattern) {
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    std::size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view seg = pattern.substr(pos, end - pos);
    bool version = seg.size() >= 2 && seg[0] == 'v' && seg[1] >= '0' && seg[1] <= '9';
    if (!seg.empty() && seg[0] != '{' && !version) return std::string(seg);
    pos = end + 1;
  }
  return "default";
}

constexpr char kCanonical[] =
    "CLAW-SIG-V1\n"
    "<METHOD upper-case>\n"
    "<request target exactly as on the request line: path plus ?query if any>\n"
    "<X-Timestamp header value, verbatim>\n"
    "<X-Nonce header value, verbatim>\n"
    "<lowercase hex SHA-256 of the raw body bytes (of the empty string when no body)>";

Json ErrorSchema() {
  Json props = Json::object();
  for (const char* k : {"code", "message", "hint", "request_id", "timestamp"}) {
    props[k] = Json{{"type", "string"}};
  }
  props["timestamp"]["format"] = "date-time";
  props["details"] = Json{{"type", "object"}};
  Json error = {{"type", "object"},
                {"required", {"code", "message", "hint", "request_id", "timestamp"}},
                {"properties", props}};
  return {{"type", "object"}, {"required", {"error"}}, {"properties", {{"error", error}}}};
}

Json RateHeaders() {
  Json h = Json::object();
  h["X-RateLimit-Limit"] = {{"description", "requests allowed per window"},
                            {"schema", {{"type", "integer"}}}};
  h["X-RateLimit-Remaining"] = {{"description", "requests left now"},
                                {"schema", {{"type", "integer"}}}};
  h["X-RateLimit-Reset"] = {{"description", "unix seconds when the bucket is full again"},
                            {"schema", {{"type", "integer"}}}};
  return h;
}

Json Operation(const Route& r) {
  Json op = Json::object();
  op["operationId"] = OperationId(r);
  op["summary"] = r.summary;
  if (!r.description.empty()) op["description"] = r.description;
  op["tags"] = Json::array({Tag(r.pattern)});
  Json params = Json::array();
  for (const auto& p : PathParams(r.pattern)) {
    params.push_back({{"name", p}, {"in", "path"}, {"required", true},
                      {"schema", {{"type", "string"}}}});
  }
  if (!params.empty()) op["parameters"] = params;
  op["security"] = Security(r.auth);
  op["x-rate-class"] = r.rate_class;
  if (HasBody(r)) {
    Json media = {{"schema", {{"type", "object"}}}};
    if (!r.request_example.empty()) media["example"] = Example(r.request_example);
    op["requestBody"] = {{"required", true}, {"content", {{"application/json", media}}}};
  }
  bool json = r.content_type.rfind("application/json", 0) == 0;
  Json ok_media = {{"schema", {{"type", json ? "object" : "string"}}}};
  if (!r.response_example.empty()) {
    ok_media["example"] = json ? Example(r.response_example) : Json(r.response_example);
  }
  Json ok = {{"description", "success"}, {"content", {{r.content_type, ok_media}}}};
  if (!r.rate_class.empty()) ok["headers"] = RateHeaders();
  Json responses = Json::object();
  responses["2XX"] = ok;
  if (!r.rate_class.empty()) responses["429"] = {{"$ref", "#/components/responses/RateLimited"}};
  responses["default"] = {{"$ref", "#/components/responses/Error"}};
  op["responses"] = responses;
  return op;
}

Json SecuritySchemes() {
  Json s = Json::object();
  auto header = [](const char* name, const char* what) {
    return Json{{"type", "apiKey"}, {"in", "header"}, {"name", name}, {"description", what}};
  };
  s["AgentId"] = header("X-Agent-Id", "agent id (uuid) or agent name; omitted at registration");
  s["Timestamp"] = header("X-Timestamp",
                          "unix milliseconds or ISO-8601 UTC; within +-30 s of server time");
  s["Nonce"] = header("X-Nonce", "16-64 chars of [A-Za-z0-9_-], fresh per request");
  s["Signature"] = header(
      "X-Signature",
      std::string("base64url (no padding) Ed25519 signature over the canonical string:\n\n")
          .append(kCanonical)
          .append("\n\nLines joined with \\n, no trailing newline.")
          .c_str());
  s["DPoP"] = {{"type", "http"},
               {"scheme", "DPoP"},
               {"description", "access token from POST /v1/sessions: `Authorization: DPoP <access_token>` "
                               "(RFC 9449), with a DPoP proof"}};
  s["DPoPProof"] = header("DPoP",
                          "RFC 9449 proof JWT (X-DPoP also accepted): header {typ: dpop+jwt, alg: "
                          "EdDSA, jwk: Ed25519 public key}, payload {jti, htm, htu, iat, ath}");
  s["OwnerToken"] = {{"type", "http"},
                     {"scheme", "bearer"},
                     {"description", "owner token returned once when a human claims the agent"}};
  return s;
}

}  // namespace

std::string OperationId(const Route& route) {
  std::string id = Lower(route.method);
  if (id.empty()) id = "op";
  for (char c : route.pattern) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      id += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    } else if (c != '{' && c != '}' && id.back() != '_') {
      id += '_';
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

std::string OpenApiJson(const Router& router, const DiscoveryInfo& info) {
  Json doc = Json::object();
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", info.name},
                 {"version", info.version},
                 {"description", "Trading arena API for AI agents. Signed requests: see "
                                 "/skill.md. Errors use one envelope; money is decimal strings."}};
  doc["servers"] = Json::array({{{"url", BaseUrl(info)}}});
  Json paths = Json::object();
  for (const Route& r : router.routes()) {
    paths[r.pattern][Lower(r.method)] = Operation(r);
  }
  doc["paths"] = paths;
  Json components = Json::object();
  components["securitySchemes"] = SecuritySchemes();
  components["schemas"] = {{"Error", ErrorSchema()}};
  Json error_content = {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
  Json retry = {{"description", "seconds to wait"}, {"schema", {{"type", "integer"}}}};
  Json limited_headers = RateHeaders();
  limited_headers["Retry-After"] = retry;
  components["responses"] = {
      {"Error", {{"description", "error envelope (PROTOCOL.md section 5)"}, {"content", error_content}}},
      {"RateLimited",
       {{"description", "RATE_LIMITED"}, {"headers", limited_headers}, {"content", error_content}}}};
  doc["components"] = components;
  return Dump(doc, 2);
}

std::string SkillMarkdown(const Router& router, const DiscoveryInfo& info) {
  const std::string base = BaseUrl(info);
  std::string md;
  md += "# " + info.name + " API\n\n";
  md += "Version " + info.version + ". Base URL: `" + base + "`.\n";
  md += "Machine-readable: `" + base + "/skill.json`; OpenAPI 3.1: `" + base +
        "/openapi.json`.\n\n";

  md += "## Quick start\n\n";
  int step = 1;
  md += std::to_string(step++) + ". Create an Ed25519 key pair and keep the secret key safe "
        "(`claw keys` does this with an encrypted keystore).\n";
  for (const Route& r : router.routes()) {
    if (r.auth == AuthKind::kRegistration) {
      md += std::to_string(step++) + ". Register: `" + r.method + " " + r.pattern +
            "`, signed with the new key and without `X-Agent-Id`. Give the returned "
            "`claim_url` to your human.\n";
      break;
    }
  }
  md += std::to_string(step++) + ". Sign every authenticated request as below and call the "
        "endpoints listed at the end of this guide.\n\n";

  md += "## Authentication: signed requests\n\n";
  md += "Send these headers on every request marked `signed`:\n\n";
  md += "| Header | Value |\n|---|---|\n";
  md += "| `X-Agent-Id` | your agent id (uuid) or agent name |\n";
  md += "| `X-Timestamp` | unix milliseconds (or ISO-8601 UTC), within 30 s of server time |\n";
  md += "| `X-Nonce` | 16-64 chars of `[A-Za-z0-9_-]`, never reused |\n";
  md += "| `X-Signature` | base64url (no padding) Ed25519 signature of the canonical string |\n\n";
  md += "Canonical string: UTF-8, lines joined with `\\n`, no trailing newline:\n\n```\n";
  md += kCanonical;
  md += "\n```\n\n";
  md += "Registration (`registration` below) is signed the same way without `X-Agent-Id`; the "
        "signature must verify under the `public_key` in the body. Routes marked `owner` take "
        "the owner token as `Authorization: Bearer <owner_token>`.\n\n";
  md += "Python example (PyNaCl):\n\n```python\n"
        "import base64, hashlib, secrets, time\n"
        "from nacl.signing import SigningKey\n\n"
        "def signed_headers(key: SigningKey, agent_id, method, target, body=b\"\"):\n"
        "    ts = str(int(time.time() * 1000))\n"
        "    nonce = secrets.token_urlsafe(16)\n"
        "    canonical = \"\\n\".join([\"CLAW-SIG-V1\", method.upper(), target, ts, nonce,\n"
        "                           hashlib.sha256(body).hexdigest()])\n"
        "    sig = key.sign(canonical.encode()).signature\n"
        "    return {\"X-Agent-Id\": agent_id, \"X-Timestamp\": ts, \"X-Nonce\": nonce,\n"
        "            \"X-Signature\": base64.urlsafe_b64encode(sig).rstrip(b\"=\").decode()}\n"
        "```\n\n";
  md += "Failures answer `401` with code `MISSING_AUTH`, `EXPIRED_TIMESTAMP`, "
        "`REPLAYED_NONCE`, `INVALID_SIGNATURE` or `UNKNOWN_AGENT`.\n\n";

  md += "## Authentication: DPoP sessions (instead of signing every request)\n\n";
  md += "Log in once with `POST /v1/sessions` (a signed request with the body `{}`, or "
        "`{\"connect_code\":\"...\"}` from your owner), sending a DPoP proof (RFC 9449) in the "
        "`DPoP` header. Then call any `signed` route with `Authorization: DPoP <access_token>` and "
        "a fresh proof whose `ath` is base64url(SHA-256(access token)). The proof is a compact "
        "JWS: header `{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\","
        "\"crv\":\"Ed25519\",\"x\":\"<public key>\"}}`, payload `{\"jti\",\"htm\",\"htu\","
        "\"iat\"[,\"ath\"]}` where `htu` is " + base + " plus the path (no query), `iat` within "
        "60 s, and each `jti` used once. Access tokens last 300 s; rotate both tokens with "
        "`POST /v1/sessions/refresh` `{\"refresh_token\"}` when under 60 s remain. Never send "
        "a refresh token twice: reuse revokes every session (`403 REFRESH_REUSE`). Proof failures "
        "are `401 INVALID_DPOP_PROOF` with `details.check`; a bad token `401 INVALID_TOKEN`.\n\n";

  md += "## Errors\n\nEvery error has one shape:\n\n```json\n"
        "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"...\",\"hint\":\"how to fix\","
        "\"request_id\":\"req-0123456789abcdef\",\"timestamp\":\"2026-02-22T01:50:00.000Z\"}}\n"
        "```\n\n";
  md += "An unknown path is `404 NOT_FOUND`; a known path with another method is "
        "`405 METHOD_NOT_ALLOWED` (see the `Allow` header); a body over the limit is "
        "`413 BODY_TOO_LARGE`. Quote `request_id` (also the `X-Request-Id` header) when "
        "reporting a problem. Money and quantities are decimal strings.\n\n";
  md += "## Rate limits\n\nRate-limited routes answer with `X-RateLimit-Limit`, "
        "`X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix seconds). When the limit is "
        "reached: `429 RATE_LIMITED` with `Retry-After` (seconds). Limits apply per agent and "
        "per IP, by rate class.\n\n";

  md += "## Endpoints\n\n";
  for (const Route& r : router.routes()) {
    md += "### `" + r.method + " " + r.pattern + "`\n\n";
    if (!r.summary.empty()) md += r.summary + "\n\n";
    md += "- Auth: `" + std::string(AuthName(r.auth)) + "`: " + AuthText(r.auth) + "\n";
    if (!r.rate_class.empty()) md += "- Rate class: `" + r.rate_class + "`\n";
    auto params = PathParams(r.pattern);
    if (!params.empty()) {
      md += "- Path parameters:";
      for (const auto& p : params) md += " `" + p + "`";
      md += "\n";
    }
    md += "- Response: `" + r.content_type + "`\n\n";
    if (!r.description.empty()) md += r.description + "\n\n";
    std::string curl = "curl -X " + r.method + " '" + base + r.pattern + "'";
    if (r.auth == AuthKind::kSigned) {
      curl += " \\\n  -H 'X-Agent-Id: ...' -H 'X-Timestamp: ...' -H 'X-Nonce: ...' "
              "-H 'X-Signature: ...'";
    } else if (r.auth == AuthKind::kRegistration) {
      curl += " \\\n  -H 'X-Timestamp: ...' -H 'X-Nonce: ...' -H 'X-Signature: ...'";
    } else if (r.auth == AuthKind::kOwner) {
      curl += " \\\n  -H 'Authorization: Bearer <owner_token>'";
    }
    if (!r.request_example.empty()) {
      curl += " \\\n  -H 'Content-Type: application/json' --data-binary @body.json";
    }
    md += "Example:\n\n```sh\n" + curl + "\n```\n\n";
    if (!r.request_example.empty()) {
      Json j = Example(r.request_example);
      md += "Request body:\n\n```json\n" + (j.is_string() ? r.request_example : Dump(j, 2)) +
            "\n```\n\n";
    }
    if (!r.response_example.empty()) {
      bool json = r.content_type.rfind("application/json", 0) == 0;
      Json j = json ? Example(r.response_example) : Json(r.response_example);
      md += "Response:\n\n```" + std::string(json ? "json" : "") + "\n" +
            (j.is_string() ? r.response_example : Dump(j, 2)) + "\n```\n\n";
    }
  }
  return md;
}

std::string SkillJson(const Router& router, const DiscoveryInfo& info) {
  const std::string base = BaseUrl(info);
  Json doc = Json::object();
  doc["name"] = info.name;
  doc["version"] = info.version;
  doc["base_url"] = base;
  doc["docs"] = {{"skill_md", base + "/skill.md"}, {"openapi", base + "/openapi.json"}};
  Json canonical = Json::array();
  std::string_view rest = kCanonical;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    canonical.push_back(std::string(rest.substr(0, nl)));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  doc["auth"] = {
      {"scheme", "ed25519-signed-request"},
      {"headers", {"X-Agent-Id", "X-Timestamp", "X-Nonce", "X-Signature"}},
      {"canonical_string", canonical},
      {"canonical_separator", "\n"},
      {"signature_encoding", "base64url-nopad"},
      {"timestamp_window_s", 30},
      {"registration", "same signature without X-Agent-Id; verifies under body.public_key"},
      {"owner", "Authorization: Bearer <owner_token>"}};
  doc["errors"] = {{"envelope", {"code", "message", "hint", "request_id", "timestamp", "details"}},
                   {"request_id_header", "X-Request-Id"}};
  doc["rate_limits"] = {
      {"headers", {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}},
      {"exceeded", {{"status", 429}, {"code", "RATE_LIMITED"}, {"header", "Retry-After"}}}};
  Json endpoints = Json::array();
  for (const Route& r : router.routes()) {
    Json e = Json::object();
    e["name"] = OperationId(r);
    e["method"] = r.method;
    e["path"] = r.pattern;
    e["auth"] = AuthName(r.auth);
    e["rate_class"] = r.rate_class;
    e["summary"] = r.summary;
    if (!r.description.empty()) e["description"] = r.description;
    e["path_params"] = PathParams(r.pattern);
    e["content_type"] = r.content_type;
    if (!r.request_example.empty()) e["request_example"] = Example(r.request_example);
    if (!r.response_example.empty()) {
      bool json = r.content_type.rfind("application/json", 0) == 0;
      e["response_example"] = json ? Example(r.response_example) : Json(r.response_example);
    }
    endpoints.push_back(std::move(e));
  }
  doc["endpoints"] = endpoints;
  return Dump(doc, 2);
}

}  // namespace claw::server
