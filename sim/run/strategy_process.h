// StrategyProcess: one strategy as a child process speaking JSON lines (PROTOCOL.md §10).
//
// The command runs under `/bin/sh -c` in its own process group, with stdin and stdout as pipes
// to the runner. Its stderr is forwarded, line by line and prefixed with `[name] `, to the
// runner's stderr by a small forwarding thread, so a chatty strategy never blocks on a full pipe.
// All reads and writes take a deadline: a strategy that stops reading or answering cannot hang
// the run. Kill() ends the whole process group.
//
// Thread safety: one thread drives a StrategyProcess; the forwarding thread is internal.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "sim/engine/status.h"

namespace claw::run {

class StrategyProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts `command` with /bin/sh -c. Error when the process cannot be spawned at all (a
  // command that does not exist still starts: the shell reports it and exits, which the
  // runner sees as end of output).
  static Result<std::unique_ptr<StrategyProcess>> Start(const std::string& name,
                                                        const std::string& command);
  ~StrategyProcess();  // kills the process group if still running
  StrategyProcess(const StrategyProcess&) = delete;
  StrategyProcess& operator=(const StrategyProcess&) = delete;

  // Writes all of `data` before `deadline`. kUnavailable on timeout, kIOError when the strategy
  // closed its stdin (it exited).
  Status Write(std::string_view data, Clock::time_point deadline);

  // Reads one line (without the newline) before `deadline`. kUnavailable on timeout,
  // kDataLoss when stdout closed (the strategy exited), kInvalidArgument for a line over 1 MiB.
  Result<std::string> ReadLine(Clock::time_point deadline);

  // Closes stdin and waits up to `grace` for the process to exit, then kills the group.
  void Stop(std::chrono::milliseconds grace);
  void Kill();

  // "exited with status 1", "killed by signal 9", or "running".
  std::string ExitDescription();
  const std::string& name() const { return name_; }

 private:
  StrategyProcess() = default;
  void Reap(bool block);

  std::string name_;
  int pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int wait_status_ = 0;
  bool reaped_ = false;
  std::string buffer_;  // bytes read from stdout not yet returned as lines
  struct Forwarder;
  std::unique_ptr<Forwarder> forwarder_;
};

}  // namespace claw::run
