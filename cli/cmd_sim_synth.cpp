// arena-sim synth: write a synthetic Binance feed (a seeded random walk) for tests, demos and
// benchmarks. Parses flags and prints; sim/feed (WriteSyntheticFile) does the work.
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "sim/feed/feed.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

struct SynthFlags {
  std::string symbols = "BTCUSDT";
  std::string duration = "1h";
  std::string start;
  std::string out;
  std::int64_t interval_ms = 100;
  std::uint64_t seed = 1;
  bool bare = false;
};

bool AllDigits(const std::string& s, std::size_t from = 0, std::size_t to = std::string::npos) {
  to = std::min(to, s.size());
  if (from >= to) return false;
  for (std::size_t i = from; i < to; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// "90s", "15m", "2h", "1d", "500ms"; a bare number is seconds.
Result<std::int64_t> ParseDuration(const std::string& text) {
  std::size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  const std::string unit = text.substr(n);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit.empty() || unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (unit == "d") scale = 86'400'000;
  if (n == 0 || n > 9 || scale == 0) {
    return Status::InvalidArgument("--duration '" + text + "' is not a duration",
                                   "use a number with s, m, h or d, e.g. 90m or 1d");
  }
  return std::stoll(text.substr(0, n)) * scale;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Unix ms, or UTC "YYYY-MM-DD" with an optional "THH:MM[:SS]" and "Z".
Result<std::int64_t> ParseStart(const std::string& text) {
  if (AllDigits(text)) return std::stoll(text);
  std::string t = text;
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  const bool date_ok = t.size() >= 10 && AllDigits(t, 0, 4) && t[4] == '-' &&
                       AllDigits(t, 5, 7) && t[7] == '-' && AllDigits(t, 8, 10);
  const bool time_ok = t.size() == 10 ||
                       ((t.size() == 16 || t.size() == 19) && (t[10] == 'T' || t[10] == ' ') &&
                        AllDigits(t, 11, 13) && t[13] == ':' && AllDigits(t, 14, 16) &&
                        (t.size() == 16 || (t[16] == ':' && AllDigits(t, 17, 19))));
  if (!date_ok || !time_ok) {
    return Status::InvalidArgument("--start '" + text + "' is not a time",
                                   "use Unix ms or a UTC date, e.g. 2024-08-08 or "
                                   "2024-08-08T23:54:00Z");
  }
  auto num = [&t](std::size_t at, std::size_t len) { return std::stoi(t.substr(at, len)); };
  const int mon = num(5, 2), day = num(8, 2);
  const int hh = t.size() > 10 ? num(11, 2) : 0, mm = t.size() > 10 ? num(14, 2) : 0;
  const int ss = t.size() == 19 ? num(17, 2) : 0;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 59) {
    return Status::InvalidArgument("--start '" + text + "' is not a valid date and time");
  }
  const std::int64_t days = DaysFromCivil(num(0, 4), static_cast<unsigned>(mon),
                                          static_cast<unsigned>(day));
  return ((days * 24 + hh) * 60 + mm) * 60'000 + ss * 1000LL;
}

Result<feed::SynthOptions> BuildOptions(const SynthFlags& f) {
  feed::SynthOptions o;
  o.symbols.clear();
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = f.symbols.find(',', start);
    o.symbols.push_back(f.symbols.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto duration = ParseDuration(f.duration);
  if (!duration.ok()) return duration.status();
  o.duration_ms = *duration;
  if (!f.start.empty()) {
    auto begin = ParseStart(f.start);
    if (!begin.ok()) return begin.status();
    o.start_ms = *begin;
  }
  o.interval_ms = f.interval_ms;
  o.seed = f.seed;
  o.combined = !f.bare;
  CLAW_RETURN_IF_ERROR(feed::ValidateSynthOptions(o));
  return o;
}

void RunSynth(Context& ctx, const SynthFlags& f) {
  auto o = BuildOptions(f);
  if (!o.ok()) return ctx.Fail(o.status());
  std::uint64_t events = 0;
  Status s = feed::WriteSyntheticFile(*o, f.out, &events);
  if (!s.ok()) return ctx.Fail(s);
  // With --out -, the feed owns stdout: the summary goes to stderr.
  std::ostream& os = f.out == "-" ? *ctx.err : *ctx.out;
  if (f.out == "-" && ctx.quiet) return;
  if (ctx.json) {
    os << ordered_json{{"events", events},
                       {"file", f.out},
                       {"symbols", o->symbols},
                       {"start_ms", o->start_ms},
                       {"end_ms", o->start_ms + o->duration_ms},
                       {"interval_ms", o->interval_ms},
                       {"seed", o->seed}}
              .dump()
       << "\n";
  } else {
    os << "wrote " << events << " events to " << f.out << "\n";
  }
}

}  // namespace

void AddSynthCommand(CLI::App& sim, Context& ctx) {
  auto f = std::make_shared<SynthFlags>();
  auto* cmd = sim.add_subcommand(
      "synth", "Write a synthetic Binance feed: a seeded random walk of bookTicker and trade "
               "frames, one JSON line each");
  cmd->add_option("--out", f->out, "Output file; '-' for stdout; a .gz name is gzip-compressed")
      ->required();
  cmd->add_option("--symbols", f->symbols, "Comma-separated symbols (default BTCUSDT)");
  cmd->add_option("--duration", f->duration,
                  "Span of market time: 90s, 15m, 2h, 1d; a bare number is seconds (default 1h)");
  cmd->add_option("--start", f->start,
                  "First event time: Unix ms, or a UTC date/time such as 2024-08-08 or "
                  "2024-08-08T23:54:00Z (default 1700000000000 = 2023-11-14T22:13:20Z)");
  cmd->add_option("--interval-ms", f->interval_ms,
                  "Mean gap between events of one symbol, in ms (default 100)");
  cmd->add_option("--seed", f->seed, "Random seed; the same seed writes the same bytes (default 1)");
  cmd->add_flag("--bare", f->bare,
                "Write bare payloads instead of combined-stream {\"stream\",\"data\"} wrappers");
  cmd->footer(
      "The file is written to a temporary name and renamed when complete, so a failure leaves\n"
      "nothing behind. About 3 in 4 frames are bookTickers, 1 in 4 trades; all carry \"E\".\n"
      "Example:\n"
      "  arena-sim synth --symbols BTCUSDT,ETHUSDT --duration 1d --seed 7 --out day.jsonl.gz\n"
      "  arena-sim run --feed day.jsonl.gz ...");
  cmd->callback([&ctx, f] { RunSynth(ctx, *f); });
}

}  // namespace claw::cli
