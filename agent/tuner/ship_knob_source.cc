#include "agent/tuner/ship_knob_source.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <map>

#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/ships/ship_discovery.h"
#include "agent/tuner/ship_affinity_knob.h"
#include "agent/tuner/ship_job_knob.h"
#include "agent/tuner/ship_loom_knob.h"
#include "agent/tuner/ship_nice_knob.h"
#include "common/logging/throttled_log.h"
#include "common/time/clock.h"

namespace tidemark::agent::tuner {
namespace {

class ShipKnobSource final : public KnobSource {
 public:
  ShipKnobSource(ShipTuningOptions options, std::vector<std::string> pier_roots)
      : options_(std::make_shared<const ShipTuningOptions>(std::move(options))),
        reader_(normaliseRoot(options_->root)),
        batch_(normaliseRoot(options_->root)),
        log_(clock_),
        discovery_(reader_, batch_, log_, std::move(pier_roots)) {}

  // KnobSource
  void addKnobs(std::vector<KnobPtr>& out) override {
    std::vector<DiscoveredShip> ships = discovery_.scan();
    // Knob ids name a ship by its pier folder: two piers of one name on this host would
    // make "ship.pack:NAME" mean either. Neither gets knobs; the operator is told once.
    std::map<std::string, std::vector<std::string>> piers_by_name;
    for (const DiscoveredShip& ship : ships) {
      piers_by_name[std::filesystem::path(ship.pier).filename().string()].push_back(ship.pier);
    }
    for (DiscoveredShip& ship : ships) {
      ShipTarget target;
      target.name = std::filesystem::path(ship.pier).filename().string();
      if (target.name.empty()) continue;  // a pier at "/" has no name to give its knobs
      if (const auto& piers = piers_by_name[target.name]; piers.size() > 1) {
        log_.warn("ambiguous:" + target.name,
                  fmt::format("tuning: piers {} share the ship name {}: no ship knobs for "
                              "either (rename one to tune it)",
                              fmt::join(piers, " and "), target.name));
        continue;
      }
      target.ship = std::move(ship);
      addShipKnobs(options_, target, out);
    }
  }

 private:
  std::shared_ptr<const ShipTuningOptions> options_;
  SystemClock clock_;
  PlainFileReader reader_;
  PlainReadBatch batch_;
  ThrottledLog log_;
  ShipDiscovery discovery_;
};

}  // namespace

void addShipKnobs(const std::shared_ptr<const ShipTuningOptions>& options, const ShipTarget& target,
                  std::vector<KnobPtr>& out) {
  out.push_back(std::make_unique<ShipNiceKnob>(options, target));
  out.push_back(std::make_unique<ShipAffinityKnob>(options, target));
  out.push_back(std::make_unique<ShipLoomKnob>(options, target));
  for (ShipJob job : {ShipJob::kPackLive, ShipJob::kPack, ShipJob::kMeld, ShipJob::kRollChop})
    out.push_back(std::make_unique<ShipJobKnob>(options, target, job));
}

std::unique_ptr<KnobSource> makeShipKnobSource(ShipTuningOptions options,
                                               std::vector<std::string> pier_roots) {
  return std::make_unique<ShipKnobSource>(std::move(options), std::move(pier_roots));
}

}  // namespace tidemark::agent::tuner
