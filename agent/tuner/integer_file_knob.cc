#include "agent/tuner/integer_file_knob.h"

namespace tidemark::agent::tuner {

KnobProbe IntegerFileKnob::probe() const {
  KnobProbe probe;
  probe.facts = spec_.facts;
  std::string why;
  const auto text = readKnobFile(spec_.target.path(), &why);
  if (!text) {
    probe.reason = !spec_.missing_reason.empty()
                       ? spec_.missing_reason
                       : "cannot read " + spec_.target.host_path + ": " + why;
    return probe;
  }
  if (!parseCanonicalInteger(*text)) {
    // Multi-value sysctls (tcp_rmem's triple) are not integer knobs.
    probe.reason = spec_.target.host_path + " holds '" + *text + "', not one integer";
    return probe;
  }
  probe.available = true;
  probe.value = *text;
  return probe;
}

std::string IntegerFileKnob::validate(const std::string& value) const {
  const auto number = parseCanonicalInteger(value);
  if (!number) return spec_.id + ": '" + value + "' is not an integer";
  if (*number < spec_.min || *number > spec_.max) {
    return spec_.id + ": " + value + " is outside " + std::to_string(spec_.min) + ".." +
           std::to_string(spec_.max);
  }
  return "";
}

SavedState IntegerFileKnob::save() const { return {{spec_.id, read()}}; }

void IntegerFileKnob::write(const std::string& value) {
  writeKnobFile(spec_.target.path(), value);
}

std::string IntegerFileKnob::read() const {
  std::string why;
  const auto text = readKnobFile(spec_.target.path(), &why);
  if (!text) throw TuningError("read " + spec_.target.path() + ": " + why);
  return *text;
}

void IntegerFileKnob::restore(const SavedState& saved) {
  const std::string* value = findSaved(saved, spec_.id);
  if (value == nullptr) throw TuningError(spec_.id + ": saved state has no value to restore");
  writeKnobFile(spec_.target.path(), *value);
}

std::string IntegerFileKnob::restoreCommand(const SavedState& saved) const {
  const std::string* value = findSaved(saved, spec_.id);
  return value == nullptr ? "" : spec_.target.commandToSet(*value);
}

}  // namespace tidemark::agent::tuner
