// Answers the CLI's admin requests from the store and the presence table. Pure
// request-in, response-out, so it is tested without sockets.
#pragma once

#include <string>

#include "common/time/clock.h"
#include "controller/auth/agent_registry.h"
#include "controller/history/rocksdb_history.h"
#include "controller/ingest/agent_presence.h"
#include "controller/ingest/sample_importer.h"
#include "controller/planner/plan.h"
#include "controller/planner/triggers/trigger_evaluator.h"
#include "controller/store/sample_store.h"
#include "controller/tuning/tuning_service.h"
#include "schemas/admin.capnp.h"

namespace tidemark::controller {

namespace remote_write {
class RemoteWriteExporter;
}  // namespace remote_write

struct AdminContext {
  const SampleStore& store;
  const AgentPresence& presence;
  const Clock& clock;
  int64_t started_monotonic_ms;
  std::string listen_endpoint;
  AgentRegistry* registry = nullptr;  // null when the controller runs --insecure
  SampleImporter* importer = nullptr;  // null: this controller refuses imports
  SampleStore* writable_store = nullptr;  // for `compact`; null: refused
  const TriggerEvaluator* triggers = nullptr;  // null: this controller evaluates no triggers
  // `plan`: window, step and thresholds from the config; host and now per request.
  planner::PlanOptions plan_defaults = {};
  TuningService* tuning = nullptr;  // null: this controller has no tuning service
  // What `query`, `ships` and `plan` read; null: `store` (must outlive the handler).
  const HistorySource* history = nullptr;
  // null: remote write is off
  const remote_write::RemoteWriteExporter* remote_write = nullptr;
  std::string remote_write_url = {};
};

class AdminHandler {
 public:
  explicit AdminHandler(AdminContext context)
      : context_(std::move(context)), own_history_(context_.store) {}

  // Fills `response`; problems with the request become an `error` response. `peer`
  // is who sent it (the audit log's actor for tuning verbs).
  void handle(schema::AdminRequest::Reader request, schema::AdminResponse::Builder response,
              const AdminPeer& peer = {}) const;

 private:
  void status(schema::AdminResponse::Builder response) const;
  void hosts(schema::AdminResponse::Builder response) const;
  void query(schema::QueryRequest::Reader request, schema::AdminResponse::Builder response) const;
  void agents(schema::AgentsRequest::Reader request, schema::AdminResponse::Builder response) const;
  void compact(schema::AdminResponse::Builder response) const;
  void ships(schema::ShipsRequest::Reader request, schema::AdminResponse::Builder response) const;
  void plan(schema::PlanRequest::Reader request, schema::AdminResponse::Builder response) const;
  void triggers(schema::TriggersRequest::Reader request,
                schema::AdminResponse::Builder response) const;
  void tune(schema::TuneRequest::Reader request, const AdminPeer& peer,
            schema::AdminResponse::Builder response) const;
  void importSamples(schema::ImportRequest::Reader request,
                     schema::AdminResponse::Builder response) const;

  const HistorySource& history() const {
    return context_.history != nullptr ? *context_.history : own_history_;
  }

  AdminContext context_;
  RocksdbHistory own_history_;
};

}  // namespace tidemark::controller
