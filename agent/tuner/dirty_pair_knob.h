// vm.dirty_ratio and vm.dirty_background_ratio, each coupled with its _bytes twin: the
// kernel honours whichever of the pair is nonzero and zeroes the other on every write,
// so a change saves both halves and a restore writes back the one that was active.
#pragma once

#include <string>

#include "agent/tuner/knob.h"
#include "agent/tuner/knob_files.h"

namespace tidemark::agent::tuner {

class DirtyPairKnob final : public Knob {
 public:
  // `ratio_sysctl` "vm.dirty_ratio" with `bytes_sysctl` "vm.dirty_bytes".
  DirtyPairKnob(const std::string& root, std::string ratio_sysctl, std::string bytes_sysctl);

  // Knob: the value is the ratio (0 while the bytes half is active).
  const std::string& id() const override { return ratio_.sysctl_name; }
  KnobProbe probe() const override;
  std::string validate(const std::string& value) const override;
  SavedState save() const override;
  void write(const std::string& value) override;
  std::string read() const override;
  void restore(const SavedState& saved) override;
  std::string restoreCommand(const SavedState& saved) const override;
  // Both halves: restore() writes back whichever was active.
  std::vector<std::string> writtenPaths() const override {
    return {ratio_.path(), bytes_.path()};
  }

 private:
  // The half restore() writes: bytes when it was nonzero, else the ratio.
  const KnobFileTarget& activeHalf(const SavedState& saved, std::string& value) const;

  KnobFileTarget ratio_;
  KnobFileTarget bytes_;
};

}  // namespace tidemark::agent::tuner
