#include "controller/admin/trigger_list.h"

#include <algorithm>

namespace tidemark::controller {

namespace {

int displayOrder(TriggerPhase phase) {
  switch (phase) {
    case TriggerPhase::kFiring: return 0;
    case TriggerPhase::kPending: return 1;
    default: return 2;
  }
}

int64_t sinceMs(const TriggerState& state) {
  return state.phase == TriggerPhase::kPending ? state.breach_since_ms : state.firing_since_ms;
}

}  // namespace

void fillTriggerList(const TriggerEvaluator& evaluator, bool include_resolved,
                     schema::AdminResponse::Builder response) {
  std::vector<TriggerState> states = evaluator.states();
  std::erase_if(states, [&](const TriggerState& state) {
    return state.phase == TriggerPhase::kOk ||
           (state.phase == TriggerPhase::kResolved && !include_resolved) ||
           evaluator.rule(state.rule) == nullptr;
  });
  // states() is sorted by rule, host, labels; a stable sort keeps that within a phase.
  std::stable_sort(states.begin(), states.end(), [](const auto& a, const auto& b) {
    return displayOrder(a.phase) < displayOrder(b.phase);
  });
  auto list = response.initTriggers(static_cast<unsigned>(states.size()));
  for (size_t i = 0; i < states.size(); ++i) {
    const TriggerState& state = states[i];
    const TriggerRule& rule = *evaluator.rule(state.rule);
    auto out = list[i];
    out.setRule(state.rule);
    out.setHost(state.host);
    auto labels = out.initLabels(static_cast<unsigned>(state.labels.size()));
    for (size_t j = 0; j < state.labels.size(); ++j) {
      labels[j].setName(state.labels[j].name);
      labels[j].setValue(state.labels[j].value);
    }
    out.setResource(std::string(resourceName(rule.resource)));
    out.setMetric(rule.metric);
    out.setCondition(describeCondition(rule));
    out.setDurationMs(rule.duration_ms);
    out.setAction(std::string(actionName(rule.action)));
    out.setSeverity(std::string(severityName(rule.severity)));
    out.setState(std::string(phaseName(state.phase)));
    out.setSinceMs(sinceMs(state));
    out.setResolvedAtMs(state.resolved_at_ms);
    out.setValue(state.value);
    out.setValueMs(state.value_ms);
    out.setRatio(rule.ratio);
  }
}

}  // namespace tidemark::controller
