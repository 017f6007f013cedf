#include "controller/cli/tune.h"

#include "common/config/duration.h"
#include "controller/cli/table.h"

namespace tidemark::cli {

namespace {

std::string orDash(capnp::Text::Reader text) { return text.size() > 0 ? text.cStr() : "-"; }

std::string rollout(schema::ProposalInfo::Reader proposal) {
  if (proposal.getRollout() == 0) return "-";
  return std::to_string(proposal.getRollout()) + (proposal.getCanary() ? " canary" : "");
}

}  // namespace

nlohmann::json proposalsJson(capnp::List<schema::ProposalInfo>::Reader proposals) {
  nlohmann::json list = nlohmann::json::array();
  for (auto proposal : proposals) {
    nlohmann::json evidence = nlohmann::json::array();
    for (auto line : proposal.getEvidence()) evidence.push_back(line.cStr());
    list.push_back({{"id", proposal.getId()},
                    {"host", proposal.getHost().cStr()},
                    {"knob", proposal.getKnob().cStr()},
                    {"current", proposal.getCurrent().cStr()},
                    {"value", proposal.getValue().cStr()},
                    {"state", proposal.getState().cStr()},
                    {"reason", proposal.getReason().cStr()},
                    {"evidence", evidence},
                    {"rollout", proposal.getRollout()},
                    {"canary", proposal.getCanary()},
                    {"source", proposal.getSource().cStr()},
                    {"created_ms", proposal.getCreatedMs()},
                    {"updated_ms", proposal.getUpdatedMs()},
                    {"restore_command", proposal.getRestoreCommand().cStr()},
                    {"agent_message", proposal.getAgentMessage().cStr()},
                    {"pending", proposal.getPending().cStr()}});
  }
  return {{"proposals", list}};
}

std::string proposalsText(capnp::List<schema::ProposalInfo>::Reader proposals, int64_t now_ms) {
  if (proposals.size() == 0) return "no tuning proposals\n";
  Table table({"ID", "STATE", "HOST", "KNOB", "CURRENT", "VALUE", "ROLLOUT", "UPDATED", "REASON"},
              {true, false, false, false, false, false, false, false, false});
  for (auto proposal : proposals) {
    std::string state = proposal.getState().cStr();
    if (proposal.getPending().size() > 0)
      state += " (" + std::string(proposal.getPending().cStr()) + " pending)";
    table.addRow({std::to_string(proposal.getId()), state, proposal.getHost().cStr(),
                  proposal.getKnob().cStr(), orDash(proposal.getCurrent()),
                  proposal.getValue().cStr(), rollout(proposal),
                  formatAgo(proposal.getUpdatedMs(), now_ms), proposal.getReason().cStr()});
  }
  return table.render();
}

std::string proposalText(schema::ProposalInfo::Reader proposal, int64_t now_ms) {
  std::string out;
  auto line = [&](const char* name, const std::string& value) {
    out += std::string(name) + std::string(17 - std::string(name).size(), ' ') + value + "\n";
  };
  line("proposal", std::to_string(proposal.getId()));
  line("host", proposal.getHost().cStr());
  line("knob", proposal.getKnob().cStr());
  line("change", orDash(proposal.getCurrent()) + " -> " + proposal.getValue().cStr());
  std::string state = proposal.getState().cStr();
  if (proposal.getPending().size() > 0)
    state += " (" + std::string(proposal.getPending().cStr()) + " pending)";
  line("state", state);
  line("reason", proposal.getReason().cStr());
  line("source", proposal.getSource().cStr());
  line("created", formatTimeMs(proposal.getCreatedMs()) + " (" +
                      formatAgo(proposal.getCreatedMs(), now_ms) + ")");
  line("updated", formatTimeMs(proposal.getUpdatedMs()) + " (" +
                      formatAgo(proposal.getUpdatedMs(), now_ms) + ")");
  line("rollout", rollout(proposal));
  if (proposal.getAgentMessage().size() > 0) line("agent said", proposal.getAgentMessage().cStr());
  if (proposal.getRestoreCommand().size() > 0)
    line("restore by hand", proposal.getRestoreCommand().cStr());
  out += "evidence\n";
  for (auto evidence : proposal.getEvidence()) out += "  - " + std::string(evidence.cStr()) + "\n";
  return out;
}

nlohmann::json auditJson(capnp::List<schema::AuditInfo>::Reader audit) {
  nlohmann::json list = nlohmann::json::array();
  for (auto entry : audit) {
    list.push_back({{"at", formatTimeMs(entry.getAtMs())},
                    {"at_ms", entry.getAtMs()},
                    {"proposal", entry.getProposal()},
                    {"host", entry.getHost().cStr()},
                    {"knob", entry.getKnob().cStr()},
                    {"event", entry.getEvent().cStr()},
                    {"actor_uid", entry.getActorUid()},
                    {"actor", entry.getActor().cStr()},
                    {"detail", entry.getDetail().cStr()}});
  }
  return {{"audit", list}};
}

std::string auditText(capnp::List<schema::AuditInfo>::Reader audit) {
  if (audit.size() == 0) return "the tuning audit log is empty\n";
  Table table({"TIME", "ID", "HOST", "KNOB", "EVENT", "ACTOR", "DETAIL"},
              {false, true, false, false, false, false, false});
  for (auto entry : audit) {
    std::string actor = entry.getActor().cStr();
    if (entry.getActorUid() >= 0) actor += " (uid " + std::to_string(entry.getActorUid()) + ")";
    table.addRow({formatTimeMs(entry.getAtMs()), std::to_string(entry.getProposal()),
                  entry.getHost().cStr(), entry.getKnob().cStr(), entry.getEvent().cStr(), actor,
                  entry.getDetail().cStr()});
  }
  return table.render();
}

void addTuneCommand(CLI::App& app, TuneCommand& command, bool& json) {
  command.tune = app.add_subcommand(
      "tune", "tuning proposals: review, approve (canary first), reject, roll back; the audit log");
  command.tune->require_subcommand(1);
  command.list = command.tune->add_subcommand("list", "proposals by id");
  command.list->add_option(
      "--state", command.state,
      "only this state: proposed, approved, applied, failed, rolled_back, rejected");
  command.list->add_option("--host", command.host, "only this host");
  command.show = command.tune->add_subcommand("show", "one proposal with its evidence");
  command.show->add_option("ID", command.ids, "proposal id")->required()->expected(1);
  command.approve = command.tune->add_subcommand(
      "approve",
      "approve proposals as one roll-out: canary hosts first, the rest after a health window");
  command.approve->add_option("ID", command.ids, "proposal ids")->required();
  command.approve
      ->add_option("--canary", command.canary,
                   "canary hosts (default: 1 when the roll-out spans several hosts)")
      ->check(CLI::NonNegativeNumber);
  command.reject =
      command.tune->add_subcommand("reject", "reject a proposal (not proposed again for 7 days)");
  command.reject->add_option("ID", command.ids, "proposal id")->required()->expected(1);
  command.rollback = command.tune->add_subcommand("rollback", "undo applied changes on their hosts");
  command.rollback->add_option("ID", command.ids, "proposal ids")->required();
  command.propose = command.tune->add_subcommand(
      "propose", "propose KNOB = VALUE on hosts by hand (still needs approval)");
  command.propose->add_option("KNOB", command.knob, "knob id, e.g. vm.swappiness or ship.pack:zod")
      ->required();
  command.propose->add_option("VALUE", command.value, "the value to set")->required();
  command.propose->add_option("--host", command.hosts, "host to propose it for; repeatable")
      ->required();
  command.log = command.tune->add_subcommand("log", "the audit log, newest first");
  command.log->add_option("--limit", command.limit, "newest N entries (default 50)");
  for (auto* verb : {command.list, command.show, command.approve, command.reject, command.rollback,
                     command.propose, command.log}) {
    verb->add_flag("--json", json, "print JSON for scripts");
  }
}

void buildTuneRequest(const TuneCommand& command, schema::TuneRequest::Builder request) {
  using Op = schema::TuneRequest::Op;
  Op op = command.list->parsed()       ? Op::LIST
          : command.show->parsed()     ? Op::SHOW
          : command.approve->parsed()  ? Op::APPROVE
          : command.reject->parsed()   ? Op::REJECT
          : command.rollback->parsed() ? Op::ROLLBACK
          : command.propose->parsed()  ? Op::PROPOSE
                                       : Op::LOG;
  request.setOp(op);
  auto ids = request.initIds(static_cast<unsigned>(command.ids.size()));
  for (size_t i = 0; i < command.ids.size(); ++i) ids.set(i, command.ids[i]);
  if (command.canary >= 0) {
    request.setHasCanary(true);
    request.setCanary(static_cast<uint32_t>(command.canary));
  }
  request.setState(command.state);
  request.setHost(command.host);
  request.setKnob(command.knob);
  request.setValue(command.value);
  auto hosts = request.initHosts(static_cast<unsigned>(command.hosts.size()));
  for (size_t i = 0; i < command.hosts.size(); ++i) hosts.set(i, command.hosts[i]);
  request.setLimit(command.limit);
}

void runTuneCommand(const TuneCommand& command, const AdminCall& call, bool json, int64_t now_ms,
                    std::ostream& out) {
  call(
      [&](schema::AdminRequest::Builder request) { buildTuneRequest(command, request.initTune()); },
      [&](schema::AdminResponse::Reader response) {
        if (!response.isTune())
          throw std::runtime_error("the controller answered something else than tune");
        auto reply = response.getTune();
        if (command.log->parsed()) {
          out << (json ? auditJson(reply.getAudit()).dump(2) + "\n" : auditText(reply.getAudit()));
        } else if (command.show->parsed() && !json && reply.getProposals().size() == 1) {
          out << proposalText(reply.getProposals()[0], now_ms);
        } else if (command.propose->parsed() && !json) {
          for (auto proposal : reply.getProposals()) {
            out << "proposal " << proposal.getId() << ": " << proposal.getKnob().cStr() << " "
                << (proposal.getCurrent().size() > 0 ? proposal.getCurrent().cStr() : "?") << " -> "
                << proposal.getValue().cStr() << " on " << proposal.getHost().cStr() << "\n";
          }
          out << reply.getDone().cStr() << "\n";
        } else if (json) {
          nlohmann::json answer = proposalsJson(reply.getProposals());
          if (reply.getDone().size() > 0) answer["done"] = reply.getDone().cStr();
          out << answer.dump(2) << "\n";
        } else if (reply.getDone().size() > 0) {
          out << reply.getDone().cStr() << "\n";
        } else {
          out << proposalsText(reply.getProposals(), now_ms);
        }
      });
}

}  // namespace tidemark::cli
