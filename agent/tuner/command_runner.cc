#include "agent/tuner/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tidemark::agent::tuner {

namespace {

constexpr size_t kKeptOutput = 4096;

using Steady = std::chrono::steady_clock;

int remainingMs(Steady::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
  return static_cast<int>(std::max<int64_t>(left.count(), 0));
}

void keepTail(std::string& output, const char* data, size_t size) {
  output.append(data, size);
  if (output.size() > 2 * kKeptOutput) output.erase(0, output.size() - kKeptOutput);
}

// Waits for `pid` until `deadline`; true with `status` set when it exited.
bool waitUntil(pid_t pid, Steady::time_point deadline, int& status) {
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return true;
    if (done < 0 && errno != EINTR) return true;  // not our child any more
    if (Steady::now() >= deadline) return false;
    usleep(10'000);
  }
}

}  // namespace

std::string CommandOutcome::describe() const {
  if (timed_out) return "timed out; its process group was killed";
  std::string text = exit_code < 0    ? "could not start"
                     : exit_code > 128 ? "killed by signal " + std::to_string(exit_code - 128)
                                       : "exit " + std::to_string(exit_code);
  std::string last = output;
  while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
  if (const size_t newline = last.rfind('\n'); newline != std::string::npos) {
    last.erase(0, newline + 1);
  }
  if (!last.empty()) text += ": " + last;
  return text;
}

std::string shellQuote(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return quoted;
}

std::string expandCommand(const std::string& command_template,
                          const std::map<std::string, std::string>& values) {
  std::string out;
  size_t position = 0;
  while (position < command_template.size()) {
    const size_t open = command_template.find('{', position);
    if (open == std::string::npos) break;
    const size_t close = command_template.find('}', open);
    if (close == std::string::npos) break;
    const std::string name = command_template.substr(open + 1, close - open - 1);
    const auto found = values.find(name);
    if (found == values.end()) {
      throw std::invalid_argument("command template \"" + command_template +
                                  "\": unknown placeholder {" + name + "}");
    }
    out.append(command_template, position, open - position);
    out += shellQuote(found->second);
    position = close + 1;
  }
  out.append(command_template, position, std::string::npos);
  return out;
}

CommandOutcome runCommand(const std::string& command, std::chrono::milliseconds timeout) {
  CommandOutcome outcome;
  outcome.command = command;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    outcome.output = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    outcome.output = std::string("fork: ") + std::strerror(errno);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return outcome;
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group, so a timeout kills everything it started
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);  // also here: no race with the child's own call
  close(pipe_fds[1]);
  const Steady::time_point deadline = Steady::now() + timeout;
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  char buffer[4096];
  int status = 0;
  bool exited = false;
  // The shell's exit ends the wait, not the pipe's end: a start command that leaves a
  // daemon behind (holding the pipe) has still finished.
  while (!exited) {
    pollfd item{pipe_fds[0], POLLIN, 0};
    const int ready = poll(&item, 1, std::min(remainingMs(deadline), 50));
    if (ready > 0) {
      const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
      if (got > 0) keepTail(outcome.output, buffer, static_cast<size_t>(got));
    }
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) {
      exited = true;
    } else if (Steady::now() >= deadline) {
      outcome.timed_out = true;
      break;
    }
  }
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    keepTail(outcome.output, buffer, static_cast<size_t>(got));
  }
  close(pipe_fds[0]);
  if (outcome.timed_out) {
    kill(-pid, SIGTERM);
    if (!waitUntil(pid, Steady::now() + std::chrono::seconds(2), status)) {
      kill(-pid, SIGKILL);
      waitUntil(pid, Steady::now() + std::chrono::seconds(5), status);
    }
    kill(-pid, SIGKILL);  // stragglers of the group
    return outcome;
  }
  if (outcome.output.size() > kKeptOutput) {
    outcome.output.erase(0, outcome.output.size() - kKeptOutput);
  }
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

}  // namespace tidemark::agent::tuner
