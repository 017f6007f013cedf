// Rules for the ships on a host: weekly pack, monthly meld where memory allows, a
// larger loom near its limit, and the mappings their looms need (vm.max_map_count).
#include <fmt/format.h>

#include <cmath>

#include "controller/tuning/recommender_rules.h"

namespace tidemark::controller::rules {

namespace {

constexpr double kDaySeconds = 86400;
constexpr double kPackEverySeconds = 7 * kDaySeconds;
constexpr double kMeldEverySeconds = 30 * kDaySeconds;
constexpr double kLoomUseLimit = 0.85;
constexpr int kLargestLoomBits = 34;  // vere accepts --loom 20 to 34
// Without a serf map count: the kernel's default limit, per ship.
constexpr double kMapsPerShipGuess = 65530;
constexpr double kSmallestMapCountTarget = 262144;

const ShipObservation* shipNamed(const HostObservations& observed, std::string_view name) {
  for (const auto& ship : observed.ships) {
    if (ship.ship == name) return &ship;
  }
  return nullptr;
}

std::string ago(std::optional<double> seconds, std::string_view what) {
  if (!seconds)
    return fmt::format("no {} on record (urbit_ship_seconds_since_{} unknown)", what, what);
  return fmt::format("urbit_ship_seconds_since_{} = {:.0f} ({:.1f} days)", what, *seconds,
                     *seconds / kDaySeconds);
}

void pack(const wire::KnobStateData& knob, const ShipObservation* ship,
          std::vector<Recommendation>& out) {
  const auto since = ship ? ship->seconds_since_pack : std::nullopt;
  if (since && *since <= kPackEverySeconds) return;
  Recommendation r{
      knob.knob, "run", knob.value, "no pack in 7 days: a pack defragments the loom", {}};
  r.evidence.push_back(fmt::format("ship {}: {}", subject(knob.knob), ago(since, "pack")));
  out.push_back(std::move(r));
}

void meld(const wire::KnobStateData& knob, const ShipObservation* ship,
          const HostObservations& observed, std::vector<Recommendation>& out) {
  if (ship == nullptr || !ship->loom_bytes || !observed.mem_available_bytes ||
      !observed.swap_free_bytes) {
    return;
  }
  const auto since = ship->seconds_since_meld;
  if (since && *since <= kMeldEverySeconds) return;
  const double room = *observed.mem_available_bytes + *observed.swap_free_bytes;
  if (room < *ship->loom_bytes) return;
  Recommendation r{knob.knob,
                   "run",
                   knob.value,
                   "no meld in 30 days, and free RAM plus swap covers the loom",
                   {}};
  r.evidence.push_back(fmt::format("ship {}: {}", ship->ship, ago(since, "meld")));
  r.evidence.push_back(
      fmt::format("node_memory_MemAvailable_bytes {:.0f} + node_memory_SwapFree_bytes {:.0f} >= "
                  "urbit_ship_loom_bytes {:.0f}",
                  *observed.mem_available_bytes, *observed.swap_free_bytes, *ship->loom_bytes));
  out.push_back(std::move(r));
}

void loom(const wire::KnobStateData& knob, const ShipObservation* ship,
          std::vector<Recommendation>& out) {
  if (ship == nullptr || !ship->loom_use_ratio || *ship->loom_use_ratio <= kLoomUseLimit) return;
  const auto bits = number(knob.value);
  if (!bits || *bits >= kLargestLoomBits) return;
  const int next = static_cast<int>(*bits) + 1;
  Recommendation r{knob.knob,
                   std::to_string(next),
                   knob.value,
                   "loom over 85% used: a ship that fills it bails with meme",
                   {}};
  r.evidence.push_back(fmt::format("ship {}: urbit_ship_loom_use_ratio = {:.3f}", ship->ship,
                                   *ship->loom_use_ratio));
  r.evidence.push_back(fmt::format("loom {} bits ({:.0f} bytes) -> {} bits ({:.0f} bytes)", *bits,
                                   std::ldexp(1.0, static_cast<int>(*bits)), next,
                                   std::ldexp(1.0, next)));
  out.push_back(std::move(r));
}

void maxMapCount(const wire::KnobStateData& knob, const HostObservations& observed,
                 std::vector<Recommendation>& out) {
  if (observed.ships.empty()) return;
  const auto current = number(knob.value);
  if (!current) return;
  double need = 0;
  std::vector<std::string> evidence;
  for (const auto& ship : observed.ships) {
    if (ship.serf_map_count) {
      need += *ship.serf_map_count;
      evidence.push_back(fmt::format("ship {}: urbit_ship_serf_map_count = {:.0f}", ship.ship,
                                     *ship.serf_map_count));
    } else {
      need += kMapsPerShipGuess;
      evidence.push_back(
          fmt::format("ship {}: no serf map count; assumed {:.0f}", ship.ship, kMapsPerShipGuess));
    }
  }
  if (*current >= need) return;
  // Twice the need leaves room for growth; a power of two reads as deliberate.
  double target = kSmallestMapCountTarget;
  while (target < 2 * need) target *= 2;
  Recommendation r{knob.knob,
                   fmt::format("{:.0f}", target),
                   knob.value,
                   "the ships' looms need more mappings than vm.max_map_count allows",
                   {}};
  r.evidence.push_back(fmt::format("vm.max_map_count = {}; {} ships need about {:.0f}", knob.value,
                                   observed.ships.size(), need));
  r.evidence.insert(r.evidence.end(), evidence.begin(), evidence.end());
  out.push_back(std::move(r));
}

}  // namespace

void shipRules(const wire::KnobReportData& report, const HostObservations& observed,
               std::vector<Recommendation>& out) {
  for (const auto& knob : report.knobs) {
    if (!knob.available) continue;
    const ShipObservation* ship = shipNamed(observed, subject(knob.knob));
    if (knob.knob.starts_with("ship.pack:")) {
      pack(knob, ship, out);
    } else if (knob.knob.starts_with("ship.meld:")) {
      meld(knob, ship, observed, out);
    } else if (knob.knob.starts_with("ship.loom:")) {
      loom(knob, ship, out);
    } else if (knob.knob == "vm.max_map_count") {
      maxMapCount(knob, observed, out);
    }
  }
}

}  // namespace tidemark::controller::rules
