#include "common/wire/agent_link_codec.h"

#include <capnp/message.h>
#include <kj/exception.h>

#include "common/errors/error.h"
#include "schemas/agent_link.capnp.h"

namespace tidemark::wire {

namespace {

void fillHello(schema::Hello::Builder out, const HelloData& hello) {
  out.setHostId(hello.host_id);
  out.setAgentVersion(hello.agent_version);
  out.setBootId(hello.boot_id);
  out.setEpoch(hello.epoch);
  out.setIntervalMs(hello.interval_ms);
  auto facts = out.initFacts(static_cast<unsigned>(hello.facts.size()));
  for (size_t i = 0; i < hello.facts.size(); ++i) {
    facts[i].setName(hello.facts[i].first);
    facts[i].setValue(hello.facts[i].second);
  }
}

void fillBatch(schema::MetricBatch::Builder out, const MetricBatchData& batch,
               const EncodeOptions& options) {
  out.setHostId(batch.host_id);
  out.setEpoch(batch.epoch);
  out.setSequence(batch.sequence);
  out.setOldestPending(batch.oldest_pending);
  auto announcements = out.initAnnouncements(static_cast<unsigned>(batch.announcements.size()));
  for (size_t i = 0; i < batch.announcements.size(); ++i) {
    const auto& in = batch.announcements[i];
    announcements[i].setId(in.id);
    announcements[i].setName(in.name);
    auto labels = announcements[i].initLabels(static_cast<unsigned>(in.labels.size()));
    for (size_t j = 0; j < in.labels.size(); ++j) {
      labels[j].setName(in.labels[j].name);
      labels[j].setValue(in.labels[j].value);
    }
  }
  const auto count = static_cast<unsigned>(batch.series_ids.size());
  auto ids = out.initSeriesIds(count);
  auto values = out.initValues(count);
  for (unsigned i = 0; i < count; ++i) {
    ids.set(i, batch.series_ids[i]);
    values.set(i, batch.values[i]);
  }
  out.setTimestampMs(batch.timestamp_ms);
  if (batch.timestamps_ms.empty() && options.uniform_timestamps) return;
  auto timestamps = out.initTimestampsMs(count);
  for (unsigned i = 0; i < count; ++i) timestamps.set(i, batch.timestampAt(i));
}

// Cap'n Proto lets a list of structs declare elements of zero words, which cost
// nothing in the frame (only the traversal limit bounds them): a 300-byte frame can
// claim millions of facts or labels, tens of bytes each once decoded and stored.
// Every element a real encoder writes takes at least one word, so all struct-list
// elements of a message together may not outnumber the frame's words.
class ElementBudget {
 public:
  explicit ElementBudget(size_t frame_bytes) : words_left_(frame_bytes / sizeof(capnp::word)) {}
  void take(size_t count, const char* what) {
    if (count > words_left_) {
      throw WireError("malformed agent message: " + std::to_string(count) + " " + what +
                      " cannot fit in the frame (zero-size list elements)");
    }
    words_left_ -= count;
  }

 private:
  size_t words_left_;
};

HelloData readHello(schema::Hello::Reader in, ElementBudget& budget) {
  HelloData hello;
  hello.host_id = in.getHostId();
  hello.agent_version = in.getAgentVersion();
  hello.boot_id = in.getBootId();
  hello.epoch = in.getEpoch();
  hello.interval_ms = in.getIntervalMs();
  auto facts = in.getFacts();
  budget.take(facts.size(), "facts");
  for (auto fact : facts) hello.facts.emplace_back(fact.getName(), fact.getValue());
  return hello;
}

MetricBatchData readBatch(schema::MetricBatch::Reader in, ElementBudget& budget) {
  MetricBatchData batch;
  batch.host_id = in.getHostId();
  batch.epoch = in.getEpoch();
  batch.sequence = in.getSequence();
  batch.oldest_pending = in.getOldestPending();
  auto announcements = in.getAnnouncements();
  budget.take(announcements.size(), "announcements");
  batch.announcements.reserve(announcements.size());
  for (auto a : announcements) {
    SeriesAnnouncementData out;
    out.id = a.getId();
    out.name = a.getName();
    auto labels = a.getLabels();
    budget.take(labels.size(), "labels");
    for (auto label : labels) out.labels.push_back({label.getName(), label.getValue()});
    batch.announcements.push_back(std::move(out));
  }
  auto ids = in.getSeriesIds();
  auto timestamps = in.getTimestampsMs();
  auto values = in.getValues();
  // An empty timestamps column is the uniform form: timestampMs for every sample.
  const bool uniform = timestamps.size() == 0;
  if ((!uniform && ids.size() != timestamps.size()) || ids.size() != values.size()) {
    throw WireError("batch " + std::to_string(batch.sequence) + " from " + batch.host_id +
                    ": column lengths differ (series ids " + std::to_string(ids.size()) +
                    ", timestamps " + std::to_string(timestamps.size()) + ", values " +
                    std::to_string(values.size()) + ")");
  }
  const unsigned count = ids.size();
  batch.series_ids.resize(count);
  batch.values.resize(count);
  for (unsigned i = 0; i < count; ++i) {
    batch.series_ids[i] = ids[i];
    batch.values[i] = values[i];
  }
  batch.timestamp_ms = in.getTimestampMs();
  if (!uniform) {
    batch.timestamps_ms.resize(count);
    for (unsigned i = 0; i < count; ++i) batch.timestamps_ms[i] = timestamps[i];
  }
  return batch;
}

schema::Ack::Status toSchema(AckStatus status) {
  switch (status) {
    case AckStatus::kStored: return schema::Ack::Status::STORED;
    case AckStatus::kDuplicate: return schema::Ack::Status::DUPLICATE;
    case AckStatus::kResync: return schema::Ack::Status::RESYNC;
    case AckStatus::kGap: return schema::Ack::Status::GAP;
    case AckStatus::kRejected: return schema::Ack::Status::REJECTED;
    case AckStatus::kUnauthorized: return schema::Ack::Status::UNAUTHORIZED;
  }
  return schema::Ack::Status::REJECTED;
}

AckStatus fromSchema(schema::Ack::Status status) {
  switch (status) {
    case schema::Ack::Status::STORED: return AckStatus::kStored;
    case schema::Ack::Status::DUPLICATE: return AckStatus::kDuplicate;
    case schema::Ack::Status::RESYNC: return AckStatus::kResync;
    case schema::Ack::Status::GAP: return AckStatus::kGap;
    case schema::Ack::Status::REJECTED: return AckStatus::kRejected;
    case schema::Ack::Status::UNAUTHORIZED: return AckStatus::kUnauthorized;
  }
  throw WireError("unknown ack status " + std::to_string(static_cast<int>(status)));
}

schema::TuningCommand::Action toSchema(TuningAction action) {
  return action == TuningAction::kApply ? schema::TuningCommand::Action::APPLY
                                        : schema::TuningCommand::Action::ROLLBACK;
}

TuningAction fromSchema(schema::TuningCommand::Action action) {
  switch (action) {
    case schema::TuningCommand::Action::APPLY: return TuningAction::kApply;
    case schema::TuningCommand::Action::ROLLBACK: return TuningAction::kRollback;
  }
  throw WireError("unknown tuning action " + std::to_string(static_cast<int>(action)));
}

schema::TuningResult::Outcome toSchema(TuningOutcome outcome) {
  switch (outcome) {
    case TuningOutcome::kApplied: return schema::TuningResult::Outcome::APPLIED;
    case TuningOutcome::kRolledBack: return schema::TuningResult::Outcome::ROLLED_BACK;
    case TuningOutcome::kRefused: return schema::TuningResult::Outcome::REFUSED;
    case TuningOutcome::kFailed: return schema::TuningResult::Outcome::FAILED;
    case TuningOutcome::kUnavailable: return schema::TuningResult::Outcome::UNAVAILABLE;
  }
  return schema::TuningResult::Outcome::FAILED;
}

TuningOutcome fromSchema(schema::TuningResult::Outcome outcome) {
  switch (outcome) {
    case schema::TuningResult::Outcome::APPLIED: return TuningOutcome::kApplied;
    case schema::TuningResult::Outcome::ROLLED_BACK: return TuningOutcome::kRolledBack;
    case schema::TuningResult::Outcome::REFUSED: return TuningOutcome::kRefused;
    case schema::TuningResult::Outcome::FAILED: return TuningOutcome::kFailed;
    case schema::TuningResult::Outcome::UNAVAILABLE: return TuningOutcome::kUnavailable;
  }
  throw WireError("unknown tuning outcome " + std::to_string(static_cast<int>(outcome)));
}

void fillResult(schema::TuningResult::Builder out, const TuningResultData& result) {
  out.setHostId(result.host_id);
  out.setChangeId(result.change_id);
  out.setAction(toSchema(result.action));
  out.setOutcome(toSchema(result.outcome));
  out.setKnob(result.knob);
  out.setPrevious(result.previous);
  out.setCurrent(result.current);
  out.setReason(result.reason);
  out.setRestoreCommand(result.restore_command);
  out.setAtMs(result.at_ms);
}

TuningResultData readResult(schema::TuningResult::Reader in) {
  TuningResultData result;
  result.host_id = in.getHostId();
  result.change_id = in.getChangeId();
  result.action = fromSchema(in.getAction());
  result.outcome = fromSchema(in.getOutcome());
  result.knob = in.getKnob();
  result.previous = in.getPrevious();
  result.current = in.getCurrent();
  result.reason = in.getReason();
  result.restore_command = in.getRestoreCommand();
  result.at_ms = in.getAtMs();
  return result;
}

void fillKnobReport(schema::KnobReport::Builder out, const KnobReportData& report) {
  out.setHostId(report.host_id);
  out.setAtMs(report.at_ms);
  auto knobs = out.initKnobs(static_cast<unsigned>(report.knobs.size()));
  for (size_t i = 0; i < report.knobs.size(); ++i) {
    const KnobStateData& in = report.knobs[i];
    auto knob = knobs[i];
    knob.setKnob(in.knob);
    knob.setValue(in.value);
    knob.setAvailable(in.available);
    knob.setReason(in.reason);
    auto choices = knob.initChoices(static_cast<unsigned>(in.choices.size()));
    for (size_t j = 0; j < in.choices.size(); ++j) choices.set(j, in.choices[j]);
    auto facts = knob.initFacts(static_cast<unsigned>(in.facts.size()));
    for (size_t j = 0; j < in.facts.size(); ++j) {
      facts[j].setName(in.facts[j].first);
      facts[j].setValue(in.facts[j].second);
    }
    knob.setAppliedChangeId(in.applied_change_id);
    knob.setAppliedValue(in.applied_value);
    knob.setDrift(in.drift);
  }
}

KnobReportData readKnobReport(schema::KnobReport::Reader in, ElementBudget& budget) {
  KnobReportData report;
  report.host_id = in.getHostId();
  report.at_ms = in.getAtMs();
  auto knobs = in.getKnobs();
  budget.take(knobs.size(), "knobs");
  report.knobs.reserve(knobs.size());
  for (auto knob : knobs) {
    KnobStateData out;
    out.knob = knob.getKnob();
    out.value = knob.getValue();
    out.available = knob.getAvailable();
    out.reason = knob.getReason();
    auto choices = knob.getChoices();
    budget.take(choices.size(), "knob choices");
    for (auto choice : choices) out.choices.emplace_back(choice);
    auto facts = knob.getFacts();
    budget.take(facts.size(), "knob facts");
    for (auto fact : facts) out.facts.emplace_back(fact.getName(), fact.getValue());
    out.applied_change_id = knob.getAppliedChangeId();
    out.applied_value = knob.getAppliedValue();
    out.drift = knob.getDrift();
    report.knobs.push_back(std::move(out));
  }
  return report;
}

}  // namespace

const char* tuningActionName(TuningAction action) {
  return action == TuningAction::kApply ? "apply" : "rollback";
}

const char* tuningOutcomeName(TuningOutcome outcome) {
  switch (outcome) {
    case TuningOutcome::kApplied: return "applied";
    case TuningOutcome::kRolledBack: return "rolled_back";
    case TuningOutcome::kRefused: return "refused";
    case TuningOutcome::kFailed: return "failed";
    case TuningOutcome::kUnavailable: return "unavailable";
  }
  return "unknown";
}

const char* ackStatusName(AckStatus status) {
  switch (status) {
    case AckStatus::kStored: return "stored";
    case AckStatus::kDuplicate: return "duplicate";
    case AckStatus::kResync: return "resync";
    case AckStatus::kGap: return "gap";
    case AckStatus::kRejected: return "rejected";
    case AckStatus::kUnauthorized: return "unauthorized";
  }
  return "unknown";
}

zmq::message_t encodeAgentMessage(const AgentMessageData& message, const EncodeOptions& options) {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<schema::AgentMessage>();
  if (const auto* hello = std::get_if<HelloData>(&message)) {
    fillHello(root.initHello(), *hello);
  } else if (const auto* batch = std::get_if<MetricBatchData>(&message)) {
    fillBatch(root.initBatch(), *batch, options);
  } else if (const auto* result = std::get_if<TuningResultData>(&message)) {
    fillResult(root.initTuningResult(), *result);
  } else {
    fillKnobReport(root.initKnobReport(), std::get<KnobReportData>(message));
  }
  return toFrame(builder);
}

zmq::message_t encodeControllerMessage(const ControllerMessageData& message) {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<schema::ControllerMessage>();
  if (const auto* ack = std::get_if<AckData>(&message)) {
    auto out = root.initAck();
    out.setSequence(ack->sequence);
    out.setStatus(toSchema(ack->status));
    out.setExpectedSequence(ack->expected_sequence);
    out.setReason(ack->reason);
  } else if (const auto* welcome = std::get_if<WelcomeData>(&message)) {
    auto out = root.initWelcome();
    out.setControllerVersion(welcome->controller_version);
    out.setLastSequence(welcome->last_sequence);
    out.setReadsUniformTimestamps(welcome->reads_uniform_timestamps);
  } else {
    const auto& command = std::get<TuningCommandData>(message);
    auto out = root.initTuningCommand();
    out.setChangeId(command.change_id);
    out.setAction(toSchema(command.action));
    out.setKnob(command.knob);
    out.setValue(command.value);
    out.setTimeoutMs(command.timeout_ms);
  }
  return toFrame(builder);
}

AgentMessageData decodeAgentMessage(const void* data, size_t size, const DecodeLimits& limits) {
  FrameReader frame(data, size, limits);
  ElementBudget budget(size);
  try {
    auto root = frame.root<schema::AgentMessage>();
    switch (root.which()) {
      case schema::AgentMessage::HELLO:
        return readHello(root.getHello(), budget);
      case schema::AgentMessage::BATCH:
        return readBatch(root.getBatch(), budget);
      case schema::AgentMessage::TUNING_RESULT:
        return readResult(root.getTuningResult());
      case schema::AgentMessage::KNOB_REPORT:
        return readKnobReport(root.getKnobReport(), budget);
    }
    throw WireError("agent message of unknown kind " + std::to_string(root.which()));
  } catch (const kj::Exception& e) {
    throw WireError(std::string("malformed agent message: ") + e.getDescription().cStr());
  }
}

ControllerMessageData decodeControllerMessage(const void* data, size_t size) {
  FrameReader frame(data, size);
  try {
    auto root = frame.root<schema::ControllerMessage>();
    switch (root.which()) {
      case schema::ControllerMessage::ACK: {
        auto in = root.getAck();
        return AckData{in.getSequence(), fromSchema(in.getStatus()), in.getExpectedSequence(),
                       in.getReason()};
      }
      case schema::ControllerMessage::WELCOME: {
        auto in = root.getWelcome();
        return WelcomeData{in.getControllerVersion(), in.getLastSequence(),
                           in.getReadsUniformTimestamps()};
      }
      case schema::ControllerMessage::TUNING_COMMAND: {
        auto in = root.getTuningCommand();
        TuningCommandData command;
        command.change_id = in.getChangeId();
        command.action = fromSchema(in.getAction());
        command.knob = in.getKnob();
        command.value = in.getValue();
        command.timeout_ms = in.getTimeoutMs();
        return command;
      }
    }
    throw WireError("controller message of unknown kind " + std::to_string(root.which()));
  } catch (const kj::Exception& e) {
    throw WireError(std::string("malformed controller message: ") + e.getDescription().cStr());
  }
}

}  // namespace tidemark::wire
