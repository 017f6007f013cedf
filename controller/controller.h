// Wires the controller's parts (store, ingest, presence, triggers, admin) from
// options and runs the ingest loop, with trigger evaluations on their schedule,
// until asked to stop. main() stays a few lines.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "common/time/clock.h"
#include "controller/admin/admin_server.h"
#include "controller/auth/agent_registry.h"
#include "controller/auth/zap_handler.h"
#include "controller/controller_options.h"
#include "controller/history/history_source.h"
#include "controller/ingest/agent_link_server.h"
#include "controller/ingest/sample_importer.h"
#include "controller/planner/triggers/trigger_evaluator.h"
#include "controller/report/report_schedule.h"
#include "controller/tuning/tuning_service.h"

namespace tidemark::controller {

namespace remote_write {
class RemoteWriteExporter;
class SelfMetricsWriter;
}  // namespace remote_write

class Controller {
 public:
  // Opens the store and binds both sockets; throws with context when it cannot.
  Controller(const ControllerOptions& options, const Clock& clock);
  ~Controller();

  const std::string& boundEndpoint() const { return link_->boundEndpoint(); }

  // Serves until `stop()` returns true (checked a few times a second).
  void run(const std::function<bool()>& stop);

 private:
  // The trigger thread: evaluates every rule, then waits an interval (or the stop).
  void runTriggers();
  void stopTriggers();
  // Stores the remote-write exporter's health when its interval has passed.
  void writeSelfMetricsIfDue();

  const Clock& clock_;
  zmq::context_t context_;
  std::unique_ptr<SampleStore> store_;
  // What the planner, triggers, reports, tuning and queries read (options.history).
  std::unique_ptr<HistorySource> history_;
  // Null when remote write is off. Declared after the store it listens to, and
  // destroyed before it (see ~Controller).
  std::unique_ptr<remote_write::RemoteWriteExporter> remote_write_;
  std::unique_ptr<remote_write::SelfMetricsWriter> self_metrics_;  // null when off
  int64_t self_metrics_interval_ms_ = 0;
  int64_t next_self_metrics_ms_ = 0;  // monotonic; 0: at once
  std::unique_ptr<AgentRegistry> registry_;
  std::unique_ptr<ZapHandler> zap_;
  AgentPresence presence_;
  std::unique_ptr<BatchIngester> ingester_;
  std::unique_ptr<SampleImporter> importer_;
  std::unique_ptr<TriggerEvaluator> triggers_;
  int64_t trigger_interval_ms_;
  std::thread trigger_thread_;
  std::mutex trigger_mutex_;
  std::condition_variable trigger_wake_;
  bool trigger_stop_ = false;  // guarded by trigger_mutex_
  std::unique_ptr<TuningService> tuning_;
  std::unique_ptr<AgentLinkServer> link_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<ReportSchedule> reports_;  // null when scheduled reports are off
};

}  // namespace tidemark::controller
