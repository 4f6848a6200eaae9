#include "sim/run/runner.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include "sim/feed/feed.h"
#include "sim/run/messages.h"
#include "sim/run/report.h"
#include "sim/run/sealed_desk.h"
#include "sim/run/strategy_process.h"

namespace claw::run {
namespace {

using engine::Event;
using engine::EventKind;
using engine::MarketEvent;
using WallClock = std::chrono::steady_clock;

Result<FeedFileInfo> HashFile(const std::string& path) {
  FeedFileInfo info{path, "", 0};
  if (path == "-") return info;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::NotFound("cannot open feed '" + path + "'", "check the path given to --feed");
  }
  // OpenSSL rather than libsodium here: its SHA-256 uses the CPU's SHA extensions, about 5x
  // faster, and hashing dominated `run` on multi-gigabyte feeds (BENCHMARKS.md, Replay).
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool failed = !ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1;
  std::vector<unsigned char> buf(1 << 20);
  std::size_t n;
  while (!failed && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    failed = EVP_DigestUpdate(ctx.get(), buf.data(), n) != 1;
    info.bytes += n;
  }
  failed = failed || std::ferror(f) != 0;
  std::fclose(f);
  unsigned char digest[32];
  unsigned int len = 0;
  failed = failed || EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1 || len != sizeof digest;
  if (failed) return Status::IOError("cannot read feed '" + path + "'");
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  info.sha256 = hex;
  return info;
}

Status ValidateAgents(const std::vector<AgentSpec>& agents) {
  std::set<std::string> names;
  for (const AgentSpec& a : agents) {
    if (a.name.empty() || a.name.size() > 64 ||
        a.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
            std::string::npos) {
      return Status::InvalidArgument("agent name '" + a.name + "' is not valid",
                                     "names are 1-64 characters of letters, digits, '_', '.', '-'");
    }
    if (a.command.empty()) {
      return Status::InvalidArgument("agent '" + a.name + "' has no command",
                                     "use --agent NAME=COMMAND, e.g. --agent hold='python3 hold.py'");
    }
    if (!names.insert(a.name).second) {
      return Status::InvalidArgument("agent name '" + a.name + "' is used twice");
    }
  }
  return Status::Ok();
}

// Keeps every k-th snapshot so the report's curve has at most `points` entries, always
// including the first and the last.
std::vector<engine::EquityPoint> Downsample(const std::vector<engine::EquityPoint>& all,
                                            std::int64_t points) {
  const std::size_t n = all.size();
  if (n <= static_cast<std::size_t>(points)) return all;
  std::vector<engine::EquityPoint> out;
  const std::size_t k = static_cast<std::size_t>(points);
  for (std::size_t i = 0; i < k; ++i) out.push_back(all[i * (n - 1) / (k - 1)]);
  return out;
}

class Simulation {
 public:
  explicit Simulation(const RunOptions& options)
      : options_(options), engine_(options.config.engine) {}

  Result<RunResult> Run();

 private:
  struct Agent {
    AgentResult result;
    engine::WalletId wallet = 0;
    std::unique_ptr<StrategyProcess> process;
    std::unique_ptr<engine::MetricsTracker> metrics;
    std::string pending;  // lines waiting for the next step
    bool alive = false;
    bool greeted = false;
    std::vector<Command> commands;
  };

  Status StartAgents();
  void Dispatch(std::vector<Event>* events);
  void Exchange(std::int64_t now_ms);
  void ApplyCommands(Agent& agent, std::int64_t now_ms);
  void Fail(Agent& agent, const Status& why, std::int64_t now_ms);
  void Sample(std::int64_t now_ms);
  void Finish();
  void FinishSealed();
  void DeliverSealed(std::vector<SealedDesk::Update>* updates);
  void Pace(std::int64_t now_ms);
  void ReportProgress(bool force);

  const RunOptions& options_;
  engine::Engine engine_;
  std::unique_ptr<SealedDesk> desk_;  // commit-reveal trades; only when there are strategies
  std::vector<SealedDesk::Update> sealed_updates_;
  std::vector<Agent> agents_;
  std::unordered_map<engine::WalletId, std::size_t> by_wallet_;
  std::set<std::string> touched_;  // symbols updated in the current step (sorted: determinism)
  std::vector<Event> events_;
  RunResult result_;
  std::int64_t now_ms_ = 0;
  WallClock::time_point wall_start_ = WallClock::now();
  WallClock::time_point last_progress_ = wall_start_;
};

Status Simulation::StartAgents() {
  if (!options_.agents.empty()) desk_ = std::make_unique<SealedDesk>(options_.config.reveal);
  for (const AgentSpec& spec : options_.agents) {
    Agent a;
    a.result.name = spec.name;
    a.result.agent_id = "agent-" + std::to_string(agents_.size() + 1);
    auto wallet = engine_.OpenWallet(spec.name, &events_);
    if (!wallet.ok()) return wallet.status();
    a.wallet = wallet.value();
    desk_->AddAgent(a.wallet, a.result.agent_id, DeriveAgentKey(spec.name));
    a.metrics = std::make_unique<engine::MetricsTracker>(options_.config.snapshot_interval_ms, a.wallet);
    auto proc = StrategyProcess::Start(spec.name, spec.command);
    if (proc.ok()) {
      a.process = std::move(proc).value();
      a.alive = true;
    } else {
      a.result.status = "failed_to_start";
      a.result.detail = proc.status().message();
    }
    by_wallet_[a.wallet] = agents_.size();
    agents_.push_back(std::move(a));
  }
  events_.clear();
  return Status::Ok();
}

void Simulation::Dispatch(std::vector<Event>* events) {
  for (Event& e : *events) {
    if (e.kind == EventKind::kTickApplied) {
      if (!agents_.empty()) touched_.insert(e.symbol);
      continue;
    }
    auto it = by_wallet_.find(e.wallet);
    if (it == by_wallet_.end()) continue;
    Agent& a = agents_[it->second];
    a.metrics->OnEvent(e);
    if (e.kind == EventKind::kOrderAccepted) ++a.result.orders_accepted;
    if (e.kind == EventKind::kOrderRejected) ++a.result.orders_rejected;
    if (e.kind == EventKind::kFill) ++a.result.fills;
    if (a.alive) a.pending += EventLines(e);
  }
  events->clear();
}

void Simulation::Fail(Agent& a, const Status& why, std::int64_t now_ms) {
  a.alive = false;
  a.result.status = why.code() == StatusCode::kUnavailable ? "timeout"
                    : why.code() == StatusCode::kInvalidArgument ? "protocol_error"
                                                                 : "crashed";
  a.process->Kill();
  a.result.detail = why.message();
  if (a.result.status == "crashed") a.result.detail += " (" + a.process->ExitDescription() + ")";
  a.result.stopped_at_ms = now_ms;
  a.pending.clear();
  engine_.CancelAll(a.wallet, now_ms, &events_);
  Dispatch(&events_);
}

void Simulation::Exchange(std::int64_t now_ms) {
  const auto deadline =
      WallClock::now() + std::chrono::milliseconds(options_.config.step_timeout_ms);
  std::string ticks;
  for (const std::string& symbol : touched_) {
    if (const engine::Quote* q = engine_.FindQuote(symbol)) ticks += TickLine(*q);
  }
  touched_.clear();
  const std::string step = StepLine(now_ms, result_.steps);
  for (Agent& a : agents_) {  // everyone gets the step first, so they think concurrently
    if (!a.alive) continue;
    std::string payload;
    if (!a.greeted) {
      auto p = engine_.GetPortfolio(a.wallet);
      payload = HelloLine(a.result.agent_id, a.result.name, p.ok() ? p.value().balance : engine::Cash{},
                          engine_.Instruments(), now_ms, desk_->Hello(a.wallet, now_ms));
      a.greeted = true;
    }
    payload += ticks;
    payload += a.pending;
    payload += step;
    a.pending.clear();
    Status st = a.process->Write(payload, deadline);
    if (!st.ok()) Fail(a, st, now_ms);
  }
  for (Agent& a : agents_) {
    a.commands.clear();
    while (a.alive) {
      auto line = a.process->ReadLine(deadline);
      if (!line.ok()) {
        Fail(a, line.status(), now_ms);
        break;
      }
      if (line.value().empty()) continue;
      auto cmd = ParseCommand(line.value());
      if (!cmd.ok()) {
        Fail(a, cmd.status(), now_ms);
        break;
      }
      if (std::holds_alternative<DoneCommand>(cmd.value())) break;
      a.commands.push_back(std::move(cmd).value());
    }
  }
  for (Agent& a : agents_) {
    if (a.alive) ApplyCommands(a, now_ms);
  }
}

void Simulation::ApplyCommands(Agent& a, std::int64_t now_ms) {
  for (const Command& c : a.commands) {
    if (const auto* o = std::get_if<OrderCommand>(&c)) {
      engine_.PlaceOrder(a.wallet, o->request, now_ms, &events_);
    } else if (const auto* x = std::get_if<CancelCommand>(&c)) {
      Status st = x->order_id != 0
                      ? engine_.CancelOrder(a.wallet, x->order_id, now_ms, &events_)
                      : engine_.CancelByClientId(a.wallet, x->client_order_id, now_ms, &events_);
      if (!st.ok()) a.pending += CommandErrorLine(x->client_order_id, st.message());
    } else if (std::holds_alternative<CancelAllCommand>(c)) {
      engine_.CancelAll(a.wallet, now_ms, &events_);
    } else if (const auto* bad = std::get_if<InvalidOrder>(&c)) {
      a.pending += CommandErrorLine(bad->client_order_id, bad->reason);
    } else if (const auto* sealed = std::get_if<SealedCommand>(&c)) {
      desk_->Apply(&engine_, a.wallet, *sealed, now_ms, &a.pending);
    }
    Dispatch(&events_);
  }
  a.commands.clear();
}

void Simulation::DeliverSealed(std::vector<SealedDesk::Update>* updates) {
  for (const SealedDesk::Update& u : *updates) {
    auto it = by_wallet_.find(u.wallet);
    if (it != by_wallet_.end() && agents_[it->second].alive) agents_[it->second].pending += u.line;
  }
  updates->clear();
}

void Simulation::Sample(std::int64_t now_ms) {
  for (Agent& a : agents_) {
    auto p = engine_.GetPortfolio(a.wallet);
    if (p.ok()) a.metrics->Sample(now_ms, RunEquity(p.value()));
  }
}

void Simulation::Pace(std::int64_t now_ms) {
  if (options_.config.speed != SpeedMode::kRealtime) return;
  const std::int64_t feed_elapsed = now_ms - result_.start_ms;
  const auto target = wall_start_ + std::chrono::microseconds(
                                        feed_elapsed * 1'000'000 / options_.config.speed_factor_e3);
  std::this_thread::sleep_until(target);
}

void Simulation::ReportProgress(bool force) {
  if (!options_.on_progress) return;
  const auto now = WallClock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(200)) return;
  last_progress_ = now;
  Progress p;
  p.events = result_.events;
  p.steps = result_.steps;
  p.elapsed_s = std::chrono::duration<double>(now - wall_start_).count();
  options_.on_progress(p);
}

void Simulation::Finish() {
  for (Agent& a : agents_) {
    auto p = engine_.GetPortfolio(a.wallet);
    if (p.ok()) a.result.portfolio = p.value();
    a.metrics->Sample(now_ms_, RunEquity(a.result.portfolio));
    a.result.performance = a.metrics->Finish(RunEquity(a.result.portfolio), now_ms_);
    a.result.curve = Downsample(a.metrics->snapshots(), options_.config.curve_points);
    if (a.alive) {
      std::string bye = "{\"kind\":\"bye\",\"report\":" + AgentSummaryJson(a.result) + "}\n";
      (void)a.process->Write(bye, WallClock::now() + std::chrono::seconds(1));
      a.process->Stop(std::chrono::milliseconds(1000));
    }
    a.process.reset();
    result_.agents.push_back(a.result);
  }
  result_.insurance_fund = engine_.insurance_fund();
  result_.fees_collected = engine_.fees_collected();
  FinishSealed();
}

void Simulation::FinishSealed() {
  if (!desk_) return;
  std::set<std::int64_t> periods;
  for (const engine::SealedTrade& t : desk_->book().trades()) {
    if (t.action != engine::SealedAction::kOpen) continue;
    periods.insert(t.period);
    SealedCounts& c = result_.agents[by_wallet_.at(t.wallet)].sealed;
    ++c.commits;
    if (t.revealed) ++c.revealed;
    if (t.status == engine::SealedStatus::kClosed) {
      ++c.closed;
      c.pnl_e4 += t.pnl_e4;
    }
    if (t.status == engine::SealedStatus::kPendingReveal) ++c.pending_reveal;
    if (t.status == engine::SealedStatus::kRevealFailed) ++c.reveal_failed;
  }
  for (const Agent& a : agents_) {
    result_.agents[by_wallet_.at(a.wallet)].sealed.refused = desk_->refused(a.wallet);
  }
  const engine::RevealClock& clock = desk_->clock();
  for (std::int64_t n : periods) {
    SealedPeriodResult p;
    p.period = n;
    p.start_ms = clock.Start(n);
    p.end_ms = clock.End(n);
    p.grace_end_ms = clock.GraceEnd(n);
    p.complete = now_ms_ >= p.grace_end_ms;
    for (const engine::SealedRanking& r : desk_->book().Rankings(n)) {
      p.rankings.push_back({r.rank, agents_[by_wallet_.at(r.wallet)].result.name, r.pnl_e4,
                            r.pnl_percent_e4, r.revealed, r.closed, r.failed});
    }
    result_.sealed_periods.push_back(std::move(p));
  }
}

Result<RunResult> Simulation::Run() {
  CLAW_RETURN_IF_ERROR(ValidateAgents(options_.agents));
  if (options_.config.feed_files.empty()) {
    return Status::InvalidArgument("no feed to replay",
                                   "pass --feed FILE (repeatable), or make one with arena-sim synth");
  }
  for (const std::string& path : options_.config.feed_files) {
    auto info = HashFile(path);
    if (!info.ok()) return info.status();
    result_.feeds.push_back(info.value());
  }
  feed::FeedOptions feed_options;
  feed_options.strict = options_.strict;
  auto feed = feed::OpenFeeds(options_.config.feed_files, feed_options);
  if (!feed.ok()) return feed.status();
  CLAW_RETURN_IF_ERROR(StartAgents());
  wall_start_ = WallClock::now();
  MarketEvent ev;
  bool have = false;
  {
    auto first = feed.value()->Next(&ev);
    if (!first.ok()) return first.status();
    have = first.value();
  }
  result_.start_ms = have ? ev.time_ms : 0;
  now_ms_ = result_.start_ms;
  const std::int64_t step_ms = options_.config.step_ms;
  while (have) {
    // One step: every event at the same time (or in the same step_ms window).
    const std::int64_t group = step_ms > 0 ? ev.time_ms - ev.time_ms % step_ms : ev.time_ms;
    Pace(ev.time_ms);
    do {
      if (ev.time_ms > now_ms_) now_ms_ = ev.time_ms;  // the arena clock never runs backwards
      engine_.ApplyMarket(ev, &events_);
      ++result_.events;
      Dispatch(&events_);
      if (desk_) {
        desk_->AfterMarket(&engine_, ev.symbol, now_ms_, &sealed_updates_);
        DeliverSealed(&sealed_updates_);
      }
      auto next = feed.value()->Next(&ev);
      if (!next.ok()) return next.status();
      have = next.value();
    } while (have && (step_ms > 0 ? ev.time_ms < group + step_ms : ev.time_ms == group));
    ++result_.steps;
    if (!agents_.empty()) {
      Exchange(now_ms_);
      Sample(now_ms_);
    }
    ReportProgress(false);
  }
  result_.end_ms = now_ms_;
  const feed::FeedStats& stats = feed.value()->stats();
  for (int k = 0; k < 4; ++k) result_.events_by_kind[k] = stats.events_by_kind[k];
  result_.lines = stats.lines;
  result_.malformed = stats.malformed;
  result_.skipped = stats.skipped;
  result_.skipped_by_type = stats.skipped_by_type;
  result_.malformed_samples = stats.malformed_samples;
  Finish();
  ReportProgress(true);
  result_.wall_seconds = std::chrono::duration<double>(WallClock::now() - wall_start_).count();
  return result_;
}

}  // namespace

Result<RunResult> RunSimulation(const RunOptions& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  // A strategy that exits must not kill the runner: writes to its pipe then fail with EPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  Simulation sim(options);
  return sim.Run();
}

}  // namespace claw::run
