#include "agent/tuner/ship_job_knob.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>

#include "agent/io/file_reader.h"
#include "agent/ships/maintenance_log.h"
#include "agent/tuner/ship_loom_knob.h"
#include "agent/tuner/ship_process.h"

namespace tidemark::agent::tuner {
namespace {

struct LastJobs {
  std::optional<int64_t> pack;
  std::optional<int64_t> meld;
};

// The newest successful pack and meld of `pier` in the maintenance log. Read whole at
// each probe: the log grows by a line a job, and probes come once a survey.
LastJobs readLastJobs(const std::string& log_path, const std::string& pier) {
  LastJobs last;
  if (log_path.empty()) return last;
  std::ifstream in(log_path);
  std::string line;
  while (std::getline(in, line)) {
    MaintenanceEntry entry;
    if (!parseMaintenanceLine(line, entry) || !entry.ok || entry.pier != pier) continue;
    std::optional<int64_t>* slot = entry.job == MaintenanceJob::kPack   ? &last.pack
                                   : entry.job == MaintenanceJob::kMeld ? &last.meld
                                                                        : nullptr;
    if (slot != nullptr && (!*slot || **slot < entry.unix_seconds)) *slot = entry.unix_seconds;
  }
  return last;
}

}  // namespace

std::string_view shipJobName(ShipJob job) {
  switch (job) {
    case ShipJob::kPackLive:
      return "pack_live";
    case ShipJob::kPack:
      return "pack";
    case ShipJob::kMeld:
      return "meld";
    case ShipJob::kRollChop:
      return "roll_chop";
  }
  return "pack";
}

ShipJobKnob::ShipJobKnob(std::shared_ptr<const ShipTuningOptions> options, ShipTarget target,
                         ShipJob job)
    : options_(std::move(options)),
      target_(std::move(target)),
      job_(job),
      root_(normaliseRoot(options_->root)),
      id_(fmt::format("ship.{}:{}", shipJobName(job), target_.name)) {}

std::string ShipJobKnob::missingCommand() const {
  auto need = [](const std::string& command, const char* name) {
    return command.empty() ? std::string(name) + " is not configured" : std::string();
  };
  std::string missing;
  switch (job_) {
    case ShipJob::kPackLive:
      if (options_->pack_live_command.empty()) {
        return "pack_live_command is not configured: the runtime's live pack is a request over "
               "<pier>/.urb/conn.sock that the agent does not build; set a command that asks "
               "the ship to |pack";
      }
      return "";
    case ShipJob::kPack:
      missing = need(options_->pack_command, "pack_command");
      break;
    case ShipJob::kMeld:
      missing = need(options_->meld_command, "meld_command");
      break;
    case ShipJob::kRollChop:
      missing = need(options_->roll_command, "roll_command");
      if (missing.empty()) missing = need(options_->chop_command, "chop_command");
      break;
  }
  if (missing.empty()) missing = need(options_->stop_command, "stop_command");
  if (missing.empty()) missing = need(options_->start_command, "start_command");
  return missing;
}

ShipJobPlan ShipJobKnob::plan() const {
  ShipJobPlan plan;
  plan.knob_id = id_;
  plan.pier = target_.ship.pier;
  int loom = 0;
  try {
    loom = readShipLoom(*options_, target_).bits;
  } catch (const TuningError&) {
    loom = target_.ship.loom_bits.value_or(kDefaultLoomBits);  // an unreadable service config
  }
  plan.placeholders = {{"ship", target_.name},
                       {"pier", resolveUnderRoot(root_, target_.ship.pier)},
                       {"loom", std::to_string(loom)}};
  switch (job_) {
    case ShipJob::kPackLive:
      plan.steps = {{MaintenanceJob::kPack, options_->pack_live_command}};
      break;
    case ShipJob::kPack:
      plan.steps = {{MaintenanceJob::kPack, options_->pack_command}};
      break;
    case ShipJob::kMeld:
      plan.steps = {{MaintenanceJob::kMeld, options_->meld_command}};
      break;
    case ShipJob::kRollChop:
      plan.steps = {{MaintenanceJob::kRoll, options_->roll_command},
                    {MaintenanceJob::kChop, options_->chop_command}};
      break;
  }
  return plan;
}

KnobProbe ShipJobKnob::probe() const {
  KnobProbe probe;
  const bool up = pierLockHolder(root_, target_.ship.pier).has_value() ||
                  whyShipNotRunning(root_, target_.ship).empty();
  struct stat info {};
  const std::string urb = resolveUnderRoot(root_, target_.ship.pier + "/.urb");
  if (::stat(urb.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    probe.reason = "no pier at " + target_.ship.pier + " (" + urb + " is not a folder)";
  } else if (std::string missing = missingCommand(); !missing.empty()) {
    probe.reason = std::move(missing);
  } else if (job_ == ShipJob::kPackLive && !up) {
    probe.reason = "the ship " + target_.ship.pier + " is down: a live pack needs it running";
  } else {
    probe.available = true;
    probe.choices = {"run"};
  }
  probe.facts.emplace_back("pier", target_.ship.pier);
  probe.facts.emplace_back("up", up ? "1" : "0");
  try {
    probe.facts.emplace_back("loom_bits", std::to_string(readShipLoom(*options_, target_).bits));
  } catch (const TuningError&) {
    // The loom knob reports an unreadable service config; the job does not depend on it.
  }
  const LastJobs last = readLastJobs(options_->maintenance_log_path, target_.ship.pier);
  if (last.pack) probe.facts.emplace_back("last_pack", std::to_string(*last.pack));
  if (last.meld) probe.facts.emplace_back("last_meld", std::to_string(*last.meld));
  return probe;
}

std::string ShipJobKnob::validate(const std::string& value) const {
  if (value != "run") return fmt::format("{:?} is not \"run\", the only value of a job", value);
  return "";
}

void ShipJobKnob::write(const std::string& value) {
  if (const std::string why = validate(value); !why.empty())
    throw TuningError(fmt::format("{}: {}", id_, why));
  if (const std::string missing = missingCommand(); !missing.empty())
    throw TuningError(fmt::format("{}: {}", id_, missing));
  // The controller may shorten a step's time limit, never lengthen the host's own.
  ShipTuningOptions options = *options_;
  if (run_time_limit_.count() > 0 && run_time_limit_ < options.job_timeout) {
    options.job_timeout = run_time_limit_;
  }
  try {
    last_outcome_ = job_ == ShipJob::kPackLive ? runLiveShipJob(plan(), options)
                                               : runOfflineShipJob(plan(), options);
  } catch (const TuningError& error) {
    last_outcome_ = error.what();
    throw;
  }
  spdlog::info("{}: done: {}", id_, last_outcome_);
}

void ShipJobKnob::restore(const SavedState&) {
  throw TuningError(fmt::format("{}: a {} cannot be undone; there is nothing to restore", id_,
                                shipJobName(job_)));
}

std::string ShipJobKnob::restoreCommand(const SavedState&) const {
  return fmt::format("true  # {} cannot be undone (a maintenance job)", id_);
}

}  // namespace tidemark::agent::tuner
