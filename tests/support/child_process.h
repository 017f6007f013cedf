// Real processes for integration tests: start a binary with its output going to a
// file, signal it, wait for it with a deadline; run a command and capture output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tidemark::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` (a path) with stdout and stderr appended to `log_path`, in
  // `cwd` when one is given. Throws std::runtime_error when it cannot start.
  ChildProcess(std::vector<std::string> argv, std::string log_path, std::string cwd = "");
  ~ChildProcess();  // SIGKILLs the process if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signal_number);
  // Waits for exit; returns the exit code, 128+signal when killed, -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  // Sends `signal_number` and waits; SIGKILLs after the timeout.
  int stop(int signal_number, std::chrono::milliseconds timeout);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (at most `timeout`) and captures its output.
CommandResult runCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
template <typename F>
bool eventually(F&& condition, std::chrono::milliseconds timeout);

// Path of a built binary (tidemark, tidemark-agent, tidemark-controller).
std::string binary(const std::string& name);

}  // namespace tidemark::testing

#include <thread>

template <typename F>
bool tidemark::testing::eventually(F&& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}
