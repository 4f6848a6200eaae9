// Status and Result<T>: how every Claw module reports "this could not be done".
//
// One header, linked by every target (the layout has no common/ folder; the engine is the
// dependency-free root, so this lives here). A rejected order is *not* an error: the engine
// emits it as an event with a reason. Status means a request could not be processed.
// Adapters alone map codes to HTTP statuses (sim/server) and exit codes (cli/exit_codes.h).
//
// Thread safety: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace claw {

// Few, stable codes. Do not renumber: exit codes and logs are derived from them.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad flag value, malformed file, bad JSON)
  kNotFound,          // a named thing does not exist ("key 'alice' not found")
  kAlreadyExists,     // refusing to overwrite or duplicate ("key 'alice' exists")
  kUnauthenticated,   // a signature, passphrase, MAC or token did not verify
  kPermissionDenied,  // authenticated, but not allowed
  kRejected,          // the arena refused a well-formed request (risk, balance, market closed)
  kUnavailable,       // network or server unavailable; retrying may help
  kIOError,           // the OS refused a read or write
  kDataLoss,          // stored data is corrupt, truncated or was edited
  kInternal,          // a bug: an invariant did not hold
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string hint = {})
      : code_(code), message_(std::move(message)), hint_(std::move(hint)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m, std::string h = {}) {
    return {StatusCode::kInvalidArgument, std::move(m), std::move(h)};
  }
  static Status NotFound(std::string m, std::string h = {}) {
    return {StatusCode::kNotFound, std::move(m), std::move(h)};
  }
  static Status AlreadyExists(std::string m, std::string h = {}) {
    return {StatusCode::kAlreadyExists, std::move(m), std::move(h)};
  }
  static Status Unauthenticated(std::string m, std::string h = {}) {
    return {StatusCode::kUnauthenticated, std::move(m), std::move(h)};
  }
  static Status PermissionDenied(std::string m, std::string h = {}) {
    return {StatusCode::kPermissionDenied, std::move(m), std::move(h)};
  }
  static Status Rejected(std::string m, std::string h = {}) {
    return {StatusCode::kRejected, std::move(m), std::move(h)};
  }
  static Status Unavailable(std::string m, std::string h = {}) {
    return {StatusCode::kUnavailable, std::move(m), std::move(h)};
  }
  static Status IOError(std::string m, std::string h = {}) {
    return {StatusCode::kIOError, std::move(m), std::move(h)};
  }
  static Status DataLoss(std::string m, std::string h = {}) {
    return {StatusCode::kDataLoss, std::move(m), std::move(h)};
  }
  static Status Internal(std::string m, std::string h = {}) {
    return {StatusCode::kInternal, std::move(m), std::move(h)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // How to fix it, for a person; may be empty.
  const std::string& hint() const { return hint_; }

  // Adds context on the way up: "loading key 'bob': wrong passphrase".
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_, hint_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string hint_;
};

inline const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kRejected: return "rejected";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kIOError: return "io_error";
    case StatusCode::kDataLoss: return "data_loss";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

// A value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace claw

// Returns early with the Status of an expression that yields a Status.
#define CLAW_RETURN_IF_ERROR(expr)           \
  do {                                       \
    ::claw::Status claw_status_tmp_ = (expr); \
    if (!claw_status_tmp_.ok()) return claw_status_tmp_; \
  } while (0)
