// claw commit open|close|reveal|list|show and claw viewkey derive: sealed commit-reveal trades
// on the arena (man/claw.1, SEALED TRADES; PROTOCOL.md §6). client/commitment.h builds and signs
// the messages, client/view_key.h seals the hidden fields, cli/reveal_store.h keeps the reveal
// data; this file parses flags, talks to the arena and prints.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"
#include "cli/reveal_store.h"
#include "cli/signing_key.h"
#include "keystore/file_io.h"
#include "keystore/keystore.h"
#include "client/commitment.h"
#include "client/eip191.h"
#include "client/js_json.h"
#include "client/view_key.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;
namespace cl = claw::client;

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when not that shape.
std::optional<std::int64_t> IsoSeconds(const std::string& text) {
  std::tm tm{};
  int y, mo, d, h, mi, s;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::optional<ordered_json> ParseJson(Context& ctx, const cl::HttpResponse& r) {
  ordered_json j = ordered_json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    ctx.Fail(Status::Unavailable("the server's answer is not a JSON object: " + r.body.substr(0, 120)));
    return std::nullopt;
  }
  return j;
}

void PrintRaw(Context& ctx, const cl::HttpResponse& r) {
  *ctx.out << r.body;
  if (r.body.empty() || r.body.back() != '\n') *ctx.out << "\n";
}

// The JS-number text a price is hashed as ("875.50" -> "875.5").
Result<std::string> CanonicalPrice(const std::string& text) {
  Result<double> v = cl::ParseJsPrice(text);
  if (!v.ok()) return v.status();
  return cl::JsNumberToString(*v);
}

// The arena's current price of `symbol` (last, else mark) from GET /v1/prices.
std::optional<std::string> CurrentPrice(ApiSession& api, const std::string& symbol) {
  auto r = api.Send({"GET", "/v1/prices", "", Auth::kNone, true, "", {}});
  if (!r) return std::nullopt;
  auto j = ParseJson(api.ctx(), *r);
  if (!j) return std::nullopt;
  for (const auto& p : j->value("prices", ordered_json::array())) {
    if (Cell(p, "symbol") != symbol) continue;
    for (const char* field : {"last", "mark"}) {
      const std::string v = Cell(p, field);
      if (v != "-") return v;
    }
  }
  api.ctx().Fail(Status::NotFound("the arena has no price for '" + symbol + "'",
                                  "'claw prices' lists the symbols; or give --price"));
  return std::nullopt;
}

// The reveal period of `timestamp` from GET /v1/health's "reveal" block; nullopt after
// reporting. The server says which period is current and where it ends; a timestamp past the
// end belongs to the next.
std::optional<std::int64_t> PeriodOf(ApiSession& api, const std::string& timestamp) {
  auto r = api.Send({"GET", "/v1/health", "", Auth::kNone, true, "", {200, 503}});
  if (!r) return std::nullopt;
  auto j = ParseJson(api.ctx(), *r);
  if (!j) return std::nullopt;
  const auto rv = j->find("reveal");
  const auto t = IsoSeconds(timestamp);
  if (rv == j->end() || !rv->is_object() || !rv->contains("period") || !t) {
    api.ctx().Fail(Status::Unavailable("the arena does not announce reveal periods (GET /v1/health)",
                                       "use --no-seal with an arena without sealed trades"));
    return std::nullopt;
  }
  std::int64_t period = (*rv)["period"].get<std::int64_t>();
  const auto start = IsoSeconds(Cell(*rv, "period_start"));
  const auto end = IsoSeconds(Cell(*rv, "period_end"));
  if (end && *t >= *end) ++period;
  if (start && *t < *start && period > 0) --period;
  return period;
}

// Signs a commitment hash with the agent's key, or with an eth key file (eip191).
struct Signature {
  std::string scheme, value;
};
std::optional<Signature> SignHash(Context& ctx, const cl::Bytes& secret_key, const std::string& eth_key_file,
                                  const std::string& hash) {
  if (eth_key_file.empty()) return Signature{"ed25519", *cl::SignCommitmentEd25519(hash, secret_key)};
  Result<std::string> text = ReadWholeFile(eth_key_file);
  Result<cl::Bytes> key = text.ok() ? cl::ParseEthPrivateKey(*text) : Result<cl::Bytes>(text.status());
  if (!key.ok()) {
    ctx.Fail(key.status().WithContext("eth key file"));
    return std::nullopt;
  }
  Result<std::string> sig = cl::SignCommitmentEip191(hash, *key);
  if (!sig.ok()) {
    ctx.Fail(sig.status());
    return std::nullopt;
  }
  return Signature{"eip191", *sig};
}

Result<std::string> MessageFor(const RevealRecord& r, bool close) {
  cl::CommitmentFields f;
  f.agent_id = r.agent_id;
  f.action = close ? "CLOSE" : r.action;
  f.side = r.side;
  f.lobs = r.lobs;
  f.symbol = r.symbol;
  Result<double> price = cl::ParseJsPrice(close ? r.close.price : r.price);
  if (!price.ok()) return price.status();
  f.price = *price;
  f.timestamp = close ? r.close.timestamp : r.timestamp;
  f.nonce = close ? r.close.nonce : r.nonce;
  return cl::CommitmentMessage(f, close ? r.close.sorted_keys : r.sorted_keys);
}

// {"symbol":..,"price":<JS number>,"nonce":..}: the price goes out as the number that was hashed.
std::string RevealBody(const RevealRecord& r) {
  return "{\"symbol\":" + ordered_json(r.symbol).dump() + ",\"price\":" + r.price +
         ",\"nonce\":" + ordered_json(r.nonce).dump() + "}";
}

// Everything a command on the arena's sealed trades needs: settings, key, reveal store.
struct Session {
  explicit Session(Context& ctx) : api(ctx) {}
  bool Init() {
    if (!api.Init()) return false;
    if (api.settings().agent_id.empty()) {
      api.ctx().Fail(Status::InvalidArgument("no agent id for profile '" + api.settings().profile + "'",
                                             "run 'claw register', or set CLAW_AGENT_ID"));
      return false;
    }
    Status s = ValidateAgentDirName(api.settings().agent_id);
    if (!s.ok()) {
      api.ctx().Fail(s);
      return false;
    }
    key = api.SecretKey();
    if (!key) return false;
    store = std::make_unique<RevealStore>(ClawHome(), api.settings().agent_id, *key);
    return true;
  }
  bool Save(const RevealRecord& r) {
    Status s = store->Save(r);
    if (!s.ok()) api.ctx().Fail(s);
    return s.ok();
  }
  std::optional<RevealRecord> Find(const std::string& id) {
    Result<RevealRecord> r = store->Find(id);
    if (!r.ok()) {
      api.ctx().Fail(r.status());
      return std::nullopt;
    }
    return *r;
  }
  ApiSession api;
  std::optional<cl::Bytes> key;
  std::unique_ptr<RevealStore> store;
};

bool RecoverTradeId(Session& s, RevealRecord& r);

// ---- commit open ----

struct OpenOptions {
  std::string side, symbol, price, eth_key_file, timestamp;
  std::int64_t lobs = 0;
  bool sorted_keys = false, no_seal = false;
};

void RunOpen(Context& ctx, const OpenOptions& o) {
  Session s(ctx);
  if (!s.Init()) return;
  RevealRecord r;
  r.server = s.api.settings().server;
  r.agent_id = s.api.settings().agent_id;
  r.side = o.side;
  r.lobs = o.lobs;
  r.symbol = o.symbol;
  r.sorted_keys = o.sorted_keys;
  std::string price = o.price;
  if (price.empty()) {
    auto p = CurrentPrice(s.api, o.symbol);
    if (!p) return;
    price = *p;
  }
  Result<std::string> canonical = CanonicalPrice(price);
  if (!canonical.ok()) return ctx.Fail(canonical.status());
  r.price = *canonical;
  r.timestamp = o.timestamp.empty() ? NowIsoMillis() : o.timestamp;
  r.nonce = cl::NewUuidV4();
  Result<std::string> message = MessageFor(r, false);
  if (!message.ok()) return ctx.Fail(message.status());
  r.hash = cl::CommitmentHash(*message);
  auto sig = SignHash(ctx, *s.key, o.eth_key_file, r.hash);
  if (!sig) return;
  r.scheme = sig->scheme;
  r.signature = sig->value;
  ordered_json body = {{"action", "OPEN"},
                       {"side", r.side},
                       {"lobs", r.lobs},
                       {"timestamp", r.timestamp},
                       {"commitment", {{"hash", r.hash}, {"signature", r.signature}, {"scheme", r.scheme}}}};
  if (!o.no_seal) {
    auto period = PeriodOf(s.api, r.timestamp);
    if (!period) return;
    const cl::ViewKey trade_key =
        cl::TradeViewKey(cl::PeriodViewKey(*cl::MasterViewKey(*s.key), *period), r.hash);
    Result<cl::Sealed> sealed =
        cl::SealHiddenFields(trade_key, r.hash, cl::HiddenFieldsJson({r.symbol, r.price, r.nonce}));
    if (!sealed.ok()) return ctx.Fail(sealed.status());
    body["sealed"] = {{"nonce", sealed->nonce_text()}, {"ciphertext", sealed->ciphertext_text()}};
    r.sealed = true;
    r.period = *period;
  }
  // Durable before the request: a crash after this line never loses the ability to reveal.
  if (!s.Save(r)) return;
  ApiCall call{"POST", "/v1/commitments", body.dump(), Auth::kSigned, false, "", {400, 401, 403, 409, 422, 429}};
  auto resp = s.api.Send(call);
  if (!resp) {
    *ctx.err << ctx.prog << ": reveal data kept in " << s.store->PathFor(r.hash)
             << " (the arena may or may not have the commitment)\n";
    return;
  }
  if (resp->status == 401 && resp->body.find("REPLAYED_NONCE") != std::string::npos) {
    // The transport re-sent the request after the connection dropped: the first copy reached
    // the arena, whose answer was lost. Find the trade by its hash instead of guessing.
    if (!RecoverTradeId(s, r)) return;
    if (s.api.json()) {
      *ctx.out << ordered_json({{"trade_id", r.trade_id}, {"status", "committed"}, {"commitment_hash", r.hash},
                                {"period", r.period}, {"recovered", true}}).dump()
               << "\n";
    } else {
      *ctx.out << "committed " << r.side << " " << r.lobs << " lobs, trade " << r.trade_id
               << " (the answer was lost; found by its hash)\n";
    }
    return;
  }
  if (resp->status >= 400) {
    // A definite refusal: nothing was committed, so the reveal data has nothing to reveal.
    (void)keystore::RemoveFile(s.store->PathFor(r.hash));
    s.api.ReportError(*resp);
    return;
  }
  auto j = ParseJson(ctx, *resp);
  if (!j) return;
  r.trade_id = Cell(*j, "trade_id");
  if (j->contains("period") && (*j)["period"].is_number_integer()) r.period = (*j)["period"].get<std::int64_t>();
  r.status = "committed";
  if (!s.Save(r)) return;
  if (s.api.json()) return PrintRaw(ctx, *resp);
  *ctx.out << "committed " << r.side << " " << r.lobs << " lobs, trade " << r.trade_id << " (period " << r.period
           << ")\nhidden:    " << r.symbol << " @ " << r.price << " (kept in " << s.store->PathFor(r.hash)
           << ")\nhash:      " << r.hash << "\n";
}

// ---- commit reveal ----

// The arena's trade id of a commitment whose answer was lost (the process crashed or the
// connection dropped after sending): looked up by hash among the agent's unrevealed trades.
// Saves it in the record. False after reporting.
bool RecoverTradeId(Session& s, RevealRecord& r) {
  Context& ctx = s.api.ctx();
  auto me = s.api.Send({"GET", "/v1/agents/me", "", Auth::kSigned, true, "", {}});
  if (!me) return false;
  auto mj = ParseJson(ctx, *me);
  if (!mj) return false;
  const auto& a = mj->contains("agent") && (*mj)["agent"].is_object() ? (*mj)["agent"] : *mj;
  for (int offset = 0;; offset += 500) {
    std::string target = "/v1/agents/" + PercentEncode(Cell(a, "name")) + "/commitments?revealed=all&limit=500";
    target += "&offset=" + std::to_string(offset);
    auto list = s.api.Send({"GET", target, "", Auth::kNone, true, "", {}});
    if (!list) return false;
    auto lj = ParseJson(ctx, *list);
    if (!lj) return false;
    const auto items = lj->value("commitments", ordered_json::array());
    for (const auto& c : items) {
      if (Cell(c, "commitment_hash") != r.hash) continue;
      r.trade_id = Cell(c, "trade_id");
      if (c.contains("period") && c["period"].is_number_integer()) r.period = c["period"].get<std::int64_t>();
      r.status = "committed";
      return s.Save(r);
    }
    if (items.size() < 500) break;
  }
  ctx.Fail(Status::NotFound("the arena has no commitment " + r.hash,
                            "it was never received; nothing to reveal (the local data can be deleted)"));
  return false;
}

// Reveals one local record (recovering its trade id when the commit's answer was lost).
// Returns false after reporting.
bool RevealOne(Session& s, RevealRecord& r, bool print) {
  Context& ctx = s.api.ctx();
  if (r.trade_id.empty() && !RecoverTradeId(s, r)) return false;
  ApiCall call{"POST", "/v1/commitments/" + PercentEncode(r.trade_id) + "/reveal", RevealBody(r), Auth::kSigned,
               true, "", {}};
  auto resp = s.api.Send(call);
  if (!resp) return false;
  r.status = "revealed";
  if (!s.Save(r)) return false;
  if (!print) return true;
  if (s.api.json()) {
    PrintRaw(ctx, *resp);
  } else {
    *ctx.out << "revealed trade " << r.trade_id << ": " << r.side << " " << r.lobs << " lobs " << r.symbol << " @ "
             << r.price << "\n";
  }
  return true;
}

// Trades whose period has ended (or that the arena lists as pending_reveal) and are not revealed.
void RunRevealDue(Session& s) {
  Context& ctx = s.api.ctx();
  auto health = s.api.Send({"GET", "/v1/health", "", Auth::kNone, true, "", {200, 503}});
  if (!health) return;
  auto hj = ParseJson(ctx, *health);
  if (!hj) return;
  std::int64_t current = -1;
  if (auto rv = hj->find("reveal"); rv != hj->end() && rv->is_object() && rv->contains("period")) {
    current = (*rv)["period"].get<std::int64_t>();
  }
  std::vector<std::string> problems;
  ordered_json revealed = ordered_json::array();
  int failures = 0;
  for (RevealRecord& r : s.store->All(&problems)) {
    if (r.status != "committed" || r.trade_id.empty() || r.server != s.api.settings().server) continue;
    auto got = s.api.Send({"GET", "/v1/commitments/" + PercentEncode(r.trade_id), "", Auth::kNone, true, "", {404}});
    if (!got) return;
    if (got->status == 404) continue;
    auto tj = ParseJson(ctx, *got);
    if (!tj) return;
    const std::string status = Cell(*tj, "status");
    const std::int64_t period = tj->value("period", r.period);
    if (status == "revealed" || status == "closed" || status == "reveal_failed") {
      r.status = status;
      (void)s.Save(r);
      continue;
    }
    if (!(status == "pending_reveal" || (current >= 0 && period < current))) continue;
    if (RevealOne(s, r, false)) {
      revealed.push_back(r.trade_id);
    } else {
      ++failures;
    }
  }
  for (const auto& p : problems) *ctx.err << ctx.prog << ": warning: " << p << "\n";
  if (s.api.json()) {
    *ctx.out << ordered_json({{"revealed", revealed}, {"failed", failures}}).dump() << "\n";
  } else if (!ctx.quiet || !revealed.empty()) {
    *ctx.out << "revealed " << revealed.size() << " due trade(s)";
    for (const auto& id : revealed) *ctx.out << " " << id.get<std::string>();
    *ctx.out << "\n";
  }
}

void RunReveal(Context& ctx, const std::string& id, bool all_due) {
  if (all_due == !id.empty()) return ctx.Fail(Status::InvalidArgument("give a trade id or --all-due"));
  Session s(ctx);
  if (!s.Init()) return;
  if (all_due) return RunRevealDue(s);
  auto r = s.Find(id);
  if (!r) return;
  (void)RevealOne(s, *r, true);
}

// ---- commit close ----

void RunClose(Context& ctx, const std::string& id, const std::string& price_flag, const std::string& eth_key_file,
              bool sorted_keys) {
  Session s(ctx);
  if (!s.Init()) return;
  auto r = s.Find(id);
  if (!r) return;
  if (r->trade_id.empty() && !RecoverTradeId(s, *r)) return;
  if (!r->has_close) {  // a retried close reuses its first close commitment
    std::string price = price_flag;
    if (price.empty()) {
      auto p = CurrentPrice(s.api, r->symbol);
      if (!p) return;
      price = *p;
    }
    Result<std::string> canonical = CanonicalPrice(price);
    if (!canonical.ok()) return ctx.Fail(canonical.status());
    r->has_close = true;
    r->close.price = *canonical;
    r->close.timestamp = NowIsoMillis();
    r->close.nonce = cl::NewUuidV4();
    r->close.sorted_keys = sorted_keys;
    Result<std::string> message = MessageFor(*r, true);
    if (!message.ok()) return ctx.Fail(message.status());
    r->close.hash = cl::CommitmentHash(*message);
    auto sig = SignHash(ctx, *s.key, eth_key_file.empty() && r->scheme == "eip191" ? "" : eth_key_file,
                        r->close.hash);
    if (!sig) return;
    r->close.scheme = sig->scheme;
    r->close.signature = sig->value;
    if (!s.Save(*r)) return;  // durable before the request, like the open
  }
  std::string body = "{";
  if (r->status != "revealed") body += "\"reveal\":" + RevealBody(*r) + ",";
  body += "\"close\":{\"price\":" + r->close.price + ",\"timestamp\":" + ordered_json(r->close.timestamp).dump() +
          ",\"nonce\":" + ordered_json(r->close.nonce).dump() + "},\"close_commitment\":" +
          ordered_json({{"hash", r->close.hash}, {"signature", r->close.signature}, {"scheme", r->close.scheme}}).dump() +
          "}";
  ApiCall call{"POST", "/v1/commitments/" + PercentEncode(r->trade_id) + "/close", body, Auth::kSigned, true, "", {}};
  auto resp = s.api.Send(call);
  if (!resp) return;
  auto j = ParseJson(ctx, *resp);
  if (!j) return;
  r->status = "closed";
  r->close.close_trade_id = Cell(*j, "trade_id");
  if (!s.Save(*r)) return;
  if (s.api.json()) return PrintRaw(ctx, *resp);
  *ctx.out << "closed trade " << r->trade_id << " (" << r->side << " " << r->lobs << " lobs " << r->symbol << " "
           << r->price << " -> " << r->close.price << "), close " << r->close.close_trade_id
           << "\npnl_lobs:    " << Cell(*j, "pnl_lobs") << "\npnl_percent: " << Cell(*j, "pnl_percent") << "\n";
}

// ---- commit list / show ----

void PrintTrades(Context& ctx, const ordered_json& j) {
  Table t({"TRADE_ID", "STATUS", "ACTION", "SIDE", "LOBS", "SYMBOL", "PRICE", "PERIOD", "PNL_LOBS", "TIMESTAMP"});
  for (const auto& c : j.value("commitments", ordered_json::array())) {
    t.Add({Cell(c, "trade_id"), Cell(c, "status"), Cell(c, "action"), Cell(c, "side"), Cell(c, "lobs"),
           Cell(c, "symbol"), Cell(c, "price"), Cell(c, "period"), Cell(c, "pnl_lobs"), Cell(c, "timestamp")});
  }
  t.Print(*ctx.out);
}

void RunList(Context& ctx, std::string agent, const std::string& revealed, const std::string& limit,
             const std::string& offset) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  if (agent.empty()) {
    auto me = api.Send({"GET", "/v1/agents/me", "", Auth::kSigned, true, "", {}});
    if (!me) return;
    auto j = ParseJson(ctx, *me);
    if (!j) return;
    const auto& a = j->contains("agent") && (*j)["agent"].is_object() ? (*j)["agent"] : *j;
    agent = Cell(a, "name");
  }
  std::string target = "/v1/agents/" + PercentEncode(agent) + "/commitments";
  AddQuery(target, "revealed", revealed);
  AddQuery(target, "limit", limit);
  AddQuery(target, "offset", offset);
  auto r = api.Send({"GET", target, "", Auth::kNone, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) { PrintTrades(ctx, j); });
}

// The view key for `show`: --view-key-file, else $CLAW_VIEW_KEY, else a prompt when asked.
// Never argv: command lines are visible to every local user (ps, /proc) and kept in shell history.
std::optional<std::string> ReadViewKey(Context& ctx, const std::string& file, bool prompt) {
  std::string text;
  if (!file.empty()) {
    Result<std::string> t = ReadWholeFile(file);
    if (!t.ok()) {
      ctx.Fail(t.status().WithContext("view key file"));
      return std::nullopt;
    }
    text = *t;
  } else if (const char* env = std::getenv("CLAW_VIEW_KEY"); env != nullptr && *env != '\0') {
    text = env;
  } else if (prompt) {
    keystore::PassphraseSource src;
    src.env = "";
    src.prompt = "View key";
    Result<keystore::Secret> s = keystore::ReadPassphrase(src);
    if (!s.ok()) {
      ctx.Fail(s.status());
      return std::nullopt;
    }
    text = s->bytes();
  } else {
    return std::string();
  }
  Result<cl::ViewKey> key = cl::ParseViewKey(text);
  if (!key.ok()) {
    ctx.Fail(key.status());
    return std::nullopt;
  }
  return cl::FormatViewKey(*key);
}

void PrintTrade(Context& ctx, const ordered_json& j) { PrintFields(*ctx.out, j); }

void RunShow(Context& ctx, const std::string& id, const std::string& key_file, bool prompt) {
  auto key = ReadViewKey(ctx, key_file, prompt);
  if (!key) return;
  ApiSession api(ctx);
  if (!api.Init()) return;
  ApiCall call{"GET", "/v1/commitments/" + PercentEncode(id), "", Auth::kNone, true, "", {}};
  // A header, not ?view_key=: URLs end up in access logs, proxy logs and browser history.
  if (!key->empty()) api.SetExtraHeaders({"X-View-Key: " + *key});
  auto r = api.Send(call);
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) { PrintTrade(ctx, j); });
}

// ---- viewkey derive ----

void RunDerive(Context& ctx, const std::string& trade, std::int64_t period, bool master) {
  const int chosen = (trade.empty() ? 0 : 1) + (period >= 0 ? 1 : 0) + (master ? 1 : 0);
  if (chosen != 1) return ctx.Fail(Status::InvalidArgument("give exactly one of --trade ID, --period N, --master"));
  ApiSession api(ctx);
  if (!api.Init()) return;
  auto sk = api.SecretKey();
  if (!sk) return;
  const cl::ViewKey mk = *cl::MasterViewKey(*sk);
  std::string tier = master ? "master" : period >= 0 ? "period" : "trade";
  std::string hash;
  std::int64_t p = period;
  std::string trade_id = trade;
  if (!trade.empty()) {
    // The trade's hash and period: from the local reveal data, else from the arena (public).
    if (!api.settings().agent_id.empty() && ValidateAgentDirName(api.settings().agent_id).ok()) {
      RevealStore store(ClawHome(), api.settings().agent_id, *sk);
      if (Result<RevealRecord> rec = store.Find(trade); rec.ok() && rec->period >= 0) {
        hash = rec->hash;
        p = rec->period;
        if (!rec->trade_id.empty()) trade_id = rec->trade_id;
      }
    }
    if (hash.empty()) {
      auto r = api.Send({"GET", "/v1/commitments/" + PercentEncode(trade), "", Auth::kNone, true, "", {}});
      if (!r) return;
      auto j = ParseJson(ctx, *r);
      if (!j) return;
      hash = Cell(*j, "commitment_hash");
      p = j->value("period", std::int64_t{-1});
      if (!cl::IsCommitmentHash(hash) || p < 0) {
        return ctx.Fail(Status::Unavailable("the arena's trade has no commitment hash or period"));
      }
    }
  }
  cl::ViewKey key = mk;
  if (!master) key = cl::PeriodViewKey(mk, p);
  if (!trade.empty()) key = cl::TradeViewKey(key, hash);
  const std::string text = cl::FormatViewKey(key);
  if (ctx.json) {
    ordered_json j = {{"tier", tier}, {"view_key", text}};
    if (!master) j["period"] = p;
    if (!trade.empty()) j["trade_id"] = trade_id;
    *ctx.out << j.dump() << "\n";
    return;
  }
  *ctx.out << text << "\n";
  if (!ctx.quiet) {
    *ctx.err << "this " << tier << " view key opens "
             << (master ? "every sealed trade of this agent"
                 : trade.empty() ? "every sealed trade of period " + std::to_string(p)
                                 : "sealed trade " + trade_id)
             << "; share it only with whom may see them\n";
  }
}

}  // namespace

void AddSealedCommitCommands(CLI::App* commit, Context& ctx) {
  auto o = std::make_shared<OpenOptions>();
  auto* open = commit->add_subcommand("open", "Commit a sealed trade on the arena (symbol and price hidden)");
  open->add_option("side", o->side, "LONG or SHORT")->required()->check(CLI::IsMember({"LONG", "SHORT"}));
  open->add_option("--lobs", o->lobs, "Size in integer quote units, held until the close")->required()
      ->check(CLI::PositiveNumber);
  open->add_option("--symbol", o->symbol, "Instrument, e.g. BTCUSDT")->required();
  open->add_option("--price", o->price, "Price (default: the arena's current price)");
  open->add_option("--timestamp", o->timestamp, "Commit time, ISO-8601 UTC (default: now)");
  open->add_option("--eth-key-file", o->eth_key_file, "Sign with this secp256k1 key (eip191)");
  open->add_flag("--sorted-keys", o->sorted_keys, "Hash the message with sorted keys (live Clawstreet)");
  open->add_flag("--no-seal", o->no_seal, "Do not send the hidden fields sealed for view keys");
  open->footer("The reveal data is written to $CLAW_HOME/reveals/<agent_id>/ before the commitment is sent.\n"
               "Example:\n  claw commit open LONG --lobs 500 --symbol BTCUSDT");
  open->callback([&ctx, o] { RunOpen(ctx, *o); });

  auto close_id = std::make_shared<std::string>();
  auto close_price = std::make_shared<std::string>();
  auto close_eth = std::make_shared<std::string>();
  auto close_sorted = std::make_shared<bool>(false);
  auto* close = commit->add_subcommand("close", "Close a sealed trade: reveal it and commit the close");
  close->add_option("id", *close_id, "Trade id (or commitment hash)")->required();
  close->add_option("--price", *close_price, "Close price (default: the arena's current price)");
  close->add_option("--eth-key-file", *close_eth, "Sign the close with this secp256k1 key (eip191)");
  close->add_flag("--sorted-keys", *close_sorted, "Hash the close message with sorted keys");
  close->callback([&ctx, close_id, close_price, close_eth, close_sorted] {
    RunClose(ctx, *close_id, *close_price, *close_eth, *close_sorted);
  });

  auto reveal_id = std::make_shared<std::string>();
  auto all_due = std::make_shared<bool>(false);
  auto* reveal = commit->add_subcommand("reveal", "Reveal a sealed trade's symbol, price and nonce");
  reveal->add_option("id", *reveal_id, "Trade id (or commitment hash)");
  reveal->add_flag("--all-due", *all_due, "Reveal every local trade whose period ended or is pending_reveal");
  reveal->callback([&ctx, reveal_id, all_due] { RunReveal(ctx, *reveal_id, *all_due); });

  struct ListOpts {
    std::string agent, revealed = "all", limit, offset;
  };
  auto lo = std::make_shared<ListOpts>();
  auto* list = commit->add_subcommand("list", "An agent's sealed trades (default: yours)");
  list->add_option("--agent", lo->agent, "Agent name (default: the profile's agent)");
  list->add_option("--revealed", lo->revealed, "true, false or all (default all)")
      ->check(CLI::IsMember({"true", "false", "all"}));
  list->add_option("--limit", lo->limit, "At most this many");
  list->add_option("--offset", lo->offset, "Skip this many");
  list->callback([&ctx, lo] { RunList(ctx, lo->agent, lo->revealed, lo->limit, lo->offset); });

  auto show_id = std::make_shared<std::string>();
  auto key_file = std::make_shared<std::string>();
  auto prompt = std::make_shared<bool>(false);
  auto* show = commit->add_subcommand("show", "One sealed trade; with a view key, its hidden fields");
  show->add_option("id", *show_id, "Trade id")->required();
  show->add_option("--view-key-file", *key_file, "Read a view key (vk1....) from this file");
  show->add_flag("--view-key-prompt", *prompt, "Ask for the view key on the terminal");
  show->footer("The view key is also read from CLAW_VIEW_KEY. It is never taken from the command line\n"
               "and is sent in the X-View-Key header, never in the URL.");
  show->callback([&ctx, show_id, key_file, prompt] { RunShow(ctx, *show_id, *key_file, *prompt); });
}

void AddViewKeyCommands(CLI::App& app, Context& ctx) {
  auto* vk = app.add_subcommand("viewkey", "View keys that let others read sealed trades");
  vk->require_subcommand(1);
  struct DeriveOpts {
    std::string trade;
    std::int64_t period = -1;
    bool master = false;
  };
  auto o = std::make_shared<DeriveOpts>();
  auto* derive = vk->add_subcommand("derive", "Print a per-trade, per-period or master view key to share");
  derive->add_option("--trade", o->trade, "Key for one trade (trade id)");
  derive->add_option("--period", o->period, "Key for every trade of reveal period N")->check(CLI::NonNegativeNumber);
  derive->add_flag("--master", o->master, "Key for every sealed trade of the agent");
  derive->callback([&ctx, o] { RunDerive(ctx, o->trade, o->period, o->master); });
}

}  // namespace claw::cli
