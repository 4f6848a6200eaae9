#include <sodium.h>

#include "keystore/keystore.h"

namespace claw::keystore {

// Overwrites every byte the string owns, including spare capacity, then empties it.
// resize() to capacity never reallocates, so no copy is left behind.
void WipeString(std::string& s) {
  s.resize(s.capacity());
  sodium_memzero(s.data(), s.size());
  s.clear();
}

Secret::Secret(std::string bytes) : bytes_(std::move(bytes)) {}

Secret::~Secret() { WipeString(bytes_); }

// Copy then wipe rather than move: moving a short (in-place) string copies its bytes and may
// leave them in the source object.
Secret::Secret(Secret&& o) noexcept : bytes_(o.bytes_) { WipeString(o.bytes_); }

Secret& Secret::operator=(Secret&& o) noexcept {
  if (this != &o) {
    WipeString(bytes_);
    bytes_ = o.bytes_;
    WipeString(o.bytes_);
  }
  return *this;
}

}  // namespace claw::keystore
