#include "controller/controller_options.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "common/config/check_config.h"
#include "common/config/option_set.h"
#include "common/errors/error.h"
#include "common/transport/endpoint.h"
#include "controller/planner/triggers/trigger_config.h"

namespace tidemark::controller {

ControllerOptions parseControllerOptions(int argc, char** argv) {
  ControllerOptions options;
  CLI::App app("tidemark-controller: stores fleet history, serves the tidemark CLI",
               "tidemark-controller");
  OptionSet set(app);
  addCheckConfigFlag(app, &options.check_config);
  set.addString("data_dir", &options.data_dir, "RocksDB data folder (created when missing)");
  set.addString("listen", &options.listen, "agent link endpoint, tcp://HOST:PORT");
  set.addString("admin_socket", &options.admin_socket,
                "Unix socket for the tidemark CLI (default /run/tidemark/controller.sock)");
  set.addString("curve_key", &options.curve_key,
                "CurveZMQ secret key file (make one with: tidemark keys generate --out PREFIX)");
  set.addString("pki_dir", &options.pki_dir, "agent key allow-list folder (default DATA_DIR/pki)");
  set.addFlag("insecure", &options.insecure,
              "accept agents over plain TCP without CurveZMQ or an allow-list (lab use only)");
  set.addString("log_level", &options.log_level, "trace, debug, info, warn, error");
  int64_t max_series = static_cast<int64_t>(options.limits.max_series_per_host);
  set.addInteger("max_series_per_host", &max_series, 1, 100'000'000,
                 "series one host may create (default 100000)");
  set.addDurationMs("retention.raw", &options.retention_raw_ms,
                    "keep raw samples this long (default 15d)");
  set.addDurationMs("retention.rollup_5m", &options.retention_5m_ms,
                    "keep 5 min rollups this long (default 90d)");
  set.addDurationMs("retention.rollup_1h", &options.retention_1h_ms,
                    "keep 1 h rollups this long (default 730d)");
  set.addDurationMs("plan.window", &options.plan_window_ms,
                    "history the capacity forecasts are fitted to (default 30d)");
  struct PercentOption {
    const char* key;
    double* target;
    int64_t percent;
  };
  PercentOption percents[] = {
      {"plan.disk_percent", &options.plan_thresholds.disk, 85},
      {"plan.memory_percent", &options.plan_thresholds.memory, 80},
      {"plan.pier_percent", &options.plan_thresholds.pier, 85},
      {"plan.loom_percent", &options.plan_thresholds.loom, 85},
      {"plan.cpu_percent", &options.plan_thresholds.cpu, 80},
      {"plan.io_percent", &options.plan_thresholds.io, 70},
  };
  for (auto& percent : percents) {
    set.addInteger(percent.key, &percent.percent, 1, 100,
                   "forecast threshold, percent of capacity (default " +
                       std::to_string(percent.percent) + ")");
  }
  set.addDurationMs("reports.interval", &options.reports.interval_ms,
                    "write a fleet report this often, 0s for never (default 24h)");
  set.addString("reports.dir", &options.reports.directory,
                "folder for scheduled reports (default DATA_DIR/reports)");
  int64_t reports_keep = options.reports.keep;
  set.addInteger("reports.keep", &reports_keep, 1, 100'000,
                 "scheduled reports kept per format (default 30)");
  std::vector<std::string> report_formats = {"html", "json"};
  set.addStringList("reports.formats", &report_formats,
                    "formats of scheduled reports: md, html, json (default html and json)",
                    "--reports-format");
  set.addDurationMs("reports.since", &options.reports.history_ms,
                    "history each scheduled report looks at (default 30d)");
  set.addDurationMs("trigger_interval", &options.trigger_interval_ms,
                    "evaluate the scaling trigger rules this often (default 1m)");
  set.addDurationMs(
      "tuning.health_window", &options.tuning_health_window_ms,
      "canary hosts must stay healthy this long before a roll-out goes on (default 10m)");
  set.addDurationMs("tuning.recommend_interval", &options.tuning_recommend_interval_ms,
                    "run the tuning recommender over every host this often (default 10m)");
  set.addInteger("tuning.canary", &options.tuning_canary, 0, 1000,
                 "canary hosts per roll-out (default 1 when a roll-out spans several hosts)");
  std::string history_backend = "rocksdb";
  set.addString("history.backend", &history_backend,
                "where plan, triggers, reports and query read history: rocksdb (this "
                "controller's store, default) or promql (a Prometheus-compatible HTTP API)");
  set.addString("history.url", &options.history.url,
                "promql: the API's base URL, e.g. http://127.0.0.1:9090");
  set.addString("history.bearer_token_file", &options.history.bearer_token_file,
                "promql: file holding a bearer token sent with every request");
  set.addString("history.basic_auth_user", &options.history.basic_auth_user,
                "promql: HTTP basic auth user");
  set.addString("history.basic_auth_password_file", &options.history.basic_auth_password_file,
                "promql: file holding the basic auth password");
  set.addString("history.ca_file", &options.history.ca_file,
                "promql: PEM CA bundle for an https URL (default: the system's)");
  set.addDurationMs("history.timeout", &options.history.timeout_ms,
                    "promql: longest one HTTP request may take (default 30s)");
  auto& remote = options.remote_write;
  set.addString("remote_write.url", &remote.url,
                "export every ingested sample to this Prometheus remote-write URL (default off)");
  set.addString("remote_write.bearer_token", &remote.bearer_token,
                "remote write: Authorization: Bearer token");
  set.addString("remote_write.bearer_token_file", &remote.bearer_token_file,
                "remote write: file holding the bearer token");
  set.addString("remote_write.basic_auth_username", &remote.basic_auth_username,
                "remote write: basic auth user name");
  set.addString("remote_write.basic_auth_password", &remote.basic_auth_password,
                "remote write: basic auth password");
  set.addString("remote_write.basic_auth_password_file", &remote.basic_auth_password_file,
                "remote write: file holding the basic auth password");
  set.addString("remote_write.ca_file", &remote.ca_file,
                "remote write: CA bundle for an https URL (default: the system's)");
  set.addInteger("remote_write.batch_size", &remote.batch_size, 1, 100'000,
                 "remote write: most samples per request (default 2000)");
  set.addDurationMs("remote_write.flush_interval", &remote.flush_interval_ms,
                    "remote write: send a partial batch after this long (default 1s)");
  set.addInteger("remote_write.shards", &remote.shards, 1, 64,
                 "remote write: concurrent senders (default 4)");
  set.addInteger(
      "remote_write.queue_max_bytes", &remote.queue_max_bytes, int64_t{1} << 20, int64_t{1} << 40,
      "remote write: bound of the on-disk queue; the oldest samples go first (default 1 GiB)");
  set.addDurationMs("remote_write.timeout", &remote.timeout_ms,
                    "remote write: timeout of one request (default 30s)");
  set.addDurationMs("remote_write.self_metrics_interval", &remote.self_metrics_interval_ms,
                    "remote write: store its own health as series this often, 0s for never "
                    "(default 10s)");
  set.addString("remote_write.self_host", &remote.self_host,
                "remote write: host label of its health series (default: hostname)");
  set.addExternalKey("trigger");  // [[trigger]] rules: read by loadTriggerRules below
  set.require("data_dir");
  set.require("listen");
  parseCommandLine(app, argc, argv);
  set.resolve();
  options.config_path = set.configPath();
  options.limits.max_series_per_host = static_cast<uint64_t>(max_series);
  for (const auto& percent : percents) *percent.target = static_cast<double>(percent.percent) / 100;
  if (options.plan_window_ms < 3'600'000) {
    throw ConfigError("plan.window: need at least 1h of history to fit a trend (got " +
                      std::to_string(options.plan_window_ms / 1000) + "s)");
  }
  validateTcpEndpoint("--listen", options.listen, /*allow_wildcard_port=*/true);
  if (!options.insecure && options.curve_key.empty()) {
    throw ConfigError(
        "--curve-key is required: the agent link is CurveZMQ-encrypted by default (make a key "
        "pair with 'tidemark keys generate --out /etc/tidemark/controller'), or pass --insecure "
        "for plain TCP on a trusted lab network");
  }
  if (options.insecure && !options.curve_key.empty()) {
    throw ConfigError("--insecure and --curve-key exclude each other");
  }
  if (options.trigger_interval_ms < 1'000) {
    throw ConfigError("trigger_interval " + std::to_string(options.trigger_interval_ms) +
                      "ms: evaluate at most once a second");
  }
  if (options.tuning_health_window_ms < 1'000) {
    throw ConfigError("tuning.health_window " + std::to_string(options.tuning_health_window_ms) +
                      "ms: the canaries need at least 1s to show they are healthy");
  }
  if (options.tuning_recommend_interval_ms < 10'000) {
    throw ConfigError("tuning.recommend_interval " +
                      std::to_string(options.tuning_recommend_interval_ms) +
                      "ms: run the recommender at most every 10s");
  }
  if (history_backend == "promql") {
    options.history.backend = HistoryOptions::Backend::kPromql;
    if (options.history.url.rfind("http://", 0) != 0 &&
        options.history.url.rfind("https://", 0) != 0) {
      throw ConfigError("history.url: the promql backend needs an http:// or https:// URL (got \"" +
                        options.history.url + "\")");
    }
  } else if (history_backend != "rocksdb") {
    throw ConfigError("history.backend: \"" + history_backend + "\" is neither rocksdb nor promql");
  }
  if (options.history.timeout_ms < 100) {
    throw ConfigError("history.timeout " + std::to_string(options.history.timeout_ms) +
                      "ms: give the API at least 100ms");
  }
  if (options.history.basic_auth_user.empty() != options.history.basic_auth_password_file.empty()) {
    throw ConfigError("history: basic_auth_user and basic_auth_password_file go together");
  }
  remote_write::validateRemoteWriteOptions(options.remote_write);
  options.remote_write.queue_dir = options.data_dir + "/remote_write";
  options.trigger_rules = loadTriggerRules(set.configPath());
  if (options.pki_dir.empty()) options.pki_dir = options.data_dir + "/pki";
  if (options.reports.directory.empty()) options.reports.directory = options.data_dir + "/reports";
  options.reports.keep = reports_keep;
  // A short interval (a test, a demo) gets its first report one interval after start.
  options.reports.first_delay_ms =
      std::min(options.reports.first_delay_ms, options.reports.interval_ms);
  options.reports.formats.clear();
  for (const auto& format : report_formats) {
    try {
      options.reports.formats.push_back(report::parseReportFormat(format));
    } catch (const std::invalid_argument& error) {
      throw ConfigError(std::string("reports.formats: ") + error.what());
    }
  }
  if (options.reports.interval_ms < 0 || options.reports.history_ms <= 0) {
    throw ConfigError("reports: interval must be 0 (off) or positive and since positive");
  }
  // Rollups are built from raw samples as they are sealed, so any order works; but a
  // coarser resolution kept shorter than a finer one is almost surely a typo.
  if (options.retention_raw_ms < 3'600'000 || options.retention_5m_ms < options.retention_raw_ms ||
      options.retention_1h_ms < options.retention_5m_ms) {
    throw ConfigError("retention: need raw >= 1h and raw <= rollup_5m <= rollup_1h (got raw " +
                      std::to_string(options.retention_raw_ms / 1000) + "s, rollup_5m " +
                      std::to_string(options.retention_5m_ms / 1000) + "s, rollup_1h " +
                      std::to_string(options.retention_1h_ms / 1000) + "s)");
  }
  return options;
}

}  // namespace tidemark::controller
