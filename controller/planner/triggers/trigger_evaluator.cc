#include "controller/planner/triggers/trigger_evaluator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/errors/error.h"
#include "controller/planner/triggers/trigger_sources.h"

namespace tidemark::controller {

namespace {

bool sameState(const TriggerState& a, const TriggerState& b) {
  return a.phase == b.phase && a.breach_since_ms == b.breach_since_ms &&
         a.firing_since_ms == b.firing_since_ms && a.resolved_at_ms == b.resolved_at_ms &&
         a.safe_since_ms == b.safe_since_ms && a.value == b.value && a.value_ms == b.value_ms;
}

}  // namespace

TriggerEvaluator::TriggerEvaluator(SampleStore& store, std::vector<TriggerRule> rules,
                                   const HistorySource* history)
    : own_history_(store),
      history_(history != nullptr ? *history : own_history_),
      kept_(store),
      rules_(std::move(rules)) {
  std::vector<TriggerState> orphans;
  for (auto& state : kept_.load()) {
    if (rule(state.rule) == nullptr) {
      orphans.push_back(std::move(state));
      continue;
    }
    Key key{state.rule, state.host, state.labels};
    states_.emplace(std::move(key), std::move(state));
  }
  if (!orphans.empty()) {
    spdlog::info("dropping the states of {} trigger subjects whose rules are no longer configured",
                 orphans.size());
    if (std::string error = kept_.save({}, orphans); !error.empty()) throw StoreError(error);
  }
}

const TriggerRule* TriggerEvaluator::rule(const std::string& name) const {
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const auto& r) { return r.name == name; });
  return it == rules_.end() ? nullptr : &*it;
}

std::string TriggerEvaluator::evaluate(int64_t now_ms) {
  std::vector<TriggerState> changed;
  std::vector<TriggerState> removed;
  // Work on a copy so the admin thread never sees half an evaluation.
  std::map<Key, TriggerState> next;
  {
    std::lock_guard lock(mutex_);
    next = states_;
  }
  for (const TriggerRule& rule : rules_) {
    std::vector<TriggerSubject> subjects;
    try {
      subjects = observeRule(history_, rule, now_ms);
    } catch (const std::exception& e) {
      spdlog::error("trigger {}: cannot read its history: {}", rule.name, e.what());
      continue;
    }
    std::set<Key> observed;
    for (auto& subject : subjects) {
      Key key{rule.name, subject.host, subject.labels};
      observed.insert(key);
      auto [it, inserted] = next.try_emplace(key);
      TriggerState& state = it->second;
      TriggerState before = state;
      if (inserted) {
        state.rule = rule.name;
        state.host = subject.host;
        state.labels = subject.labels;
      }
      advanceTrigger(rule, subject.observation, now_ms, state);
      if (state.phase == TriggerPhase::kResolved && now_ms - state.resolved_at_ms > kResolvedKeptMs) {
        state.phase = TriggerPhase::kOk;  // an old episode: forget it
      }
      if (state.phase != before.phase && (state.phase == TriggerPhase::kFiring ||
                                          before.phase == TriggerPhase::kFiring)) {
        spdlog::warn("trigger {} {} on {} {}: value {:g} ({} {})", rule.name,
                     phaseName(state.phase), state.host, formatSeries("", state.labels), state.value,
                     actionName(rule.action), severityName(rule.severity));
      }
      if (state.phase == TriggerPhase::kOk) {
        if (!inserted) removed.push_back(state);
        next.erase(it);
      } else if (inserted || !sameState(before, state)) {
        changed.push_back(state);
      }
    }
    for (auto it = next.begin(); it != next.end();) {
      TriggerState& state = it->second;
      const bool mine = std::get<0>(it->first) == rule.name;
      if (!mine || observed.contains(it->first)) {
        ++it;
        continue;
      }
      const bool expired = expireTrigger(rule, now_ms, state);
      const bool forgotten = state.phase == TriggerPhase::kOk ||
                             (state.phase == TriggerPhase::kResolved &&
                              now_ms - state.resolved_at_ms > kResolvedKeptMs);
      if (forgotten) {
        removed.push_back(state);
        it = next.erase(it);
        continue;
      }
      if (expired) changed.push_back(state);
      ++it;
    }
  }
  {
    std::lock_guard lock(mutex_);
    states_ = std::move(next);
  }
  return kept_.save(changed, removed);
}

std::vector<TriggerState> TriggerEvaluator::states() const {
  std::lock_guard lock(mutex_);
  std::vector<TriggerState> out;
  out.reserve(states_.size());
  for (const auto& [key, state] : states_) out.push_back(state);
  return out;
}

}  // namespace tidemark::controller
