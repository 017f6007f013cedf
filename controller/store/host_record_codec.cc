#include "controller/store/host_record_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>

#include "common/errors/error.h"
#include "schemas/store_records.capnp.h"

namespace tidemark::controller {

std::string encodeHostRecord(const HostState& state) {
  capnp::MallocMessageBuilder message;
  auto record = message.initRoot<schema::HostRecord>();
  record.setHost(state.host);
  record.setEpoch(state.epoch);
  record.setLastSequence(state.last_sequence);
  record.setLastSeenMs(state.last_seen_ms);
  record.setSeries(state.series);
  record.setSamples(state.samples);
  record.setAgentVersion(state.agent_version);
  record.setBootId(state.boot_id);
  record.setIntervalMs(state.interval_ms);
  auto facts = record.initFacts(static_cast<unsigned>(state.facts.size()));
  for (size_t i = 0; i < state.facts.size(); ++i) {
    facts[i].setName(state.facts[i].first);
    facts[i].setValue(state.facts[i].second);
  }
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asChars();
  return std::string(bytes.begin(), bytes.size());
}

HostState decodeHostRecord(std::string_view bytes) {
  if (bytes.size() % sizeof(capnp::word) != 0) throw StoreError("host record of odd size");
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::FlatArrayMessageReader message(words);
    auto record = message.getRoot<schema::HostRecord>();
    HostState state;
    state.host = record.getHost();
    state.epoch = record.getEpoch();
    state.last_sequence = record.getLastSequence();
    state.last_seen_ms = record.getLastSeenMs();
    state.series = record.getSeries();
    state.samples = record.getSamples();
    state.agent_version = record.getAgentVersion();
    state.boot_id = record.getBootId();
    state.interval_ms = record.getIntervalMs();
    for (auto fact : record.getFacts()) state.facts.emplace_back(fact.getName(), fact.getValue());
    return state;
  } catch (const kj::Exception& e) {
    throw StoreError(std::string("corrupt host record: ") + e.getDescription().cStr());
  }
}

}  // namespace tidemark::controller
