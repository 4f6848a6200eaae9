// Turning an arena error answer (PROTOCOL.md §5 envelope) into a Status whose code selects the
// exit class (cli/exit_codes.h) and whose message and hint are the server's.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "client/http_client.h"
#include "sim/engine/status.h"

namespace claw::client {

struct ApiError {
  int http_status = 0;
  std::string code;     // "INSUFFICIENT_BALANCE"; "HTTP_<status>" when the body has no envelope
  std::string message;
  std::string hint;
  std::string order_id;  // error.details.order_id: the engine recorded a rejected order
};

// Reads the envelope; tolerates any body (non-JSON bodies give code HTTP_<status>).
ApiError ParseApiError(const HttpResponse& response);

// The Status for a non-2xx answer. Message "CODE: message", hint the server's.
//   401, 403 (not an order rejection)       -> Unauthenticated / PermissionDenied (exit 3)
//   an order the engine rejected, 409, 422  -> Rejected (exit 4)
//   400, 405, 413                           -> InvalidArgument (exit 2)
//   404, 410                                -> NotFound (exit 5)
//   429, 5xx                                -> Unavailable (exit 6)
Status StatusForError(const ApiError& error);

}  // namespace claw::client
