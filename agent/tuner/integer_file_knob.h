// A knob that is one integer in one file with a range: most sysctls (vm.swappiness,
// net.core.somaxconn, extra_sysctls from config) and a block device's read_ahead_kb.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "agent/tuner/knob.h"
#include "agent/tuner/knob_files.h"

namespace tidemark::agent::tuner {

struct IntegerFileKnobSpec {
  std::string id;  // "vm.swappiness", "block.read_ahead_kb:sda"
  KnobFileTarget target;
  int64_t min = 0;
  int64_t max = std::numeric_limits<int32_t>::max();
  // Why the knob is unavailable when its file is missing ("sched_* sysctls moved ...").
  std::string missing_reason;
  std::vector<std::pair<std::string, std::string>> facts;
};

class IntegerFileKnob final : public Knob {
 public:
  explicit IntegerFileKnob(IntegerFileKnobSpec spec) : spec_(std::move(spec)) {}

  // Knob
  const std::string& id() const override { return spec_.id; }
  KnobProbe probe() const override;
  std::string validate(const std::string& value) const override;
  SavedState save() const override;
  void write(const std::string& value) override;
  std::string read() const override;
  void restore(const SavedState& saved) override;
  std::string restoreCommand(const SavedState& saved) const override;
  std::vector<std::string> writtenPaths() const override { return {spec_.target.path()}; }

 private:
  IntegerFileKnobSpec spec_;
};

}  // namespace tidemark::agent::tuner
