#include "agent/agent_options.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>

#include "agent/io/make_read_batch.h"
#include "agent/ships/ship_collector.h"
#include "common/config/check_config.h"
#include "common/config/option_set.h"
#include "common/errors/error.h"
#include "common/metrics/host_id.h"
#include "common/transport/endpoint.h"

namespace tidemark::agent {

AgentOptions parseAgentOptions(int argc, char** argv) {
  AgentOptions options;
  CLI::App app("tidemark-agent: samples this host and sends batches to the controller",
               "tidemark-agent");
  OptionSet set(app);
  addCheckConfigFlag(app, &options.check_config);
  set.addString("controller", &options.controller, "controller endpoint, tcp://HOST:PORT");
  set.addString("host_id", &options.host_id, "this host's name in the fleet (default: hostname)");
  set.addString("state_dir", &options.state_dir, "state folder (default /var/lib/tidemark-agent)");
  set.addDurationMs("interval", &options.interval_ms,
                    "collection interval, 1s or more (default 10s)");
  set.addString("root", &options.root, "read the host under this root (default /)");
  set.addString("curve_key", &options.curve_key,
                "this agent's CurveZMQ secret key file (tidemark keys generate --out PREFIX)");
  set.addString("controller_pub", &options.controller_pub,
                "the controller's public key file; no other server is trusted");
  set.addFlag("insecure", &options.insecure, "send over plain TCP without CurveZMQ (lab use only)");
  set.addString("log_level", &options.log_level, "trace, debug, info, warn, error");
  set.addString("io", &options.io,
                "how /proc and /sys are read: auto (io_uring, procfs reads inline where "
                "cheaper; else plain), io_uring, plain");
  set.addDurationMs("slow_interval", &options.slow_interval_ms,
                    "re-read slow sysfs files (cpufreq) this often (default 5m)");
  set.addFlag("filesystems.include_network", &options.filesystems_include_network,
              "also stat network filesystems (nfs, cifs, ...)");
  set.addFlag("filesystems.include_fuse", &options.filesystems_include_fuse,
              "also stat FUSE filesystems");
  set.addDurationMs("filesystems.statfs_timeout", &options.statfs_timeout_ms,
                    "longest wait for one statfs (default 1s)");
  set.addStringList("pier_roots", &options.pier_roots,
                    "a folder whose subfolders holding .urb/ are Urbit piers (repeatable)",
                    "--pier-root");
  set.addDurationMs("pier_walk_interval", &options.pier_walk_interval_ms,
                    "walk every pier's files this often; cheap stats in between (default 5m)");
  set.addDurationMs("ship_scan_interval", &options.ship_scan_interval_ms,
                    "scan every process for Urbit ships this often (default 30s)");
  set.addString("process_stats", &options.process_stats,
                "where ship processes' CPU and memory come from: auto (the BPF task iterator "
                "where the kernel allows it and it measures cheaper, else /proc), proc, bpf");
  set.addStringMap("ship_logs", &options.ship_logs,
                   "PIER=PATH: count memory failures in this ship's log (repeatable; PIER is "
                   "the pier path or the ship name)",
                   "--ship-log");
  set.addInteger("outbox_max_batches", &options.outbox_max_batches, 1, 10'000'000,
                 "unacknowledged batches kept (default 8640)");
  set.addInteger("outbox_max_bytes", &options.outbox_max_bytes, 1ll << 16, 1ll << 40,
                 "bytes of unacknowledged batches kept on disk (default 67108864, 64 MiB)");
  set.addDurationMs("reconnect_max", &options.reconnect_max_ms,
                    "longest wait between reconnect attempts, jittered (default 60s)");
  AgentTuningOptions& tuning = options.tuning;
  set.addString("policy", &tuning.policy,
                "the local tuning policy (TOML): which knobs the controller may change, to "
                "which values (default: the built-in policy)");
  set.addFlag("tuning.disabled", &tuning.disabled, "refuse every tuning command");
  set.addDurationMs("tuning.survey_interval", &tuning.survey_interval_ms,
                    "report every knob's value this often (default 5m)");
  set.addStringList("tuning.extra_sysctls", &tuning.extra_sysctls,
                    "an integer sysctl the controller may also tune (repeatable)",
                    "--extra-sysctl");
  set.addString("tuning.remount_command", &tuning.remount_command,
                "remounts with an atime option (default: mount -o remount,{option} {mountpoint})");
  set.addString("tuning.stop_command", &tuning.stop_command,
                "stops a ship gracefully (default: systemctl stop urbit@{ship})");
  set.addString("tuning.start_command", &tuning.start_command,
                "starts a ship (default: systemctl start urbit@{ship})");
  set.addString("tuning.pack_command", &tuning.pack_command,
                "offline pack (default: urbit pack {pier})");
  set.addString("tuning.meld_command", &tuning.meld_command,
                "offline meld (default: urbit meld {pier})");
  set.addString("tuning.roll_command", &tuning.roll_command,
                "offline roll (default: urbit roll {pier})");
  set.addString("tuning.chop_command", &tuning.chop_command,
                "offline chop (default: urbit chop {pier})");
  set.addString("tuning.pack_live_command", &tuning.pack_live_command,
                "packs a running ship ({ship}, {pier})");
  set.addString("tuning.loom_file", &tuning.loom_file,
                "a ship's service config holding its loom (default: /etc/default/urbit-{ship})");
  set.addString("tuning.loom_key", &tuning.loom_key, "the loom's key in that file (default: LOOM)");
  set.addDurationMs("tuning.stop_timeout", &tuning.stop_timeout_ms,
                    "longest wait for a ship to stop and free its pier lock (default 2m)");
  set.addDurationMs("tuning.start_timeout", &tuning.start_timeout_ms,
                    "longest wait for a ship to be up again (default 2m)");
  set.addDurationMs("tuning.job_timeout", &tuning.job_timeout_ms,
                    "longest a maintenance step may run before it is killed (default 2h)");
  // A mode, not an option: no TOML key.
  app.add_flag("--print-sandbox", options.print_sandbox,
               "print the paths and capabilities this host's policy needs (JSON) and exit");
  parseCommandLine(app, argc, argv);
  // --print-sandbox talks to no controller.
  if (!options.print_sandbox) set.require("controller");
  set.resolve();
  options.config_path = set.configPath();

  if (!options.print_sandbox) {
    validateTcpEndpoint("--controller", options.controller, /*allow_wildcard_port=*/false);
  }
  if (options.insecure && (!options.curve_key.empty() || !options.controller_pub.empty())) {
    throw ConfigError("--insecure excludes --curve-key and --controller-pub");
  }
  if (!options.print_sandbox && !options.insecure &&
      (options.curve_key.empty() || options.controller_pub.empty())) {
    throw ConfigError(
        "--curve-key and --controller-pub are required: the link to the controller is "
        "CurveZMQ-encrypted by default (or pass --insecure for plain TCP on a trusted lab "
        "network)");
  }
  if (!parseIoBackendChoice(options.io)) {
    throw ConfigError("--io: \"" + options.io + "\" is not one of auto, io_uring, plain");
  }
  if (!parseProcessStatsSource(options.process_stats)) {
    throw ConfigError("--process-stats: \"" + options.process_stats +
                      "\" is not one of auto, proc, bpf");
  }
  if (options.interval_ms < 1000) {
    throw ConfigError("--interval: " + std::to_string(options.interval_ms) +
                      "ms is below the 1s minimum");
  }
  if (options.reconnect_max_ms < 100 || options.reconnect_max_ms > 3'600'000) {
    throw ConfigError("--reconnect-max: must be between 100ms and 1h");
  }
  if (options.statfs_timeout_ms < 10) {
    throw ConfigError("--filesystems-statfs-timeout: must be at least 10ms");
  }
  for (const auto& root : options.pier_roots) {
    if (root.empty() || root.front() != '/') {
      throw ConfigError("--pier-root: \"" + root + "\" is not an absolute path");
    }
  }
  for (const auto& [pier, log] : options.ship_logs) {
    if (log.front() != '/') {
      throw ConfigError("--ship-log: the log of " + pier + " (\"" + log +
                        "\") is not an absolute path");
    }
  }
  if (options.pier_walk_interval_ms < 1000) {
    throw ConfigError("--pier-walk-interval: must be at least 1s");
  }
  if (options.ship_scan_interval_ms < 1000) {
    throw ConfigError("--ship-scan-interval: must be at least 1s");
  }
  if (tuning.survey_interval_ms < 1000) {
    throw ConfigError("--tuning-survey-interval: must be at least 1s");
  }
  options.host_id = hostIdOrHostname(options.host_id, "--host-id");
  return options;
}

}  // namespace tidemark::agent
