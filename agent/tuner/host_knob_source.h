// The host's own knobs: the sysctl catalog (plus extra_sysctls), every block device's
// scheduler and read-ahead, transparent huge pages, and each local disk mount's atime.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/tuner/knob_source.h"
#include "agent/tuner/tuner_options.h"

namespace tidemark::agent::tuner {

// Throws ConfigError when an extra_sysctls name is not a sysctl name.
std::unique_ptr<KnobSource> makeHostKnobSource(const TunerOptions& options);

// vm.swappiness's upper bound on the kernel whose release is `osrelease` ("6.1.0-13"):
// 200 since Linux 5.8, 100 before; 200 when the release cannot be parsed.
int swappinessMax(const std::string& osrelease);

}  // namespace tidemark::agent::tuner
