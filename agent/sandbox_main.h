// `tidemark-agent --print-sandbox`: the sandbox plan of this host (tuner/sandbox_plan.h)
// as JSON on stdout, for the Ansible role that writes the systemd drop-in.
#pragma once

#include <cstdio>

#include "agent/agent_options.h"

namespace tidemark::agent {

// Prints the plan to `out` and returns 0; on a bad policy or configuration prints
// "tidemark-agent: --print-sandbox: WHY" to `err` and returns 2.
int printSandbox(const AgentOptions& options, std::FILE* out = stdout, std::FILE* err = stderr);

}  // namespace tidemark::agent
