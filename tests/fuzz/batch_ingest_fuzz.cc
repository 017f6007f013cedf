// Fuzzes the ingest path behind the agent link: decode an agent frame and, when it
// decodes, let the agent's key claim the host in the pki allow-list (as
// AgentLinkServer::authorized does before anything else; an unenrolled agent
// controls the host id), then apply it with BatchIngester to a WriteSet of a real store (one store for
// the whole run, so hosts, epochs and series accumulate across inputs) and commit.
// Ingest must never crash or throw, the commit must succeed, and the ack must carry
// one of the AckStatus values (a stored batch must be visible in the host's state).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/errors/error.h"
#include "common/wire/agent_link_codec.h"
#include "common/time/clock.h"
#include "controller/auth/agent_registry.h"
#include "controller/ingest/batch_ingester.h"
#include "controller/store/sample_store.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace tidemark;
using namespace tidemark::controller;

constexpr int64_t kNowMs = 1'700'000'000'000;

struct World {
  fuzz::ScopedTempDir dir{"ingest-fuzz"};
  std::unique_ptr<SampleStore> store;
  std::optional<BatchIngester> ingester;
  ManualClock clock{kNowMs};
  std::optional<AgentRegistry> registry;
  const std::string agent_key = fuzz::fixedCurveKey(0x42);

  World() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    store = SampleStore::open(options);
    ingester.emplace(*store, IngestLimits{});
    registry.emplace((dir.path() / "pki").string(), clock);
  }
};

World& world() {
  static World* instance = new World();  // never destroyed: RocksDB threads outlive exit
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<wire::AgentMessageData> message;
  try {
    message = wire::decodeAgentMessage(data, size, wire::DecodeLimits{});
  } catch (const WireError&) {
    return 0;
  }
  World& w = world();
  const std::string& host = wire::hostOf(*message);
  w.registry->claim(w.agent_key, host, "tcp://192.0.2.1:40000");  // must not throw

  WriteSet writes = w.store->beginWrite();

  if (const auto* hello = std::get_if<wire::HelloData>(&*message)) {
    w.ingester->hello(writes, *hello, kNowMs);
    if (auto error = w.store->commit(writes); !error.empty()) {
      fuzz::finding("commit after hello failed: " + error);
    }
    return 0;
  }

  const auto* batch_message = std::get_if<wire::MetricBatchData>(&*message);
  if (batch_message == nullptr) return 0;  // tuning results and knob reports: agent_message_fuzz
  const auto& batch = *batch_message;
  wire::AckData ack = w.ingester->ingest(writes, batch, kNowMs);
  if (!fuzz::validStatus(ack.status)) {
    fuzz::finding("ack status " + std::to_string(static_cast<int>(ack.status)) +
                  " is not an AckStatus");
  }
  if (ack.sequence != batch.sequence) fuzz::finding("ack names another sequence");
  if (ack.status == wire::AckStatus::kRejected && ack.reason.empty()) {
    fuzz::finding("rejected without a reason");
  }
  if (auto error = w.store->commit(writes); !error.empty()) {
    fuzz::finding("commit after ingest failed: " + error);
  }
  if (ack.status == wire::AckStatus::kStored) {
    auto host = w.store->host(batch.host_id);
    if (!host) fuzz::finding("stored a batch but the host is unknown");
    if (host->epoch != batch.epoch) fuzz::finding("stored a batch but the host's epoch differs");
    if (batch.sequence != 0 && host->last_sequence != batch.sequence) {
      fuzz::finding("stored batch " + std::to_string(batch.sequence) +
                    " but the host's last sequence is " + std::to_string(host->last_sequence));
    }
  }
  return 0;
}
