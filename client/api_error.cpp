#include "client/api_error.h"

#include <nlohmann/json.hpp>

namespace claw::client {

ApiError ParseApiError(const HttpResponse& response) {
  ApiError e;
  e.http_status = response.status;
  e.code = "HTTP_" + std::to_string(response.status);
  const nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    e.message = response.body.substr(0, 200);
    while (!e.message.empty() && (e.message.back() == '\n' || e.message.back() == '\r')) e.message.pop_back();
    if (e.message.empty()) e.message = "the server answered HTTP " + std::to_string(response.status);
    return e;
  }
  auto it = j.find("error");
  if (it == j.end() || !it->is_object()) {
    e.message = "the server answered HTTP " + std::to_string(response.status);
    return e;
  }
  auto str = [&](const char* f) {
    auto v = it->find(f);
    return v != it->end() && v->is_string() ? v->get<std::string>() : std::string();
  };
  if (!str("code").empty()) e.code = str("code");
  e.message = str("message");
  e.hint = str("hint");
  if (auto d = it->find("details"); d != it->end() && d->is_object()) {
    if (auto id = d->find("order_id"); id != d->end()) e.order_id = id->is_string() ? id->get<std::string>() : id->dump();
  }
  return e;
}

Status StatusForError(const ApiError& e) {
  std::string message = e.code + ": " + e.message;
  const int h = e.http_status;
  StatusCode code = StatusCode::kInternal;
  if (!e.order_id.empty() || h == 409 || h == 422) code = StatusCode::kRejected;
  else if (h == 401) code = StatusCode::kUnauthenticated;
  else if (h == 403) code = StatusCode::kPermissionDenied;
  else if (h == 400 || h == 405 || h == 413) code = StatusCode::kInvalidArgument;
  else if (h == 404 || h == 410) code = StatusCode::kNotFound;
  else if (h == 429 || h >= 500) code = StatusCode::kUnavailable;
  else if (h >= 400) code = StatusCode::kInvalidArgument;
  return Status(code, std::move(message), e.hint);
}

}  // namespace claw::client
