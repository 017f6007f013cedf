// The knobs of every Urbit ship on the host: at each survey a fresh ship discovery
// (plain reads under the root; processes and the configured pier roots) and, per ship,
// its nice, CPU affinity, loom and maintenance jobs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/tuner/knob_source.h"
#include "agent/tuner/ship_tuning_options.h"

namespace tidemark::agent::tuner {

// Not thread-safe: addKnobs() is called from the tuner's thread only.
std::unique_ptr<KnobSource> makeShipKnobSource(ShipTuningOptions options,
                                               std::vector<std::string> pier_roots);

// Adds one ship's knobs to `out`: ship.nice, ship.affinity, ship.loom, ship.pack_live,
// ship.pack, ship.meld and ship.roll_chop, each with id suffix ":<target.name>".
void addShipKnobs(const std::shared_ptr<const ShipTuningOptions>& options, const ShipTarget& target,
                  std::vector<KnobPtr>& out);

}  // namespace tidemark::agent::tuner
