#include "sim/server/server.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "sim/server/arena.h"
#include "sim/server/auth.h"
#include "sim/server/http.h"
#include "sim/server/route_util.h"
#include "sim/server/owner.h"
#include "sim/server/routes.h"
#include "sim/server/sessions.h"
#include "sim/store/store.h"

namespace claw::server {

struct ArenaServer::Impl {
  ServeConfig config;
  std::string version;
  std::unique_ptr<store::Store> store;
  AgentDirectory directory;
  std::unique_ptr<Arena> arena;
  std::unique_ptr<OwnerControls> owner;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Sessions> sessions;
  Metrics metrics;
  std::unique_ptr<RateLimiter> limiter;
  Router router;
  RouteContext ctx;
  std::unique_ptr<HttpServer> http;
  bool started = false;
};

ArenaServer::ArenaServer(ServeConfig config, std::string version) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->version = std::move(version);
}

ArenaServer::~ArenaServer() { Stop(); }

Status ArenaServer::Start() {
  auto& m = *impl_;
  const ServeConfig& c = m.config;
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) {
    return Status::IOError("cannot create data dir '" + c.data_dir + "': " + ec.message(),
                           "choose another with --data-dir");
  }
  ::chmod(c.data_dir.c_str(), 0700);
  store::SqliteOptions so;
  so.path = c.store_path.empty() ? c.data_dir + "/arena.db" : c.store_path;
  auto st = store::OpenSqliteStore(so);
  if (!st.ok()) return st.status();
  m.store = std::move(st).value();
  auto salt = LoadOrCreateDeviceSalt(c.data_dir, std::getenv("ARENA_DEVICE_SALT"));
  if (!salt.ok()) return salt.status();
  m.auth = std::make_unique<Authenticator>(&m.directory, AuthOptions{c.auth_window_ms, c.ip_lock},
                                           std::move(salt).value());
  m.arena = std::make_unique<Arena>(c, m.store.get(), &m.directory);
  CLAW_RETURN_IF_ERROR(m.arena->Start());
  m.sessions = std::make_unique<Sessions>(m.arena.get(), &m.directory, SessionOptionsFrom(c));
  if (Status s = m.sessions->Start(m.store.get()); !s.ok()) {
    m.arena->Stop();
    return s;
  }
  m.owner = std::make_unique<OwnerControls>(m.arena.get(), c.approval_ttl_ms);
  if (Status os = m.owner->Load(); !os.ok()) {
    m.sessions->Stop();
    m.arena->Stop();
    return os;
  }
  m.owner->connect_code_ttl_ms = c.connect_code_ttl_s * 1000;
  m.owner->issue_connect_code = [sessions = m.sessions.get()](Txn& txn, const std::string& agent_id) {
    return sessions->IssueConnectCode(txn, agent_id);
  };
  m.owner->revoke_sessions = [sessions = m.sessions.get()](Txn& txn, const std::string& agent_id,
                                                           const std::string& reason) {
    return sessions->RevokeAll(txn, agent_id, reason);
  };
  m.owner->StartTimer();
  m.limiter = std::make_unique<RateLimiter>(DefaultRateRules());
  HttpOptions ho;
  ho.host = c.listen_host;
  ho.port = c.listen_port;
  ho.io_threads = c.io_threads;
  ho.max_body = static_cast<std::size_t>(c.max_body);
  ho.trusted_proxies = c.trusted_proxies;
  m.http = std::make_unique<HttpServer>(ho, m.router, c.rate_limits ? m.limiter.get() : nullptr,
                                        &m.metrics);
  // Agents are limited per agent (seed 002 §4 "per collective"), everyone else per IP.
  // A DPoP session's calls count for its agent too (not per session, which would let an
  // agent multiply its limits by logging in again).
  Sessions* sessions = m.sessions.get();
  m.http->SetRateKey([sessions](const Request& r) {
    auto agent = r.Header("x-agent-id");
    if (agent && !agent->empty()) return "agent:" + *agent;
    if (HasDpopAuthorization(r)) {
      if (auto id = sessions->AgentOfAccessToken(r.Header("authorization")->substr(5))) return "agent:" + *id;
    }
    return "ip:" + r.client_ip;
  });
  // Claim links need the base URL. With a fixed port it is known now; with port 0 it is set
  // right after binding, before anyone can have learnt the port to send a request to.
  m.ctx.arena = m.arena.get();
  m.ctx.auth = m.auth.get();
  m.ctx.directory = &m.directory;
  m.ctx.sessions = m.sessions.get();
  m.ctx.metrics = &m.metrics;
  m.ctx.version = m.version;
  m.ctx.owner = m.owner.get();
  m.ctx.base_url = c.public_url;
  if (m.ctx.base_url.empty() && c.listen_port != 0) m.ctx.base_url = base_url();
  AddArenaRoutes(&m.router, &m.ctx);
  Status s = m.http->Start();
  if (!s.ok()) {
    m.owner->StopTimer();
    m.sessions->Stop();
    m.arena->Stop();
    return s;
  }
  m.started = true;
  if (m.ctx.base_url.empty()) m.ctx.base_url = base_url();
  return Status::Ok();
}

std::uint16_t ArenaServer::port() const {
  if (impl_->http && impl_->started) return impl_->http->port();
  return impl_->config.listen_port;
}

std::string ArenaServer::base_url() const {
  if (!impl_->config.public_url.empty()) return impl_->config.public_url;
  std::string host = impl_->config.listen_host;
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

Arena* ArenaServer::arena() { return impl_->arena.get(); }
Sessions* ArenaServer::sessions() { return impl_->sessions.get(); }

void ArenaServer::Stop() {
  auto& m = *impl_;
  if (!m.started) return;
  m.started = false;
  if (m.http) m.http->Stop(5'000);
  if (m.owner) m.owner->StopTimer();
  if (m.sessions) m.sessions->Stop();
  if (m.arena) m.arena->Stop();
}

}  // namespace claw::server
