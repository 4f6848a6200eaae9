// Shared by the store tests: a temporary directory removed on scope exit, row builders with
// every field set to something distinguishable, and field-by-field comparisons.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>

#include "sim/store/store.h"

namespace claw::store::testing {

// mkdtemp under /tmp; the tree is removed when this goes out of scope.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/claw-store-test-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<Store> OpenOrDie(const std::string& path, bool synchronous_full = true) {
  SqliteOptions o;
  o.path = path;
  o.synchronous_full = synchronous_full;
  Result<std::unique_ptr<Store>> s = OpenSqliteStore(o);
  INFO(s.status().message());
  REQUIRE(s.ok());
  return std::move(s).value();
}

inline AgentRow Agent(const std::string& id, const std::string& name) {
  AgentRow a;
  a.id = id;
  a.name = name;
  a.description = "desc of " + name;
  a.public_key = "pk-" + name;
  a.eth_address = "0xabc";
  a.status = "pending_claim";
  a.claim_token_hash = "cth-" + name;
  a.verification_code = "reef-4F2A";
  a.claim_attempts = 2;
  a.owner_token_hash = "";
  a.device_id = "dev-" + name;
  a.wallet = 7;
  a.created_ms = 1'700'000'000'000;
  a.claimed_ms = 0;
  return a;
}

inline OrderRow Order(std::uint64_t id, const std::string& agent, const std::string& symbol,
                      const std::string& status, std::int64_t created_ms) {
  OrderRow o;
  o.id = id;
  o.agent_id = agent;
  o.client_order_id = "c-" + std::to_string(id);
  o.symbol = symbol;
  o.side = "buy";
  o.type = "limit";
  o.time_in_force = "GTC";
  o.quantity = 150'000'000;
  o.notional = 0;
  o.price = 618'376'300;
  o.filled = 50'000'000;
  o.average_price = 618'370'000;
  o.fees = 12'345;
  o.leverage = 3;
  o.reduce_only = true;
  o.status = status;
  o.reject_code = "";
  o.reason = "why";
  o.rationale = "RSI < 30";
  o.created_ms = created_ms;
  o.updated_ms = created_ms + 5;
  return o;
}

inline FillRow Fill(std::uint64_t id, std::uint64_t order, const std::string& agent,
                    std::int64_t time_ms) {
  FillRow f;
  f.id = id;
  f.order_id = order;
  f.agent_id = agent;
  f.symbol = "BTCUSDT";
  f.side = "sell";
  f.quantity = 1'000;
  f.price = 600'000'000;
  f.fee = -3;  // a maker rebate: negative money must round-trip too
  f.realized_pnl = -987'654'321'000;
  f.maker = true;
  f.time_ms = time_ms;
  return f;
}

inline AuditRow Audit(const std::string& agent, const std::string& type) {
  AuditRow a;
  a.time_ms = 1'700'000'000'123;
  a.agent_id = agent;
  a.event_type = type;
  a.ip = "192.0.2.1";
  a.request_id = "req-1";
  a.details = R"({"order_id":"1"})";
  return a;
}

inline JournalRow Journal(const std::string& kind, std::int64_t time_ms) {
  JournalRow j;
  j.time_ms = time_ms;
  j.kind = kind;
  j.body = R"({"t":)" + std::to_string(time_ms) + "}";
  return j;
}

inline auto Tie(const AgentRow& a) {
  return std::tie(a.id, a.name, a.description, a.public_key, a.eth_address, a.status,
                  a.claim_token_hash, a.verification_code, a.claim_attempts, a.owner_token_hash,
                  a.device_id, a.wallet, a.created_ms, a.claimed_ms);
}
inline auto Tie(const OrderRow& o) {
  return std::tie(o.id, o.agent_id, o.client_order_id, o.symbol, o.side, o.type, o.time_in_force,
                  o.quantity, o.notional, o.price, o.filled, o.average_price, o.fees, o.leverage,
                  o.reduce_only, o.status, o.reject_code, o.reason, o.rationale, o.created_ms,
                  o.updated_ms);
}
inline auto Tie(const FillRow& f) {
  return std::tie(f.id, f.order_id, f.agent_id, f.symbol, f.side, f.quantity, f.price, f.fee,
                  f.realized_pnl, f.maker, f.time_ms);
}
inline auto Tie(const PositionRow& p) {
  return std::tie(p.agent_id, p.symbol, p.quantity, p.entry_price, p.leverage, p.margin,
                  p.opened_ms, p.updated_ms);
}
inline auto Tie(const WalletRow& w) {
  return std::tie(w.agent_id, w.balance, w.equity, w.margin_used, w.realized_pnl, w.fees_paid,
                  w.liquidations, w.updated_ms);
}
inline auto Tie(const PriceRow& p) {
  return std::tie(p.symbol, p.bid, p.ask, p.last, p.mark, p.time_ms);
}
inline auto Tie(const SnapshotRow& s) {
  return std::tie(s.agent_id, s.time_ms, s.equity, s.balance);
}
inline auto Tie(const AuditRow& a) {
  return std::tie(a.id, a.time_ms, a.agent_id, a.event_type, a.ip, a.request_id, a.details);
}
inline auto Tie(const JournalRow& j) { return std::tie(j.seq, j.time_ms, j.kind, j.body); }

template <typename Row>
bool Same(const Row& a, const Row& b) {
  return Tie(a) == Tie(b);
}

// Every journal row after `after_seq`, in the order ForEachJournal gives them.
inline std::vector<JournalRow> ReadJournal(Store* s, std::int64_t after_seq = 0) {
  std::vector<JournalRow> out;
  Status st = s->ForEachJournal(after_seq, [&](const JournalRow& r) {
    out.push_back(r);
    return Status::Ok();
  });
  INFO(st.message());
  REQUIRE(st.ok());
  return out;
}

}  // namespace claw::store::testing
