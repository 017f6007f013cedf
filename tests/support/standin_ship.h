// Stand-in Urbit ships for tests: makes piers with urbit-standin and runs it as a
// king + serf pair through a symlink named `urbit`, as the real runtime is started.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace tidemark::testing {

struct StandinPierOptions {
  int epochs = 1;
  size_t log_bytes = 64 * 1024;
  size_t image_bytes = 32 * 1024;
  bool old_style = false;  // north.bin + south.bin and a single .urb/log/data.mdb
};

// Creates a stand-in pier at `pier` (urbit-standin make-pier); throws when it fails.
void makeStandinPier(const std::string& pier, const StandinPierOptions& options = {});

// A running stand-in ship. Stopped (SIGTERM, then SIGKILL) when destroyed.
class StandinShip {
 public:
  // Starts `<bin_dir>/<link_name> [flags...] <pier_argument>` in `cwd` (the test's
  // own when empty), where <bin_dir>/<link_name> is a symlink to urbit-standin made
  // on first use. Throws when the king cannot start or its serf does not appear
  // within 10 s.
  StandinShip(const std::string& bin_dir, const std::string& pier_argument,
              std::vector<std::string> flags = {}, const std::string& cwd = "",
              const std::string& link_name = "urbit");
  ~StandinShip();
  StandinShip(const StandinShip&) = delete;
  StandinShip& operator=(const StandinShip&) = delete;

  pid_t kingPid() const { return king_->pid(); }
  pid_t serfPid() const { return serf_pid_; }
  // SIGTERM and wait; returns the king's exit code (0 on a clean stop).
  int stop();

 private:
  std::unique_ptr<ChildProcess> king_;
  pid_t serf_pid_ = -1;
  bool stopped_ = false;
};

// The PID of a child of `parent` whose command line's second word is "work" or
// "serf" (the re-executed serf), or -1 when there is none yet.
pid_t findSerfOf(pid_t parent);

}  // namespace tidemark::testing
