#include "controller/planner/triggers/trigger_store.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "controller/store/key_codec.h"
#include "schemas/store_records.capnp.h"

namespace tidemark::controller {

namespace {

// A NUL ends the prefix: no rule name has one, so no other subsystem's prefix can
// start with it by accident.
constexpr std::string_view kPrefix{"trigger\0", 8};

using Phase = schema::TriggerStateRecord::Phase;

Phase toRecord(TriggerPhase phase) {
  switch (phase) {
    case TriggerPhase::kOk: return Phase::OK;
    case TriggerPhase::kPending: return Phase::PENDING;
    case TriggerPhase::kFiring: return Phase::FIRING;
    case TriggerPhase::kResolved: return Phase::RESOLVED;
  }
  return Phase::OK;
}

TriggerPhase fromRecord(Phase phase) {
  switch (phase) {
    case Phase::PENDING: return TriggerPhase::kPending;
    case Phase::FIRING: return TriggerPhase::kFiring;
    case Phase::RESOLVED: return TriggerPhase::kResolved;
    default: return TriggerPhase::kOk;
  }
}

}  // namespace

std::string triggerStateKey(const TriggerState& state) {
  std::string key(kPrefix);
  // The series key layout (name, host, labels) with the rule in the name's place.
  key += keys::seriesKey(state.host, state.rule, state.labels);
  return key;
}

std::string encodeTriggerState(const TriggerState& state) {
  capnp::MallocMessageBuilder message;
  auto record = message.initRoot<schema::TriggerStateRecord>();
  record.setRule(state.rule);
  record.setHost(state.host);
  auto labels = record.initLabels(static_cast<unsigned>(state.labels.size()));
  for (size_t i = 0; i < state.labels.size(); ++i) {
    labels[i].setName(state.labels[i].name);
    labels[i].setValue(state.labels[i].value);
  }
  record.setPhase(toRecord(state.phase));
  record.setBreachSinceMs(state.breach_since_ms);
  record.setFiringSinceMs(state.firing_since_ms);
  record.setResolvedAtMs(state.resolved_at_ms);
  record.setSafeSinceMs(state.safe_since_ms);
  record.setValue(state.value);
  record.setValueMs(state.value_ms);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asChars();
  return std::string(bytes.begin(), bytes.size());
}

std::optional<TriggerState> decodeTriggerState(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) return std::nullopt;
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::FlatArrayMessageReader message(words);
    auto record = message.getRoot<schema::TriggerStateRecord>();
    TriggerState state;
    state.rule = record.getRule();
    state.host = record.getHost();
    for (auto label : record.getLabels()) state.labels.push_back({label.getName(), label.getValue()});
    state.phase = fromRecord(record.getPhase());
    state.breach_since_ms = record.getBreachSinceMs();
    state.firing_since_ms = record.getFiringSinceMs();
    state.resolved_at_ms = record.getResolvedAtMs();
    state.safe_since_ms = record.getSafeSinceMs();
    state.value = record.getValue();
    state.value_ms = record.getValueMs();
    return state;
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
}

std::vector<TriggerState> TriggerStateStore::load() const {
  std::vector<TriggerState> states;
  for (const auto& [key, value] : store_.readState(kPrefix)) {
    auto state = decodeTriggerState(value);
    if (!state) {
      spdlog::error("store {}: a trigger state record is damaged ({} bytes); it starts afresh",
                    store_.path(), value.size());
      continue;
    }
    states.push_back(std::move(*state));
  }
  return states;
}

std::string TriggerStateStore::save(const std::vector<TriggerState>& changed,
                                    const std::vector<TriggerState>& removed) {
  std::vector<std::pair<std::string, std::string>> puts;
  puts.reserve(changed.size());
  for (const auto& state : changed) puts.emplace_back(triggerStateKey(state), encodeTriggerState(state));
  std::vector<std::string> deletes;
  deletes.reserve(removed.size());
  for (const auto& state : removed) deletes.push_back(triggerStateKey(state));
  if (puts.empty() && deletes.empty()) return "";
  std::string error = store_.writeState(puts, deletes);
  return error.empty() ? "" : "saving trigger states in " + store_.path() + ": " + error;
}

}  // namespace tidemark::controller
