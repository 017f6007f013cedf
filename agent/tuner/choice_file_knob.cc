#include "agent/tuner/choice_file_knob.h"

#include <algorithm>

namespace tidemark::agent::tuner {

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace

ChoiceFileKnob::Reading ChoiceFileKnob::readChoices() const {
  Reading reading;
  std::string why;
  const auto text = readKnobFile(spec_.target.path(), &why);
  if (!text) {
    reading.error = "cannot read " + spec_.target.host_path + ": " + why;
    return reading;
  }
  if (spec_.choices_host_path.empty()) {
    reading.list = parseChoiceList(*text);
    if (reading.list.active.empty()) {
      reading.error = spec_.target.host_path + " has no [active] choice in '" + *text + "'";
    }
    return reading;
  }
  const auto choices = readKnobFile(underRoot(spec_.target.root, spec_.choices_host_path), &why);
  if (!choices) {
    reading.error = "cannot read " + spec_.choices_host_path + ": " + why;
    return reading;
  }
  reading.list.active = *text;
  reading.list.choices = splitWords(*choices);
  return reading;
}

KnobProbe ChoiceFileKnob::probe() const {
  KnobProbe probe;
  probe.facts = spec_.facts;
  const Reading reading = readChoices();
  probe.value = reading.list.active;
  probe.choices = reading.list.choices;
  if (!spec_.unavailable_reason.empty()) {
    probe.reason = spec_.unavailable_reason;
  } else if (!reading.error.empty()) {
    probe.reason = reading.error;
  } else {
    probe.available = true;
  }
  return probe;
}

std::string ChoiceFileKnob::validate(const std::string& value) const {
  const Reading reading = readChoices();
  if (!reading.error.empty()) return spec_.id + ": " + reading.error;
  const auto& choices = reading.list.choices;
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return "";
  const std::string listed_in = spec_.choices_host_path.empty()
                                    ? spec_.target.host_path
                                    : spec_.choices_host_path;
  return spec_.id + ": '" + value + "' is not offered by this host (" + listed_in + " lists: " +
         joined(choices) + ")";
}

SavedState ChoiceFileKnob::save() const { return {{spec_.id, read()}}; }

void ChoiceFileKnob::write(const std::string& value) { writeKnobFile(spec_.target.path(), value); }

std::string ChoiceFileKnob::read() const {
  const Reading reading = readChoices();
  if (!reading.error.empty() && reading.list.active.empty()) {
    throw TuningError(spec_.id + ": " + reading.error);
  }
  return reading.list.active;
}

void ChoiceFileKnob::restore(const SavedState& saved) {
  const std::string* value = findSaved(saved, spec_.id);
  if (value == nullptr) throw TuningError(spec_.id + ": saved state has no value to restore");
  writeKnobFile(spec_.target.path(), *value);
}

std::string ChoiceFileKnob::restoreCommand(const SavedState& saved) const {
  const std::string* value = findSaved(saved, spec_.id);
  return value == nullptr ? "" : spec_.target.commandToSet(*value);
}

}  // namespace tidemark::agent::tuner
