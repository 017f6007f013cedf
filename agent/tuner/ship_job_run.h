// Runs one maintenance job on one ship, synchronously: a live job while the ship stays
// up, or an offline one as stop, wait for the king to exit and the pier lock to be free,
// the job's commands, start, wait for the lock to be held again. Once a stop succeeded
// the ship is always started again; a ship that was already down stays down. Every
// finished pack/meld/roll/chop step is appended to the maintenance log.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/ships/maintenance_log.h"
#include "agent/tuner/ship_tuning_options.h"

namespace tidemark::agent::tuner {

struct ShipJobStep {
  MaintenanceJob job = MaintenanceJob::kPack;
  std::string command_template;
};

struct ShipJobPlan {
  std::string knob_id;  // names the job in errors and logs ("ship.pack:zod")
  std::string pier;     // as seen on the host; the log records it
  // {ship}, {pier} (as the agent reaches it: root + pier), {loom}.
  std::map<std::string, std::string> placeholders;
  std::vector<ShipJobStep> steps;  // run in order; a failed step ends the job
};

// Runs `plan`'s steps while the ship stays up; refused (TuningError) when it is down.
// Returns what happened; throws TuningError naming the failed step and how it failed.
std::string runLiveShipJob(const ShipJobPlan& plan, const ShipTuningOptions& options);

// Stops the ship (when up), runs `plan`'s steps, starts it again. Returns what happened
// ("stopped (king PID 12); pack ok; started (king PID 40)"); throws TuningError naming
// every failed step, how it failed (CommandOutcome::describe()) and the state the ship
// was left in.
std::string runOfflineShipJob(const ShipJobPlan& plan, const ShipTuningOptions& options);

}  // namespace tidemark::agent::tuner
