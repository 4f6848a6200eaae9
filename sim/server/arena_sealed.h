// Arena::SealedState: the sealed-trade book, its reveal clock and the price tape, owned by the
// arena's engine thread (arena_sealed.cpp). Internal to sim/server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/engine/sealed.h"
#include "sim/server/arena.h"

namespace claw::server {

struct Arena::SealedState {
  SealedState(engine::RevealClock c, int tolerance_bps, std::int64_t retention_ms)
      : clock(c), book(c, tolerance_bps), retention_ms(retention_ms) {}
  engine::RevealClock clock;
  engine::SealedBook book;
  engine::PriceTape tape;
  std::vector<SealedMeta> meta;      // by SealedId - 1
  std::unordered_map<std::string, engine::SealedId> by_hash;  // commitment hash -> trade
  std::int64_t retention_ms = 0;
  std::int64_t last_prune_hour = -1;  // arena hour of the last prune
};

// From the [reveal] config (validated by LoadServeConfig; falls back to the defaults).
std::unique_ptr<Arena::SealedState> MakeSealedState(const ServeConfig& config);

}  // namespace claw::server
