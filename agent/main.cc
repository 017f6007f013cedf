// tidemark-agent: samples this host and sends batches to the controller.
#include <malloc.h>
#include <sys/resource.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "agent/agent.h"
#include "agent/agent_options.h"
#include "agent/check_config.h"
#include "common/config/check_config.h"
#include "common/config/option_set.h"
#include "agent/collectors/host_collectors.h"
#include "agent/facts/host_facts.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/make_read_batch.h"
#include "agent/sandbox_main.h"
#include "agent/tuner/make_tuner.h"
#include "common/logging/setup.h"
#include "common/process/stop_signal.h"
#include "common/transport/curve_keys.h"

int main(int argc, char** argv) {
  using namespace tidemark;
  using namespace tidemark::agent;
  // One malloc arena for every thread: glibc's default gives each thread that
  // allocates (ZMQ's I/O thread, the statfs worker) its own arena, whose freed
  // pages stay resident; the agent's threads allocate too little to contend.
  mallopt(M_ARENA_MAX, 1);
  // Up to the hard limit: the ship collector keeps three folder fds per pier and the
  // read batches one per /proc/PID/stat, which passes 1024 (a common soft limit) at
  // a few hundred ships. Without it, stats fall back to absolute paths.
  if (struct rlimit files {}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }
  StopSignal stop_signal;
  AgentOptions options;
  try {
    options = parseAgentOptions(argc, argv);
    setupLogging("tidemark-agent", options.log_level);
    if (options.check_config) {  // before anything that creates or binds
      checkAgentFiles(options);
      printf("%s\n", checkConfigOkLine("tidemark-agent", options.config_path).c_str());
      return 0;
    }
  } catch (const CommandLineExit& e) {
    return e.code;
  } catch (const std::exception& e) {
    fprintf(stderr, "tidemark-agent: %s\n", e.what());
    return 2;
  }
  if (options.print_sandbox) return printSandbox(options);
  if (!options.insecure) {
    try {
      readCurveSecretKeyFile(options.curve_key);
      readCurvePublicKeyFile(options.controller_pub);
    } catch (const std::exception& e) {
      fprintf(stderr, "tidemark-agent: %s\n", e.what());
      return 2;
    }
  }
  try {
    SystemClock clock;
    StateDir state(options.state_dir);
    SeriesRegistry registry(state.seriesJournalPath());
    PlainFileReader reader(options.root);
    ReadBatchPtr batch = makeReadBatch(options.root, *parseIoBackendChoice(options.io));

    HostCollectorOptions collector_options;
    collector_options.slow_interval_ms = options.slow_interval_ms;
    collector_options.filesystems.include_network = options.filesystems_include_network;
    collector_options.filesystems.include_fuse = options.filesystems_include_fuse;
    collector_options.filesystems.statfs_timeout_ms = options.statfs_timeout_ms;
    collector_options.ships.pier_roots = options.pier_roots;
    collector_options.ships.ship_logs = options.ship_logs;
    collector_options.ships.maintenance_log_path = options.state_dir + "/maintenance.log";
    collector_options.ships.pack_evidence_path = options.state_dir + "/pack_evidence.log";
    collector_options.ships.pier_walk_interval_ms = options.pier_walk_interval_ms;
    collector_options.ships.process_scan_interval_ms = options.ship_scan_interval_ms;
    collector_options.ships.map_count_interval_ms = options.slow_interval_ms;
    collector_options.ships.process_stats = *parseProcessStatsSource(options.process_stats);
    // The ships' process scan and pier walks need their own rounds of reads, on the
    // same backend as the main batch (no second fallback line when io_uring is refused).
    ReadBatchPtr side_batch =
        makeReadBatch(options.root, batch->backend() == "plain" ? IoBackendChoice::kPlain
                                                                : IoBackendChoice::kIoUring);
    HostCollectors collectors(reader, *side_batch, clock, collector_options);

    AgentConfig config;
    config.host_id = options.host_id;
    config.interval_ms = options.interval_ms;
    config.outbox.max_batches = static_cast<size_t>(options.outbox_max_batches);
    config.outbox.max_bytes = static_cast<size_t>(options.outbox_max_bytes);
    config.hello.agent_version = TIDEMARK_VERSION;
    config.hello.boot_id = readBootId(reader);
    config.hello.facts = readHostFacts(reader);

    zmq::context_t context(1);
    LinkOptions link_options;
    link_options.controller = options.controller;
    link_options.reconnect_max_ms = static_cast<int>(options.reconnect_max_ms);
    if (!options.insecure) {
      CurveKeyPair keys = readCurveSecretKeyFile(options.curve_key);
      link_options.curve_public_key = keys.public_key;
      link_options.curve_secret_key = keys.secret_key;
      link_options.controller_public_key = readCurvePublicKeyFile(options.controller_pub);
      spdlog::info("agent key {} (CurveZMQ), controller pinned to {}", keys.public_key,
                   link_options.controller_public_key);
    }
    ControllerLink link(context, link_options);

    if (options.insecure) {
      spdlog::warn("INSECURE: sending to {} over plain TCP without CurveZMQ: anyone on the path "
                   "can read and forge this host's data", options.controller);
    }
    spdlog::info("tidemark-agent {} host={} controller={} interval={}ms root={} io={} state_dir={} "
                 "epoch={:016x}",
                 TIDEMARK_VERSION, options.host_id, options.controller, options.interval_ms,
                 options.root, batch->backend(), options.state_dir, state.epoch());
    Agent agent(config, clock, state, registry, link, *batch, collectors.take());
    // Declared after the agent's dependencies and before the run: the worker finishes a
    // running job before the agent's objects go away. Nothing is reverted on exit.
    std::unique_ptr<tuner::Tuner> tuner;
    std::unique_ptr<tuner::TuningWorker> tuning_worker;
    if (options.tuning.disabled) {
      spdlog::info("tuning off (--tuning-disabled): every tuning command is refused");
    } else {
      tuner = tuner::makeTuner(options, clock);
      tuning_worker = std::make_unique<tuner::TuningWorker>(*tuner);
      agent.attachTuning(*tuning_worker, options.tuning.survey_interval_ms);
    }
    agent.run([&] { return stop_signal.requested(); }, stop_signal.wakeFd());
    const auto& stats = agent.stats();
    // Counted since the state dir was created, not since this process started.
    spdlog::info("tidemark-agent stopped: samples_collected={} samples_acked={} samples_dropped={}",
                 stats.samples_collected, stats.samples_acked, stats.samples_dropped);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
