#include "sim/run/strategy_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

extern char** environ;

namespace claw::run {
namespace {

constexpr std::size_t kMaxLine = 1 << 20;  // a protocol message is small; 1 MiB is garbage

std::mutex& StderrMutex() {  // strategies' stderr lines are written whole, never interleaved
  static std::mutex m;
  return m;
}

int MillisUntil(StrategyProcess::Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - StrategyProcess::Clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 1'000'000 ? 1'000'000 : static_cast<int>(left.count());
}

void WriteAll(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

// Copies the child's stderr to ours, each line prefixed with "[name] ".
struct StrategyProcess::Forwarder {
  int fd = -1;
  std::thread thread;

  void Run(std::string prefix) {
    std::string pending;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::lock_guard<std::mutex> lock(StderrMutex());
        WriteAll(2, prefix + pending.substr(start, nl - start + 1));
      }
      pending.erase(0, start);
    }
    if (!pending.empty()) {
      std::lock_guard<std::mutex> lock(StderrMutex());
      WriteAll(2, prefix + pending + "\n");
    }
    ::close(fd);
  }
};

Result<std::unique_ptr<StrategyProcess>> StrategyProcess::Start(const std::string& name,
                                                                const std::string& command) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Status::IOError("pipe: " + std::string(strerror(errno)));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    return Status::IOError("pipe: " + std::string(strerror(errno)));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    return Status::IOError("pipe: " + std::string(strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // own group: Kill() reaches the shell's children too
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);  // the runner ignores SIGPIPE; the child not
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    return Status::IOError("cannot start strategy '" + name + "': " + strerror(rc));
  }
  std::unique_ptr<StrategyProcess> p(new StrategyProcess());
  p->name_ = name;
  p->pid_ = pid;
  p->stdin_fd_ = in[1];
  p->stdout_fd_ = out[0];
  ::fcntl(p->stdin_fd_, F_SETFL, ::fcntl(p->stdin_fd_, F_GETFL) | O_NONBLOCK);
  p->forwarder_ = std::make_unique<Forwarder>();
  p->forwarder_->fd = err[0];
  Forwarder* f = p->forwarder_.get();
  f->thread = std::thread([f, prefix = "[" + name + "] "] { f->Run(prefix); });
  return p;
}

StrategyProcess::~StrategyProcess() {
  Kill();
  if (forwarder_ && forwarder_->thread.joinable()) forwarder_->thread.join();
}

Status StrategyProcess::Write(std::string_view data, Clock::time_point deadline) {
  if (stdin_fd_ < 0) return Status::IOError("strategy '" + name_ + "' stdin is closed");
  while (!data.empty()) {
    ssize_t n = ::write(stdin_fd_, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{stdin_fd_, POLLOUT, 0};
      int ms = MillisUntil(deadline);
      if (ms == 0 || ::poll(&pfd, 1, ms) == 0) {
        return Status::Unavailable("strategy '" + name_ + "' stopped reading its input");
      }
      continue;
    }
    return Status::IOError("strategy '" + name_ + "' closed its input");
  }
  return Status::Ok();
}

Result<std::string> StrategyProcess::ReadLine(Clock::time_point deadline) {
  for (;;) {
    std::size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer_.size() > kMaxLine) {
      return Status::InvalidArgument("strategy '" + name_ + "' wrote a line over 1 MiB");
    }
    if (stdout_fd_ < 0) return Status::DataLoss("strategy '" + name_ + "' closed its output");
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int ms = MillisUntil(deadline);
    int ready = ms == 0 ? ::poll(&pfd, 1, 0) : ::poll(&pfd, 1, ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return Status::Unavailable("strategy '" + name_ + "' did not answer in time");
    char buf[65536];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      return Status::DataLoss("strategy '" + name_ + "' closed its output");
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

void StrategyProcess::Reap(bool block) {
  if (reaped_ || pid_ < 0) return;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    reaped_ = true;
    wait_status_ = status;
  }
}

void StrategyProcess::Stop(std::chrono::milliseconds grace) {
  if (stdin_fd_ >= 0) ::close(stdin_fd_), stdin_fd_ = -1;
  auto deadline = Clock::now() + grace;
  while (!reaped_ && Clock::now() < deadline) {
    Reap(false);
    if (!reaped_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Kill();
}

void StrategyProcess::Kill() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_), stdin_fd_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_), stdout_fd_ = -1;
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGKILL);
    Reap(true);
  }
  if (pid_ > 0) ::kill(-pid_, SIGKILL);  // stragglers the shell left in the group
}

std::string StrategyProcess::ExitDescription() {
  Reap(false);
  if (!reaped_) return "running";
  if (WIFEXITED(wait_status_)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status_));
  if (WIFSIGNALED(wait_status_)) return "killed by signal " + std::to_string(WTERMSIG(wait_status_));
  return "ended";
}

}  // namespace claw::run
