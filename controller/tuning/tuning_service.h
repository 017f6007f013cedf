// The controller's tuning: knob reports from agents, the recommender's proposals,
// approvals, staged roll-outs (canary hosts, a health window, then the rest),
// dispatch of commands to agents, their results, rollbacks, and the audit log, all
// kept in RocksDB. Thread-safe: the ingest loop feeds it agent messages and calls
// tick(); the admin thread calls the operator's verbs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/wire/agent_link_codec.h"

namespace tidemark::controller {

// Who asked for an operator action: the admin socket's peer, from SO_PEERCRED.
struct AdminPeer {
  int64_t uid = -1;        // -1: unknown (TCP admin, tests)
  std::string user;        // from getpwuid; "uid:N" when the uid has no name
};

// Sends a command to the agent of `host` now; false when the host has no
// connection (the command is sent again after the agent's next Hello).
using CommandSender = std::function<bool(const std::string& host, const wire::TuningCommandData&)>;

}  // namespace tidemark::controller
