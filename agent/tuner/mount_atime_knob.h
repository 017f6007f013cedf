// mount.atime:MOUNTPOINT: a local disk filesystem's atime mode (noatime, relatime,
// strictatime), changed by a remount through an operator-configurable command and
// verified by re-reading the host's mountinfo (readHostMountinfo: PID 1's when readable,
// since a sandboxed agent's own lists its mount namespace's copies). fstab is never
// touched. It writes no file (writtenPaths() is empty): a remount needs CAP_SYS_ADMIN,
// and from inside a mount namespace it would only change the namespace's copy, so a
// sandboxed agent's remount_command must run outside (README, Tuning: Sandbox).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/tuner/knob.h"
#include "agent/tuner/mountinfo.h"

namespace tidemark::agent::tuner {

struct MountAtimeKnobSpec {
  std::string root;
  MountEntry mount;
  // Placeholders {option} (the atime mode) and {mountpoint}, shell-quoted when run.
  std::string remount_command = "mount -o remount,{option} {mountpoint}";
  int64_t remount_timeout_ms = 30'000;
};

class MountAtimeKnob final : public Knob {
 public:
  explicit MountAtimeKnob(MountAtimeKnobSpec spec);

  // Knob
  const std::string& id() const override { return id_; }
  KnobProbe probe() const override;
  std::string validate(const std::string& value) const override;
  SavedState save() const override;
  void write(const std::string& value) override;
  std::string read() const override;
  void restore(const SavedState& saved) override;
  std::string restoreCommand(const SavedState& saved) const override;

 private:
  // The mount's current entry (the topmost one at this mountpoint), or nullopt.
  std::optional<MountEntry> findMount(std::string* why) const;
  void remount(const std::string& mode) const;

  MountAtimeKnobSpec spec_;
  std::string id_;
};

}  // namespace tidemark::agent::tuner
