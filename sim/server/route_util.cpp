#include "sim/server/route_util.h"

#include <sodium.h>

#include <chrono>

#include "sim/run/messages.h"
#include "sim/server/owner.h"
#include "sim/server/sessions.h"

namespace claw::server {

using nlohmann::json;
using nlohmann::ordered_json;
using engine::FormatFixed;

namespace {

class ExactNumberSax : public nlohmann::json_sax<json> {
 public:
  explicit ExactNumberSax(json* root) : root_(root) {}
  bool null() override { return Put(nullptr); }
  bool boolean(bool v) override { return Put(v); }
  bool number_integer(number_integer_t v) override { return Put(v); }
  bool number_unsigned(number_unsigned_t v) override { return Put(v); }
  bool number_float(number_float_t, const string_t& s) override { return Put(s); }
  bool string(string_t& v) override { return Put(v); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return Open(json::object()); }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(json::array()); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  json* Slot(json v) {
    if (stack_.empty()) {
      *root_ = std::move(v);
      return root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    top[key_] = std::move(v);
    return &top[key_];
  }
  bool Put(json v) {
    if (++values_ > 10'000) return false;  // a request body has no business being this deep
    Slot(std::move(v));
    return true;
  }
  bool Open(json v) {
    if (stack_.size() >= 32) return false;
    stack_.push_back(Slot(std::move(v)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }
  json* root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string error_;
  std::size_t values_ = 0;
};

}  // namespace

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Iso(std::int64_t ms) { return ms > 0 ? run::IsoMillis(ms) : std::string(); }
ordered_json IsoOrNull(std::int64_t ms) { return ms > 0 ? ordered_json(run::IsoMillis(ms)) : ordered_json(nullptr); }
std::string Px(std::int64_t ticks) { return FormatFixed(ticks, engine::kPriceDecimals); }
std::string Qt(std::int64_t units) { return FormatFixed(units, engine::kQtyDecimals); }
std::string Cs(std::int64_t units) { return FormatFixed(units, engine::kCashDecimals); }
ordered_json PxOrNull(std::int64_t ticks) { return ticks ? ordered_json(Px(ticks)) : ordered_json(nullptr); }

// ---- request bodies ----

// JSON numbers keep their exact source text: money is never a binary float (PROTOCOL.md §1).
// nlohmann's SAX interface hands over the raw text of every float; this builder stores it as a
// string, which the order fields accept anyway ("requests accept JSON numbers or decimal
// strings"). nlohmann itself would round 0.1 to a double first.
bool ParseBody(const std::string& body, json* out, std::string* error) {
  ExactNumberSax sax(out);
  bool ok = false;
  try {
    ok = json::sax_parse(body, &sax, json::input_format_t::json, true);
  } catch (const json::exception& e) {
    *error = e.what();
    return false;
  }
  if (!ok) *error = sax.error().empty() ? "body is too deep or too large" : sax.error();
  return ok;
}

// ---- responses ----

void Err(const Reply& reply, const Request& req, int status, std::string_view code,
         std::string_view message, std::string_view hint, const json& details) {
  reply(ErrorResponse(status, code, message, hint, req, details.is_null() ? "" : details.dump()));
}

void Ok(const Reply& reply, int status, const ordered_json& body) {
  reply(JsonResponse(status, body.dump()));
}

Response Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

int IntParam(const Request& req, const char* name, int def, int lo, int hi, bool* ok) {
  auto v = req.QueryParam(name);
  if (!v) return def;
  try {
    std::size_t used = 0;
    long n = std::stol(*v, &used);
    if (used == v->size() && n >= lo && n <= hi) return static_cast<int>(n);
  } catch (...) {
  }
  *ok = false;
  return def;
}

std::string NewUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

bool HasDpopAuthorization(const Request& req) {
  const std::optional<std::string> h = req.Header("authorization");
  if (!h || h->size() < 5 || (*h)[4] != ' ') return false;
  std::string scheme = h->substr(0, 4);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "dpop";
}

std::optional<AuthResult> AuthenticateAny(RouteContext* ctx, const Request& req, const Reply& reply) {
  Arena* arena = ctx->arena;
  AuthResult r = ctx->sessions && HasDpopAuthorization(req)
                     ? ctx->sessions->Authenticate(req, ctx->base_url, WallMs())
                     : ctx->auth->Authenticate(req, WallMs());
  if (r.ok) {
    if (RefuseInactiveAgent(r.agent.status, req, reply)) return std::nullopt;  // paused, revoked
    return r;
  }
  json details = {{"code", r.code}, {"method", req.method}, {"path", req.path}};
  json answer_details;
  if (!r.dpop_check.empty()) {
    details["check"] = r.dpop_check;
    answer_details = {{"check", r.dpop_check}};
  }
  // Answered once the failure is in the audit log, so the log never lags what a client saw.
  Request copy = req;
  const bool posted = arena->Post([=](Txn& txn) {
    arena->Audit(txn, r.claimed_agent, "auth_failure", copy.client_ip, copy.request_id,
                 details.dump());
    txn.AfterCommit([=](const Status&) {
      Err(reply, copy, r.http_status, r.code, r.message, r.hint, answer_details);
    });
  });
  if (!posted) Err(reply, req, r.http_status, r.code, r.message, r.hint, answer_details);
  return std::nullopt;
}

std::optional<AgentAuth> Authenticate(RouteContext* ctx, const Request& req, const Reply& reply) {
  std::optional<AuthResult> r = AuthenticateAny(ctx, req, reply);
  if (!r) return std::nullopt;
  return r->agent;
}

void PostWork(RouteContext* ctx, const Request& req, const Reply& reply, Arena::Work fn) {
  if (!ctx->arena->Post(std::move(fn))) {
    Err(reply, req, 503, "UNAVAILABLE",
        "the arena is shutting down or stopped after a storage error", "retry later");
  }
}

void AnswerWhenDurable(Txn& txn, const Request& req, Reply reply, int status,
                       ordered_json body) {
  Request copy = req;
  txn.AfterCommit([copy, reply, status, body](const Status& s) {
    if (!s.ok()) {
      Err(reply, copy, 500, "INTERNAL_ERROR", "the change could not be stored", "retry later");
    } else {
      Ok(reply, status, body);
    }
  });
}

}  // namespace claw::server
