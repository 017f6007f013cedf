// The maintenance jobs of a ship as knobs, one each, whose only value is "run":
// ship.pack_live:SHIP (a pack while the ship stays up) and the offline
// ship.pack:SHIP, ship.meld:SHIP, ship.roll_chop:SHIP (stop, job, start again).
// A job cannot be undone, and its success is its own verification. The agent writes no
// file itself (writtenPaths() is empty): the commands it runs write the pier, which a
// sandbox grants through the pier roots (sandbox_plan.h).
#pragma once

#include <memory>
#include <string_view>

#include "agent/tuner/knob.h"
#include "agent/tuner/ship_job_run.h"
#include "agent/tuner/ship_tuning_options.h"

namespace tidemark::agent::tuner {

enum class ShipJob { kPackLive, kPack, kMeld, kRollChop };

// "pack_live", "pack", "meld", "roll_chop": the job's part of the knob id.
std::string_view shipJobName(ShipJob job);

class ShipJobKnob final : public Knob {
 public:
  ShipJobKnob(std::shared_ptr<const ShipTuningOptions> options, ShipTarget target, ShipJob job);

  // Knob
  const std::string& id() const override { return id_; }
  // Available when the job's commands are configured and the pier exists (a live pack
  // also needs the ship up). Value "": a job has no state. Facts: pier, up (0/1),
  // loom_bits, last_pack / last_meld (unix seconds, from the maintenance log).
  KnobProbe probe() const override;
  std::string validate(const std::string& value) const override;
  SavedState save() const override { return {}; }
  // Runs the whole job synchronously (minutes to hours: the agent runs the tuner on a
  // worker thread). Throws TuningError naming the failed step.
  void write(const std::string& value) override;
  std::string read() const override { return ""; }
  // Throws TuningError: a job cannot be undone.
  void restore(const SavedState& saved) override;
  std::string restoreCommand(const SavedState& saved) const override;
  bool reversible() const override { return false; }
  bool verifiedByWrite() const override { return true; }

  // What the last write() did, step by step, or why it failed; "" before any write.
  std::string lastOutcome() const override { return last_outcome_; }
  void limitRunTime(std::chrono::milliseconds limit) override { run_time_limit_ = limit; }

 private:
  // "" when the job's command templates are all set, else which one is missing.
  std::string missingCommand() const;
  ShipJobPlan plan() const;

  std::shared_ptr<const ShipTuningOptions> options_;
  std::chrono::milliseconds run_time_limit_{0};  // 0: the configured job_timeout only
  ShipTarget target_;
  ShipJob job_;
  std::string root_;
  std::string id_;
  std::string last_outcome_;
};

}  // namespace tidemark::agent::tuner
