// The controller's options: flags, and the same keys in a TOML file (--config).
#pragma once

#include <string>
#include <vector>

#include "controller/history/history_options.h"
#include "controller/store/store_options.h"

#include "controller/ingest/batch_ingester.h"
#include "controller/planner/forecast.h"
#include "controller/report/report_schedule.h"
#include "controller/planner/triggers/trigger_rule.h"
#include "controller/remote_write/remote_write_options.h"

namespace tidemark::controller {

struct ControllerOptions {
  // RocksDB folder. Required.
  std::string data_dir;
  // Agent link endpoint, tcp://HOST:PORT. Required.
  std::string listen;
  // CLI admin socket. Default: /run/tidemark/controller.sock.
  std::string admin_socket = "/run/tidemark/controller.sock";
  // The controller's CurveZMQ secret key file (PREFIX.key). Required unless insecure.
  std::string curve_key;
  // Allow-list of agent keys (accepted/, pending/, denied/). Default: DATA_DIR/pki.
  std::string pki_dir;
  // Plain TCP without CurveZMQ and without an allow-list. Default: false.
  bool insecure = false;
  // fsync each group commit. Default: true.
  bool sync_writes = true;
  std::string log_level = "info";
  IngestLimits limits;
  // Retention per resolution. Defaults: raw 15 d, 5 min rollups 90 d, 1 h rollups 730 d.
  int64_t retention_raw_ms = 15 * kDayMs;
  int64_t retention_5m_ms = 90 * kDayMs;
  int64_t retention_1h_ms = 730 * kDayMs;
  // `tidemark plan`: the history trends are fitted to, and the share of capacity at
  // which each resource counts as exhausted ([plan] in the config, in percent).
  // Defaults: 30 d; disk 85, memory 80, pier 85, loom 85, cpu 80, io 70.
  int64_t plan_window_ms = 30 * kDayMs;
  planner::Thresholds plan_thresholds;
  // Scheduled reports ([reports]): every interval (0: off; default 24 h) into a folder
  // (default DATA_DIR/reports), keeping the newest `keep` of each format.
  ReportScheduleOptions reports;
  // How often every trigger rule is evaluated. Default: 1 min.
  int64_t trigger_interval_ms = 60'000;
  // The `[[trigger]]` tables of the --config file over the default rules
  // (trigger_config.h). Default: defaultTriggerRules().
  std::vector<TriggerRule> trigger_rules;
  // Tuning ([tuning] in the config). health_window: how long the canary hosts of a
  // roll-out must stay healthy after applying before the rest is sent (default 10m,
  // at least 1s). recommend_interval: how often the recommender looks at every host
  // (default 10m, at least 10s). canary: canary hosts per roll-out approved without
  // --canary, 0 to 1000 (default -1, unset: 1 when a roll-out spans several hosts).
  int64_t tuning_health_window_ms = 10 * 60'000;
  int64_t tuning_recommend_interval_ms = 10 * 60'000;
  int64_t tuning_canary = -1;
  // --check-config (command line only): check the options and the files they name, then exit.
  bool check_config = false;
  // The --config file, empty when none (named by --check-config's OK line).
  std::string config_path;
  // Where the planner, triggers, reports, tuning observations and `tidemark query`
  // read history ([history]): this controller's store (default) or a shared
  // Prometheus-compatible API. Ingest always writes the controller's own store.
  HistoryOptions history;
  // Prometheus remote write of every ingested sample ([remote_write]); off unless
  // remote_write.url is set. The queue lives in DATA_DIR/remote_write.
  remote_write::RemoteWriteOptions remote_write;
};

// Parses argv (and the --config file). Throws ConfigError; CLI11's --help and
// usage errors surface as CLI::ParseError for the caller to print with app.exit().
ControllerOptions parseControllerOptions(int argc, char** argv);

}  // namespace tidemark::controller
