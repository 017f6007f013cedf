#include "agent/tuner/dirty_pair_knob.h"

#include <utility>

namespace tidemark::agent::tuner {

namespace {

std::string readTarget(const KnobFileTarget& target) {
  std::string why;
  const auto text = readKnobFile(target.path(), &why);
  if (!text) throw TuningError("read " + target.path() + ": " + why);
  return *text;
}

}  // namespace

DirtyPairKnob::DirtyPairKnob(const std::string& root, std::string ratio_sysctl,
                             std::string bytes_sysctl)
    : ratio_{root, sysctlHostPath(ratio_sysctl), ratio_sysctl},
      bytes_{root, sysctlHostPath(bytes_sysctl), bytes_sysctl} {}

KnobProbe DirtyPairKnob::probe() const {
  KnobProbe probe;
  std::string why;
  const auto ratio = readKnobFile(ratio_.path(), &why);
  if (!ratio) {
    probe.reason = "cannot read " + ratio_.host_path + ": " + why;
    return probe;
  }
  const auto bytes = readKnobFile(bytes_.path(), &why);
  if (!bytes) {
    probe.reason = "cannot read " + bytes_.host_path + " (its coupled twin): " + why;
    return probe;
  }
  probe.available = true;
  probe.value = *ratio;
  probe.facts = {{bytes_.sysctl_name, *bytes},
                 {"active", *bytes != "0" ? bytes_.sysctl_name : ratio_.sysctl_name}};
  return probe;
}

std::string DirtyPairKnob::validate(const std::string& value) const {
  const auto number = parseCanonicalInteger(value);
  if (!number) return ratio_.sysctl_name + ": '" + value + "' is not an integer";
  if (*number < 0 || *number > 100) {
    return ratio_.sysctl_name + ": " + value + " is outside 0..100 (a percentage)";
  }
  return "";
}

SavedState DirtyPairKnob::save() const {
  return {{ratio_.sysctl_name, readTarget(ratio_)}, {bytes_.sysctl_name, readTarget(bytes_)}};
}

void DirtyPairKnob::write(const std::string& value) { writeKnobFile(ratio_.path(), value); }

std::string DirtyPairKnob::read() const { return readTarget(ratio_); }

const KnobFileTarget& DirtyPairKnob::activeHalf(const SavedState& saved,
                                                std::string& value) const {
  const std::string* bytes = findSaved(saved, bytes_.sysctl_name);
  if (bytes != nullptr && !bytes->empty() && *bytes != "0") {
    value = *bytes;
    return bytes_;
  }
  const std::string* ratio = findSaved(saved, ratio_.sysctl_name);
  if (ratio == nullptr) {
    throw TuningError(ratio_.sysctl_name + ": saved state has neither " + ratio_.sysctl_name +
                      " nor a nonzero " + bytes_.sysctl_name);
  }
  value = *ratio;
  return ratio_;
}

// Only the active half is written: the kernel zeroes the other one itself, and writing a
// zero into the _bytes half would be refused (its minimum is two pages).
void DirtyPairKnob::restore(const SavedState& saved) {
  std::string value;
  const KnobFileTarget& half = activeHalf(saved, value);
  writeKnobFile(half.path(), value);
}

std::string DirtyPairKnob::restoreCommand(const SavedState& saved) const {
  try {
    std::string value;
    const KnobFileTarget& half = activeHalf(saved, value);
    return half.commandToSet(value);
  } catch (const TuningError&) {
    return "";
  }
}

}  // namespace tidemark::agent::tuner
