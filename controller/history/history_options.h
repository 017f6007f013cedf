// [history]: where the planner, triggers, reports, tuning observations and
// `tidemark query` read the fleet's history from.
#pragma once

#include <cstdint>
#include <string>

namespace tidemark::controller {

struct HistoryOptions {
  enum class Backend {
    kRocksdb,  // the controller's own store (default)
    kPromql,   // a Prometheus-compatible HTTP query API shared by several controllers
  };
  Backend backend = Backend::kRocksdb;
  // promql: the API's base URL; /api/v1/query etc. are appended
  // (Prometheus: http://HOST:9090, VictoriaMetrics: http://HOST:8428).
  std::string url;
  // promql: credentials and trust, as for remote write. The files are read at start.
  std::string bearer_token_file;
  std::string basic_auth_user;
  std::string basic_auth_password_file;
  std::string ca_file;  // PEM bundle that signs the server's certificate; empty: the system's
  // promql: the longest one HTTP request may take (connect + answer). Default: 30 s.
  int64_t timeout_ms = 30'000;
  // promql: points a range query may return per series; longer ranges are split.
  // Prometheus refuses more than 11,000.
  int64_t max_points_per_query = 11'000;
  // promql: how far back last values are searched. The embedded store finds a
  // series' newest sample however old; an HTTP API has to be given a range. Ships
  // silent longer than this drop out of `tidemark ships`. Default: 7 d (when a ship
  // counts as removed, kShipForgottenAfterMs).
  int64_t last_value_lookback_ms = 7 * 24 * 3'600'000LL;
};

}  // namespace tidemark::controller
