// The `[remote_write]` table of the controller's config: where every ingested sample
// is exported with the Prometheus remote-write 1.0 protocol, and how.
#pragma once

#include <cstdint>
#include <string>

namespace tidemark::controller::remote_write {

struct RemoteWriteOptions {
  // http:// or https:// endpoint (Prometheus: /api/v1/write). Empty: export is off.
  std::string url;
  // At most one kind of authentication: a bearer token (inline or from a file), or
  // basic auth (user name plus password inline or from a file).
  std::string bearer_token;
  std::string bearer_token_file;
  std::string basic_auth_username;
  std::string basic_auth_password;
  std::string basic_auth_password_file;
  // CA bundle to verify an https server with instead of the system's. Certificates are
  // always verified: there is deliberately no switch to turn that off.
  std::string ca_file;
  // Most samples per request. Default: 2000.
  int64_t batch_size = 2000;
  // A request goes out when it is full or its oldest sample waited this long. Default: 1 s.
  int64_t flush_interval_ms = 1000;
  // Concurrent senders; a series always goes through the same one, in order. Default: 4.
  int64_t shards = 4;
  // Bound of the on-disk queue (DATA_DIR/remote_write) over all shards; beyond it the
  // oldest samples are dropped. Default: 1 GiB.
  int64_t queue_max_bytes = int64_t{1} << 30;
  // Whole-request timeout (connect, send, answer). Default: 30 s.
  int64_t timeout_ms = 30'000;
  // The exporter's own health is stored as series (self_metrics.h) this often, under
  // host `self_host`; 0 turns that off. Defaults: 10 s, the machine's hostname.
  int64_t self_metrics_interval_ms = 10'000;
  std::string self_host;
  // The queue's folder; set by the controller to DATA_DIR/remote_write.
  std::string queue_dir;

  bool enabled() const { return !url.empty(); }
};

// Checks the options (URL scheme, one auth kind, readable files, ranges) and reads the
// secrets from their files into bearer_token / basic_auth_password. Throws
// ConfigError naming the key (remote_write.KEY), the value or path, and the reason.
void validateRemoteWriteOptions(RemoteWriteOptions& options);

}  // namespace tidemark::controller::remote_write
