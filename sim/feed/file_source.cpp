// OpenFeed and OpenFeedBuffer: one file (or buffer) as a FeedSource.
#include <algorithm>

#include "sim/feed/byte_stream.h"
#include "sim/feed/csv_decode.h"
#include "sim/feed/feed.h"
#include "sim/feed/json_decode.h"

namespace claw::feed {
namespace {

using engine::MarketEvent;

constexpr std::size_t kMaxSamples = 20;
constexpr std::size_t kMaxDetail = 60;

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s[0] == ' ' || s[0] == '\t')) s.remove_prefix(1);
  return s;
}

class FileFeedSource final : public FeedSource {
 public:
  FileFeedSource(std::string path, std::unique_ptr<ByteStream> stream, FeedOptions opts)
      : path_(std::move(path)),
        stream_(std::move(stream)),
        reader_(stream_.get()),
        opts_(std::move(opts)),
        json_(opts_.json_simdjson_only) {}

  // Reads up to the first non-blank line, so a format error shows at open time.
  Status Prime() {
    auto got = NextLine(&pending_);
    if (!got.ok()) return got.status();
    has_pending_ = *got;
    done_ = !*got;
    return Status::Ok();
  }

  Result<bool> Next(MarketEvent* ev) override {
    while (!done_) {
      std::string_view line;
      if (has_pending_) {
        line = pending_;
        has_pending_ = false;
      } else {
        auto got = NextLine(&line);
        if (!got.ok()) return Finish(got.status());
        if (!*got) break;
      }
      LineOutcome o = mode_ == Mode::kJson ? json_.Decode(line, ev) : csv_.Decode(line, ev);
      if (o.kind == LineOutcome::kEvent) {
        ++stats_.events;
        ++stats_.events_by_kind[static_cast<int>(ev->kind)];
        return true;
      }
      if (o.kind == LineOutcome::kSkipped) {
        ++stats_.skipped;
        ++stats_.skipped_by_type[std::string(o.skip_type)];
        continue;
      }
      Status s = Malformed(o);
      if (!s.ok()) return Finish(s);
    }
    done_ = true;
    return false;
  }

  const FeedStats& stats() const override { return stats_; }
  std::string name() const override { return path_; }

 private:
  enum class Mode { kUnknown, kJson, kCsv };

  Status Finish(Status s) {
    done_ = true;
    return s;
  }

  // Next non-blank line of the stream, moving across zip members; false at the end.
  Result<bool> NextLine(std::string_view* line) {
    for (;;) {
      if (!in_part_) {
        auto more = stream_->NextPart();
        if (!more.ok()) return more.status();
        if (!*more) return false;
        StartPart();
      }
      auto got = reader_.Next(line);
      if (!got.ok()) return got.status();
      if (!*got) {
        in_part_ = false;
        continue;
      }
      if (line->empty() || IsBlank(*line)) continue;
      ++stats_.lines;
      if (mode_ == Mode::kUnknown) CLAW_RETURN_IF_ERROR(Sniff(*line));
      return true;
    }
  }

  void StartPart() {
    in_part_ = true;
    reader_.Reset();
    mode_ = Mode::kUnknown;
    std::string member = stream_->part_name();
    label_ = member.empty() ? path_ : path_ + "(" + member + ")";
    part_name_ = member.empty() ? path_ : member;
  }

  Status Sniff(std::string_view line) {
    std::string_view t = TrimLeft(line);
    if (!t.empty() && t[0] == '[') {
      return Status::InvalidArgument(
          "'" + label_ + "' is a JSON array document, not a feed",
          "feeds are JSON lines (one Binance frame per line) or data.binance.vision CSV; a "
          "ccxt/freqtrade trade list is neither");
    }
    const bool json = line.find('{') != std::string_view::npos ||
                      t.substr(0, 5) == "wss:/" || t.substr(0, 4) == "ws:/";
    mode_ = json ? Mode::kJson : Mode::kCsv;
    if (json) {
      json_.Reset();
    } else {
      std::string symbol =
          opts_.csv_symbol.empty() ? SymbolFromFileName(part_name_) : opts_.csv_symbol;
      csv_.Reset(std::move(symbol), part_name_);
    }
    return Status::Ok();
  }

  Status Malformed(const LineOutcome& o) {
    ++stats_.malformed;
    if (stats_.malformed_samples.size() >= kMaxSamples && !opts_.strict) return Status::Ok();
    std::string text = label_ + ":" + std::to_string(reader_.line_no()) + ": " + o.reason;
    if (!o.detail.empty()) {
      std::string_view d = o.detail.substr(0, kMaxDetail);
      text += " (got \"" + std::string(d) + (o.detail.size() > kMaxDetail ? "...\")" : "\")");
    }
    if (opts_.strict) {
      return Status::DataLoss(text, "without --strict, malformed lines are counted and skipped");
    }
    stats_.malformed_samples.push_back(std::move(text));
    return Status::Ok();
  }

  std::string path_;
  std::unique_ptr<ByteStream> stream_;
  LineReader reader_;
  FeedOptions opts_;
  FeedStats stats_;
  JsonLineDecoder json_;
  CsvLineDecoder csv_;
  Mode mode_ = Mode::kUnknown;
  bool in_part_ = false;
  bool done_ = false;
  bool has_pending_ = false;
  std::string_view pending_;
  std::string label_;      // for messages: "path" or "path(member)"
  std::string part_name_;  // for the CSV symbol: the member name, else the path
};

Result<std::unique_ptr<FeedSource>> Open(std::string name, std::unique_ptr<ByteStream> stream,
                                         const FeedOptions& opts) {
  auto src = std::make_unique<FileFeedSource>(std::move(name), std::move(stream), opts);
  CLAW_RETURN_IF_ERROR(src->Prime());
  return std::unique_ptr<FeedSource>(std::move(src));
}

}  // namespace

Result<std::unique_ptr<FeedSource>> OpenFeed(const std::string& path, const FeedOptions& opts) {
  auto stream = OpenByteStream(path);
  if (!stream.ok()) return stream.status();
  return Open(path, std::move(stream).value(), opts);
}

Result<std::unique_ptr<FeedSource>> OpenFeedBuffer(std::string_view data, std::string name,
                                                   const FeedOptions& opts) {
  return Open(std::move(name), MemoryByteStream(data), opts);
}

Result<std::string> ReadFileDecompressed(const std::string& path) {
  auto stream = OpenByteStream(path);
  if (!stream.ok()) return stream.status();
  std::string out;
  std::vector<char> buf(LineReader::kChunk);
  for (;;) {
    auto more = (*stream)->NextPart();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    for (;;) {
      auto got = (*stream)->Read(buf.data(), buf.size());
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      out.append(buf.data(), *got);
    }
  }
}

}  // namespace claw::feed
