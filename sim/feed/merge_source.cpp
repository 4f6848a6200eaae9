// OpenFeeds and MergeFeeds: several sources as one, ordered by event time.
#include <utility>

#include "sim/feed/feed.h"

namespace claw::feed {
namespace {

using engine::MarketEvent;

// A k-way merge on each source's next event. Linear in the number of sources per event:
// replays merge a handful of files, where a heap would cost more than it saves.
class MergedFeedSource final : public FeedSource {
 public:
  explicit MergedFeedSource(std::vector<std::unique_ptr<FeedSource>> sources)
      : sources_(std::move(sources)), heads_(sources_.size()), live_(sources_.size(), false) {}

  Result<bool> Next(MarketEvent* ev) override {
    if (failed_) return false;
    if (!primed_) {
      primed_ = true;
      for (std::size_t i = 0; i < sources_.size(); ++i) {
        Status s = Advance(i);
        if (!s.ok()) return s;
      }
    }
    std::size_t best = sources_.size();
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      // Strictly earlier wins, so a tie goes to the earlier source.
      if (live_[i] && (best == sources_.size() || heads_[i].time_ms < heads_[best].time_ms)) {
        best = i;
      }
    }
    if (best == sources_.size()) return false;
    std::swap(*ev, heads_[best]);  // swaps string buffers: no allocation
    Status s = Advance(best);
    if (!s.ok()) return s;
    return true;
  }

  const FeedStats& stats() const override {
    stats_ = FeedStats();
    for (const auto& src : sources_) Add(src->stats());
    return stats_;
  }

  std::string name() const override {
    std::string n;
    for (const auto& src : sources_) {
      if (!n.empty()) n += ',';
      n += src->name();
    }
    return n;
  }

 private:
  Status Advance(std::size_t i) {
    auto got = sources_[i]->Next(&heads_[i]);
    if (!got.ok()) {
      failed_ = true;
      return got.status();
    }
    live_[i] = *got;
    return Status::Ok();
  }

  void Add(const FeedStats& s) const {
    stats_.lines += s.lines;
    stats_.events += s.events;
    stats_.malformed += s.malformed;
    stats_.skipped += s.skipped;
    for (int k = 0; k < 4; ++k) stats_.events_by_kind[k] += s.events_by_kind[k];
    for (const auto& [type, n] : s.skipped_by_type) stats_.skipped_by_type[type] += n;
    for (const auto& sample : s.malformed_samples) {
      if (stats_.malformed_samples.size() < 20) stats_.malformed_samples.push_back(sample);
    }
  }

  std::vector<std::unique_ptr<FeedSource>> sources_;
  std::vector<MarketEvent> heads_;
  std::vector<bool> live_;
  bool primed_ = false;
  bool failed_ = false;
  mutable FeedStats stats_;  // summed on demand
};

}  // namespace

std::unique_ptr<FeedSource> MergeFeeds(std::vector<std::unique_ptr<FeedSource>> sources) {
  return std::make_unique<MergedFeedSource>(std::move(sources));
}

Result<std::unique_ptr<FeedSource>> OpenFeeds(const std::vector<std::string>& paths,
                                              const FeedOptions& opts) {
  if (paths.empty()) return Status::InvalidArgument("no feed files given");
  if (paths.size() == 1) return OpenFeed(paths[0], opts);
  std::vector<std::unique_ptr<FeedSource>> sources;
  for (const auto& path : paths) {
    auto src = OpenFeed(path, opts);
    if (!src.ok()) return src.status();
    sources.push_back(std::move(src).value());
  }
  return MergeFeeds(std::move(sources));
}

}  // namespace claw::feed
