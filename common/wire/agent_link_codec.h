// The messages of the agent link as plain structs, and their Cap'n Proto codecs.
// Decoders copy everything out of the frame, so a hostile frame can only fail at
// decode time (WireError), never later while the controller applies it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "common/metrics/series.h"
#include "common/wire/frame.h"

namespace tidemark::wire {

struct HelloData {
  std::string host_id;
  std::string agent_version;
  std::string boot_id;
  uint64_t epoch = 0;
  uint32_t interval_ms = 0;
  std::vector<std::pair<std::string, std::string>> facts;
};

struct SeriesAnnouncementData {
  uint32_t id = 0;
  std::string name;
  Labels labels;
};

struct MetricBatchData {
  std::string host_id;
  uint64_t epoch = 0;
  uint64_t sequence = 0;
  uint64_t oldest_pending = 0;
  std::vector<SeriesAnnouncementData> announcements;
  std::vector<uint32_t> series_ids;
  // Sample i's time is timestamps_ms[i]; when timestamps_ms is empty, every sample's
  // is timestamp_ms (the agent's batches, one collection each, are kept that way).
  std::vector<int64_t> timestamps_ms;
  int64_t timestamp_ms = 0;
  std::vector<double> values;

  int64_t timestampAt(size_t i) const {
    return timestamps_ms.empty() ? timestamp_ms : timestamps_ms[i];
  }
};

enum class AckStatus { kStored, kDuplicate, kResync, kGap, kRejected, kUnauthorized };

struct AckData {
  uint64_t sequence = 0;
  AckStatus status = AckStatus::kStored;
  uint64_t expected_sequence = 0;
  std::string reason;
};

struct WelcomeData {
  std::string controller_version;
  uint64_t last_sequence = 0;
  // The controller decodes batches with one time for all samples (timestamp_ms).
  bool reads_uniform_timestamps = false;
};

enum class TuningAction { kApply, kRollback };

// An approved change (or its undoing) for one knob on one host.
struct TuningCommandData {
  uint64_t change_id = 0;
  TuningAction action = TuningAction::kApply;
  std::string knob;   // "vm.swappiness", "block.scheduler:nvme0n1", "ship.pack:zod"
  std::string value;  // with kApply
  int64_t timeout_ms = 0;  // maintenance jobs; 0: the agent's default
};

enum class TuningOutcome { kApplied, kRolledBack, kRefused, kFailed, kUnavailable };

struct TuningResultData {
  std::string host_id;
  uint64_t change_id = 0;
  TuningAction action = TuningAction::kApply;
  TuningOutcome outcome = TuningOutcome::kFailed;
  std::string knob;
  std::string previous;
  std::string current;
  std::string reason;
  std::string restore_command;
  int64_t at_ms = 0;
};

struct KnobStateData {
  std::string knob;
  std::string value;
  bool available = false;
  std::string reason;
  std::vector<std::string> choices;
  std::vector<std::pair<std::string, std::string>> facts;
  uint64_t applied_change_id = 0;
  std::string applied_value;
  bool drift = false;
};

struct KnobReportData {
  std::string host_id;
  int64_t at_ms = 0;
  std::vector<KnobStateData> knobs;
};

using AgentMessageData = std::variant<HelloData, MetricBatchData, TuningResultData, KnobReportData>;
using ControllerMessageData = std::variant<AckData, WelcomeData, TuningCommandData>;

// The host every agent message speaks for.
inline const std::string& hostOf(const AgentMessageData& message) {
  return std::visit([](const auto& m) -> const std::string& { return m.host_id; }, message);
}

struct EncodeOptions {
  // Whether the peer reads a batch's one time for all samples. When not, a batch
  // held that way is sent with the time repeated for each sample (what controllers
  // from before the uniform form read).
  bool uniform_timestamps = false;
};

zmq::message_t encodeAgentMessage(const AgentMessageData& message,
                                  const EncodeOptions& options = {});
zmq::message_t encodeControllerMessage(const ControllerMessageData& message);

// Throw WireError with the reason when the frame is malformed or over the limits.
AgentMessageData decodeAgentMessage(const void* data, size_t size, const DecodeLimits& limits);
ControllerMessageData decodeControllerMessage(const void* data, size_t size);

const char* ackStatusName(AckStatus status);
const char* tuningActionName(TuningAction action);     // "apply", "rollback"
const char* tuningOutcomeName(TuningOutcome outcome);  // "applied", "rolled_back", ...

}  // namespace tidemark::wire
