#include "controller/admin/tune_reply.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "controller/tuning/proposal_fields.h"

namespace tidemark::controller {

namespace {

constexpr uint32_t kDefaultLogLimit = 50;

const char* pendingName(PendingCommand command) {
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

uint64_t singleId(schema::TuneRequest::Reader request, const char* verb) {
  if (request.getIds().size() != 1) {
    throw TuningError(fmt::format("{}: exactly one proposal id is needed", verb));
  }
  return request.getIds()[0];
}

void fillProposals(const std::vector<Proposal>& proposals, schema::TuneReply::Builder reply) {
  auto list = reply.initProposals(static_cast<unsigned>(proposals.size()));
  for (size_t i = 0; i < proposals.size(); ++i) fillProposalInfo(proposals[i], list[i]);
}

}  // namespace

void fillProposalInfo(const Proposal& proposal, schema::ProposalInfo::Builder out) {
  fillSharedProposalFields(proposal, out);
  out.setPending(pendingName(proposal.command));
}

void answerTune(TuningService& tuning, schema::TuneRequest::Reader request, const AdminPeer& peer,
                schema::AdminResponse::Builder response) {
  using Op = schema::TuneRequest::Op;
  switch (request.getOp()) {
    case Op::LIST: {
      ProposalFilter filter;
      filter.host = request.getHost();
      if (request.getState().size() > 0) {
        filter.state = parseProposalState(request.getState().cStr());
        if (!filter.state) {
          throw TuningError(
              fmt::format("unknown state '{}' (proposed, approved, applied, failed, "
                          "rolled_back or rejected)",
                          request.getState().cStr()));
        }
      }
      fillProposals(tuning.list(filter), response.initTune());
      return;
    }
    case Op::SHOW:
      fillProposals({tuning.show(singleId(request, "show"))}, response.initTune());
      return;
    case Op::APPROVE: {
      std::vector<uint64_t> ids;
      for (uint64_t id : request.getIds()) ids.push_back(id);
      std::optional<uint32_t> canary;
      if (request.getHasCanary()) canary = request.getCanary();
      const uint64_t rollout = tuning.approve(ids, canary, peer);
      std::vector<Proposal> approved;
      for (uint64_t id : ids) approved.push_back(tuning.show(id));
      size_t canaries = 0;
      for (const auto& proposal : approved) canaries += proposal.canary ? 1 : 0;
      auto reply = response.initTune();
      fillProposals(approved, reply);
      reply.setDone(canaries > 0 ? fmt::format("roll-out {}: {} change(s) approved; {} canary "
                                               "change(s) go out first",
                                               rollout, approved.size(), canaries)
                                 : fmt::format("roll-out {}: {} change(s) approved and queued",
                                               rollout, approved.size()));
      return;
    }
    case Op::REJECT: {
      const uint64_t id = singleId(request, "reject");
      tuning.reject(id, peer);
      response.initTune().setDone(fmt::format("proposal {} rejected", id));
      return;
    }
    case Op::ROLLBACK: {
      // Several ids: one change rolled back across the hosts it went to.
      std::vector<uint64_t> ids;
      for (uint64_t id : request.getIds()) ids.push_back(id);
      if (ids.empty()) throw TuningError("rollback needs a proposal id");
      std::vector<uint64_t> queued;
      for (uint64_t id : ids) {
        try {
          tuning.rollback(id, peer);
        } catch (const TuningError& e) {
          if (queued.empty()) throw;
          throw TuningError(fmt::format("{} (rollbacks of {} were queued before it)", e.what(),
                                        fmt::join(queued, ", ")));
        }
        queued.push_back(id);
      }
      response.initTune().setDone(
          fmt::format("{} {}: rollback queued; the state becomes rolled_back when the agent "
                      "confirms",
                      queued.size() == 1 ? "proposal" : "proposals", fmt::join(queued, ", ")));
      return;
    }
    case Op::PROPOSE: {
      std::vector<std::string> hosts;
      for (auto host : request.getHosts()) hosts.emplace_back(host.cStr());
      const auto ids = tuning.propose(request.getKnob(), request.getValue(), hosts, peer);
      std::vector<Proposal> created;
      for (uint64_t id : ids) created.push_back(tuning.show(id));
      auto reply = response.initTune();
      fillProposals(created, reply);
      reply.setDone(fmt::format("{} proposal(s) created; each needs `tidemark tune approve`",
                                created.size()));
      return;
    }
    case Op::LOG: {
      const uint32_t limit = request.getLimit() == 0 ? kDefaultLogLimit : request.getLimit();
      const auto entries = tuning.log(limit);
      auto list = response.initTune().initAudit(static_cast<unsigned>(entries.size()));
      for (size_t i = 0; i < entries.size(); ++i) {
        const auto& entry = entries[i];
        auto out = list[i];
        out.setAtMs(entry.at_ms);
        out.setProposal(entry.proposal);
        out.setHost(entry.host);
        out.setKnob(entry.knob);
        out.setEvent(entry.event);
        out.setActorUid(entry.actor_uid);
        out.setActor(entry.actor);
        out.setDetail(entry.detail);
      }
      return;
    }
  }
  throw TuningError(fmt::format("unknown tune operation {} (is the CLI newer than the controller?)",
                                static_cast<int>(request.getOp())));
}

}  // namespace tidemark::controller
