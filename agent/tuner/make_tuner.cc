#include "agent/tuner/make_tuner.h"

#include <spdlog/spdlog.h>

#include "agent/tuner/host_knob_source.h"
#include "agent/tuner/ship_knob_source.h"
#include "common/errors/error.h"

namespace tidemark::agent::tuner {

namespace {

void setIfGiven(std::string& target, const std::string& value) {
  if (!value.empty()) target = value;
}

void setIfGiven(std::chrono::milliseconds& target, int64_t value_ms) {
  if (value_ms > 0) target = std::chrono::milliseconds(value_ms);
}

}  // namespace

Policy loadAgentPolicy(const AgentTuningOptions& tuning) {
  if (tuning.policy.empty()) return Policy::defaults();
  try {
    return Policy::load(tuning.policy);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("--policy: ") + e.what());
  }
}

TunerOptions agentTunerOptions(const AgentOptions& options) {
  const AgentTuningOptions& tuning = options.tuning;
  TunerOptions tuner_options;
  tuner_options.root = options.root;
  tuner_options.journal_dir = options.state_dir + "/tuning";
  tuner_options.host_id = options.host_id;
  tuner_options.extra_sysctls = tuning.extra_sysctls;
  setIfGiven(tuner_options.remount_command, tuning.remount_command);
  return tuner_options;
}

ShipTuningOptions agentShipTuningOptions(const AgentOptions& options) {
  const AgentTuningOptions& tuning = options.tuning;
  ShipTuningOptions ships;
  ships.root = options.root;
  ships.maintenance_log_path = options.state_dir + "/maintenance.log";
  setIfGiven(ships.loom_file, tuning.loom_file);
  setIfGiven(ships.loom_key, tuning.loom_key);
  setIfGiven(ships.stop_command, tuning.stop_command);
  setIfGiven(ships.start_command, tuning.start_command);
  setIfGiven(ships.pack_live_command, tuning.pack_live_command);
  setIfGiven(ships.pack_command, tuning.pack_command);
  setIfGiven(ships.meld_command, tuning.meld_command);
  setIfGiven(ships.roll_command, tuning.roll_command);
  setIfGiven(ships.chop_command, tuning.chop_command);
  setIfGiven(ships.stop_timeout, tuning.stop_timeout_ms);
  setIfGiven(ships.start_timeout, tuning.start_timeout_ms);
  setIfGiven(ships.job_timeout, tuning.job_timeout_ms);
  return ships;
}

std::unique_ptr<Tuner> makeTuner(const AgentOptions& options, const Clock& clock) {
  Policy policy = loadAgentPolicy(options.tuning);
  TunerOptions tuner_options = agentTunerOptions(options);
  std::vector<std::unique_ptr<KnobSource>> sources;
  sources.push_back(makeHostKnobSource(tuner_options));
  sources.push_back(makeShipKnobSource(agentShipTuningOptions(options), options.pier_roots));
  spdlog::info("tuning on: policy {}, journal {}", policy.source(), tuner_options.journal_dir);
  return std::make_unique<Tuner>(std::move(tuner_options), std::move(policy), clock,
                                 std::move(sources));
}

}  // namespace tidemark::agent::tuner
