// Helpers for the feed tests: read a whole in-memory document or file into events.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/feed/feed.h"

namespace claw::feed::testing {

struct ReadResult {
  std::vector<engine::MarketEvent> events;
  FeedStats stats;
};

inline ReadResult Drain(FeedSource& src) {
  ReadResult out;
  engine::MarketEvent ev;
  for (;;) {
    auto got = src.Next(&ev);
    if (!got.ok()) FAIL(got.status().message());
    if (!*got) break;
    out.events.push_back(ev);
  }
  out.stats = src.stats();
  return out;
}

inline ReadResult ReadBuffer(std::string_view data, const std::string& name = "test.jsonl",
                             FeedOptions opts = {}) {
  auto src = OpenFeedBuffer(data, name, opts);
  REQUIRE(src.ok());
  return Drain(**src);
}

inline ReadResult ReadPath(const std::string& path, FeedOptions opts = {}) {
  auto src = OpenFeed(path, opts);
  INFO(src.status().message());
  REQUIRE(src.ok());
  return Drain(**src);
}

// One event from a one-line document; fails the test unless exactly one event came out.
inline engine::MarketEvent One(std::string_view line, const std::string& name = "test.jsonl") {
  ReadResult r = ReadBuffer(line, name);
  INFO(line);
  for (const auto& s : r.stats.malformed_samples) INFO(s);
  REQUIRE(r.events.size() == 1);
  return r.events[0];
}

// A fresh empty directory under $TMPDIR, removed with its files at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/claw_feed_test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(f.good());
}

}  // namespace claw::feed::testing
