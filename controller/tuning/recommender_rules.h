// The recommender's rules, split by what they look at; recommend() runs them all.
// Internal to controller/tuning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/tuning/recommender.h"

namespace tidemark::controller::rules {

// The value of fact `name` of a knob; empty when absent.
std::string_view fact(const wire::KnobStateData& knob, std::string_view name);
// The part of a knob id after the colon ("nvme0n1" of "block.scheduler:nvme0n1").
std::string_view subject(std::string_view knob);
std::optional<double> number(std::string_view text);

// Block devices, mounts, sysctls, THP and the network (recommender_system_rules.cc).
void systemRules(const wire::KnobReportData& report, const HostObservations& observed,
                 std::vector<Recommendation>& out);
// Ships: pack, meld, loom, and the map count their looms need (recommender_ship_rules.cc).
void shipRules(const wire::KnobReportData& report, const HostObservations& observed,
               std::vector<Recommendation>& out);

}  // namespace tidemark::controller::rules
