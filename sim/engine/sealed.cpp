// Sealed trades: reveal periods, the price tape and the sealed-trade book (sealed.h).
#include "sim/engine/sealed.h"

#include <algorithm>
#include <cctype>
#include <climits>

namespace claw::engine {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kHourMs = 3'600'000;
// lobs * kCashScale must fit in int64 with room for pnl.
constexpr std::int64_t kMaxLobs = 1'000'000'000'000;  // 1e12 quote units

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// floor(n / d), d > 0.
Int128 FloorDiv(Int128 n, Int128 d) {
  Int128 q = n / d;
  if ((n % d != 0) && (n < 0)) --q;
  return q;
}

// n / d rounded half to even, d > 0.
Int128 DivHalfEven(Int128 n, Int128 d) {
  Int128 q = FloorDiv(n, d);
  const Int128 r = n - q * d;  // 0 <= r < d
  const Int128 twice = 2 * r;
  if (twice > d || (twice == d && (q % 2 != 0))) ++q;
  return q;
}


}  // namespace

// ---- reveal periods ----

Result<std::int64_t> ParseRevealAnchor(std::string_view text) {
  static constexpr const char* kDays[] = {"thursday", "friday", "saturday", "sunday",
                                          "monday",   "tuesday", "wednesday"};
  const std::string bad = "reveal anchor '" + std::string(text) + "'";
  const std::string hint = "write a weekday, a time and UTC, e.g. \"friday 00:00 UTC\"";
  std::vector<std::string> w = Words(Lower(text));
  if (!w.empty() && w.back() == "utc") w.pop_back();
  if (w.empty() || w.size() > 2) return Status::InvalidArgument(bad + " is not a weekday and time", hint);
  int day = -1;  // days after Thursday 1970-01-01
  for (int i = 0; i < 7; ++i) {
    const std::string full = kDays[i];
    if (w[0] == full || w[0] == full.substr(0, 3)) day = i;
  }
  if (day < 0) return Status::InvalidArgument(bad + " does not start with a weekday", hint);
  int hh = 0, mm = 0;
  if (w.size() == 2) {
    const std::string& t = w[1];
    const auto colon = t.find(':');
    if (colon == std::string::npos || colon == 0 || colon > 2 || t.size() - colon != 3) {
      return Status::InvalidArgument(bad + " has no HH:MM time", hint);
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (i != colon && !std::isdigit(static_cast<unsigned char>(t[i]))) {
        return Status::InvalidArgument(bad + " has no HH:MM time", hint);
      }
    }
    hh = std::stoi(t.substr(0, colon));
    mm = std::stoi(t.substr(colon + 1));
    if (hh > 23 || mm > 59) return Status::InvalidArgument(bad + " has an impossible time", hint);
  }
  return day * kDayMs + hh * kHourMs + mm * 60'000LL;
}

Result<RevealClock> RevealClock::Make(int period_days, std::string_view anchor, int grace_h) {
  if (period_days < 1 || period_days > 3660) {
    return Status::InvalidArgument("reveal.period_days must be between 1 and 3660");
  }
  if (grace_h < 0 || static_cast<std::int64_t>(grace_h) * kHourMs >= period_days * kDayMs) {
    return Status::InvalidArgument("reveal.grace_h must be >= 0 and shorter than the period");
  }
  Result<std::int64_t> a = ParseRevealAnchor(anchor);
  if (!a.ok()) return a.status();
  RevealClock c;
  c.anchor_ms_ = a.value();
  c.period_ms_ = period_days * kDayMs;
  c.grace_ms_ = grace_h * kHourMs;
  return c;
}

std::int64_t RevealClock::Period(std::int64_t t_ms) const {
  return static_cast<std::int64_t>(FloorDiv(static_cast<Int128>(t_ms) - anchor_ms_, period_ms_));
}

// ---- the price tape ----

bool PriceTape::Record(std::string_view symbol, std::int64_t time_ms, Price price) {
  auto it = series_.find(symbol);
  if (it == series_.end()) {
    Series s;
    s.covered_from_ms = time_ms;
    s.points.push_back(Point{time_ms, price});
    series_.emplace(std::string(symbol), std::move(s));
    ++points_count_;
    return true;
  }
  std::vector<Point>& pts = it->second.points;
  if (!pts.empty()) {
    if (time_ms < pts.back().time_ms) return false;
    if (pts.back().price == price) return false;
  }
  pts.push_back(Point{time_ms, price});
  ++points_count_;
  return true;
}

std::optional<Price> PriceTape::At(std::string_view symbol, std::int64_t time_ms) const {
  auto it = series_.find(symbol);
  if (it == series_.end() || time_ms < it->second.covered_from_ms) return std::nullopt;
  const std::vector<Point>& pts = it->second.points;
  auto after = std::upper_bound(pts.begin(), pts.end(), time_ms,
                                [](std::int64_t t, const Point& p) { return t < p.time_ms; });
  if (after == pts.begin()) return std::nullopt;
  return std::prev(after)->price;
}

bool PriceTape::Knows(std::string_view symbol) const { return series_.count(symbol) != 0; }

std::size_t PriceTape::Prune(std::int64_t cutoff_ms) {
  std::size_t dropped = 0;
  for (auto& [symbol, s] : series_) {
    if (s.covered_from_ms >= cutoff_ms) continue;
    // Keep the last point at or before the cutoff.
    auto after = std::upper_bound(s.points.begin(), s.points.end(), cutoff_ms,
                                  [](std::int64_t t, const Point& p) { return t < p.time_ms; });
    if (after != s.points.begin()) {
      const auto n = static_cast<std::size_t>(std::prev(after) - s.points.begin());
      s.points.erase(s.points.begin(), s.points.begin() + static_cast<std::ptrdiff_t>(n));
      dropped += n;
    }
    s.covered_from_ms = cutoff_ms;
  }
  points_count_ -= dropped;
  return dropped;
}

// ---- names ----

const char* ToString(SealedSide s) { return s == SealedSide::kLong ? "LONG" : "SHORT"; }
const char* ToString(SealedAction a) { return a == SealedAction::kOpen ? "OPEN" : "CLOSE"; }

const char* ToString(SealedStatus s) {
  switch (s) {
    case SealedStatus::kCommitted: return "committed";
    case SealedStatus::kRevealed: return "revealed";
    case SealedStatus::kClosed: return "closed";
    case SealedStatus::kPendingReveal: return "pending_reveal";
    case SealedStatus::kRevealFailed: return "reveal_failed";
  }
  return "";
}

std::optional<SealedSide> ParseSealedSide(std::string_view s) {
  if (s == "LONG") return SealedSide::kLong;
  if (s == "SHORT") return SealedSide::kShort;
  return std::nullopt;
}

const char* ToString(SealedReject r) {
  switch (r) {
    case SealedReject::kNone: return "";
    case SealedReject::kNotFound: return "not_found";
    case SealedReject::kInvalidParameter: return "invalid_parameter";
    case SealedReject::kInsufficientBalance: return "insufficient_balance";
    case SealedReject::kAlreadyRevealed: return "already_revealed";
    case SealedReject::kNotRevealed: return "not_revealed";
    case SealedReject::kAlreadyClosed: return "already_closed";
    case SealedReject::kWindowClosed: return "window_closed";
    case SealedReject::kUnknownSymbol: return "unknown_symbol";
    case SealedReject::kNoTapePrice: return "no_tape_price";
    case SealedReject::kPriceOffTape: return "price_off_tape";
  }
  return "";
}

const char* ErrorCode(SealedReject r) {
  switch (r) {
    case SealedReject::kNone: return "";
    case SealedReject::kNotFound: return "NOT_FOUND";
    case SealedReject::kInvalidParameter: return "INVALID_PARAMETER";
    case SealedReject::kInsufficientBalance: return "INSUFFICIENT_BALANCE";
    case SealedReject::kAlreadyRevealed: return "ALREADY_REVEALED";
    case SealedReject::kNotRevealed: return "REVEAL_REQUIRED";
    case SealedReject::kAlreadyClosed: return "ALREADY_CLOSED";
    case SealedReject::kWindowClosed: return "REVEAL_WINDOW_CLOSED";
    case SealedReject::kUnknownSymbol:
    case SealedReject::kNoTapePrice:
    case SealedReject::kPriceOffTape: return "REVEAL_MISMATCH";
  }
  return "";
}

// ---- pnl and tape checks ----

void SealedPnl(SealedSide side, std::int64_t lobs, Price open, Price close,
               std::int64_t* pnl_e4, std::int64_t* pnl_percent_e4) {
  Int128 diff = static_cast<Int128>(close.ticks) - open.ticks;
  if (side == SealedSide::kShort) diff = -diff;
  Int128 pnl = DivHalfEven(diff * lobs * 10'000, open.ticks);
  Int128 pct = DivHalfEven(diff * 1'000'000, open.ticks);  // percent * 1e4
  const Int128 floor_pnl = -static_cast<Int128>(lobs) * 10'000;
  if (pnl < floor_pnl) pnl = floor_pnl;
  if (pct < -1'000'000) pct = -1'000'000;
  const Int128 cap = INT64_MAX / 2;
  *pnl_e4 = static_cast<std::int64_t>(std::min(pnl, cap));
  *pnl_percent_e4 = static_cast<std::int64_t>(std::min(pct, cap));
}

SealedReject CheckTapePrice(const PriceTape& tape, std::string_view symbol, Price price,
                            std::int64_t time_ms, int tolerance_bps, std::string* detail) {
  if (!tape.Knows(symbol)) {
    *detail = "the arena has no price tape for '" + std::string(symbol) + "'";
    return SealedReject::kUnknownSymbol;
  }
  std::optional<Price> at = tape.At(symbol, time_ms);
  if (!at || at->ticks <= 0) {
    *detail = "the price tape of " + std::string(symbol) + " has no price at that time";
    return SealedReject::kNoTapePrice;
  }
  const Int128 dev = static_cast<Int128>(price.ticks) - at->ticks;
  const Int128 abs_dev = dev < 0 ? -dev : dev;
  if (price.ticks <= 0 || abs_dev * 10'000 > static_cast<Int128>(tolerance_bps) * at->ticks) {
    *detail = "price " + ToString(price) + " is off the tape: " + std::string(symbol) + " was " +
              ToString(*at) + " then (tolerance " + std::to_string(tolerance_bps) + " bps)";
    return SealedReject::kPriceOffTape;
  }
  return SealedReject::kNone;
}

// ---- the book ----

SealedBook::SealedBook(RevealClock clock, int tolerance_bps)
    : clock_(clock), tolerance_bps_(tolerance_bps < 0 ? 0 : tolerance_bps) {}

const SealedTrade* SealedBook::Find(SealedId id) const {
  return id >= 1 && id <= trades_.size() ? &trades_[id - 1] : nullptr;
}

SealedTrade* SealedBook::Mutable(SealedId id) {
  return id >= 1 && id <= trades_.size() ? &trades_[id - 1] : nullptr;
}

void SealedBook::Unpend(const SealedTrade& t) {
  auto it = unrevealed_.find(t.period);
  if (it == unrevealed_.end()) return;
  it->second.erase(t.id);
  if (it->second.empty()) unrevealed_.erase(it);
}

SealedResult SealedBook::Commit(Engine* engine, WalletId wallet, SealedSide side,
                                std::int64_t lobs, std::int64_t timestamp_ms,
                                std::int64_t now_ms, std::vector<SealedChange>* changes) {
  if (lobs <= 0 || lobs > kMaxLobs) {
    return {SealedReject::kInvalidParameter,
            "lobs must be a whole number between 1 and " + std::to_string(kMaxLobs), 0};
  }
  Status held = engine->HoldSealed(wallet, Cash{lobs * kCashScale}, now_ms);
  if (!held.ok()) {
    if (held.code() == StatusCode::kRejected) {
      return {SealedReject::kInsufficientBalance, held.message(), 0};
    }
    return {SealedReject::kNotFound, held.message(), 0};
  }
  SealedTrade t;
  t.id = trades_.size() + 1;
  t.wallet = wallet;
  t.action = SealedAction::kOpen;
  t.side = side;
  t.lobs = lobs;
  t.timestamp_ms = timestamp_ms;
  t.period = clock_.Period(timestamp_ms);
  t.created_ms = now_ms;
  t.held = lobs * kCashScale;
  t.status = now_ms >= clock_.End(t.period) ? SealedStatus::kPendingReveal
                                            : SealedStatus::kCommitted;
  unrevealed_[t.period].insert(t.id);
  next_check_ms_ = std::min(next_check_ms_, clock_.End(t.period));
  trades_.push_back(t);
  changes->push_back({t.id, t.status});
  // A commit so late that its grace is over fails at once (the caller's window normally
  // prevents it).
  AdvanceTo(engine, now_ms, changes);
  return {SealedReject::kNone, "", t.id};
}

SealedResult SealedBook::RevealChecks(const SealedTrade& t, WalletId wallet,
                                      std::string_view symbol, Price price,
                                      const PriceTape& tape, std::int64_t now_ms) const {
  const std::string name = "trade " + std::to_string(t.id);
  if (t.wallet != wallet || t.action != SealedAction::kOpen) {
    return {SealedReject::kNotFound, name + " is not one of your sealed opens", 0};
  }
  if (t.status == SealedStatus::kClosed) return {SealedReject::kAlreadyClosed, name + " is closed", 0};
  if (t.revealed) return {SealedReject::kAlreadyRevealed, name + " is already revealed", 0};
  if (t.status == SealedStatus::kRevealFailed || now_ms >= clock_.GraceEnd(t.period)) {
    return {SealedReject::kWindowClosed,
            name + ": the reveal window of period " + std::to_string(t.period) + " is closed", 0};
  }
  std::string detail;
  const SealedReject r = CheckTapePrice(tape, symbol, price, t.timestamp_ms, tolerance_bps_, &detail);
  if (r != SealedReject::kNone) return {r, detail, 0};
  return {};
}

SealedResult SealedBook::Reveal(WalletId wallet, SealedId id, std::string_view symbol,
                                std::string_view price_text, Price price,
                                const PriceTape& tape, std::int64_t now_ms,
                                std::vector<SealedChange>* changes) {
  SealedTrade* t = Mutable(id);
  if (t == nullptr) return {SealedReject::kNotFound, "trade " + std::to_string(id) + " not found", 0};
  SealedResult r = RevealChecks(*t, wallet, symbol, price, tape, now_ms);
  if (!r.ok()) return r;
  Unpend(*t);
  t->revealed = true;
  t->status = SealedStatus::kRevealed;
  t->symbol = std::string(symbol);
  t->price_text = std::string(price_text);
  t->price = price;
  t->revealed_ms = now_ms;
  changes->push_back({t->id, t->status});
  return {SealedReject::kNone, "", id};
}

SealedResult SealedBook::Close(Engine* engine, WalletId wallet, SealedId open_id,
                               const std::optional<RevealData>& reveal,
                               std::string_view close_price_text, Price close_price,
                               std::int64_t close_timestamp_ms, const PriceTape& tape,
                               std::int64_t now_ms, std::vector<SealedChange>* changes) {
  SealedTrade* open = Mutable(open_id);
  const std::string name = "trade " + std::to_string(open_id);
  if (open == nullptr || open->wallet != wallet || open->action != SealedAction::kOpen) {
    return {SealedReject::kNotFound, name + " is not one of your sealed opens", 0};
  }
  if (open->status == SealedStatus::kClosed) return {SealedReject::kAlreadyClosed, name + " is closed", 0};
  if (open->status == SealedStatus::kRevealFailed) {
    return {SealedReject::kWindowClosed, name + " failed to reveal in time", 0};
  }
  const bool reveal_now = !open->revealed;
  if (reveal_now) {
    if (!reveal) return {SealedReject::kNotRevealed, name + " is not revealed: send its reveal", 0};
    SealedResult r = RevealChecks(*open, wallet, reveal->symbol, reveal->price, tape, now_ms);
    if (!r.ok()) return r;
  }
  if (close_timestamp_ms < open->timestamp_ms) {
    return {SealedReject::kInvalidParameter, "the close is timed before its open", 0};
  }
  const std::string symbol = reveal_now ? reveal->symbol : open->symbol;
  std::string detail;
  const SealedReject tr =
      CheckTapePrice(tape, symbol, close_price, close_timestamp_ms, tolerance_bps_, &detail);
  if (tr != SealedReject::kNone) return {tr, "close: " + detail, 0};
  const Price open_price = reveal_now ? reveal->price : open->price;
  std::int64_t pnl_e4 = 0, pct_e4 = 0;
  SealedPnl(open->side, open->lobs, open_price, close_price, &pnl_e4, &pct_e4);
  const Cash pnl{pnl_e4 * (kCashScale / 10'000)};
  Status paid = engine->ReleaseSealed(wallet, Cash{open->held}, pnl, now_ms);
  if (!paid.ok()) return {SealedReject::kInvalidParameter, paid.message(), 0};

  // Nothing can fail from here on.
  if (reveal_now) {
    Unpend(*open);
    open->revealed = true;
    open->symbol = reveal->symbol;
    open->price_text = reveal->price_text;
    open->price = reveal->price;
    open->revealed_ms = now_ms;
  }
  SealedTrade c;
  c.id = trades_.size() + 1;
  c.wallet = wallet;
  c.action = SealedAction::kClose;
  c.side = open->side;
  c.lobs = open->lobs;
  c.timestamp_ms = close_timestamp_ms;
  c.period = open->period;
  c.created_ms = now_ms;
  c.status = SealedStatus::kClosed;
  c.revealed = true;
  c.symbol = open->symbol;
  c.price_text = std::string(close_price_text);
  c.price = close_price;
  c.revealed_ms = now_ms;
  c.opening_id = open->id;
  c.has_pnl = true;
  c.pnl_e4 = pnl_e4;
  c.pnl_percent_e4 = pct_e4;
  open->status = SealedStatus::kClosed;
  open->close_id = c.id;
  open->has_pnl = true;
  open->pnl_e4 = pnl_e4;
  open->pnl_percent_e4 = pct_e4;
  open->held = 0;
  const SealedId open_ref = open->id;
  trades_.push_back(std::move(c));  // invalidates `open`
  changes->push_back({open_ref, SealedStatus::kClosed});
  changes->push_back({trades_.back().id, SealedStatus::kClosed});
  return {SealedReject::kNone, "", trades_.back().id};
}

void SealedBook::AdvanceTo(Engine* engine, std::int64_t now_ms,
                           std::vector<SealedChange>* changes) {
  if (now_ms < next_check_ms_) return;
  std::int64_t next = INT64_MAX;
  for (auto it = unrevealed_.begin(); it != unrevealed_.end();) {
    const std::int64_t period = it->first;
    if (now_ms < clock_.End(period)) {
      next = std::min(next, clock_.End(period));
      break;  // later periods end later still
    }
    if (now_ms < clock_.GraceEnd(period)) {
      for (SealedId id : it->second) {
        SealedTrade& t = trades_[id - 1];
        if (t.status == SealedStatus::kCommitted) {
          t.status = SealedStatus::kPendingReveal;
          changes->push_back({id, t.status});
        }
      }
      next = std::min(next, clock_.GraceEnd(period));
      ++it;
      continue;
    }
    for (SealedId id : it->second) {
      SealedTrade& t = trades_[id - 1];
      if (t.held > 0) {
        Status s = engine->ReleaseSealed(t.wallet, Cash{t.held}, Cash{0}, now_ms);
        (void)s;  // cannot fail: the hold was taken by Commit and is released only once
      }
      t.held = 0;
      t.status = SealedStatus::kRevealFailed;
      t.has_pnl = true;
      t.pnl_e4 = 0;
      t.pnl_percent_e4 = 0;
      changes->push_back({id, t.status});
    }
    it = unrevealed_.erase(it);
  }
  next_check_ms_ = next;
}

std::vector<SealedRanking> SealedBook::Rankings(std::int64_t period) const {
  std::map<WalletId, SealedRanking> by_wallet;
  std::map<WalletId, std::int64_t> closed_lobs;
  for (const SealedTrade& t : trades_) {
    if (t.action != SealedAction::kOpen || t.period != period) continue;
    if (!t.revealed && t.status != SealedStatus::kRevealFailed) continue;
    SealedRanking& r = by_wallet[t.wallet];
    r.wallet = t.wallet;
    if (t.status == SealedStatus::kRevealFailed) {
      ++r.failed;
      continue;
    }
    ++r.revealed;
    if (t.status == SealedStatus::kClosed) {
      ++r.closed;
      r.pnl_e4 += t.pnl_e4;
      closed_lobs[t.wallet] += t.lobs;
    }
  }
  std::vector<SealedRanking> out;
  for (auto& [w, r] : by_wallet) {
    if (r.revealed == 0) continue;  // nothing revealed: not ranked
    const std::int64_t lobs = closed_lobs[w];
    r.pnl_percent_e4 =
        lobs > 0 ? static_cast<std::int64_t>(DivHalfEven(static_cast<Int128>(r.pnl_e4) * 100, lobs))
                 : 0;
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const SealedRanking& a, const SealedRanking& b) {
    if (a.pnl_e4 != b.pnl_e4) return a.pnl_e4 > b.pnl_e4;
    if (a.pnl_percent_e4 != b.pnl_percent_e4) return a.pnl_percent_e4 > b.pnl_percent_e4;
    return a.wallet < b.wallet;
  });
  for (std::size_t i = 0; i < out.size(); ++i) out[i].rank = static_cast<int>(i + 1);
  return out;
}

}  // namespace claw::engine
