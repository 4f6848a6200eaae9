// Serve throughput (BENCHMARKS.md "Serve"): signed orders per second end to end through the
// real `arena-sim serve` (server::ArenaServer in this process: Beast HTTP, Ed25519 verify with
// the nonce cache, rate limiter, engine thread, SQLite group commit, reply after commit), next
// to a baseline in the same run: a minimal Beast server (same io_context-with-strands shape,
// same IO thread count) that does nothing but one Ed25519 verify of the PROTOCOL.md §2
// canonical string per POST (client::VerifyRequest: canonical string, body SHA-256, base64url,
// crypto_sign_verify_detached) and answers a fixed body.
//
// The load generator is the C++ client below (Boost.Beast over Asio): N keep-alive
// connections, each closed-loop (one request outstanding), on --client-threads threads of its
// own io_context. Each request is a signed POST /v1/orders, either
//   live: signed with client::SignRequest on the generator's thread just before it is sent
//         (fresh timestamp and nonce), or
//   pool: signed before the timed window (each with its own nonce), so the generator only
//         writes bytes and parses replies; when the pool runs out it signs live (counted).
// Latency is from the first byte written to the whole reply read. Only replies that complete
// inside the timed window (after a warm-up) count; errors are non-2xx replies and broken
// connections.
//
// Agents: --agents (default 10,000) register through HTTP before the runs; the figures
// "memory idle" and "memory with N agents" are this process's VmRSS (/proc/self/status) after
// the server started and the synthetic feed gave prices, and after the registrations. The
// server's rate limits stay on (DefaultRateRules: 10 orders/s per agent, 10 registrations
// per minute per IP), so the bench stays under them: requests cycle through all agents
// (at 20 k orders/s each of 10,000 agents sends 2/s), and each registration carries its own
// X-Forwarded-For address with 127.0.0.1 configured as a trusted proxy.
//
// Orders: limit buys of BTCUSDT at half the bid, ~6 USDT notional, leverage 1: they rest (and
// stay resting, so the engine's per-tick scan of resting orders grows over the run) and never
// fail for balance (10,000 USDT per agent).
//
// Usage: serve_bench [--duration S] [--warmup S] [--conns 1,64] [--sign live,pool]
//                    [--agents N] [--io-threads N] [--client-threads N] [--rounds N]
//                    [--pool-rate R] [--data-dir DIR] [--no-baseline] [--no-arena]
#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange unincluded

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "client/encoding.h"
#include "client/signed_request.h"
#include "sim/server/server.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using namespace claw;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "serve_bench: %s\n", what.c_str());
  std::exit(1);
}

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

std::string LoadAvg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Agent {
  client::Bytes secret, pub;
  std::string id;  // set once registered
};

// The raw bytes of one signed request (HTTP/1.1, keep-alive).
std::string SignedRaw(const std::string& method, const std::string& target, const std::string& body,
                      const Agent& agent, bool registration, const std::string& forwarded_for = {}) {
  client::SignRequestInput in;
  in.method = method;
  in.target = target;
  in.body = body;
  if (!registration) in.agent_id = agent.id;
  auto h = client::SignRequest(in, agent.secret);
  if (!h.ok()) Die("SignRequest: " + h.status().message());
  std::string r;
  r.reserve(400 + body.size());
  r += method;
  r += ' ';
  r += target;
  r += " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ";
  r += std::to_string(body.size());
  if (!registration) {
    r += "\r\nX-Agent-Id: ";
    r += agent.id;
  }
  r += "\r\nX-Timestamp: ";
  r += h->timestamp;
  r += "\r\nX-Nonce: ";
  r += h->nonce;
  r += "\r\nX-Signature: ";
  r += h->signature;
  if (!forwarded_for.empty()) {
    r += "\r\nX-Forwarded-For: ";
    r += forwarded_for;
  }
  r += "\r\n\r\n";
  r += body;
  return r;
}

// ---------------------------------------------------------------- load generator

// Returns the request with this sequence number, or nullopt when there are no more.
using Source = std::function<std::optional<std::string>(std::uint64_t)>;
using OnReply = std::function<void(std::uint64_t, int, const std::string&)>;

struct LoadResult {
  double seconds = 0;          // timed window
  std::uint64_t ok = 0;        // 2xx inside the window
  std::uint64_t errors = 0;    // non-2xx or broken connection inside the window
  std::uint64_t total = 0;     // every reply, window or not
  std::vector<std::uint32_t> latency_us;  // replies inside the window
  std::map<int, std::uint64_t> statuses;  // inside the window; 0 = connection error
  std::string first_error;
  double generator_cpu_s = 0;  // CPU of the generator's threads over the whole run
  double process_cpu_s = 0;    // CPU of this process over the whole run
  double wall_s = 0;
};

class Load {
 public:
  Load(std::uint16_t port, int conns, int threads, double warmup_s, double duration_s, Source source,
       OnReply on_reply)
      : ep_(net::ip::make_address("127.0.0.1"), port),
        conns_(conns),
        threads_(std::max(1, threads)),
        warmup_(warmup_s),
        duration_(duration_s),
        source_(std::move(source)),
        on_reply_(std::move(on_reply)) {}

  // duration_s == 0: until the source is exhausted, every reply counts.
  LoadResult Run() {
    net::io_context ioc(threads_);
    const auto start = Clock::now();
    window_start_ = duration_ > 0 ? start + Dur(warmup_) : start;
    window_end_ = duration_ > 0 ? window_start_ + Dur(duration_) : Clock::time_point::max();
    for (int i = 0; i < conns_; ++i) std::make_shared<Conn>(this, ioc)->Start();
    net::steady_timer stop_timer(ioc);
    if (duration_ > 0) {
      stop_timer.expires_at(window_end_);
      stop_timer.async_wait([this](beast::error_code) { stop_ = true; });
    }
    const double cpu0 = ProcessCpuSeconds();
    std::vector<std::thread> pool;
    std::vector<double> thread_cpu(static_cast<std::size_t>(threads_), 0);
    for (int t = 0; t < threads_; ++t) {
      pool.emplace_back([&, t] {
        const double c0 = ThreadCpuSeconds();
        ioc.run();
        thread_cpu[static_cast<std::size_t>(t)] = ThreadCpuSeconds() - c0;
      });
    }
    // The stop timer keeps ioc alive until the window ends; connections end after it.
    for (auto& t : pool) t.join();
    const auto end = Clock::now();
    LoadResult r;
    r.wall_s = std::chrono::duration<double>(end - start).count();
    r.seconds = duration_ > 0 ? duration_ : r.wall_s;
    r.process_cpu_s = ProcessCpuSeconds() - cpu0;
    for (double c : thread_cpu) r.generator_cpu_s += c;
    for (auto& s : stats_) {
      r.ok += s.ok;
      r.errors += s.errors;
      r.total += s.total;
      r.latency_us.insert(r.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
      for (auto [k, v] : s.statuses) r.statuses[k] += v;
      if (r.first_error.empty()) r.first_error = s.first_error;
    }
    return r;
  }

 private:
  static Clock::duration Dur(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }

  struct Stats {
    std::uint64_t ok = 0, errors = 0, total = 0;
    std::vector<std::uint32_t> latency_us;
    std::map<int, std::uint64_t> statuses;
    std::string first_error;
  };

  class Conn : public std::enable_shared_from_this<Conn> {
   public:
    Conn(Load* load, net::io_context& ioc) : load_(load), stream_(net::make_strand(ioc)) {
      std::lock_guard<std::mutex> lock(load_->mu_);
      load_->stats_.emplace_back();
      stats_ = &load_->stats_.back();
    }
    void Start() {
      stream_.async_connect(load_->ep_, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->Broken("connect: " + ec.message());
        self->stream_.socket().set_option(tcp::no_delay(true));
        self->Next();
      });
    }

   private:
    void Next() {
      if (load_->stop_) return Close();
      seq_ = load_->next_++;
      auto raw = load_->source_(seq_);
      if (!raw) return Close();
      out_ = std::move(*raw);
      t0_ = Clock::now();
      net::async_write(stream_, net::buffer(out_),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->Broken("write: " + ec.message());
                         self->parser_.emplace();
                         self->parser_->body_limit(1 << 20);
                         http::async_read(self->stream_, self->buffer_, *self->parser_,
                                          [self](beast::error_code ec2, std::size_t) { self->OnRead(ec2); });
                       });
    }
    void OnRead(beast::error_code ec) {
      if (ec) return Broken("read: " + ec.message());
      const auto t1 = Clock::now();
      const auto& res = parser_->get();
      const int status = static_cast<int>(res.result_int());
      ++stats_->total;
      if (t1 >= load_->window_start_ && t1 <= load_->window_end_) {
        stats_->latency_us.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0_).count()));
        ++stats_->statuses[status];
        if (status >= 200 && status < 300) {
          ++stats_->ok;
        } else {
          ++stats_->errors;
          if (stats_->first_error.empty()) {
            stats_->first_error = std::to_string(status) + " " + res.body().substr(0, 300);
          }
        }
      }
      if (load_->on_reply_) load_->on_reply_(seq_, status, res.body());
      if (!res.keep_alive()) return Broken("server closed the connection");
      Next();
    }
    void Broken(const std::string& what) {
      ++stats_->total;
      ++stats_->errors;
      ++stats_->statuses[0];
      if (stats_->first_error.empty()) stats_->first_error = what;
      Close();
    }
    void Close() {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }

    Load* load_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::response_parser<http::string_body>> parser_;
    std::string out_;
    std::uint64_t seq_ = 0;
    Clock::time_point t0_;
    Stats* stats_ = nullptr;
  };

  tcp::endpoint ep_;
  int conns_, threads_;
  double warmup_, duration_;
  Source source_;
  OnReply on_reply_;
  Clock::time_point window_start_, window_end_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::deque<Stats> stats_;  // stable addresses
};

// ---------------------------------------------------------------- minimal verify server

// Beast, one io_context run by `threads` threads, a strand per connection (the shape of
// server/http_server.cpp). Every POST: one client::VerifyRequest (Ed25519) under the key of
// X-Agent-Id, then a fixed 201 body; 401 when the signature does not verify.
class MinimalVerifyServer {
 public:
  MinimalVerifyServer(int threads, const std::unordered_map<std::string, client::Bytes>* keys)
      : threads_(threads), keys_(keys), ioc_(threads), acceptor_(net::make_strand(ioc_)) {}
  ~MinimalVerifyServer() { Stop(); }

  void Start() {
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < threads_; ++i) threads_v_.emplace_back([this] { ioc_.run(); });
  }
  std::uint16_t port() const { return port_; }
  void Stop() {
    if (threads_v_.empty()) return;
    ioc_.stop();
    for (auto& t : threads_v_) t.join();
    threads_v_.clear();
  }
  std::uint64_t verified() const { return verified_; }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(tcp::socket socket, MinimalVerifyServer* server) : stream_(std::move(socket)), server_(server) {}
    void Read() {
      req_ = {};
      http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->Handle();
      });
    }

   private:
    void Handle() {
      auto named = [&](const char* name) -> std::optional<std::string> {
        auto it = req_.find(name);
        if (it == req_.end()) return std::nullopt;
        return std::string(it->value());
      };
      bool ok = false;
      if (req_.method() == http::verb::post) {
        client::VerifyRequestInput in;
        in.method = std::string(req_.method_string());
        in.target = std::string(req_.target());
        in.body = req_.body();
        in.agent_id = named(client::kHeaderAgentId);
        in.timestamp = named(client::kHeaderTimestamp);
        in.nonce = named(client::kHeaderNonce);
        in.signature = named(client::kHeaderSignature);
        in.now_ms = client::NowUnixMillis();
        auto key = in.agent_id ? server_->keys_->find(*in.agent_id) : server_->keys_->end();
        if (key != server_->keys_->end()) ok = client::VerifyRequest(in, key->second).ok();
        if (ok) ++server_->verified_;
      }
      res_ = {};
      res_.version(11);
      res_.result(ok ? http::status::created : http::status::unauthorized);
      res_.set(http::field::content_type, "application/json");
      res_.body() = ok ? R"({"order_id":"1","status":"open"})" : R"({"error":{"code":"INVALID_SIGNATURE"}})";
      res_.keep_alive(req_.keep_alive());
      res_.prepare_payload();
      http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        if (!self->res_.keep_alive()) {
          beast::error_code ignored;
          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
          return;
        }
        self->Read();
      });
    }

    beast::tcp_stream stream_;
    MinimalVerifyServer* server_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
  };

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket), this)->Read();
      Accept();
    });
  }

  int threads_;
  const std::unordered_map<std::string, client::Bytes>* keys_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_v_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> verified_{0};
};

// ---------------------------------------------------------------- helpers

// One plain GET over a fresh connection (set-up only).
std::string HttpGet(std::uint16_t port, const std::string& target) {
  net::io_context ioc;
  beast::tcp_stream s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(s, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res);
  beast::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_both, ec);
  return res.body();
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::uint32_t Pct(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  k = std::min(k, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Options {
  double duration = 10;
  double warmup = 1;
  std::vector<int> conns = {1, 64};
  std::vector<std::string> sign = {"live", "pool"};
  int agents = 10'000;
  int io_threads = 2;
  int client_threads = 1;
  int rounds = 1;
  double pool_rate = 25'000;  // pool size = pool_rate * (warmup + duration)
  std::string data_dir;
  bool baseline = true;
  bool arena = true;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--duration") o.duration = std::stod(value());
    else if (a == "--warmup") o.warmup = std::stod(value());
    else if (a == "--conns") {
      o.conns.clear();
      for (auto& c : Split(value())) o.conns.push_back(std::stoi(c));
    } else if (a == "--sign") o.sign = Split(value());
    else if (a == "--agents") o.agents = std::stoi(value());
    else if (a == "--io-threads") o.io_threads = std::stoi(value());
    else if (a == "--client-threads") o.client_threads = std::stoi(value());
    else if (a == "--rounds") o.rounds = std::stoi(value());
    else if (a == "--pool-rate") o.pool_rate = std::stod(value());
    else if (a == "--data-dir") o.data_dir = value();
    else if (a == "--no-baseline") o.baseline = false;
    else if (a == "--no-arena") o.arena = false;
    else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: serve_bench [--duration S] [--warmup S] [--conns 1,64] [--sign live,pool]\n"
          "                   [--agents N] [--io-threads N] [--client-threads N] [--rounds N]\n"
          "                   [--pool-rate R] [--data-dir DIR] [--no-baseline] [--no-arena]\n");
      std::exit(0);
    } else {
      Die("unknown argument " + a);
    }
  }
  for (auto& s : o.sign) {
    if (s != "live" && s != "pool") Die("--sign takes live and/or pool");
  }
  if (o.agents < 1) Die("--agents must be >= 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  if (sodium_init() < 0) Die("sodium_init failed");

  std::string dir = opt.data_dir;
  bool remove_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/claw-serve-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) Die("mkdtemp failed");
    dir = tmpl;
    remove_dir = true;
  }

  std::vector<Agent> agents(static_cast<std::size_t>(opt.agents));
  for (auto& a : agents) {
    a.secret.resize(crypto_sign_SECRETKEYBYTES);
    a.pub.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_keypair(a.pub.data(), a.secret.data());
  }

  std::printf("serve_bench: %d cores, load average %s, io threads %d, generator threads %d, "
              "%d agents, window %.0f s after %.0f s warm-up\n",
              static_cast<int>(std::thread::hardware_concurrency()), LoadAvg().c_str(), opt.io_threads,
              opt.client_threads, opt.agents, opt.duration, opt.warmup);
  const long rss_before = RssKiB();

  server::ServeConfig config;
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.data_dir = dir;
  config.synthetic_seed = 7;
  config.io_threads = opt.io_threads;
  config.trusted_proxies = {"127.0.0.1"};  // registrations say X-Forwarded-For (see top)
  server::ArenaServer arena(config, "serve_bench");
  if (auto s = arena.Start(); !s.ok()) Die("ArenaServer::Start: " + s.message());
  const std::uint16_t arena_port = arena.port();

  // Prices from the synthetic feed.
  double bid = 0;
  for (int i = 0; i < 200 && bid <= 0; ++i) {
    json p = json::parse(HttpGet(arena_port, "/v1/prices"), nullptr, false);
    if (p.is_object() && p["prices"].is_array()) {
      for (const auto& q : p["prices"]) {
        if (q["symbol"] == "BTCUSDT" && q["bid"].is_string()) bid = std::stod(q["bid"].get<std::string>());
      }
    }
    if (bid <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (bid <= 0) Die("the synthetic feed gave no BTCUSDT bid");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long rss_idle = RssKiB();

  // Register every agent (64 connections), one X-Forwarded-For address each.
  std::mutex id_mu;
  const auto reg_t0 = Clock::now();
  Load reg(
      arena_port, 64, opt.client_threads, 0, 0,
      [&](std::uint64_t i) -> std::optional<std::string> {
        if (i >= agents.size()) return std::nullopt;
        char name[32], ip[32];
        std::snprintf(name, sizeof name, "bench-%06llu", static_cast<unsigned long long>(i));
        std::snprintf(ip, sizeof ip, "10.%llu.%llu.%llu", static_cast<unsigned long long>(i >> 16),
                      static_cast<unsigned long long>((i >> 8) & 255), static_cast<unsigned long long>(i & 255));
        const std::string body =
            json{{"name", name}, {"public_key", client::Base64UrlEncode(agents[i].pub)}}.dump();
        return SignedRaw("POST", "/v1/agents/register", body, agents[i], true, ip);
      },
      [&](std::uint64_t i, int status, const std::string& body) {
        if (status != 201) Die("registration " + std::to_string(i) + ": " + std::to_string(status) + " " + body);
        json j = json::parse(body, nullptr, false);
        std::lock_guard<std::mutex> lock(id_mu);
        agents[i].id = j["agent_id"].get<std::string>();
      });
  LoadResult rr = reg.Run();
  const double reg_s = std::chrono::duration<double>(Clock::now() - reg_t0).count();
  if (rr.ok != agents.size()) Die("registered " + std::to_string(rr.ok) + " agents: " + rr.first_error);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long rss_agents = RssKiB();
  std::printf("memory (VmRSS of this process): before start %ld KiB, idle after start %ld KiB, "
              "with %d agents %ld KiB; %d registrations in %.2f s (%.0f/s over 64 connections)\n",
              rss_before, rss_idle, opt.agents, rss_agents, opt.agents, reg_s,
              static_cast<double>(opt.agents) / reg_s);

  // The order: a limit buy at half the bid, ~6 USDT, so it rests and never lacks balance.
  char price[32], qty[32];
  const double px = std::floor(bid * 0.5 * 100) / 100;
  std::snprintf(price, sizeof price, "%.2f", px);
  std::snprintf(qty, sizeof qty, "%.5f", std::ceil(6.0 / px * 1e5) / 1e5);
  const std::string order_body = std::string(R"({"symbol":"BTCUSDT","side":"buy","type":"limit","quantity":")") +
                                 qty + R"(","price":")" + price + R"("})";
  std::printf("order body: %s (BTCUSDT bid %.2f)\n", order_body.c_str(), bid);

  std::unordered_map<std::string, client::Bytes> keys;
  for (const auto& a : agents) keys[a.id] = a.pub;
  MinimalVerifyServer baseline(opt.io_threads, &keys);
  baseline.Start();

  auto live = [&](std::uint64_t i) -> std::string {
    return SignedRaw("POST", "/v1/orders", order_body, agents[i % agents.size()], false);
  };
  std::atomic<std::uint64_t> live_fallback{0};
  std::uint64_t agent_offset = 0;  // so consecutive runs continue the agent rotation

  struct Row {
    std::string target, sign;
    int conns;
    double rate, p50_ms, p99_ms, max_ms, gen_cpu, proc_cpu;
    std::uint64_t ok, errors, fallback;
    std::string first_error;
  };
  std::vector<Row> rows;

  std::printf("\n| server | conns | signing | req/s (2xx) | p50 ms | p99 ms | max ms | errors | "
              "generator CPU | process CPU | load avg before |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  for (int round = 0; round < opt.rounds; ++round) {
    for (int conns : opt.conns) {
      for (const std::string& sign : opt.sign) {
        for (int t = 0; t < 2; ++t) {
          const bool is_arena = t == 1;
          if (is_arena ? !opt.arena : !opt.baseline) continue;
          std::vector<std::string> pool;
          const std::uint64_t base = agent_offset;
          if (sign == "pool") {
            const std::size_t n = static_cast<std::size_t>(opt.pool_rate * (opt.warmup + opt.duration));
            pool.resize(n);
            std::vector<std::thread> signers;
            const unsigned k = std::max(1u, std::thread::hardware_concurrency());
            for (unsigned s = 0; s < k; ++s) {
              signers.emplace_back([&, s] {
                for (std::size_t j = s; j < n; j += k) pool[j] = live(base + j);
              });
            }
            for (auto& th : signers) th.join();
          }
          live_fallback = 0;
          const std::string load_before = LoadAvg();
          Load load(is_arena ? arena_port : baseline.port(), conns, opt.client_threads, opt.warmup,
                    opt.duration,
                    [&](std::uint64_t i) -> std::optional<std::string> {
                      if (i < pool.size()) return std::move(pool[i]);
                      if (!pool.empty()) ++live_fallback;
                      return live(base + i);
                    },
                    nullptr);
          LoadResult r = load.Run();
          agent_offset = base + r.total;
          Row row{is_arena ? "arena-sim serve" : "minimal verify",
                  sign,
                  conns,
                  static_cast<double>(r.ok) / r.seconds,
                  Pct(r.latency_us, 0.50) / 1000.0,
                  Pct(r.latency_us, 0.99) / 1000.0,
                  r.latency_us.empty() ? 0 : *std::max_element(r.latency_us.begin(), r.latency_us.end()) / 1000.0,
                  r.generator_cpu_s / r.wall_s,
                  r.process_cpu_s / r.wall_s,
                  r.ok,
                  r.errors,
                  live_fallback.load(),
                  r.first_error};
          std::printf("| %s | %d | %s | %.0f | %.2f | %.2f | %.1f | %llu | %.2f cores | %.2f cores | %s |\n",
                      row.target.c_str(), conns, sign.c_str(), row.rate, row.p50_ms, row.p99_ms, row.max_ms,
                      static_cast<unsigned long long>(row.errors), row.gen_cpu, row.proc_cpu, load_before.c_str());
          if (row.fallback) {
            std::printf("  (pool ran out: %llu requests signed live)\n",
                        static_cast<unsigned long long>(row.fallback));
          }
          if (!row.first_error.empty()) std::printf("  first error: %s\n", row.first_error.c_str());
          std::fflush(stdout);
          rows.push_back(row);
          // Let the server drain and the per-agent buckets refill between runs.
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      }
    }
  }

  std::printf("\nratio arena / minimal verify (same conns, same signing, same round):\n");
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    if (rows[i].target == "minimal verify" && rows[i + 1].target == "arena-sim serve" &&
        rows[i].conns == rows[i + 1].conns && rows[i].sign == rows[i + 1].sign && rows[i].rate > 0) {
      std::printf("  %d conns, %s: %.0f / %.0f = %.0f%%\n", rows[i].conns, rows[i].sign.c_str(), rows[i + 1].rate,
                  rows[i].rate, 100.0 * rows[i + 1].rate / rows[i].rate);
    }
  }
  std::printf("memory after the runs: %ld KiB (includes resting orders and freed-but-kept heap)\n", RssKiB());
  std::printf("baseline verified %llu signatures\n", static_cast<unsigned long long>(baseline.verified()));

  baseline.Stop();
  arena.Stop();
  if (remove_dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}
