// Builds the agent's Tuner from its options: the local policy (the --policy file or
// the built-in default), the journal in STATE_DIR/tuning, the host knobs and the
// ship knobs with the configured command templates.
#pragma once

#include <memory>

#include "agent/agent_options.h"
#include "agent/tuner/policy.h"
#include "agent/tuner/ship_tuning_options.h"
#include "agent/tuner/tuner.h"
#include "agent/tuner/tuner_options.h"
#include "common/time/clock.h"

namespace tidemark::agent::tuner {

// The --policy file, or the built-in default when none is given. Throws ConfigError
// ("--policy: " and the file's own error, which names the path).
Policy loadAgentPolicy(const AgentTuningOptions& tuning);

// The host knobs' options and the ship knobs' options as the agent's tuner gets them
// (also what the sandbox plan looks at).
TunerOptions agentTunerOptions(const AgentOptions& options);
ShipTuningOptions agentShipTuningOptions(const AgentOptions& options);

// Throws ConfigError (a bad policy file, a bad extra sysctl) or std::runtime_error
// (the journal folder) with the path and the reason.
std::unique_ptr<Tuner> makeTuner(const AgentOptions& options, const Clock& clock);

}  // namespace tidemark::agent::tuner
