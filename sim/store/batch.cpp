// Batch helpers (store.h).
#include "sim/store/store.h"

namespace claw::store {

bool Batch::empty() const {
  return journal.empty() && agents.empty() && orders.empty() && fills.empty() &&
         positions.empty() && wallets.empty() && prices.empty() && snapshots.empty() &&
         audit.empty() && commitments.empty() && tape.empty() && tape_prune_before_ms == 0;
}

// clear() keeps each vector's capacity: the engine thread reuses one Batch per group commit,
// so steady state allocates nothing for the containers themselves.
void Batch::clear() {
  journal.clear();
  agents.clear();
  orders.clear();
  fills.clear();
  positions.clear();
  wallets.clear();
  prices.clear();
  snapshots.clear();
  audit.clear();
  commitments.clear();
  tape.clear();
  tape_prune_before_ms = 0;
}

}  // namespace claw::store
