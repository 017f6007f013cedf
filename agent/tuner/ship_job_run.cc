#include "agent/tuner/ship_job_run.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "agent/io/file_reader.h"
#include "agent/tuner/command_runner.h"
#include "agent/tuner/knob.h"
#include "agent/tuner/ship_process.h"

namespace tidemark::agent::tuner {
namespace {

using Steady = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(50);

std::string seconds(std::chrono::milliseconds duration) {
  return fmt::format("{:g} s", static_cast<double>(duration.count()) / 1000.0);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

// One job's run: the commands, the log lines, and what to tell the operator.
class JobRun {
 public:
  JobRun(const ShipJobPlan& plan, const ShipTuningOptions& options)
      : plan_(plan), options_(options), root_(normaliseRoot(options.root)) {}

  std::optional<int64_t> lockHolder() const { return pierLockHolder(root_, plan_.pier); }

  // Whether the ship is up rests on the lock: refuse when it cannot be checked.
  void requireCheckableLock() const {
    if (const std::string problem = pierLockProblem(root_, plan_.pier); !problem.empty())
      throw TuningError(fmt::format("{}: {}; nothing was run", plan_.knob_id, problem));
  }

  // True once `king` is gone (exited, or a zombie) and nobody holds the pier lock.
  bool waitUntilDown(int64_t king, Steady::time_point deadline) const {
    while (true) {
      if (!readLiveProcess(root_, king) && !lockHolder()) return true;
      if (Steady::now() >= deadline) return false;
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  // The new king once a live process other than `old_king` holds the pier lock.
  std::optional<int64_t> waitUntilUp(int64_t old_king, Steady::time_point deadline) const {
    while (true) {
      const auto holder = lockHolder();
      if (holder && *holder != old_king && readLiveProcess(root_, *holder)) return holder;
      if (Steady::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  // Expands every template before anything runs: a bad start template found after the
  // stop would leave the ship down.
  void checkTemplates(const std::vector<std::pair<std::string, std::string>>& extra) const {
    std::vector<std::pair<std::string, std::string>> all = extra;
    for (const ShipJobStep& step : plan_.steps)
      all.emplace_back(std::string(maintenanceJobName(step.job)), step.command_template);
    for (const auto& [step, command_template] : all) {
      try {
        expandCommand(command_template, plan_.placeholders);
      } catch (const std::invalid_argument& error) {
        throw TuningError(
            fmt::format("{}: step {}: {}; nothing was run", plan_.knob_id, step, error.what()));
      }
    }
  }

  CommandOutcome run(const std::string& step, const std::string& command_template,
                     std::chrono::milliseconds timeout) {
    std::string command;
    try {
      command = expandCommand(command_template, plan_.placeholders);
    } catch (const std::invalid_argument& error) {
      throw TuningError(fmt::format("{}: step {}: {}", plan_.knob_id, step, error.what()));
    }
    spdlog::info("{}: step {}: running `{}` (timeout {})", plan_.knob_id, step, command,
                 seconds(timeout));
    return runCommand(command, timeout);
  }

  // Runs the job's commands in order, stopping at the first failure.
  void runSteps() {
    for (const ShipJobStep& step : plan_.steps) {
      const std::string name(maintenanceJobName(step.job));
      const CommandOutcome outcome = run(name, step.command_template, options_.job_timeout);
      record(step.job, outcome.ok());
      if (!outcome.ok()) {
        const std::string how = outcome.timed_out
                                    ? "timed out after " + seconds(options_.job_timeout) +
                                          "; its process group was killed"
                                    : outcome.describe();
        failed(fmt::format("step {} (`{}`) failed: {}", name, outcome.command, how));
        return;
      }
      done(name + " ok");
    }
  }

  void done(std::string what) {
    spdlog::info("{}: {}", plan_.knob_id, what);
    steps_.push_back(std::move(what));
  }
  void failed(std::string what) {
    spdlog::warn("{}: {}", plan_.knob_id, what);
    errors_.push_back(std::move(what));
  }

  // Throws when anything failed; else what happened.
  std::string finish() const {
    if (errors_.empty()) return joined(steps_);
    throw TuningError(fmt::format("{} on {}: {} (done: {})", plan_.knob_id, plan_.pier,
                                  joined(errors_), steps_.empty() ? "nothing" : joined(steps_)));
  }

  const ShipJobPlan& plan() const { return plan_; }
  const ShipTuningOptions& options() const { return options_; }

 private:
  void record(MaintenanceJob job, bool ok) {
    if (options_.maintenance_log_path.empty()) return;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    MaintenanceEntry entry;
    entry.unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    entry.pier = plan_.pier;
    entry.job = job;
    entry.ok = ok;
    try {
      appendMaintenanceLine(options_.maintenance_log_path, entry);
    } catch (const std::exception& error) {
      // The job itself is done; the collector's "since last pack" is what goes stale.
      failed(fmt::format("step {} not recorded: {}", maintenanceJobName(job), error.what()));
    }
  }

  const ShipJobPlan& plan_;
  const ShipTuningOptions& options_;
  std::string root_;
  std::vector<std::string> steps_;
  std::vector<std::string> errors_;
};

}  // namespace

std::string runLiveShipJob(const ShipJobPlan& plan, const ShipTuningOptions& options) {
  JobRun run(plan, options);
  run.checkTemplates({});
  run.requireCheckableLock();
  if (!run.lockHolder()) {
    throw TuningError(
        fmt::format("{}: refused: the ship {} is down (nobody holds {}/.vere.lock); "
                    "a live job needs a running ship",
                    plan.knob_id, plan.pier, plan.pier));
  }
  run.runSteps();
  return run.finish();
}

std::string runOfflineShipJob(const ShipJobPlan& plan, const ShipTuningOptions& options) {
  JobRun run(plan, options);
  run.checkTemplates({{"stop", options.stop_command}, {"start", options.start_command}});
  run.requireCheckableLock();
  const std::optional<int64_t> king = run.lockHolder();
  if (!king) {
    run.done("the ship was down before the job: not started afterwards (the operator stopped it)");
    run.runSteps();
    return run.finish();
  }

  const Steady::time_point stop_started = Steady::now();
  const CommandOutcome stop = run.run("stop", options.stop_command, options.stop_timeout);
  if (!run.waitUntilDown(*king, stop_started + options.stop_timeout)) {
    const auto holder = run.lockHolder();
    throw TuningError(fmt::format(
        "{} on {}: step stop (`{}`) failed: {}; the ship is still up after {} (king PID {}{}); "
        "the job was not run",
        plan.knob_id, plan.pier, stop.command,
        stop.ok() ? "it exited 0 but the ship did not stop" : stop.describe(),
        seconds(options.stop_timeout), *king,
        holder ? fmt::format(", pier lock held by PID {}", *holder) : ", pier lock free"));
  }
  if (stop.ok()) {
    run.done(fmt::format("stopped (king PID {})", *king));
    run.runSteps();
  } else {
    // It went down all the same; still a failed stop, so no job, but ours to restart.
    run.failed(fmt::format("step stop (`{}`) failed: {}; the job was not run", stop.command,
                           stop.describe()));
  }

  const Steady::time_point start_started = Steady::now();
  const CommandOutcome start = run.run("start", options.start_command, options.start_timeout);
  if (const auto new_king = run.waitUntilUp(*king, start_started + options.start_timeout)) {
    run.done(fmt::format("started (king PID {})", *new_king));
  } else {
    run.failed(fmt::format(
        "step start (`{}`) failed: {}; the ship is down (nobody holds the pier lock after {})",
        start.command, start.ok() ? "it exited 0" : start.describe(),
        seconds(options.start_timeout)));
  }
  return run.finish();
}

}  // namespace tidemark::agent::tuner
