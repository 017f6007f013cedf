// A knob that is one word out of a list: a block device's I/O scheduler and the THP
// modes (the file lists every choice with the active one in brackets), and
// net.ipv4.tcp_congestion_control (choices listed in a second file).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agent/tuner/knob.h"
#include "agent/tuner/knob_files.h"

namespace tidemark::agent::tuner {

struct ChoiceFileKnobSpec {
  std::string id;  // "block.scheduler:sda", "thp.enabled", "net.ipv4.tcp_congestion_control"
  KnobFileTarget target;
  // When set, the choices are the words of this file (as on the host) and the target
  // holds just the active word; otherwise the target is a bracketed list.
  std::string choices_host_path;
  // Non-empty: the knob is present but must be left alone, and this says why.
  std::string unavailable_reason;
  std::vector<std::pair<std::string, std::string>> facts;
};

class ChoiceFileKnob final : public Knob {
 public:
  explicit ChoiceFileKnob(ChoiceFileKnobSpec spec) : spec_(std::move(spec)) {}

  // Knob
  const std::string& id() const override { return spec_.id; }
  KnobProbe probe() const override;
  std::string validate(const std::string& value) const override;
  SavedState save() const override;
  void write(const std::string& value) override;
  std::string read() const override;
  void restore(const SavedState& saved) override;
  std::string restoreCommand(const SavedState& saved) const override;
  // The target only: the choices file of tcp_congestion_control is read, never written.
  std::vector<std::string> writtenPaths() const override { return {spec_.target.path()}; }

 private:
  // The active choice and the list, or the reason they cannot be read.
  struct Reading {
    ChoiceList list;
    std::string error;
  };
  Reading readChoices() const;

  ChoiceFileKnobSpec spec_;
};

}  // namespace tidemark::agent::tuner
