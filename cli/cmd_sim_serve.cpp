// arena-sim serve (man/arena-sim.1): host the arena over HTTP until SIGINT/SIGTERM.
// Parses flags, prints the URL and waits for a signal; sim/server does the work.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "claw_version.h"
#include "cli/commands.h"
#include "sim/feed/feed.h"
#include "sim/server/serve_config.h"
#include "sim/server/server.h"

namespace claw::cli {
namespace {

struct ServeFlags {
  std::string config;
  std::string listen;
  std::string data_dir;
  std::string feed;
  std::string speed;
  std::string symbols;
  std::string public_url;
  int io_threads = 0;
  std::uint64_t seed = 0;
  bool print_config = false;
};

Status ApplyFlags(const ServeFlags& f, server::ServeConfig* c) {
  if (!f.listen.empty()) CLAW_RETURN_IF_ERROR(server::ParseListen(f.listen, c));
  if (!f.data_dir.empty()) {
    c->data_dir = f.data_dir;
    c->store_path.clear();
  }
  if (f.io_threads > 0) c->io_threads = f.io_threads;
  if (!f.public_url.empty()) c->public_url = f.public_url;
  if (f.seed) c->synthetic_seed = f.seed;
  if (!f.symbols.empty()) c->synthetic_symbols = run::SplitList(f.symbols);
  feed::SynthOptions synth;
  synth.symbols = c->synthetic_symbols;
  CLAW_RETURN_IF_ERROR(feed::ValidateSynthOptions(synth).WithContext("--symbols"));
  if (!f.feed.empty()) {
    if (f.feed == "synthetic") {
      c->feed_source = "synthetic";
    } else if (f.feed.rfind("replay:", 0) == 0 && f.feed.size() > 7) {
      c->feed_source = "replay";
      c->arena.feed_files = run::SplitList(f.feed.substr(7));
    } else if (f.feed == "binance") {
      return Status::InvalidArgument("--feed binance is not available yet",
                                     "use --feed synthetic or --feed replay:FILE[,FILE...]");
    } else {
      return Status::InvalidArgument("--feed '" + f.feed + "' is not understood",
                                     "use synthetic or replay:FILE[,FILE...]");
    }
  }
  if (!f.speed.empty()) CLAW_RETURN_IF_ERROR(run::ParseSpeed(f.speed, &c->arena));
  if (c->feed_source == "replay" && c->arena.feed_files.empty()) {
    return Status::InvalidArgument("the replay feed has no files",
                                   "use --feed replay:FILE[,FILE...] or [feed] files in the config");
  }
  if (c->feed_source == "replay") {
    for (const auto& file : c->arena.feed_files) {
      if (file != "-" && ::access(file.c_str(), R_OK) != 0) {
        return Status::NotFound("feed file '" + file + "' cannot be read");
      }
    }
  }
  return Status::Ok();
}

void Serve(Context& ctx, const ServeFlags& f) {
  auto config = server::LoadServeConfig(f.config, run::ProcessEnv());
  if (!config.ok()) {
    return ctx.Fail(config.status(), config.status().code() == StatusCode::kIOError ? kExitNotFound
                                                                                    : kExitData);
  }
  Status s = ApplyFlags(f, &config.value());
  if (!s.ok()) return ctx.Fail(s);
  if (f.print_config) {
    *ctx.out << server::EffectiveConfigToml(*config);
    return;
  }
  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  server::ArenaServer arena(*config, CLAW_VERSION);
  s = arena.Start();
  if (!s.ok()) return ctx.Fail(s);
  const std::string url = arena.base_url();
  if (ctx.json) {
    *ctx.out << nlohmann::ordered_json{{"url", url},
                                       {"port", arena.port()},
                                       {"data_dir", config->data_dir},
                                       {"feed", config->feed_source},
                                       {"pid", ::getpid()}}
                    .dump()
             << std::endl;
  } else {
    *ctx.out << "arena-sim: serving " << url << "  (feed " << config->feed_source << ", data "
             << config->data_dir << ")\n"
             << "  leaderboard  " << url << "/v1/leaderboard\n"
             << "  agent guide  " << url << "/skill.md\n"
             << "  health       " << url << "/v1/health\n"
             << "Press Ctrl-C to stop." << std::endl;
  }
  int sig = 0;
  sigwait(&set, &sig);
  if (!ctx.quiet) *ctx.err << ctx.prog << ": " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                           << ": draining and stopping\n";
  arena.Stop();
  if (!ctx.quiet) *ctx.err << ctx.prog << ": stopped; state is in " << config->data_dir << "\n";
}

}  // namespace

void AddServeCommand(CLI::App& sim, Context& ctx) {
  auto f = std::make_shared<ServeFlags>();
  auto* cmd = sim.add_subcommand("serve", "Host the arena: HTTP API, market feed, durable storage");
  cmd->add_option("--config", f->config, "arena.toml (every key has a default; see arena-sim(1))");
  cmd->add_option("--listen", f->listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any free)");
  cmd->add_option("--data-dir", f->data_dir, "Where the database and device salt live (default ./var/arena)");
  cmd->add_option("--feed", f->feed, "synthetic (default) or replay:FILE[,FILE...]");
  cmd->add_option("--speed", f->speed, "Replay speed: 1x (default realtime), 10x, max");
  cmd->add_option("--symbols", f->symbols, "Synthetic feed symbols (default BTCUSDT,ETHUSDT)");
  cmd->add_option("--seed", f->seed, "Synthetic feed seed (default: a new one per start)");
  cmd->add_option("--io-threads", f->io_threads, "HTTP IO threads (default 2)");
  cmd->add_option("--public-url", f->public_url, "Base URL for claim links when behind a proxy");
  cmd->add_flag("--print-config", f->print_config, "Print the effective configuration as TOML and exit");
  cmd->footer(
      "Configuration: file < ARENA_<SECTION>_<KEY> environment variables < flags, e.g.\n"
      "ARENA_SERVER_LISTEN=0.0.0.0:8080, ARENA_AUTH_IP_LOCK=true. SIGINT/SIGTERM stop accepting,\n"
      "finish requests in flight, commit and exit 0. Restarting on the same data dir restores the\n"
      "arena exactly.\n"
      "Examples:\n"
      "  arena-sim serve\n"
      "  arena-sim serve --listen 0.0.0.0:8080 --data-dir /var/lib/arena\n"
      "  arena-sim serve --feed replay:btc.jsonl.gz --speed 10x");
  cmd->callback([&ctx, f] { Serve(ctx, *f); });
}

}  // namespace claw::cli
