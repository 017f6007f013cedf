// tidemark-fleet-sim: N simulated agents against one controller, for soak tests.
//
// Each simulated agent has its own DEALER socket and CurveZMQ key pair, pins the
// controller's public key, and behaves like tidemark-agent on the wire (see
// sim_worker.h). Optionally it enrols the agents first by writing their public keys
// into the controller's pki dir (accepted/HOST), as Ansible does. Every agent costs
// two file descriptors, so when RLIMIT_NOFILE (raised to its hard limit) cannot hold
// them all in one process the agents are split over several forked processes, each
// with its own ZeroMQ context; counters and results meet in shared memory. At the end it
// waits up to --drain for outstanding acks and prints a summary whose last line is
// machine-readable:
//   soak agents=N series=S interval_s=I duration_s=D samples_per_s=X ack_p50_ms=A
//        ack_p99_ms=B samples_collected=C samples_acked=K samples_lost=L warmup_s=W
//        connect_p50_ms=.. connect_p99_ms=.. resent_batches=.. ack_timeouts=.. sim_cpu_pct=..
// With --warmup, samples_per_s and the ack latencies are those of [warmup, duration).
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <random>
#include <thread>

#include "bench/fleet_sim/sim_worker.h"
#include "common/config/option_set.h"
#include "common/errors/error.h"
#include "common/process/stop_signal.h"
#include "common/transport/endpoint.h"

namespace fs = std::filesystem;
using namespace tidemark;
using namespace tidemark::fleet_sim;

namespace {

struct Options {
  std::string controller;
  std::string controller_pub;
  std::string pki_dir;
  bool insecure = false;
  int64_t agents = 100;
  int64_t series = 300;
  int64_t interval_ms = 10'000;
  int64_t duration_ms = 120'000;
  int64_t drain_ms = 30'000;
  int64_t warmup_ms = 0;
  int64_t ramp_ms = 0;
  int64_t ack_timeout_ms = 0;
  int64_t threads = 2;
  int64_t processes = 0;
  int64_t io_threads = 1;
  int64_t progress_ms = 10'000;
};

Options parseOptions(int argc, char** argv) {
  Options o;
  CLI::App app("tidemark-fleet-sim: simulates a fleet of agents against a controller",
               "tidemark-fleet-sim");
  OptionSet set(app);
  set.addString("controller", &o.controller, "controller agent endpoint, tcp://HOST:PORT");
  set.addString("controller_pub", &o.controller_pub, "the controller's public key file (pinned)");
  set.addString("pki_dir", &o.pki_dir,
                "write each agent's public key into DIR/accepted/HOST before connecting");
  set.addFlag("insecure", &o.insecure, "plain TCP, no CurveZMQ (controller started --insecure)");
  set.addInteger("agents", &o.agents, 1, 1'000'000, "simulated agents (default 100)");
  set.addInteger("series", &o.series, 1, 100'000, "series per agent (default 300)");
  set.addDurationMs("interval", &o.interval_ms, "batch interval per agent (default 10s)");
  set.addDurationMs("duration", &o.duration_ms, "how long agents collect (default 120s)");
  set.addDurationMs("drain", &o.drain_ms, "longest wait for outstanding acks at the end (default 30s)");
  set.addDurationMs("ramp", &o.ramp_ms,
                    "agents join over this long, a slice every interval (default 0: all at once)");
  set.addDurationMs("warmup", &o.warmup_ms,
                    "start of the steady-state window the soak line reports (default 0: the whole run)");
  set.addDurationMs("ack_timeout", &o.ack_timeout_ms,
                    "resend unacked batches after this (default max(3 intervals, 10s), as the agent)");
  set.addInteger("threads", &o.threads, 1, 256, "worker threads, each owning a slice of agents (default 2)");
  set.addInteger("processes", &o.processes, 0, 1024,
                 "processes to spread the agents over (default 0: as few as RLIMIT_NOFILE allows)");
  set.addInteger("io_threads", &o.io_threads, 1, 64, "ZeroMQ I/O threads per process (default 1)");
  set.addDurationMs("progress", &o.progress_ms, "progress line every this long on stderr (default 10s)");
  set.require("controller");
  app.parse(argc, argv);
  set.resolve();
  validateTcpEndpoint("--controller", o.controller, /*allow_wildcard_port=*/false);
  if (o.insecure && (!o.controller_pub.empty() || !o.pki_dir.empty())) {
    throw ConfigError("--insecure excludes --controller-pub and --pki-dir");
  }
  if (!o.insecure && o.controller_pub.empty()) {
    throw ConfigError("--controller-pub is required (or --insecure for a plain-TCP controller)");
  }
  if (o.interval_ms < 1000) throw ConfigError("--interval: at least 1s");
  if (o.duration_ms < 1000) throw ConfigError("--duration: at least 1s");
  if (o.ramp_ms < 0 || o.ramp_ms >= o.duration_ms) {
    throw ConfigError("--ramp: from 0 to less than --duration");
  }
  if (o.warmup_ms < 0 || o.warmup_ms >= o.duration_ms) {
    throw ConfigError("--warmup: from 0 to less than --duration");
  }
  if (o.ack_timeout_ms == 0) o.ack_timeout_ms = std::max<int64_t>(3 * o.interval_ms, 10'000);
  if (o.progress_ms < 100) throw ConfigError("--progress: at least 100ms");
  return o;
}

// Every agent costs two descriptors (its TCP connection and its socket's mailbox
// eventfd); the rest is the context's own (I/O threads, reaper), epoll and stdio.
constexpr size_t kFilesPerAgent = 2;
constexpr size_t kFilesReserved = 256;

// Raises the soft RLIMIT_NOFILE to the hard one (and the hard one to what `agents`
// need, which works only with CAP_SYS_RESOURCE). Returns the soft limit.
rlim_t raiseFileLimit(size_t agents) {
  const rlim_t needed = static_cast<rlim_t>(agents * kFilesPerAgent + kFilesReserved);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    throw std::runtime_error(std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    rlimit raised{needed, needed};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised{limit.rlim_max, limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur < kFilesReserved + 16 * kFilesPerAgent) {
    throw std::runtime_error("RLIMIT_NOFILE is " + std::to_string(limit.rlim_cur) +
                             ": too low to simulate agents; raise it (ulimit -n)");
  }
  return limit.rlim_cur;
}

// As Ansible would: DIR/accepted/HOST holds the agent's public key. Written to a
// temporary name outside accepted/ first, then renamed, so the controller never
// reads half a file.
void enrol(const std::string& pki_dir, const std::vector<AgentIdentity>& agents) {
  fs::create_directories(fs::path(pki_dir) / "accepted");
  for (const auto& a : agents) {
    const fs::path temp = fs::path(pki_dir) / (".fleet-sim-" + a.host + ".tmp");
    {
      std::ofstream out(temp, std::ios::trunc);
      out << "# enrolled by tidemark-fleet-sim\n" << a.keys.public_key << "\n";
      if (!out) throw std::runtime_error("cannot write " + temp.string());
    }
    fs::rename(temp, fs::path(pki_dir) / "accepted" / a.host);
  }
}

double ms(uint64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace

int main(int argc, char** argv) {
  StopSignal stop_signal;  // before any thread
  Options o;
  try {
    o = parseOptions(argc, argv);
  } catch (const CLI::ParseError& e) {
    CLI::App app("tidemark-fleet-sim");
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tidemark-fleet-sim: %s\n", e.what());
    return 2;
  }

  SimConfig config;
  config.controller = o.controller;
  config.agents = static_cast<size_t>(o.agents);
  config.series = static_cast<size_t>(o.series);
  config.interval_ms = o.interval_ms;
  config.duration_ms = o.duration_ms;
  config.drain_ms = o.drain_ms;
  config.warmup_ms = o.warmup_ms;
  config.ramp_ms = o.ramp_ms;
  config.ack_timeout_ms = o.ack_timeout_ms;
  config.threads = std::min<size_t>(static_cast<size_t>(o.threads), config.agents);
  config.catalog = buildCatalog(config.series);
  for (size_t i = 0; i < config.catalog.size(); ++i) {
    config.announcements.push_back(
        {static_cast<uint32_t>(i), config.catalog[i].name, config.catalog[i].labels});
  }

  std::vector<AgentIdentity> identities(config.agents);
  size_t processes = 1;
  size_t threads_per_process = 1;
  try {
    const rlim_t files = raiseFileLimit(config.agents);
    const size_t per_process = (files - kFilesReserved) / kFilesPerAgent;
    processes = o.processes > 0 ? static_cast<size_t>(o.processes)
                                : (config.agents + per_process - 1) / per_process;
    processes = std::min(processes, config.agents);
    const size_t largest = (config.agents + processes - 1) / processes;
    if (largest > per_process) {
      throw std::runtime_error(
          std::to_string(largest) + " agents in one process need about " +
          std::to_string(largest * kFilesPerAgent + kFilesReserved) +
          " open files, but RLIMIT_NOFILE is " + std::to_string(files) +
          ": raise it (ulimit -n as root) or use more --processes");
    }
    threads_per_process = std::max<size_t>(1, config.threads / processes);
    if (!o.insecure) config.controller_public = readCurvePublicKeyFile(o.controller_pub);
    std::random_device device;
    for (size_t i = 0; i < config.agents; ++i) {
      auto& id = identities[i];
      id.index = i;
      char host[32];
      std::snprintf(host, sizeof host, "sim-%05zu", i + 1);
      id.host = host;
      if (!o.insecure) id.keys = generateCurveKeyPair();
      id.epoch = (static_cast<uint64_t>(device()) << 32) ^ device();
      id.seed = (static_cast<uint64_t>(device()) << 32) ^ device() ^ i;
    }
    if (!o.pki_dir.empty()) enrol(o.pki_dir, identities);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tidemark-fleet-sim: %s\n", e.what());
    return 2;
  }
  const size_t worker_count = processes * threads_per_process;

  std::printf("fleet-sim: %zu agents x %zu series every %.1fs for %.0fs (+ drain up to %.0fs), "
              "%s, %zu process(es) x %zu thread(s), %lld io thread(s) each, ack timeout %.0fs\n",
              config.agents, config.series, o.interval_ms / 1000.0, o.duration_ms / 1000.0,
              o.drain_ms / 1000.0, o.insecure ? "plain TCP" : "CurveZMQ", processes,
              threads_per_process, static_cast<long long>(o.io_threads),
              o.ack_timeout_ms / 1000.0);
  std::fflush(stdout);

  // Counters and results in shared memory, written by the workers of every process.
  const size_t slots_offset = 64;
  const size_t shared_bytes = slots_offset + worker_count * sizeof(WorkerSlot);
  void* shared = mmap(nullptr, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    std::fprintf(stderr, "tidemark-fleet-sim: mmap: %s\n", std::strerror(errno));
    return 2;
  }
  auto* stop = new (shared) std::atomic<bool>(false);
  auto* slots = reinterpret_cast<WorkerSlot*>(static_cast<char*>(shared) + slots_offset);
  for (size_t w = 0; w < worker_count; ++w) new (&slots[w]) WorkerSlot();

  // Agent i goes to worker i % W, so every worker's agents spread over the interval;
  // worker w runs in process w / threads_per_process.
  std::vector<std::vector<AgentIdentity>> slices(worker_count);
  for (auto& id : identities) slices[id.index % worker_count].push_back(std::move(id));
  const int64_t t0 = monotonicUs() + 500'000;
  const pid_t parent = getpid();
  std::vector<pid_t> children;
  std::fflush(stderr);
  for (size_t p = 0; p < processes; ++p) {
    const pid_t pid = fork();
    if (pid < 0) {
      std::fprintf(stderr, "tidemark-fleet-sim: fork: %s\n", std::strerror(errno));
      stop->store(true);
      break;
    }
    if (pid > 0) {
      children.push_back(pid);
      continue;
    }
    // Child: SIGINT and SIGTERM stay blocked (inherited); the parent asks it to stop.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(3);
    std::atomic<int> status{0};
    void* context = zmq_ctx_new();
    size_t agents_here = 0;
    for (size_t t = 0; t < threads_per_process; ++t) {
      agents_here += slices[p * threads_per_process + t].size();
    }
    if (zmq_ctx_set(context, ZMQ_MAX_SOCKETS, static_cast<int>(agents_here) + 64) != 0 ||
        zmq_ctx_set(context, ZMQ_IO_THREADS, static_cast<int>(o.io_threads)) != 0) {
      std::fprintf(stderr, "tidemark-fleet-sim: zmq_ctx_set: %s\n", zmq_strerror(zmq_errno()));
      _exit(2);
    }
    {
      std::vector<std::unique_ptr<SimWorker>> workers;
      std::vector<std::thread> threads;
      try {
        for (size_t t = 0; t < threads_per_process; ++t) {
          const size_t w = p * threads_per_process + t;
          workers.push_back(std::make_unique<SimWorker>(config, context, std::move(slices[w]), t0,
                                                        *stop, slots[w]));
        }
        for (auto& worker : workers) {
          threads.emplace_back([&worker, &status, stop] {
            try {
              worker->run();
            } catch (const std::exception& e) {
              std::fprintf(stderr, "tidemark-fleet-sim: %s\n", e.what());
              status = 2;
              stop->store(true);
            }
          });
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "tidemark-fleet-sim: %s\n", e.what());
        status = 2;
        stop->store(true);
      }
      for (auto& thread : threads) thread.join();
    }  // closes every socket
    zmq_ctx_term(context);
    _exit(status.load());
  }

  // Parent: progress until every child is done.
  auto sum = [&](auto member) {
    uint64_t total = 0;
    for (size_t w = 0; w < worker_count; ++w) total += (slots[w].live.*member).load(std::memory_order_relaxed);
    return total;
  };
  bool failed = children.size() != processes;
  size_t running = children.size();
  int64_t next_progress = t0 + o.progress_ms * 1000;
  uint64_t last_acked = 0;
  int64_t last_time = t0;
  while (running > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_signal.requested()) stop->store(true);
    for (auto& child : children) {
      int status = 0;
      if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
          std::fprintf(stderr, "tidemark-fleet-sim: a simulator process failed (status %d)\n", status);
          failed = true;
          stop->store(true);
        }
        child = -1;
        --running;
      }
    }
    const int64_t now = monotonicUs();
    if (now < next_progress) continue;
    next_progress += o.progress_ms * 1000;
    Histogram window;
    for (size_t w = 0; w < worker_count; ++w) window.merge(slots[w].window.take());
    const uint64_t acked = sum(&LiveCounters::samples_acked);
    std::fprintf(stderr,
                 "progress t=%.0fs connected=%llu collected=%llu sent=%llu resent=%llu acked=%llu "
                 "pending=%llu timeouts=%llu samples_acked=%llu rate=%.0f/s ack_p50_ms=%.1f "
                 "ack_p99_ms=%.1f ack_max_ms=%.1f\n",
                 (now - t0) / 1e6, static_cast<unsigned long long>(sum(&LiveCounters::connected)),
                 static_cast<unsigned long long>(sum(&LiveCounters::batches_collected)),
                 static_cast<unsigned long long>(sum(&LiveCounters::batches_sent)),
                 static_cast<unsigned long long>(sum(&LiveCounters::batches_resent)),
                 static_cast<unsigned long long>(sum(&LiveCounters::batches_acked)),
                 static_cast<unsigned long long>(sum(&LiveCounters::pending_batches)),
                 static_cast<unsigned long long>(sum(&LiveCounters::ack_timeouts)),
                 static_cast<unsigned long long>(acked),
                 (acked - last_acked) / ((now - last_time) / 1e6), ms(window.quantile(0.5)),
                 ms(window.quantile(0.99)), ms(window.max()));
    last_acked = acked;
    last_time = now;
  }
  const int64_t finished_us = monotonicUs();

  WorkerResult total;
  for (size_t w = 0; w < worker_count; ++w) {
    const auto& r = slots[w].result;
    total.ack_latency.merge(r.ack_latency);
    total.ack_latency_steady.merge(r.ack_latency_steady);
    total.ack_latency_first.merge(r.ack_latency_first);
    total.connect_latency.merge(r.connect_latency);
    total.handshake_latency.merge(r.handshake_latency);
    total.samples_acked_in_run += r.samples_acked_in_run;
    total.ack_latency_window.merge(r.ack_latency_window);
    total.samples_acked_in_window += r.samples_acked_in_window;
    total.samples_rejected += r.samples_rejected;
    for (int i = 0; i < 6; ++i) total.acks[i] += r.acks[i];
    total.welcomes += r.welcomes;
    total.hellos_sent += r.hellos_sent;
    total.malformed_replies += r.malformed_replies;
    total.send_refused += r.send_refused;
    total.agents_never_connected += r.agents_never_connected;
    total.agents_with_pending += r.agents_with_pending;
  }
  const uint64_t collected = sum(&LiveCounters::samples_collected);
  const uint64_t acked = sum(&LiveCounters::samples_acked);
  const uint64_t lost = collected - acked;
  const double duration_s = o.duration_ms / 1000.0;
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  const double cpu_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                       usage.ru_stime.tv_usec / 1e6;

  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("agents:   %zu, connected %llu (never %llu); connect->welcome p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              config.agents, u(sum(&LiveCounters::connected)), u(total.agents_never_connected),
              ms(total.connect_latency.quantile(0.5)), ms(total.connect_latency.quantile(0.99)),
              ms(total.connect_latency.max()));
  std::printf("handshake (connect -> writable, CURVE + ZAP): p50 %.1f ms, p99 %.1f ms, max %.1f ms "
              "(%llu agents)\n",
              ms(total.handshake_latency.quantile(0.5)), ms(total.handshake_latency.quantile(0.99)),
              ms(total.handshake_latency.max()), u(total.handshake_latency.count()));
  std::printf("batches:  collected %llu, sent %llu, resent %llu, acked %llu, still pending %llu "
              "(on %llu agents), ack timeouts %llu, hellos %llu\n",
              u(sum(&LiveCounters::batches_collected)), u(sum(&LiveCounters::batches_sent)),
              u(sum(&LiveCounters::batches_resent)), u(sum(&LiveCounters::batches_acked)),
              u(sum(&LiveCounters::pending_batches)), u(total.agents_with_pending),
              u(sum(&LiveCounters::ack_timeouts)), u(total.hellos_sent));
  std::printf("acks:     stored %llu, duplicate %llu, resync %llu, gap %llu, rejected %llu, "
              "unauthorized %llu; welcomes %llu; malformed replies %llu\n",
              u(total.acks[0]), u(total.acks[1]), u(total.acks[2]), u(total.acks[3]),
              u(total.acks[4]), u(total.acks[5]), u(total.welcomes), u(total.malformed_replies));
  std::printf("samples:  collected %llu, acked %llu (%llu within the %.0fs run), lost %llu "
              "(rejected %llu)\n",
              u(collected), u(acked), u(total.samples_acked_in_run), duration_s, u(lost),
              u(total.samples_rejected));
  std::printf("rate:     offered %.0f samples/s, acked during the run %.0f samples/s\n",
              static_cast<double>(config.agents * config.series) / (o.interval_ms / 1000.0),
              total.samples_acked_in_run / duration_s);
  const auto& all = total.ack_latency;
  std::printf("ack latency (first send -> ack): all p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms "
              "(%llu batches)\n",
              ms(all.quantile(0.5)), ms(all.quantile(0.9)), ms(all.quantile(0.99)), ms(all.max()),
              u(all.count()));
  std::printf("             ids only: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%llu); with announcements: "
              "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%llu)\n",
              ms(total.ack_latency_steady.quantile(0.5)), ms(total.ack_latency_steady.quantile(0.99)),
              ms(total.ack_latency_steady.max()), u(total.ack_latency_steady.count()),
              ms(total.ack_latency_first.quantile(0.5)), ms(total.ack_latency_first.quantile(0.99)),
              ms(total.ack_latency_first.max()), u(total.ack_latency_first.count()));
  std::printf("simulator: %.1f s CPU over %.1f s wall (%.0f%% of one core), drain took %.1f s\n",
              cpu_s, (finished_us - t0) / 1e6, 100.0 * cpu_s / ((finished_us - t0) / 1e6),
              std::max(0.0, (finished_us - t0) / 1e6 - duration_s));
  // The soak line reports the steady-state window when there is a warm-up.
  const double window_s = (o.duration_ms - o.warmup_ms) / 1000.0;
  const auto& steady = o.warmup_ms > 0 ? total.ack_latency_window : all;
  const double steady_rate = o.warmup_ms > 0 ? total.samples_acked_in_window / window_s
                                             : total.samples_acked_in_run / duration_s;
  if (o.warmup_ms > 0) {
    std::printf("steady state (after the %.0fs warm-up, %.0fs): acked %.0f samples/s; ack latency "
                "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (%llu batches)\n",
                o.warmup_ms / 1000.0, window_s, steady_rate, ms(steady.quantile(0.5)),
                ms(steady.quantile(0.9)), ms(steady.quantile(0.99)), ms(steady.max()),
                u(steady.count()));
  }
  // "na" when no batch of the window was acknowledged at all (a controller that fell behind).
  auto quantile_ms = [&](double q) {
    return steady.count() == 0 ? std::string("na") : fmt::format("{:.1f}", ms(steady.quantile(q)));
  };
  std::printf("soak agents=%zu series=%zu interval_s=%g duration_s=%g samples_per_s=%.0f "
              "ack_p50_ms=%s ack_p99_ms=%s samples_collected=%llu samples_acked=%llu "
              "samples_lost=%llu warmup_s=%g connect_p50_ms=%.1f connect_p99_ms=%.1f "
              "handshake_p99_ms=%.1f "
              "resent_batches=%llu ack_timeouts=%llu sim_cpu_pct=%.0f\n",
              config.agents, config.series, o.interval_ms / 1000.0, duration_s, steady_rate,
              quantile_ms(0.5).c_str(), quantile_ms(0.99).c_str(), u(collected), u(acked), u(lost),
              o.warmup_ms / 1000.0, ms(total.connect_latency.quantile(0.5)),
              ms(total.connect_latency.quantile(0.99)), ms(total.handshake_latency.quantile(0.99)),
              u(sum(&LiveCounters::batches_resent)),
              u(sum(&LiveCounters::ack_timeouts)),
              100.0 * cpu_s / ((finished_us - t0) / 1e6));
  std::fflush(stdout);
  if (failed) return 2;
  return lost == 0 ? 0 : 1;
}
