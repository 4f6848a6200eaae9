// ArenaServer: `arena-sim serve` assembled: store, agent directory, arena (engine thread and
// feed), authenticator, routes and the HTTP server. Start() brings them up in dependency order
// and Stop() takes them down in reverse, so a request in flight is answered before the engine
// and the store close.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/engine/status.h"
#include "sim/server/serve_config.h"

namespace claw::server {

class Arena;
class Sessions;

class ArenaServer {
 public:
  ArenaServer(ServeConfig config, std::string version);
  ~ArenaServer();
  ArenaServer(const ArenaServer&) = delete;
  ArenaServer& operator=(const ArenaServer&) = delete;

  Status Start();
  std::uint16_t port() const;
  std::string base_url() const;   // public_url, or http://<listen host>:<bound port>
  void Stop();                    // idempotent
  // The parts, for tests and tools in process (null before Start).
  Arena* arena();
  Sessions* sessions();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace claw::server
