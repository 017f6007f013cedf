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

void fillBatch(schema::MetricBatch::Builder out, const MetricBatchData& batch) {
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
  auto timestamps = out.initTimestampsMs(count);
  auto values = out.initValues(count);
  for (unsigned i = 0; i < count; ++i) {
    ids.set(i, batch.series_ids[i]);
    timestamps.set(i, batch.timestamps_ms[i]);
    values.set(i, batch.values[i]);
  }
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
  if (ids.size() != timestamps.size() || ids.size() != values.size()) {
    throw WireError("batch " + std::to_string(batch.sequence) + " from " + batch.host_id +
                    ": column lengths differ (series ids " + std::to_string(ids.size()) +
                    ", timestamps " + std::to_string(timestamps.size()) + ", values " +
                    std::to_string(values.size()) + ")");
  }
  const unsigned count = ids.size();
  batch.series_ids.resize(count);
  batch.timestamps_ms.resize(count);
  batch.values.resize(count);
  for (unsigned i = 0; i < count; ++i) {
    batch.series_ids[i] = ids[i];
    batch.timestamps_ms[i] = timestamps[i];
    batch.values[i] = values[i];
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

}  // namespace

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

zmq::message_t encodeAgentMessage(const AgentMessageData& message) {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<schema::AgentMessage>();
  if (const auto* hello = std::get_if<HelloData>(&message)) {
    fillHello(root.initHello(), *hello);
  } else {
    fillBatch(root.initBatch(), std::get<MetricBatchData>(message));
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
  } else {
    const auto& welcome = std::get<WelcomeData>(message);
    auto out = root.initWelcome();
    out.setControllerVersion(welcome.controller_version);
    out.setLastSequence(welcome.last_sequence);
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
        return WelcomeData{in.getControllerVersion(), in.getLastSequence()};
      }
    }
    throw WireError("controller message of unknown kind " + std::to_string(root.which()));
  } catch (const kj::Exception& e) {
    throw WireError(std::string("malformed controller message: ") + e.getDescription().cStr());
  }
}

}  // namespace tidemark::wire
