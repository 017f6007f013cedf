#include "controller/report/render/report_sections.h"

#include <fmt/format.h>

#include "common/text/units.h"
#include "controller/report/render/report_document.h"

namespace tidemark::report {

namespace {

constexpr size_t kRowsPerSection = 20;

// Fleet figures are shown in the unit their key names (`_bytes`, `_ratio`).
std::string fleetValue(const std::string& key, const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (!value.is_number()) return value.is_string() ? value.get<std::string>() : value.dump();
  const double number = value.get<double>();
  if (key.ends_with("_bytes")) return formatBytes(number);
  if (key.ends_with("_ratio")) return formatPercent(number);
  return formatInUnit(number, ValueUnit::kPlain);
}

std::string stringCell(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

Section fleetSection(const nlohmann::json& report) {
  Section section{"Fleet", "no host has reported yet", {"figure", "value"}, {}};
  auto fleet = report.find("fleet");
  if (fleet == report.end() || !fleet->is_object()) return section;
  for (const auto& [key, value] : fleet->items()) {
    if (value.is_object() || value.is_array()) continue;
    std::string name = key;
    for (char& c : name) c = c == '_' ? ' ' : c;
    section.rows.push_back({name, fleetValue(key, value)});
  }
  return section;
}

Section exhaustionSection(const nlohmann::json& report) {
  Section section{"Nearest exhaustion",
                  "no forecasts: not enough history yet",
                  {"host", "resource", "labels", "current", "capacity", "threshold", "per day",
                   "days to threshold", "fit"},
                  {}};
  for (const auto* forecast : nearestExhaustion(report, kRowsPerSection)) {
    const ValueUnit unit = unitOf(*forecast);
    section.rows.push_back({stringCell(*forecast, "host"), stringCell(*forecast, "resource"),
                            labelsText(forecast->value("labels", nlohmann::json::object())),
                            cell(*forecast, "current", unit), cell(*forecast, "capacity", unit),
                            cell(*forecast, "threshold", ValueUnit::kRatio),
                            cell(*forecast, "slope_per_day", unit), daysCell(*forecast),
                            cell(*forecast, "fit")});
  }
  return section;
}

Section triggerSection(const nlohmann::json& report) {
  Section section{"Firing triggers",
                  "no trigger is firing",
                  {"rule", "host", "labels", "action", "severity", "since", "value"},
                  {}};
  auto triggers = report.find("triggers");
  if (triggers == report.end() || !triggers->is_array()) return section;
  for (const auto& trigger : *triggers) {
    section.rows.push_back({stringCell(trigger, "rule"), stringCell(trigger, "host"),
                            labelsText(trigger.value("labels", nlohmann::json::object())),
                            stringCell(trigger, "action"), stringCell(trigger, "severity"),
                            timeCell(trigger, "since"), cell(trigger, "value")});
  }
  return section;
}

Section pierGrowthSection(const nlohmann::json& report) {
  Section section{"Ships by pier growth",
                  "no ships have reported",
                  {"host", "ship", "status", "pier size", "growth per day", "growth per month"},
                  {}};
  for (const auto* ship : shipsByPierGrowth(report, kRowsPerSection)) {
    auto growth = ship->find("pier_growth_bytes_per_day");
    const bool known = growth != ship->end() && growth->is_number();
    section.rows.push_back({stringCell(*ship, "host"), stringCell(*ship, "ship"),
                            stringCell(*ship, "status"),
                            cell(*ship, "pier_bytes", ValueUnit::kBytes),
                            known ? formatBytes(growth->get<double>()) : "-",
                            known ? formatBytes(growth->get<double>() * 30) : "-"});
  }
  return section;
}

Section loomSection(const nlohmann::json& report) {
  Section section{"Ships by loom use",
                  "no ships have reported",
                  {"host", "ship", "loom use", "loom size", "last pack"},
                  {}};
  for (const auto* ship : shipsByLoomUse(report, kRowsPerSection)) {
    section.rows.push_back({stringCell(*ship, "host"), stringCell(*ship, "ship"),
                            cell(*ship, "loom_use_ratio", ValueUnit::kRatio),
                            cell(*ship, "loom_bytes", ValueUnit::kBytes),
                            timeCell(*ship, "last_pack")});
  }
  return section;
}

Section proposalSection(const nlohmann::json& report) {
  Section section{"Pending tuning proposals",
                  "no tuning proposal is waiting for approval",
                  {"id", "host", "knob", "current", "proposed", "reason"},
                  {}};
  auto proposals = report.find("proposals");
  if (proposals == report.end() || !proposals->is_array()) return section;
  for (const auto& proposal : *proposals) {
    section.rows.push_back({stringCell(proposal, "id"), stringCell(proposal, "host"),
                            stringCell(proposal, "knob"), stringCell(proposal, "current"),
                            stringCell(proposal, "value"), stringCell(proposal, "reason")});
  }
  return section;
}

}  // namespace

std::vector<Section> reportSections(const nlohmann::json& report) {
  return {fleetSection(report),      exhaustionSection(report), triggerSection(report),
          pierGrowthSection(report), loomSection(report),       proposalSection(report)};
}

std::string reportSubtitle(const nlohmann::json& report) {
  return fmt::format("generated {}, history since {}", timeCell(report, "generated_at"),
                     timeCell(report, "since"));
}

}  // namespace tidemark::report
