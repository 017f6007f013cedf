#include "agent/tuner/ship_knob_source.h"

#include <filesystem>

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
    for (DiscoveredShip& ship : discovery_.scan()) {
      ShipTarget target;
      target.name = std::filesystem::path(ship.pier).filename().string();
      target.ship = std::move(ship);
      if (target.name.empty()) continue;  // a pier at "/" has no name to give its knobs
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
