#include "controller/cli/triggers.h"

#include <cmath>

#include "common/config/duration.h"
#include "common/metrics/series.h"
#include "controller/cli/table.h"

namespace tidemark::cli {

namespace {

nlohmann::json time(int64_t ms) {
  return ms != 0 ? nlohmann::json(formatTimeMs(ms)) : nlohmann::json(nullptr);
}

std::string value(schema::TriggerInfo::Reader trigger) {
  if (!std::isfinite(trigger.getValue())) return "-";
  if (trigger.getRatio()) return formatPercent(trigger.getValue());
  return formatValue(trigger.getValue());
}

std::string subject(schema::TriggerInfo::Reader trigger) {
  std::string out;
  for (auto label : trigger.getLabels()) {
    if (!out.empty()) out += " ";
    out += std::string(label.getName().cStr()) + "=" + label.getValue().cStr();
  }
  return out.empty() ? "-" : out;
}

}  // namespace

nlohmann::json triggersJson(capnp::List<schema::TriggerInfo>::Reader triggers) {
  nlohmann::json list = nlohmann::json::array();
  for (auto trigger : triggers) {
    nlohmann::json labels = nlohmann::json::object();
    for (auto label : trigger.getLabels()) labels[label.getName().cStr()] = label.getValue().cStr();
    nlohmann::json one = {{"rule", trigger.getRule().cStr()},
                          {"host", trigger.getHost().cStr()},
                          {"labels", labels},
                          {"resource", trigger.getResource().cStr()},
                          {"condition", trigger.getCondition().cStr()},
                          {"duration_seconds", trigger.getDurationMs() / 1000},
                          {"action", trigger.getAction().cStr()},
                          {"severity", trigger.getSeverity().cStr()},
                          {"state", trigger.getState().cStr()},
                          {"since", time(trigger.getSinceMs())},
                          {"resolved_at", time(trigger.getResolvedAtMs())},
                          {"value", std::isfinite(trigger.getValue())
                                        ? nlohmann::json(trigger.getValue())
                                        : nlohmann::json(nullptr)},
                          {"value_time", time(trigger.getValueMs())}};
    if (trigger.getMetric().size() > 0) one["metric"] = trigger.getMetric().cStr();
    list.push_back(std::move(one));
  }
  return {{"triggers", list}};
}

std::string triggersText(capnp::List<schema::TriggerInfo>::Reader triggers, int64_t now_ms) {
  if (triggers.size() == 0) return "no triggers are firing or pending\n";
  Table table({"STATE", "SEVERITY", "RULE", "HOST", "SUBJECT", "VALUE", "CONDITION", "ACTION",
               "SINCE"},
              {false, false, false, false, false, true, false, false, false});
  for (auto trigger : triggers) {
    std::string since = trigger.getSinceMs() != 0 ? formatAgo(trigger.getSinceMs(), now_ms) : "-";
    if (trigger.getState() == "resolved" && trigger.getResolvedAtMs() != 0) {
      since = "resolved " + formatAgo(trigger.getResolvedAtMs(), now_ms);
    }
    std::string condition = trigger.getCondition().cStr();
    if (trigger.getDurationMs() > 0) condition += " for " + formatDurationMs(trigger.getDurationMs());
    table.addRow({trigger.getState().cStr(), trigger.getSeverity().cStr(), trigger.getRule().cStr(),
                  trigger.getHost().cStr(), subject(trigger), value(trigger), condition,
                  trigger.getAction().cStr(), since});
  }
  return table.render();
}

}  // namespace tidemark::cli
