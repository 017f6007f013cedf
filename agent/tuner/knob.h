// One tunable thing on a host (a sysctl, a block device's scheduler, a ship's loom,
// a ship maintenance job): how to probe, validate, write, verify and restore it.
// Every path is under the root the knob was built with (`/` in production, a fixture
// tree in tests). Knobs throw TuningError (with path, value and why) from write()
// and restore(); probe() and validate() never throw.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tidemark::agent::tuner {

class TuningError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a knob is now on this host.
struct KnobProbe {
  bool available = false;
  std::string reason;                // why unavailable
  std::string value;                 // the current value, normalised ("mq-deadline", "10")
  std::vector<std::string> choices;  // enum knobs: what this host offers
  // Context for the controller's recommender ("rotational" = "0", "transport" = "nvme",
  // "mountpoint" = "/srv/piers", "boot_override" = "1"...).
  std::vector<std::pair<std::string, std::string>> facts;
};

// The values a knob needs to undo a change, journaled before the write: one entry
// for simple knobs, both halves for coupled pairs (vm.dirty_ratio and vm.dirty_bytes).
using SavedState = std::vector<std::pair<std::string, std::string>>;

class Knob {
 public:
  virtual ~Knob() = default;

  // "vm.swappiness", "block.scheduler:nvme0n1", "thp.enabled", "mount.atime:/srv",
  // "ship.nice:zod", "ship.loom:zod", "ship.pack:zod" (see README, Tuning).
  virtual const std::string& id() const = 0;
  virtual KnobProbe probe() const = 0;
  // "" when `value` is acceptable for this knob on this host, else why not.
  virtual std::string validate(const std::string& value) const = 0;
  // What restore() needs to put things back as they are now.
  virtual SavedState save() const = 0;
  virtual void write(const std::string& value) = 0;
  // The value as it reads back now, normalised like probe().value.
  virtual std::string read() const = 0;
  virtual void restore(const SavedState& saved) = 0;
  // A shell command an operator could run by hand to do what restore(saved) does.
  virtual std::string restoreCommand(const SavedState& saved) const = 0;
  // False for actions that cannot be undone (maintenance jobs): rollback is refused.
  virtual bool reversible() const { return true; }
  // True when read() cannot show the change (maintenance jobs): verification is the
  // write's own success, and drift checks skip it.
  virtual bool verifiedByWrite() const { return false; }
  // What the last write did, in words, when that is more than the value (the steps
  // of a maintenance job); empty otherwise.
  virtual std::string lastOutcome() const { return {}; }
  // The controller's bound on how long the next write may run (maintenance jobs); a
  // knob honours it only where it is shorter than its own configured limit.
  virtual void limitRunTime(std::chrono::milliseconds) {}
  // The files write() and restore() open for writing, as the knob sees them (under its
  // root); the sandbox plan (sandbox_plan.h) grants exactly these. Empty for knobs that
  // act through a command or a system call (a remount, setpriority, a ship's tools).
  virtual std::vector<std::string> writtenPaths() const { return {}; }
};

using KnobPtr = std::unique_ptr<Knob>;

}  // namespace tidemark::agent::tuner
