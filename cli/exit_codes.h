// Exit codes of `claw` and `arena-sim`: one table for every command (man/claw.1, EXIT STATUS).
// These numbers are a public interface for scripts and CI. Never renumber.
#pragma once

#include "sim/engine/status.h"

namespace claw::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // internal error or an I/O failure not covered below
  kExitUsage = 2,        // bad command line or invalid input value
  kExitAuth = 3,         // a signature, token or verification check failed
  kExitRejected = 4,     // the arena refused the request (balance, risk, market closed)
  kExitNotFound = 5,     // the named key, order, agent or file does not exist
  kExitUnavailable = 6,  // network error or server unavailable
  kExitKeystore = 7,     // keystore: wrong passphrase, corrupt or edited file, key exists
  kExitData = 8,         // malformed input data (feed line with --strict, bad config file)
  kExitGate = 10,        // arena-sim run: a --fail-if condition held
};

inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kNotFound: return kExitNotFound;
    case StatusCode::kAlreadyExists: return kExitRejected;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied: return kExitAuth;
    case StatusCode::kRejected: return kExitRejected;
    case StatusCode::kUnavailable: return kExitUnavailable;
    case StatusCode::kDataLoss: return kExitData;
    case StatusCode::kIOError:
    case StatusCode::kInternal: return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace claw::cli
