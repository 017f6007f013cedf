// Fuzzes the controller's admin endpoint: the bytes are one AdminRequest frame, read
// the way AdminServer reads it (FrameReader with the admin size limit) and answered
// by AdminHandler from a real store holding a few series and a real pki allow-list
// (accepted, pending and denied keys), so `agents accept|revoke` really write files. The handler turns every
// bad request into an error response: it must never throw or crash.
#include <capnp/message.h>
#include <kj/exception.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/errors/error.h"
#include "common/time/clock.h"
#include "common/wire/frame.h"
#include "controller/admin/admin_handler.h"
#include "controller/auth/agent_registry.h"
#include "controller/ingest/agent_presence.h"
#include "controller/ingest/batch_ingester.h"
#include "controller/store/sample_store.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace tidemark;
using namespace tidemark::controller;

constexpr int64_t kStart = 1'700'000'000'000;

// One store for the whole run, opened on the first input, with two hosts and a few
// series so that queries and label matchers have something to walk.
struct World {
  fuzz::ScopedTempDir dir{"admin-fuzz"};
  std::unique_ptr<SampleStore> store;
  AgentPresence presence;
  ManualClock clock{kStart};
  std::optional<AgentRegistry> registry;
  std::optional<AdminHandler> handler;

  World() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    store = SampleStore::open(options);

    WriteSet writes = store->beginWrite();
    BatchIngester ingester(*store, IngestLimits{});
    for (const char* host : {"web-1", "db.example"}) {
      wire::HelloData hello;
      hello.host_id = host;
      hello.agent_version = "0.1.0";
      hello.epoch = 7;
      hello.interval_ms = 10'000;
      hello.facts = {{"kernel", "6.1.0"}};
      ingester.hello(writes, hello, kStart);

      wire::MetricBatchData batch;
      batch.host_id = host;
      batch.epoch = 7;
      batch.sequence = 1;
      batch.announcements = {{1, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}},
                             {2, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "user"}}},
                             {3, "node_load1", {}},
                             {4, "node_disk_reads", {{"device", "nvme0n1"}}}};
      batch.series_ids = {1, 2, 3, 4, 1, 2};
      batch.timestamps_ms = {kStart - 2000, kStart - 2000, kStart - 2000,
                             kStart - 2000, kStart - 1000, kStart - 1000};
      batch.values = {1.5, 2.5, 0.25, 42, 3.5, -0.0};
      if (ingester.ingest(writes, batch, kStart).status != wire::AckStatus::kStored) {
        fuzz::finding("admin fuzz: could not store the fixture batch");
      }
      presence.seen(host, clock.monotonicMs(), 10'000);
    }
    if (auto error = store->commit(writes); !error.empty()) {
      fuzz::finding("admin fuzz: fixture commit failed: " + error);
    }

    registry.emplace((dir.path() / "pki").string(), clock);
    const char* address = "tcp://192.0.2.1:40000";
    registry->claim(fuzz::fixedCurveKey(1), "web-1", address);
    registry->claim(fuzz::fixedCurveKey(2), "db.example", address);
    registry->claim(fuzz::fixedCurveKey(3), "new-host", address);
    registry->claim(fuzz::fixedCurveKey(4), "new-host", address);  // two pending: needs a prefix
    registry->claim(fuzz::fixedCurveKey(5), "spare", address);
    if (!registry->accept("web-1", "").empty() || !registry->accept("db.example", "").empty()) {
      fuzz::finding("admin fuzz: could not accept the fixture keys");
    }
    registry->claim(fuzz::fixedCurveKey(6), "web-1", address);  // a second agent: denied

    AdminContext context{*store, presence, clock, clock.monotonicMs(), "ipc:///fuzz"};
    context.registry = &*registry;
    handler.emplace(std::move(context));
  }
};

World& world() {
  static World* instance = new World();  // never destroyed: RocksDB threads outlive exit
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  wire::DecodeLimits limits;  // as AdminServer::run
  limits.max_frame_bytes = 1u << 20;

  std::optional<wire::FrameReader> frame;
  try {
    frame.emplace(data, size, limits);
  } catch (const WireError&) {
    return 0;
  }
  std::optional<schema::AdminRequest::Reader> request;
  try {
    request = frame->root<schema::AdminRequest>();  // a bad root pointer throws kj::Exception
  } catch (const kj::Exception&) {
    return 0;
  }

  capnp::MallocMessageBuilder reply;
  auto response = reply.initRoot<schema::AdminResponse>();
  w.handler->handle(*request, response);  // must not throw

  auto answer = response.asReader();
  if (answer.isError() && answer.getError().size() == 0) {
    fuzz::finding("admin handler answered with an empty error");
  }
  zmq::message_t out = wire::toFrame(reply);
  if (out.size() == 0) fuzz::finding("admin response serialised to an empty frame");
  return 0;
}
