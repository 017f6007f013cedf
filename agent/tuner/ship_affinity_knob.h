// ship.affinity:SHIP — the CPUs a ship's king and serf (every thread) may run on, as a
// CPU list ("0-3,6") checked against the CPUs online. Read from the king; lost when
// the ship restarts.
#pragma once

#include <memory>

#include "agent/tuner/knob.h"
#include "agent/tuner/ship_tuning_options.h"

namespace tidemark::agent::tuner {

class ShipAffinityKnob final : public Knob {
 public:
  ShipAffinityKnob(std::shared_ptr<const ShipTuningOptions> options, ShipTarget target);

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
  void requireRunning(const char* action) const;

  std::shared_ptr<const ShipTuningOptions> options_;
  ShipTarget target_;
  std::string root_;
  std::string id_;
};

}  // namespace tidemark::agent::tuner
