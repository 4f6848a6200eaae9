// HttpServer: Boost.Beast HTTP/1.1 with keep-alive (sim/server/http.h).
//
// Structure: one io_context run by io_threads threads; the acceptor and every connection
// (Session) have their own strand, so a Session's state is touched by one thread at a time.
// A Session reads one request, dispatches it, writes the answer, then reads the next: no
// pipelining of handlers (a client that pipelines is served in order).
//
// Timeouts use one steady_timer per Session rather than tcp_stream's expiry, because an
// expired tcp_stream closes the socket and we want to answer 408 first. A timer firing
// cancels the pending read; the read handler sees `timed_out_` and answers.
//
// Lifetime: Sessions and Replies hold a shared_ptr to Core (which owns the io_context), so a
// Reply that a handler keeps past the server's destruction is harmless: it sees `stopped` and
// drops its response.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "sim/server/http.h"

namespace claw::server {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// One line, bounded, no control characters: what reaches stderr from a handler's exception.
std::string Sanitize(std::string_view s, std::size_t max = 200) {
  std::string out;
  for (char c : s.substr(0, max)) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  return out;
}

bool HeaderSafe(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

constexpr char kUnmatched[] = "unmatched";

}  // namespace

class Session;

// State shared by the server, its Sessions and outstanding Replies.
struct Core {
  Core(HttpOptions o, const Router& r, RateLimiter* l, Metrics* m)
      : opts(std::move(o)), router(&r), limiter(l), metrics(m),
        ioc(std::max(1, opts.io_threads)) {}

  HttpOptions opts;
  const Router* router;
  RateLimiter* limiter;
  Metrics* metrics;
  std::function<std::string(const Request&)> rate_key;
  net::io_context ioc;

  std::atomic<bool> stopping{false};  // no new requests; close after the current one
  std::atomic<bool> stopped{false};   // drain over: drop late replies
  std::atomic<int> connections{0};
  std::atomic<int> busy{0};  // requests dispatched and not yet fully written

  std::mutex mu;  // guards sessions, next_id
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;

  std::vector<std::shared_ptr<Session>> Snapshot();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Core> core, tcp::socket socket, std::uint64_t id)
      : core_(std::move(core)), id_(id), stream_(std::move(socket)),
        timer_(stream_.get_executor()) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ip_ = ec ? std::string("unknown") : ep.address().to_string();
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }
  void Stop() {  // the server is stopping: close unless a request is in progress
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ != Phase::kHandling && self->phase_ != Phase::kWriting) self->Close();
    });
  }
  void ForceClose() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }
  // From any thread (Reply). Runs on the strand.
  void PostReply(Response r, std::uint64_t request_seq) {
    net::post(stream_.get_executor(), [self = shared_from_this(), r = std::move(r),
                                       request_seq]() mutable {
      self->OnReply(std::move(r), request_seq);
    });
  }

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandling, kWriting, kClosing, kClosed };

  // --- timers -------------------------------------------------------------------------------
  void ArmTimer(int ms) {
    std::uint64_t gen = ++timer_gen_;
    timed_out_ = false;
    timer_.expires_after(std::chrono::milliseconds(std::max(1, ms)));
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->phase_ == Phase::kClosed) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }
  void DisarmTimer() {
    ++timer_gen_;
    timer_.cancel();
  }

  // --- reading ------------------------------------------------------------------------------
  void ReadRequest() {
    if (phase_ == Phase::kClosed) return;
    if (core_->stopping) return Close();
    if (buffer_.size() > 0 || !first_done_) {
      // First request: the header timeout runs from accept. Pipelined bytes: read on.
      ReadHeader();
      return;
    }
    // Keep-alive: wait up to idle_timeout for the first byte, then header_timeout for the rest.
    phase_ = Phase::kIdle;
    ArmTimer(core_->opts.idle_timeout_ms);
    stream_.expires_never();
    stream_.async_read_some(
        buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->buffer_.commit(n);
          if (ec) return self->OnReadError(ec);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    phase_ = Phase::kHeader;
    ArmTimer(core_->opts.header_timeout_ms);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(core_->opts.max_header, 0xffffffffu)));
    parser_->body_limit(core_->opts.max_body);
    stream_.expires_never();
    header_start_ = std::chrono::steady_clock::now();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    first_done_ = true;
    FillRequestHead();
    auto length = parser_->content_length();
    if (length && *length > core_->opts.max_body) return SendTooLarge();
    phase_ = Phase::kBody;
    ArmTimer(core_->opts.body_timeout_ms);
    if (parser_->is_done()) return OnBody({});
    auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      // Without this the client waits (curl: 1 s) before sending the body.
      continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       11);
      stream_.expires_after(std::chrono::milliseconds(std::max(1, core_->opts.body_timeout_ms)));
      bhttp::async_write(stream_, *continue_,
                         [self = shared_from_this()](beast::error_code wec, std::size_t) {
                           self->continue_.reset();
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_never();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->OnBody(ec);
                      });
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    DisarmTimer();
    request_.body = std::move(parser_->get().body());
    keep_alive_ = parser_->get().keep_alive();
    parser_.reset();
    Dispatch();
  }

  void OnReadError(beast::error_code ec) {
    DisarmTimer();
    if (phase_ == Phase::kClosed) return;
    bool receiving = phase_ == Phase::kHeader || phase_ == Phase::kBody;
    if (timed_out_ && receiving) {
      bool header = phase_ == Phase::kHeader;
      if (header) FillMinimalRequest();
      int ms = header ? core_->opts.header_timeout_ms : core_->opts.body_timeout_ms;
      return SendError(408, "REQUEST_TIMEOUT",
                       std::string(header ? "request header" : "request body") +
                           " not received within " + std::to_string(ms) + " ms",
                       "send the whole request promptly", kUnmatched, true);
    }
    if (ec == bhttp::error::body_limit) {
      // Beast already refuses a Content-Length over body_limit while parsing the header.
      if (phase_ == Phase::kHeader) {
        if (parser_ && parser_->is_header_done()) {
          FillRequestHead();
        } else {
          FillMinimalRequest();
        }
      }
      return SendTooLarge();
    }
    if (ec == bhttp::error::header_limit && receiving) {
      FillMinimalRequest();
      return SendError(431, "HEADER_TOO_LARGE",
                       "request header exceeds " + std::to_string(core_->opts.max_header) +
                           " bytes",
                       "send fewer or shorter headers", kUnmatched, true);
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        receiving &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      FillMinimalRequest();
      return SendError(400, "INVALID_REQUEST", "malformed HTTP request",
                       "send an HTTP/1.1 request", kUnmatched, true);
    }
    Close();  // EOF, reset, idle timeout, server stop
  }

  // --- building the Request -----------------------------------------------------------------
  void FillMinimalRequest() {
    request_ = Request();
    request_.peer_ip = peer_ip_;
    request_.client_ip = peer_ip_;
    request_.request_id = NewRequestId();
    request_.received_ms = NowUnixMs();
    keep_alive_ = false;
  }

  void FillRequestHead() {
    const auto& h = parser_->get();
    request_ = Request();
    request_.method = std::string(Sv(h.method_string()));
    request_.target = std::string(Sv(h.target()));
    std::size_t q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    if (q != std::string::npos) request_.query = request_.target.substr(q + 1);
    for (const auto& field : h) {
      std::string name = Lower(Sv(field.name_string()));
      auto [it, inserted] = request_.headers.try_emplace(name, std::string(Sv(field.value())));
      if (!inserted) it->second.append(",").append(Sv(field.value()));
    }
    request_.peer_ip = peer_ip_;
    auto xff = request_.headers.find("x-forwarded-for");
    request_.client_ip =
        xff == request_.headers.end()
            ? peer_ip_
            : ClientIp(peer_ip_, xff->second, core_->opts.trusted_proxies);
    request_.request_id = NewRequestId();
    request_.received_ms = NowUnixMs();
    keep_alive_ = h.keep_alive();
  }

  // --- dispatch -----------------------------------------------------------------------------
  void Dispatch() {
    phase_ = Phase::kHandling;
    MarkBusy(true);
    linger_ = false;
    rate_headers_.clear();
    ++request_seq_;
    Router::Match match = core_->router->Find(request_.method, request_.path);
    if (match.route == nullptr) {
      if (!match.path_known) {
        return SendError(404, "NOT_FOUND", "no route for path '" + request_.path + "'",
                         "see /skill.md or /openapi.json for the API", kUnmatched, false);
      }
      std::string allow;
      std::string allowed_json = "[";
      for (const auto& m : match.allowed) {
        if (!allow.empty()) {
          allow += ", ";
          allowed_json += ",";
        }
        allow += m;
        allowed_json += "\"" + m + "\"";
      }
      allowed_json += "]";
      Response r = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                 "method '" + request_.method + "' is not allowed on '" +
                                     request_.path + "'",
                                 "use one of: " + allow, request_,
                                 "{\"allowed\":" + allowed_json + "}");
      r.headers.emplace_back("Allow", allow);
      return Send(std::move(r), kUnmatched, false);
    }
    const Route& route = *match.route;
    route_pattern_ = route.pattern;
    request_.params = std::move(match.params);

    if (core_->limiter != nullptr && !route.rate_class.empty()) {
      std::string key;
      if (core_->rate_key) {
        try {
          key = core_->rate_key(request_);
        } catch (...) {
          key.clear();
        }
      }
      if (key.empty()) key = "ip:" + request_.client_ip;
      auto d = core_->limiter->Take(key, route.rate_class, NowUnixMs());
      if (d.limit > 0) {
        rate_headers_.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
        rate_headers_.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
        rate_headers_.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_unix_s));
      }
      if (!d.allowed) {
        Response r = ErrorResponse(
            429, "RATE_LIMITED", "rate limit exceeded for '" + route.rate_class + "' requests",
            "retry after " + std::to_string(d.retry_after_s) + " s; at most " +
                std::to_string(d.limit) + " requests per window",
            request_,
            "{\"retry_after_s\":" + std::to_string(d.retry_after_s) +
                ",\"limit\":" + std::to_string(d.limit) + "}");
        r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
        return Send(std::move(r), route_pattern_, false);
      }
    }
    CallHandler(route);
  }

  void CallHandler(const Route& route);

  void SendTooLarge() {
    SendError(413, "BODY_TOO_LARGE",
              "request body exceeds " + std::to_string(core_->opts.max_body) + " bytes",
              "send at most " + std::to_string(core_->opts.max_body) + " bytes", kUnmatched,
              true, /*linger=*/true);
  }

  void SendError(int status, std::string_view code, const std::string& message,
                 const std::string& hint, std::string_view route, bool close,
                 bool linger = false) {
    DisarmTimer();
    if (phase_ != Phase::kHandling) {
      phase_ = Phase::kHandling;
      MarkBusy(true);
      rate_headers_.clear();
      ++request_seq_;
    }
    linger_ = linger;
    Send(ErrorResponse(status, code, message, hint, request_), route, close);
  }

 public:
  void OnReply(Response r, std::uint64_t request_seq) {
    if (phase_ != Phase::kHandling || request_seq != request_seq_) return;  // closed meanwhile
    Send(std::move(r), route_pattern_, false);
  }

 private:
  // --- writing ------------------------------------------------------------------------------
  void Send(Response r, std::string_view route, bool close) {
    if (r.status < 200 || r.status > 599) {
      std::fprintf(stderr, "arena-sim serve: %s %s %s: handler answered invalid status %d\n",
                   Sanitize(request_.method, 16).c_str(), std::string(route).c_str(),
                   request_.request_id.c_str(), r.status);
      r = ErrorResponse(500, "INTERNAL", "internal error", "retry later; report request_id",
                        request_);
    }
    if (r.status == 204 || r.status == 304) r.body.clear();
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(bhttp::field::content_type,
                  HeaderSafe(r.content_type) ? r.content_type : "application/octet-stream");
    for (const auto& [name, value] : r.headers) {
      if (!name.empty() && HeaderSafe(name) && HeaderSafe(value)) response_.set(name, value);
    }
    response_.set("X-Request-Id", request_.request_id);
    for (const auto& [name, value] : rate_headers_) response_.set(name, value);
    close = close || !keep_alive_ || core_->stopping;
    response_.keep_alive(!close);
    close_after_ = close;
    bool head = request_.method == "HEAD";
    std::size_t body_size = r.body.size();
    response_.body() = head ? std::string() : std::move(r.body);
    response_.prepare_payload();
    if (head) response_.content_length(body_size);

    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - header_start_).count();
    if (core_->metrics != nullptr) core_->metrics->ObserveRequest(route, r.status, seconds);

    phase_ = Phase::kWriting;
    stream_.expires_after(std::chrono::milliseconds(std::max(1, core_->opts.body_timeout_ms)));
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->OnWrite(ec);
                       });
  }

  void OnWrite(beast::error_code ec) {
    MarkBusy(false);
    response_ = {};
    if (ec) return Close();
    if (close_after_) return linger_ ? Linger() : Close();
    ReadRequest();
  }

  // After answering 413 without reading the body: stop sending, read and discard what the
  // client is still uploading for a short while, then close. Closing at once with unread
  // data makes the kernel send RST, and the client may lose the answer.
  void Linger() {
    phase_ = Phase::kClosing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::milliseconds(1000));
    LingerRead();
  }
  void LingerRead() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](
                                                        beast::error_code ec, std::size_t n) {
      self->linger_bytes_ += n;
      if (ec || self->linger_bytes_ > 4 * 1024 * 1024 || self->core_->stopped) {
        return self->Close();
      }
      self->LingerRead();
    });
  }

  void MarkBusy(bool busy) {
    if (busy == busy_) return;
    busy_ = busy;
    if (busy) {
      ++core_->busy;
    } else {
      --core_->busy;
    }
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    DisarmTimer();
    MarkBusy(false);
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    --core_->connections;
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->sessions.erase(id_);
  }

  std::shared_ptr<Core> core_;
  std::uint64_t id_;
  beast::tcp_stream stream_;
  net::steady_timer timer_;
  std::uint64_t timer_gen_ = 0;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  bhttp::response<bhttp::string_body> response_;
  Phase phase_ = Phase::kHeader;
  bool first_done_ = false;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool linger_ = false;
  bool busy_ = false;
  std::size_t linger_bytes_ = 0;
  std::uint64_t request_seq_ = 0;
  std::string peer_ip_;
  Request request_;
  std::string route_pattern_;
  std::vector<std::pair<std::string, std::string>> rate_headers_;
  std::chrono::steady_clock::time_point header_start_ = std::chrono::steady_clock::now();
};

namespace {

// Shared by all copies of one Reply: answers once; answers 500 if every copy is dropped unused.
struct ReplyState {
  ReplyState(std::shared_ptr<Core> c, std::shared_ptr<Session> s, std::uint64_t seq,
             std::string route, std::string method, std::string request_id, Request head)
      : core(std::move(c)), session(std::move(s)), seq(seq), route(std::move(route)),
        method(std::move(method)), request_id(std::move(request_id)), head(std::move(head)) {}
  ~ReplyState() {
    if (called.exchange(true) || core->stopped) return;
    std::fprintf(stderr, "arena-sim serve: %s %s %s: handler dropped its reply\n",
                 method.c_str(), route.c_str(), request_id.c_str());
    session->PostReply(ErrorResponse(500, "INTERNAL", "internal error",
                                     "retry later; report request_id", head),
                       seq);
  }
  void Answer(Response r) {
    if (called.exchange(true) || core->stopped) return;
    session->PostReply(std::move(r), seq);
  }

  std::shared_ptr<Core> core;
  std::shared_ptr<Session> session;
  std::uint64_t seq;
  std::string route;
  std::string method;
  std::string request_id;
  Request head;  // only request_id is used (for the 500 envelope)
  std::atomic<bool> called{false};
};

}  // namespace

void Session::CallHandler(const Route& route) {
  Request head;
  head.request_id = request_.request_id;
  auto state = std::make_shared<ReplyState>(core_, shared_from_this(), request_seq_,
                                            route.pattern, Sanitize(request_.method, 16),
                                            request_.request_id, std::move(head));
  Reply reply = [state](Response r) { state->Answer(std::move(r)); };
  std::string error;
  try {
    if (!route.handler) throw std::logic_error("route has no handler");
    route.handler(request_, reply);
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "exception";
  } catch (...) {
    error = "unknown exception";
  }
  if (!error.empty()) {
    std::fprintf(stderr, "arena-sim serve: %s %s %s: handler threw: %s\n",
                 state->method.c_str(), route.pattern.c_str(), request_.request_id.c_str(),
                 Sanitize(error).c_str());
    reply(ErrorResponse(500, "INTERNAL", "internal error", "retry later; report request_id",
                        request_));
  }
}

std::vector<std::shared_ptr<Session>> Core::Snapshot() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard<std::mutex> lock(mu);
  for (auto& [id, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

struct HttpServer::Impl {
  std::shared_ptr<Core> core;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> retry_timer;  // after accept errors (EMFILE...)
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
};

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(core->ioc),
                         [this](beast::error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (core->stopping || !acceptor->is_open()) return;
  if (ec) {
    // Typically out of file descriptors: back off briefly instead of spinning.
    retry_timer->expires_after(std::chrono::milliseconds(50));
    retry_timer->async_wait([this](beast::error_code tec) {
      if (!tec && !core->stopping) Accept();
    });
    return;
  }
  if (core->connections >= core->opts.max_connections) {
    beast::error_code ignored;
    socket.close(ignored);  // documented: closed without an answer
  } else {
    ++core->connections;
    std::shared_ptr<Session> session;
    {
      std::lock_guard<std::mutex> lock(core->mu);
      std::uint64_t id = core->next_id++;
      session = std::make_shared<Session>(core, std::move(socket), id);
      core->sessions[id] = session;
    }
    session->Start();
  }
  Accept();
}

HttpServer::HttpServer(HttpOptions options, const Router& router, RateLimiter* limiter,
                       Metrics* metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<Core>(std::move(options), router, limiter, metrics);
}

HttpServer::~HttpServer() { Stop(0); }

void HttpServer::SetRateKey(std::function<std::string(const Request&)> key) {
  impl_->core->rate_key = std::move(key);
}

Status HttpServer::Start() {
  if (impl_->started) return Status::Internal("http server already started");
  Core& core = *impl_->core;
  std::string where = core.opts.host + ":" + std::to_string(core.opts.port);
  beast::error_code ec;
  tcp::resolver resolver(core.ioc);
  auto results = resolver.resolve(core.opts.host, std::to_string(core.opts.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("cannot resolve listen address '" + where + "': " +
                                   ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto strand = net::make_strand(core.ioc);
  impl_->acceptor.emplace(strand);
  impl_->retry_timer.emplace(strand);
  tcp::acceptor& acc = *impl_->acceptor;
  auto fail = [&](const char* what) {
    beast::error_code ignored;
    acc.close(ignored);
    return Status::Unavailable(
        std::string("cannot listen on '") + where + "': " + what + ": " + ec.message(),
        "is another server using the port? choose another with --listen");
  };
  if (acc.open(endpoint.protocol(), ec)) return fail("open");
  // SO_REUSEADDR: restart while old connections sit in TIME_WAIT. On Linux it does not let
  // two servers listen on one port, so a taken port still fails below.
  if (acc.set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (acc.bind(endpoint, ec)) return fail("bind");
  if (acc.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  impl_->port = acc.local_endpoint(ec).port();
  impl_->started = true;

  impl_->work.emplace(core.ioc.get_executor());
  net::dispatch(strand, [impl = impl_.get()] { impl->Accept(); });
  int n = std::max(1, core.opts.io_threads);
  for (int i = 0; i < n; ++i) {
    impl_->threads.emplace_back([core = impl_->core] {
      while (true) {
        try {
          core->ioc.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "arena-sim serve: io thread: %s\n", Sanitize(e.what()).c_str());
        }
      }
    });
  }
  return Status::Ok();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop(int drain_ms) {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  Core& core = *impl_->core;
  core.stopping = true;
  net::post(impl_->acceptor->get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor->close(ignored);
    impl->retry_timer->cancel();
  });
  for (auto& s : core.Snapshot()) s->Stop();

  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_ms);
  while (core.busy > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  core.stopped = true;
  for (auto& s : core.Snapshot()) s->ForceClose();
  impl_->work.reset();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // Run what was posted while the threads wound down (late replies, closes) so no queued
  // handler keeps a Session, and through it the Core, alive.
  core.ioc.restart();
  core.ioc.poll();
  impl_->acceptor.reset();
  impl_->retry_timer.reset();
}

}  // namespace claw::server
