// `tidemark tune list|show|approve|reject|rollback|propose|log`: the tuning service's
// proposals and audit log (ProposalInfo, AuditInfo in admin.capnp) as tables for people
// and JSON for scripts, and the subcommands that ask for them.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "controller/cli/report.h"
#include "schemas/admin.capnp.h"

namespace tidemark::cli {

// {"proposals": [{"id", "host", "knob", "current", "value", "state", "reason",
// "evidence": [...], "rollout", "canary", "source", "created_ms", "updated_ms",
// "restore_command", "agent_message", "pending"}]}; id and rollout are numbers.
nlohmann::json proposalsJson(capnp::List<schema::ProposalInfo>::Reader proposals);
std::string proposalsText(capnp::List<schema::ProposalInfo>::Reader proposals, int64_t now_ms);
// One proposal in full: every field and each evidence line.
std::string proposalText(schema::ProposalInfo::Reader proposal, int64_t now_ms);

// {"audit": [{"at", "at_ms", "proposal", "host", "knob", "event", "actor_uid", "actor",
// "detail"}]}, newest first.
nlohmann::json auditJson(capnp::List<schema::AuditInfo>::Reader audit);
std::string auditText(capnp::List<schema::AuditInfo>::Reader audit);

// The `tune` subcommand tree and what was parsed; lives as long as the CLI::App
// (the options point into it).
struct TuneCommand {
  CLI::App* tune = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* reject = nullptr;
  CLI::App* rollback = nullptr;
  CLI::App* propose = nullptr;
  CLI::App* log = nullptr;
  std::string state;
  std::string host;
  std::vector<uint64_t> ids;
  int64_t canary = -1;  // -1: the controller's default
  std::string knob;
  std::string value;
  std::vector<std::string> hosts;
  uint32_t limit = 50;
};

// Adds `tune` and its verbs to `app`; each verb takes --json into `json`.
void addTuneCommand(CLI::App& app, TuneCommand& command, bool& json);

// Fills the request for the verb that was parsed.
void buildTuneRequest(const TuneCommand& command, schema::TuneRequest::Builder request);

// Runs the parsed verb through `call` and prints its answer to `out`. Throws
// std::runtime_error for an error reply (the CLI prints it and exits 1).
void runTuneCommand(const TuneCommand& command, const AdminCall& call, bool json, int64_t now_ms,
                    std::ostream& out);

}  // namespace tidemark::cli
