// The agent's options: flags, and the same keys in a TOML file (--config).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tidemark::agent {

// Tuning: what the controller may change here, and how ship jobs are run. Empty
// strings and zero durations mean the tuner's defaults (README, Tuning).
struct AgentTuningOptions {
  bool disabled = false;  // refuse every tuning command
  // The local allow-list (TOML). Empty: the built-in default policy.
  std::string policy;
  // Every knob's value goes to the controller this often (and after every change). Default: 5 min.
  int64_t survey_interval_ms = 300'000;
  std::vector<std::string> extra_sysctls;
  std::string remount_command;
  std::string stop_command;
  std::string start_command;
  std::string pack_command;
  std::string meld_command;
  std::string roll_command;
  std::string chop_command;
  std::string pack_live_command;
  std::string loom_file;
  std::string loom_key;
  int64_t stop_timeout_ms = 0;
  int64_t start_timeout_ms = 0;
  int64_t job_timeout_ms = 0;
};

struct AgentOptions {
  // Controller endpoint, tcp://HOST:PORT. Required.
  std::string controller;
  // This host's name in the fleet. Default: the kernel's hostname.
  std::string host_id;
  // Epoch, sequences, series journal. Default: /var/lib/tidemark-agent.
  std::string state_dir = "/var/lib/tidemark-agent";
  // Collection and batch interval. Default: 10 s; at least 1 s.
  int64_t interval_ms = 10'000;
  // Root the host is read under ("/" in production, a fixture tree in tests).
  std::string root = "/";
  // This agent's CurveZMQ secret key file (PREFIX.key). Required unless insecure.
  std::string curve_key;
  // The controller's public key file: the only server this agent talks to.
  std::string controller_pub;
  // Plain TCP without CurveZMQ. Default: false.
  bool insecure = false;
  std::string log_level = "info";
  // How /proc and /sys are read: "auto" (io_uring, else plain reads with one log line
  // saying why), "io_uring" (fail when refused) or "plain". Default: auto.
  std::string io = "auto";
  // How often slow sysfs files (cpufreq) are re-read. Default: 5 min.
  int64_t slow_interval_ms = 300'000;
  // Filesystems of these kinds are skipped unless asked for: a hung server must not stall us.
  bool filesystems_include_network = false;
  bool filesystems_include_fuse = false;
  // Longest wait for one statfs. Default: 1 s.
  int64_t statfs_timeout_ms = 1'000;
  // Folders whose subfolders holding .urb/ are Urbit piers, reported even when down.
  std::vector<std::string> pier_roots;
  // Full walks of every pier's files; in between only the growing files are statted. Default: 5 min.
  int64_t pier_walk_interval_ms = 300'000;
  // Full scans of every process's command line for ships. Default: 30 s.
  int64_t ship_scan_interval_ms = 30'000;
  // Where ship processes' CPU and memory come from: "auto" (the BPF task iterator where
  // the kernel allows it and it measures cheaper than /proc), "proc" or "bpf". Default: auto.
  std::string process_stats = "auto";
  // Ship logs to count memory failures in, by pier path or ship name. Default: none.
  std::map<std::string, std::string> ship_logs;
  // Unacknowledged batches kept in the outbox (STATE_DIR/outbox). Default: 8640 (a day at 10 s).
  int64_t outbox_max_batches = 8640;
  // Bytes of unacknowledged batches kept (about 12 a sample). Default: 64 MiB.
  int64_t outbox_max_bytes = 64ll << 20;
  // Longest wait between reconnect attempts (the backoff's cap). Default: 60 s.
  int64_t reconnect_max_ms = 60'000;
  AgentTuningOptions tuning;
  // --print-sandbox (command line only): print what a sandboxed agent needs and exit;
  // --controller and the keys are not needed then.
  bool print_sandbox = false;
  // --check-config (command line only): check the options and the files they name, then exit.
  bool check_config = false;
  // The --config file, empty when none (named by --check-config's OK line).
  std::string config_path;
};

// Parses argv (and the --config file). Throws ConfigError or CLI::ParseError.
AgentOptions parseAgentOptions(int argc, char** argv);

}  // namespace tidemark::agent
