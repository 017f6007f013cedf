#include "controller/controller.h"

#include <spdlog/spdlog.h>

#include "common/transport/curve_keys.h"
#include "controller/history/promql_history.h"
#include "controller/history/rocksdb_history.h"
#include "controller/remote_write/remote_write_exporter.h"
#include "controller/remote_write/self_metrics.h"
#include "controller/report/scheduled_report.h"

namespace tidemark::controller {

Controller::Controller(const ControllerOptions& options, const Clock& clock)
    : clock_(clock), context_(1), trigger_interval_ms_(options.trigger_interval_ms) {
  StoreOptions store_options;
  store_options.path = options.data_dir;
  store_options.sync_writes = options.sync_writes;
  store_options.raw_retention_ms = options.retention_raw_ms;
  store_options.rollup_5m_retention_ms = options.retention_5m_ms;
  store_options.rollup_1h_retention_ms = options.retention_1h_ms;
  store_ = SampleStore::open(store_options);
  if (options.history.backend == HistoryOptions::Backend::kPromql) {
    history_ = std::make_unique<PromqlHistory>(options.history, clock_);
    spdlog::info("history (plan, triggers, reports, query) read from {}", options.history.url);
  } else {
    history_ = std::make_unique<RocksdbHistory>(*store_);
  }
  if (options.remote_write.enabled()) {
    // Hooked into the store's commit, after the RocksDB write: agent batches and
    // `tidemark import` alike are exported, and only what was stored.
    remote_write_ =
        std::make_unique<remote_write::RemoteWriteExporter>(options.remote_write, *store_, clock_);
    store_->setCommitListener(
        [exporter = remote_write_.get()](std::span<const CommittedSample> samples) {
          exporter->onCommit(samples);
        });
    spdlog::info("remote write to {} ({} shards, queue in {})", options.remote_write.url,
                 options.remote_write.shards, options.remote_write.queue_dir);
    if (options.remote_write.self_metrics_interval_ms > 0) {
      self_metrics_ = std::make_unique<remote_write::SelfMetricsWriter>(
          *store_, options.remote_write.self_host);
      self_metrics_interval_ms_ = options.remote_write.self_metrics_interval_ms;
    }
  }
  ingester_ = std::make_unique<BatchIngester>(*store_, options.limits);
  importer_ = std::make_unique<SampleImporter>(*store_, options.limits);
  triggers_ = std::make_unique<TriggerEvaluator>(*store_, options.trigger_rules, history_.get());
  TuningOptions tuning_options;
  tuning_options.health_window_ms = options.tuning_health_window_ms;
  tuning_options.history = history_.get();
  tuning_options.recommend_interval_ms = options.tuning_recommend_interval_ms;
  if (options.tuning_canary >= 0) {
    tuning_options.default_canary = static_cast<uint32_t>(options.tuning_canary);
  }
  // A canary is healthy while its agent keeps sending (3 intervals + 5 s, at least 30 s).
  tuning_options.host_healthy = [this](const std::string& host) {
    return presence_.connected(host, clock_.monotonicMs());
  };
  tuning_ = std::make_unique<TuningService>(*store_, std::move(tuning_options), clock_);

  LinkOptions link_options;
  link_options.listen = options.listen;
  if (!options.insecure) {
    CurveKeyPair keys = readCurveSecretKeyFile(options.curve_key);
    link_options.curve_secret_key = keys.secret_key;
    registry_ = std::make_unique<AgentRegistry>(options.pki_dir, clock_);
    zap_ = std::make_unique<ZapHandler>(context_, *registry_);
    spdlog::info("CurveZMQ on; controller public key {}; agent allow-list in {}", keys.public_key,
                 options.pki_dir);
  }
  try {
    link_ = std::make_unique<AgentLinkServer>(context_, link_options, *store_, *ingester_,
                                              presence_, clock_, registry_.get());
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot listen on " + options.listen + ": " + e.what());
  }
  link_->setTuningHooks(
      {[this](const wire::TuningResultData& result) { tuning_->onResult(result); },
       [this](const wire::KnobReportData& report) { tuning_->onKnobReport(report); },
       [this](const std::string& host) { tuning_->onHello(host); }});
  AdminContext admin_context{
      *store_,         presence_,       clock_,       clock_.monotonicMs(), link_->boundEndpoint(),
      registry_.get(), importer_.get(), store_.get(), triggers_.get()};
  admin_context.tuning = tuning_.get();
  admin_context.history = history_.get();
  admin_context.remote_write = remote_write_.get();
  admin_context.remote_write_url = options.remote_write.url;
  admin_context.plan_defaults.window_ms = options.plan_window_ms;
  admin_context.plan_defaults.thresholds = options.plan_thresholds;
  if (options.reports.interval_ms > 0) {
    reports_ = std::make_unique<ReportSchedule>(
        options.reports, clock_, scheduledReportBuilder(AdminHandler(admin_context)));
    spdlog::info("scheduled reports every {} s into {}", options.reports.interval_ms / 1000,
                 options.reports.directory);
  }
  try {
    admin_ =
        std::make_unique<AdminServer>(context_, options.admin_socket, AdminHandler(admin_context));
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot serve the admin socket " + options.admin_socket + ": " +
                             e.what());
  }
}

Controller::~Controller() {
  stopTriggers();  // run() stops it; this covers a run() left by an exception
  reports_.reset();
  admin_.reset();
  link_.reset();
  tuning_.reset();
  importer_.reset();
  ingester_.reset();
  triggers_.reset();
  zap_.reset();
  history_.reset();
  self_metrics_.reset();
  // Every writer is gone: no commit can reach the exporter any more.
  if (store_) store_->setCommitListener({});
  remote_write_.reset();
  store_.reset();
}

void Controller::run(const std::function<bool()>& stop) {
  if (reports_) reports_->start();
  // The trigger rules read a fleet's worth of history (or a remote PromQL API): on
  // the ingest thread an evaluation held every ack up for seconds (soak, 2,000
  // agents: ack p99 1.2 s against 7 ms without triggers), so they run on their own.
  trigger_thread_ = std::thread([this] { runTriggers(); });
  while (!stop()) {
    link_->pollOnce(200);
    tuning_->tick([this](const std::string& host, const wire::TuningCommandData& command) {
      return link_->sendCommand(host, command);
    });
    writeSelfMetricsIfDue();
  }
  stopTriggers();
}

void Controller::writeSelfMetricsIfDue() {
  if (!self_metrics_) return;
  const int64_t now = clock_.monotonicMs();
  if (now < next_self_metrics_ms_) return;
  next_self_metrics_ms_ = now + self_metrics_interval_ms_;
  if (std::string error = self_metrics_->write(remote_write_->stats(), clock_.wallMs());
      !error.empty()) {
    spdlog::error("{}", error);
  }
}

void Controller::runTriggers() {
  std::unique_lock lock(trigger_mutex_);
  while (!trigger_stop_) {
    lock.unlock();
    try {
      if (std::string error = triggers_->evaluate(clock_.wallMs()); !error.empty()) {
        spdlog::error("{}", error);
      }
    } catch (const std::exception& e) {
      // Logged and tried again next interval: a thread must not take the process down.
      spdlog::error("trigger evaluation failed: {}", e.what());
    }
    lock.lock();
    // The next one is due an interval after this one ends, so a slow evaluation on a
    // large fleet never runs back to back.
    trigger_wake_.wait_for(lock, std::chrono::milliseconds(trigger_interval_ms_),
                           [this] { return trigger_stop_; });
  }
}

void Controller::stopTriggers() {
  {
    std::lock_guard lock(trigger_mutex_);
    trigger_stop_ = true;
  }
  trigger_wake_.notify_all();
  if (trigger_thread_.joinable()) trigger_thread_.join();
}

}  // namespace tidemark::controller
