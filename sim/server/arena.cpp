#include "sim/server/arena.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>
#include <variant>

#include "sim/feed/feed.h"
#include "sim/server/arena_sealed.h"

namespace claw::server {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

constexpr std::size_t kMaxBatch = 2048;          // items applied per group commit
constexpr std::size_t kMaxQueuedMarket = 8192;   // the feed waits beyond this (back-pressure)
constexpr std::int64_t kSnapshotIntervalMs = 60'000;

std::string MarketBody(const engine::MarketEvent& e) {
  // Raw fixed-point integers: the journal must give back exactly what was applied.
  json j = {{"t", e.time_ms}, {"s", e.symbol}, {"k", static_cast<int>(e.kind)},
            {"p", e.price.ticks}, {"q", e.qty.units}, {"b", e.bid.ticks}, {"a", e.ask.ticks},
            {"B", e.bid_qty.units}, {"A", e.ask_qty.units}, {"h", e.high.ticks},
            {"l", e.low.ticks}, {"m", e.buyer_is_maker}};
  return j.dump();
}

engine::MarketEvent MarketFromBody(const json& j) {
  engine::MarketEvent e;
  e.time_ms = j.at("t").get<std::int64_t>();
  e.symbol = j.at("s").get<std::string>();
  e.kind = static_cast<engine::MarketEventKind>(j.at("k").get<int>());
  e.price.ticks = j.at("p").get<std::int64_t>();
  e.qty.units = j.at("q").get<std::int64_t>();
  e.bid.ticks = j.at("b").get<std::int64_t>();
  e.ask.ticks = j.at("a").get<std::int64_t>();
  e.bid_qty.units = j.at("B").get<std::int64_t>();
  e.ask_qty.units = j.at("A").get<std::int64_t>();
  e.high.ticks = j.at("h").get<std::int64_t>();
  e.low.ticks = j.at("l").get<std::int64_t>();
  e.buyer_is_maker = j.at("m").get<bool>();
  return e;
}

json RequestJson(const engine::OrderRequest& r) {
  return {{"symbol", r.symbol}, {"side", static_cast<int>(r.side)},
          {"type", static_cast<int>(r.type)}, {"quantity", r.quantity.units},
          {"notional", r.notional.units}, {"price", r.price.ticks},
          {"tif", static_cast<int>(r.time_in_force)}, {"leverage", r.leverage},
          {"reduce_only", r.reduce_only}, {"client_order_id", r.client_order_id},
          {"rationale", r.rationale}, {"stop_loss", r.stop_loss.ticks},
          {"take_profit", r.take_profit.ticks}};
}

engine::OrderRequest RequestFromJson(const json& j) {
  engine::OrderRequest r;
  r.symbol = j.at("symbol").get<std::string>();
  r.side = static_cast<engine::Side>(j.at("side").get<int>());
  r.type = static_cast<engine::OrderType>(j.at("type").get<int>());
  r.quantity.units = j.at("quantity").get<std::int64_t>();
  r.notional.units = j.at("notional").get<std::int64_t>();
  r.price.ticks = j.at("price").get<std::int64_t>();
  r.time_in_force = static_cast<engine::TimeInForce>(j.at("tif").get<int>());
  r.leverage = j.at("leverage").get<int>();
  r.reduce_only = j.at("reduce_only").get<bool>();
  r.client_order_id = j.at("client_order_id").get<std::string>();
  r.rationale = j.at("rationale").get<std::string>();
  r.stop_loss.ticks = j.at("stop_loss").get<std::int64_t>();
  r.take_profit.ticks = j.at("take_profit").get<std::int64_t>();
  return r;
}

}  // namespace

std::string OrderRequestToText(const engine::OrderRequest& r) { return RequestJson(r).dump(); }

std::optional<engine::OrderRequest> OrderRequestFromText(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  try {
    return RequestFromJson(j);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

store::OrderRow ToOrderRow(const engine::Order& o, const std::string& agent_id,
                           std::int64_t time_ms) {
  store::OrderRow r;
  r.id = o.id;
  r.agent_id = agent_id;
  r.client_order_id = o.request.client_order_id;
  r.symbol = o.request.symbol;
  r.side = engine::ToString(o.request.side);
  r.type = engine::ToString(o.request.type);
  r.time_in_force = engine::ToString(o.request.time_in_force);
  r.quantity = o.quantity.units ? o.quantity.units : o.request.quantity.units;
  r.notional = o.request.notional.units;
  r.price = o.request.price.ticks;
  r.filled = o.filled.units;
  r.average_price = o.average_price.ticks;
  r.fees = o.fees.units;
  r.leverage = o.request.leverage;
  r.reduce_only = o.request.reduce_only;
  r.status = engine::ToString(o.status);
  r.reject_code = engine::ToString(o.reject);
  r.reason = o.reason;
  r.rationale = o.request.rationale;
  r.created_ms = o.created_ms;
  r.updated_ms = o.updated_ms ? o.updated_ms : time_ms;
  return r;
}

std::int64_t Txn::arena_time_ms() const { return engine_->arena_time_ms(); }

void Txn::AfterCommit(std::function<void(const Status&)> fn) { after_->push_back(std::move(fn)); }

struct Arena::Impl {
  std::unique_ptr<engine::Engine> engine;
  // Queue: work items and market events in arrival order.
  using Item = std::variant<Work, engine::MarketEvent>;
  mutable std::mutex mu;
  std::condition_variable cv_work;    // engine thread waits for items
  std::condition_variable cv_space;   // feed waits for room
  std::deque<Item> queue;
  std::size_t queued_market = 0;
  bool stopping = false;   // no more posts accepted
  bool feed_stop = false;
  std::thread engine_thread, feed_thread;
  bool started = false;

  // Agents (engine thread only after Start).
  std::vector<std::string> order;  // ids in registration order
  std::unordered_map<std::string, store::AgentRow> agents;
  std::unordered_map<std::string, std::string> by_name, by_claim;
  std::unordered_map<engine::WalletId, std::string> by_wallet;
  std::unordered_map<std::string, engine::MetricsTracker> trackers;
  std::int64_t last_snapshot_ms = 0;
  std::set<engine::WalletId> touched;
  std::set<std::string> dirty_prices;
  std::uint64_t replayed_market = 0;

  mutable std::mutex health_mu;
  FeedHealth health;
};

Arena::Arena(ServeConfig config, store::Store* store, AgentDirectory* directory)
    : config_(std::move(config)), store_(store), directory_(directory),
      impl_(std::make_unique<Impl>()) {
  impl_->engine = std::make_unique<engine::Engine>(config_.arena.engine);
  impl_->health.source = config_.feed_source;
  sealed_ = MakeSealedState(config_);
}

Arena::~Arena() { Stop(); }

void Arena::TouchWallet(engine::WalletId wallet) { impl_->touched.insert(wallet); }
engine::Engine* Arena::impl_engine() const { return impl_->engine.get(); }

void Arena::Journal(Txn& txn, const std::string& kind, std::string body) {
  store::JournalRow row;
  row.time_ms = txn.engine().arena_time_ms();
  row.kind = kind;
  row.body = std::move(body);
  txn.batch().journal.push_back(std::move(row));
}

static void IndexAgent(Arena::Impl* impl, AgentDirectory* dir, const store::AgentRow& row,
                       const ServeConfig& config) {
  if (!impl->agents.count(row.id)) impl->order.push_back(row.id);
  auto old = impl->agents.find(row.id);
  if (old != impl->agents.end() && !old->second.claim_token_hash.empty()) {
    impl->by_claim.erase(old->second.claim_token_hash);
  }
  impl->agents[row.id] = row;
  impl->by_name[row.name] = row.id;
  if (!row.claim_token_hash.empty()) impl->by_claim[row.claim_token_hash] = row.id;
  impl->by_wallet[row.wallet] = row.id;
  impl->trackers.try_emplace(row.id, kSnapshotIntervalMs, row.wallet);
  AgentAuth a;
  a.id = row.id;
  a.name = row.name;
  auto key = client::Base64Decode(row.public_key, "public key");
  if (key.ok()) a.public_key = *key;
  a.eth_address = row.eth_address;
  a.device_id = row.device_id;
  a.status = row.status;
  a.wallet = row.wallet;
  dir->Put(a);
  (void)config;
}

Status Arena::Start() {
  started_wall_ms_ = WallMs();
  auto agents = store_->LoadAgents();
  if (!agents.ok()) return agents.status();
  std::map<std::string, store::AgentRow> stored;
  for (auto& row : *agents) stored[row.id] = row;
  // Replay: registrations re-open wallets in the same order, so wallet ids match the rows.
  Status replay = store_->ForEachJournal(0, [&](const store::JournalRow& row) -> Status {
    if (row.kind == "register") {
      json j = json::parse(row.body, nullptr, false);
      if (j.is_discarded()) return Status::DataLoss("journal row " + std::to_string(row.seq) + " is not JSON");
      auto it = stored.find(j.value("agent_id", ""));
      if (it == stored.end()) {
        return Status::DataLoss("journal row " + std::to_string(row.seq) + " registers an agent the store does not have");
      }
      std::vector<engine::Event> ev;
      auto wallet = impl_->engine->OpenWallet(it->second.name, &ev);
      if (!wallet.ok() || *wallet != it->second.wallet) {
        return Status::DataLoss("journal replay gave agent '" + it->second.name + "' another wallet");
      }
      IndexAgent(impl_.get(), directory_, it->second, config_);
      return Status::Ok();
    }
    return Replay(row);
  });
  if (!replay.ok()) return replay.WithContext("restoring the arena from its journal");
  CLAW_RETURN_IF_ERROR(impl_->engine->CheckInvariants());
  arena_time_ms_.store(impl_->engine->arena_time_ms());
  impl_->started = true;
  impl_->engine_thread = std::thread([this] { EngineLoop(); });
  impl_->feed_thread = std::thread([this] { FeedLoop(); });
  return Status::Ok();
}

Status Arena::Replay(const store::JournalRow& row) {
  json j = json::parse(row.body, nullptr, false);
  if (j.is_discarded()) return Status::DataLoss("journal row " + std::to_string(row.seq) + " is not JSON");
  std::vector<engine::Event> ev;
  auto& eng = *impl_->engine;
  try {
    if (row.kind == "market") {
      const engine::MarketEvent market = MarketFromBody(j);
      eng.ApplyMarket(market, &ev);
      SealedAfterMarket(nullptr, market);
      ++impl_->replayed_market;
    } else if (row.kind == "order") {
      auto wallet = static_cast<engine::WalletId>(j.at("wallet").get<std::uint32_t>());
      eng.PlaceOrder(wallet, RequestFromJson(j.at("request")), j.at("now").get<std::int64_t>(), &ev);
    } else if (row.kind == "cancel") {
      auto wallet = static_cast<engine::WalletId>(j.at("wallet").get<std::uint32_t>());
      (void)eng.CancelOrder(wallet, j.at("order_id").get<engine::OrderId>(),
                            j.at("now").get<std::int64_t>(), &ev);
    } else if (row.kind == "cancel_all") {
      auto wallet = static_cast<engine::WalletId>(j.at("wallet").get<std::uint32_t>());
      eng.CancelAll(wallet, j.at("now").get<std::int64_t>(), &ev);
    } else if (row.kind.starts_with("sealed_")) {
      CLAW_RETURN_IF_ERROR(ReplaySealed(row));
    } else {
      return Status::DataLoss("journal row " + std::to_string(row.seq) + " has unknown kind '" +
                              row.kind + "'");
    }
  } catch (const json::exception& e) {
    return Status::DataLoss("journal row " + std::to_string(row.seq) + ": " + e.what());
  }
  for (const auto& e : ev) {
    auto it = impl_->by_wallet.find(e.wallet);
    if (it != impl_->by_wallet.end()) impl_->trackers.at(it->second).OnEvent(e);
  }
  // Equity samples on the same arena-time grid as live operation.
  const std::int64_t now = eng.arena_time_ms();
  if (now - impl_->last_snapshot_ms >= kSnapshotIntervalMs) {
    impl_->last_snapshot_ms = now;
    for (const auto& id : impl_->order) {
      auto p = eng.GetPortfolio(impl_->agents.at(id).wallet);
      if (p.ok()) impl_->trackers.at(id).Sample(now, p->equity);
    }
  }
  return Status::Ok();
}

bool Arena::Post(Work work) {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping || failed_) return false;
    impl_->queue.emplace_back(std::move(work));
  }
  impl_->cv_work.notify_one();
  return true;
}

bool Arena::PostMarket(const engine::MarketEvent& ev) {
  std::unique_lock lock(impl_->mu);
  impl_->cv_space.wait(lock, [&] {
    return impl_->feed_stop || impl_->queued_market < kMaxQueuedMarket;
  });
  if (impl_->feed_stop || impl_->stopping) return false;
  impl_->queue.emplace_back(ev);
  ++impl_->queued_market;
  lock.unlock();
  impl_->cv_work.notify_one();
  return true;
}

std::size_t Arena::queue_depth() const {
  std::lock_guard lock(impl_->mu);
  return impl_->queue.size();
}

FeedHealth Arena::feed_health() const {
  std::lock_guard lock(impl_->health_mu);
  return impl_->health;
}

void Arena::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->started) return;
    impl_->feed_stop = true;
  }
  impl_->cv_space.notify_all();
  if (impl_->feed_thread.joinable()) impl_->feed_thread.join();
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv_work.notify_all();
  if (impl_->engine_thread.joinable()) impl_->engine_thread.join();
  impl_->started = false;
}

void Arena::EngineLoop() {
  std::vector<Impl::Item> items;
  for (;;) {
    items.clear();
    {
      std::unique_lock lock(impl_->mu);
      impl_->cv_work.wait(lock, [&] { return impl_->stopping || !impl_->queue.empty(); });
      if (impl_->queue.empty() && impl_->stopping) return;
      while (!impl_->queue.empty() && items.size() < kMaxBatch) {
        if (std::holds_alternative<engine::MarketEvent>(impl_->queue.front())) --impl_->queued_market;
        items.push_back(std::move(impl_->queue.front()));
        impl_->queue.pop_front();
      }
    }
    impl_->cv_space.notify_all();
    store::Batch batch;
    std::vector<std::function<void(const Status&)>> after;
    Txn txn;
    txn.arena_ = this;
    txn.engine_ = impl_->engine.get();
    txn.batch_ = &batch;
    txn.after_ = &after;
    txn.wall_ms_ = WallMs();
    for (auto& item : items) {
      if (auto* ev = std::get_if<engine::MarketEvent>(&item)) {
        Apply(txn, *ev);
      } else {
        try {
          std::get<Work>(item)(txn);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "arena-sim: engine work failed: %s\n", e.what());
        }
      }
    }
    // Read models for what the batch touched, and equity snapshots on the arena clock.
    auto& eng = *impl_->engine;
    const std::int64_t now = eng.arena_time_ms();
    const bool snapshot = now - impl_->last_snapshot_ms >= kSnapshotIntervalMs && now > 0;
    if (snapshot) impl_->last_snapshot_ms = now;
    // Wallet rows for the wallets this batch touched; every agent only when a snapshot is due
    // (a pass over all agents per commit cost a quarter of the engine thread at 10k agents).
    auto record = [&](const std::string& id, engine::WalletId wallet, bool touched) {
      auto p = eng.GetPortfolio(wallet);
      if (!p.ok()) return;
      if (touched) {
        store::WalletRow w;
        w.agent_id = id;
        w.balance = p->balance.units;
        w.equity = p->equity.units;
        w.margin_used = p->margin_used.units;
        w.realized_pnl = p->realized_pnl.units;
        w.fees_paid = p->fees_paid.units;
        w.liquidations = p->liquidations;
        w.updated_ms = now;
        batch.wallets.push_back(w);
      }
      if (snapshot) {
        impl_->trackers.at(id).Sample(now, p->equity);
        batch.snapshots.push_back({id, now, p->equity.units, p->balance.units});
      }
    };
    if (snapshot) {
      for (const auto& id : impl_->order) {
        const engine::WalletId wallet = impl_->agents.at(id).wallet;
        record(id, wallet, impl_->touched.count(wallet) > 0);
      }
    } else {
      for (engine::WalletId wallet : impl_->touched) {
        auto it = impl_->by_wallet.find(wallet);
        if (it != impl_->by_wallet.end()) record(it->second, wallet, true);
      }
    }
    impl_->touched.clear();
    for (const auto& symbol : impl_->dirty_prices) {
      if (const engine::Quote* q = eng.FindQuote(symbol)) {
        batch.prices.push_back({q->symbol, q->bid.ticks, q->ask.ticks, q->last.ticks, q->mark.ticks, q->time_ms});
      }
    }
    impl_->dirty_prices.clear();
    Status st = Status::Ok();
    if (!batch.empty()) {
      st = store_->Commit(&batch);
      commits_.fetch_add(1, std::memory_order_relaxed);
      if (!st.ok()) {
        // The engine has applied what the store could not keep: stop taking work, so nothing
        // is acknowledged that a restart would not restore.
        std::fprintf(stderr, "arena-sim: store commit failed, refusing further work: %s\n",
                     st.message().c_str());
        failed_ = true;
      }
    }
    arena_time_ms_.store(now, std::memory_order_relaxed);
    for (auto& fn : after) fn(st);
  }
}

void Arena::Apply(Txn& txn, const engine::MarketEvent& ev) {
  std::vector<engine::Event> events;
  impl_->engine->ApplyMarket(ev, &events);
  Journal(txn, "market", MarketBody(ev));
  impl_->dirty_prices.insert(ev.symbol);
  events_applied_.fetch_add(1, std::memory_order_relaxed);
  Record(txn, events);
  SealedAfterMarket(&txn, ev);
}

void Arena::Record(Txn& txn, const std::vector<engine::Event>& events) {
  auto& batch = txn.batch();
  for (const auto& e : events) {
    if (e.kind == engine::EventKind::kTickApplied) continue;
    auto it = impl_->by_wallet.find(e.wallet);
    if (it == impl_->by_wallet.end()) continue;
    const std::string& agent_id = it->second;
    impl_->trackers.at(agent_id).OnEvent(e);
    impl_->touched.insert(e.wallet);
    switch (e.kind) {
      case engine::EventKind::kOrderAccepted:
      case engine::EventKind::kOrderRejected:
      case engine::EventKind::kFill:
      case engine::EventKind::kOrderCancelled:
      case engine::EventKind::kOrderExpired: {
        if (e.order.id == 0) break;  // a duplicate client_order_id is not recorded
        const auto& o = e.order;
        store::OrderRow r = ToOrderRow(o, agent_id, e.time_ms);
        // Keep only the latest state of an order within the batch.
        bool replaced = false;
        for (auto& prev : batch.orders) {
          if (prev.id == r.id) {
            prev = r;
            replaced = true;
            break;
          }
        }
        if (!replaced) batch.orders.push_back(std::move(r));
        if (e.kind == engine::EventKind::kFill) {
          const auto& f = e.fill;
          batch.fills.push_back({f.id, f.order_id, agent_id, f.symbol, engine::ToString(f.side),
                                 f.quantity.units, f.price.ticks, f.fee.units, f.realized_pnl.units,
                                 f.maker, f.time_ms});
          json d = {{"order_id", std::to_string(f.order_id)}, {"fill_id", std::to_string(f.id)},
                    {"symbol", f.symbol}, {"side", engine::ToString(f.side)},
                    {"quantity", engine::ToString(f.quantity)}, {"price", engine::ToString(f.price)},
                    {"fee", engine::ToString(f.fee)}};
          Audit(txn, agent_id, "order_filled", "", "", d.dump());
        } else if (e.kind == engine::EventKind::kOrderCancelled && e.reason != "user") {
          json d = {{"order_id", std::to_string(o.id)}, {"reason", e.reason}};
          Audit(txn, agent_id, "order_cancelled", "", "", d.dump());
        }
        break;
      }
      case engine::EventKind::kPositionChanged: {
        const auto& p = e.position;
        batch.positions.push_back({agent_id, p.symbol, p.quantity.units, p.entry_price.ticks,
                                   p.leverage, p.margin.units, p.opened_ms, e.time_ms});
        break;
      }
      case engine::EventKind::kLiquidated: {
        json d = {{"fee", engine::ToString(e.cash)}, {"shortfall", engine::ToString(e.shortfall)}};
        Audit(txn, agent_id, "liquidation", "", "", d.dump());
        break;
      }
      case engine::EventKind::kStopTriggered: {
        json d = {{"symbol", e.position.symbol}, {"reason", e.reason}};
        Audit(txn, agent_id, "stop_triggered", "", "", d.dump());
        break;
      }
      default:
        break;
    }
  }
}

void Arena::Audit(Txn& txn, const std::string& agent_id, const std::string& event_type,
                  const std::string& ip, const std::string& request_id,
                  const std::string& details) {
  store::AuditRow a;
  a.time_ms = txn.wall_ms();
  a.agent_id = agent_id;
  a.event_type = event_type;
  a.ip = ip;
  a.request_id = request_id;
  a.details = details.empty() ? "{}" : details;
  txn.batch().audit.push_back(std::move(a));
}

Result<engine::WalletId> Arena::Register(Txn& txn, store::AgentRow row) {
  std::vector<engine::Event> events;
  auto wallet = txn.engine().OpenWallet(row.name, &events);
  if (!wallet.ok()) return wallet.status();
  row.wallet = *wallet;
  json body = {{"agent_id", row.id}, {"name", row.name}, {"wallet", row.wallet}};
  Journal(txn, "register", body.dump());
  txn.batch().agents.push_back(row);
  IndexAgent(impl_.get(), directory_, row, config_);
  return wallet;
}

void Arena::UpdateAgent(Txn& txn, const store::AgentRow& row) {
  txn.batch().agents.push_back(row);
  IndexAgent(impl_.get(), directory_, row, config_);
}

const store::AgentRow* Arena::FindAgent(const std::string& id) const {
  auto it = impl_->agents.find(id);
  return it == impl_->agents.end() ? nullptr : &it->second;
}

const store::AgentRow* Arena::FindAgentByName(const std::string& name) const {
  auto it = impl_->by_name.find(name);
  return it == impl_->by_name.end() ? nullptr : FindAgent(it->second);
}

const store::AgentRow* Arena::FindAgentByClaimHash(const std::string& hash) const {
  auto it = impl_->by_claim.find(hash);
  return it == impl_->by_claim.end() ? nullptr : FindAgent(it->second);
}

std::vector<const store::AgentRow*> Arena::Agents() const {
  std::vector<const store::AgentRow*> out;
  for (const auto& id : impl_->order) out.push_back(&impl_->agents.at(id));
  return out;
}

engine::OrderId Arena::PlaceOrder(Txn& txn, const std::string& agent_id,
                                  const engine::OrderRequest& request) {
  last_events_.clear();
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return 0;
  const std::int64_t now = txn.engine().arena_time_ms();
  engine::OrderId id = txn.engine().PlaceOrder(agent->wallet, request, now, &last_events_);
  json body = {{"wallet", agent->wallet}, {"now", now}, {"request", RequestJson(request)}};
  Journal(txn, "order", body.dump());
  Record(txn, last_events_);
  return id;
}

Status Arena::CancelOrder(Txn& txn, const std::string& agent_id, engine::OrderId id) {
  last_events_.clear();
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return Status::NotFound("no such agent");
  const std::int64_t now = txn.engine().arena_time_ms();
  Status s = txn.engine().CancelOrder(agent->wallet, id, now, &last_events_);
  if (!s.ok()) return s;  // nothing changed: nothing to journal
  json body = {{"wallet", agent->wallet}, {"now", now}, {"order_id", id}};
  Journal(txn, "cancel", body.dump());
  Record(txn, last_events_);
  return s;
}

int Arena::CancelAll(Txn& txn, const std::string& agent_id) {
  last_events_.clear();
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return 0;
  const std::int64_t now = txn.engine().arena_time_ms();
  int n = txn.engine().CancelAll(agent->wallet, now, &last_events_);
  if (n > 0) {
    json body = {{"wallet", agent->wallet}, {"now", now}};
    Journal(txn, "cancel_all", body.dump());
    Record(txn, last_events_);
  }
  return n;
}

engine::Performance Arena::Performance(const std::string& agent_id) const {
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return {};
  auto p = impl_->engine->GetPortfolio(agent->wallet);
  return impl_->trackers.at(agent_id).Finish(p.ok() ? p->equity : engine::Cash{0},
                                             impl_->engine->arena_time_ms());
}

void Arena::FeedLoop() {
  auto set_health = [this](const std::string& state, const std::string& detail) {
    std::lock_guard lock(impl_->health_mu);
    impl_->health.state = state;
    impl_->health.detail = detail;
  };
  auto count = [this] {
    std::lock_guard lock(impl_->health_mu);
    ++impl_->health.events;
  };
  auto stopped = [this] {
    std::lock_guard lock(impl_->mu);
    return impl_->feed_stop;
  };
  // Waits until wall time reaches `due_ms`, waking early when stopping.
  auto wait_until = [this](std::int64_t due_ms) {
    std::unique_lock lock(impl_->mu);
    while (!impl_->feed_stop) {
      const std::int64_t left = due_ms - WallMs();
      if (left <= 0) return true;
      impl_->cv_space.wait_for(lock, std::chrono::milliseconds(std::min<std::int64_t>(left, 200)));
    }
    return false;
  };
  feed::FeedOptions opts;
  if (config_.feed_source == "synthetic") {
    // A live-like walk on the wall clock. A restart begins a new walk at the symbols' start
    // prices (the synthetic feed has no memory); replayed history is kept as it was.
    feed::SynthOptions so;
    so.symbols = config_.synthetic_symbols;
    so.start_ms = std::max(WallMs(), arena_time_ms() + 1);
    so.duration_ms = 10LL * 365 * 86'400'000;
    so.interval_ms = 250;
    so.seed = config_.synthetic_seed ? config_.synthetic_seed : static_cast<std::uint64_t>(WallMs());
    set_health("live", "synthetic random walk");
    engine::MarketEvent ev;
    Status s = feed::GenerateSynthetic(so, [&](std::string_view line) {
      auto src = feed::OpenFeedBuffer(line, "synthetic", opts);
      if (!src.ok()) return !stopped();
      auto next = (*src)->Next(&ev);
      if (!next.ok() || !*next) return !stopped();
      if (!wait_until(ev.time_ms)) return false;
      if (!PostMarket(ev)) return false;
      count();
      return true;
    }, nullptr);
    if (!stopped()) set_health(s.ok() ? "finished" : "error", s.ok() ? "" : s.message());
    return;
  }
  auto src = feed::OpenFeeds(config_.arena.feed_files, opts);
  if (!src.ok()) {
    set_health("error", src.status().message());
    std::fprintf(stderr, "arena-sim: feed: %s\n", src.status().message().c_str());
    return;
  }
  set_health("live", "replay");
  engine::MarketEvent ev;
  std::uint64_t skip = impl_->replayed_market;  // applied before the restart
  std::int64_t first_feed_ms = -1, wall_start = WallMs();
  for (;;) {
    auto next = (*src)->Next(&ev);
    if (!next.ok()) {
      set_health("error", next.status().message());
      return;
    }
    if (!*next) break;
    if (skip > 0) {
      --skip;
      continue;
    }
    if (config_.arena.speed == run::SpeedMode::kRealtime) {
      if (first_feed_ms < 0) first_feed_ms = ev.time_ms;
      const std::int64_t due =
          wall_start + (ev.time_ms - first_feed_ms) * 1000 / config_.arena.speed_factor_e3;
      if (!wait_until(due)) return;
    }
    if (!PostMarket(ev)) return;
    count();
  }
  set_health("finished", "replay complete; prices hold at their last values");
}

}  // namespace claw::server
