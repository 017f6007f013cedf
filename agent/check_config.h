// What `tidemark-agent --check-config` checks beyond the options themselves: the
// files a start reads before it runs (the tuning policy, the CurveZMQ keys), read the
// same way. It creates nothing: no state folder, no socket.
#pragma once

#include "agent/agent_options.h"

namespace tidemark::agent {

// Loads the --policy file when one is given (even with --tuning-disabled: a bad file
// would stop the next start that turns tuning on) and, unless --insecure, reads the
// curve key and the controller's public key. Throws ConfigError naming the file and why.
void checkAgentFiles(const AgentOptions& options);

}  // namespace tidemark::agent
