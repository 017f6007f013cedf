#include "controller/tuning/tuning_records.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <exception>

#include "schemas/tuning_records.capnp.h"
#include "controller/tuning/proposal_fields.h"

namespace tidemark::controller {

namespace {

std::string toBytes(capnp::MallocMessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asChars();
  return std::string(bytes.begin(), bytes.size());
}

// Runs `read` on the record in `bytes`; nullopt when they hold no such record.
template <typename Record, typename Read>
auto readRecord(std::string_view bytes, Read read)
    -> std::optional<decltype(read(std::declval<typename Record::Reader>()))> {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) return std::nullopt;
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::FlatArrayMessageReader message(words);
    return read(message.getRoot<Record>());
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
}

const char* commandName(PendingCommand command) {
  switch (command) {
    case PendingCommand::kApply:
      return "apply";
    case PendingCommand::kRollback:
      return "rollback";
    case PendingCommand::kNone:
      break;
  }
  return "";
}

PendingCommand parseCommand(std::string_view name) {
  if (name == "apply") return PendingCommand::kApply;
  if (name == "rollback") return PendingCommand::kRollback;
  return PendingCommand::kNone;
}

}  // namespace

std::string encodeProposal(const Proposal& proposal) {
  capnp::MallocMessageBuilder message;
  auto record = message.initRoot<schema::TuningProposalRecord>();
  fillSharedProposalFields(proposal, record);
  record.setCommand(commandName(proposal.command));
  record.setCommandSentMs(proposal.command_sent_ms);
  record.setAppliedMs(proposal.applied_ms);
  record.setDriftSeen(proposal.drift_seen);
  return toBytes(message);
}

std::optional<Proposal> decodeProposal(std::string_view bytes) {
  return readRecord<schema::TuningProposalRecord>(
             bytes,
             [](schema::TuningProposalRecord::Reader record) -> std::optional<Proposal> {
               const auto state = parseProposalState(record.getState().cStr());
               if (!state) return std::nullopt;
               Proposal proposal;
               proposal.id = record.getId();
               proposal.host = record.getHost();
               proposal.knob = record.getKnob();
               proposal.value = record.getValue();
               proposal.current = record.getCurrent();
               proposal.state = *state;
               proposal.reason = record.getReason();
               for (auto line : record.getEvidence()) proposal.evidence.emplace_back(line.cStr());
               proposal.source = record.getSource();
               proposal.created_ms = record.getCreatedMs();
               proposal.updated_ms = record.getUpdatedMs();
               proposal.rollout = record.getRollout();
               proposal.canary = record.getCanary();
               proposal.agent_message = record.getAgentMessage();
               proposal.restore_command = record.getRestoreCommand();
               proposal.command = parseCommand(record.getCommand().cStr());
               proposal.command_sent_ms = record.getCommandSentMs();
               proposal.applied_ms = record.getAppliedMs();
               proposal.drift_seen = record.getDriftSeen();
               return proposal;
             })
      .value_or(std::nullopt);
}

std::string encodeAuditEntry(const AuditEntry& entry) {
  capnp::MallocMessageBuilder message;
  auto record = message.initRoot<schema::TuningAuditRecord>();
  record.setAtMs(entry.at_ms);
  record.setProposal(entry.proposal);
  record.setHost(entry.host);
  record.setKnob(entry.knob);
  record.setEvent(entry.event);
  record.setActorUid(entry.actor_uid);
  record.setActor(entry.actor);
  record.setDetail(entry.detail);
  return toBytes(message);
}

std::optional<AuditEntry> decodeAuditEntry(std::string_view bytes) {
  return readRecord<schema::TuningAuditRecord>(bytes, [](schema::TuningAuditRecord::Reader record) {
    AuditEntry entry;
    entry.at_ms = record.getAtMs();
    entry.proposal = record.getProposal();
    entry.host = record.getHost();
    entry.knob = record.getKnob();
    entry.event = record.getEvent();
    entry.actor_uid = record.getActorUid();
    entry.actor = record.getActor();
    entry.detail = record.getDetail();
    return entry;
  });
}

std::string encodeKnobReport(const wire::KnobReportData& report) {
  zmq::message_t frame = wire::encodeAgentMessage(report);
  return std::string(static_cast<const char*>(frame.data()), frame.size());
}

std::optional<wire::KnobReportData> decodeKnobReport(std::string_view bytes) {
  try {
    auto message = wire::decodeAgentMessage(bytes.data(), bytes.size(), wire::DecodeLimits{});
    if (auto* report = std::get_if<wire::KnobReportData>(&message)) return std::move(*report);
  } catch (const std::exception&) {
    // Damaged: the caller logs it.
  }
  return std::nullopt;
}

}  // namespace tidemark::controller
