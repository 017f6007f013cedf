#include "controller/report/render/report_assembly.h"

#include <map>
#include <string>
#include <utility>

#include "common/config/duration.h"

namespace tidemark::report {

namespace {

const nlohmann::json& arrayAt(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

nlohmann::json flattenFleet(const nlohmann::json& plan) {
  nlohmann::json fleet = nlohmann::json::object();
  auto source = plan.is_object() ? plan.find("fleet") : plan.end();
  if (!plan.is_object() || source == plan.end() || !source->is_object()) return fleet;
  for (const char* count : {"hosts", "ships"}) {
    if (source->contains(count)) fleet[count] = (*source)[count];
  }
  for (const auto& resource : arrayAt(*source, "resources")) {
    const std::string name = resource.value("resource", "");
    if (name.empty()) continue;
    for (const char* key : {"used", "capacity", "free"}) {
      if (resource.contains(key)) fleet[name + "_" + key + "_bytes"] = resource[key];
    }
    if (resource.contains("monthly_growth"))
      fleet[name + "_growth_per_month_bytes"] = resource["monthly_growth"];
    if (resource.contains("months_of_headroom"))
      fleet[name + "_months_of_headroom"] = resource["months_of_headroom"];
  }
  return fleet;
}

}  // namespace

nlohmann::json assembleReport(const ReportParts& parts, int64_t generated_at_ms, int64_t since_ms) {
  nlohmann::json report = {{"title", "Tidemark fleet report"},
                           {"generated_at", formatTimeMs(generated_at_ms)},
                           {"generated_at_ms", generated_at_ms},
                           {"since", formatTimeMs(since_ms)},
                           {"fleet", flattenFleet(parts.plan)},
                           {"forecasts", arrayAt(parts.plan, "forecasts")},
                           {"proposals", parts.proposals.is_array() ? parts.proposals
                                                                    : nlohmann::json::array()}};
  nlohmann::json firing = nlohmann::json::array();
  for (const auto& trigger : arrayAt(parts.triggers, "triggers")) {
    if (trigger.value("state", "firing") == "firing") firing.push_back(trigger);
  }
  report["triggers"] = std::move(firing);
  // Pier growth comes from the pier forecasts (the sawtooth-aware slope).
  std::map<std::pair<std::string, std::string>, nlohmann::json> growth;
  for (const auto& forecast : report["forecasts"]) {
    if (forecast.value("resource", "") != "pier") continue;
    const auto labels = forecast.value("labels", nlohmann::json::object());
    growth[{forecast.value("host", ""), labels.value("ship", "")}] =
        forecast.value("slope_per_day", nlohmann::json(nullptr));
  }
  nlohmann::json ships = nlohmann::json::array();
  for (auto ship : arrayAt(parts.ships, "ships")) {
    auto it = growth.find({ship.value("host", ""), ship.value("ship", "")});
    ship["pier_growth_bytes_per_day"] = it != growth.end() ? it->second : nlohmann::json(nullptr);
    ships.push_back(std::move(ship));
  }
  report["ships"] = std::move(ships);
  return report;
}

}  // namespace tidemark::report
