// Helpers shared by the libFuzzer targets: a findings reporter, a per-process temp
// dir, and field-by-field equality of decoded wire messages (doubles compared
// bit for bit, so NaN payloads round-trip too).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include <zmq.h>

#include "common/wire/agent_link_codec.h"

namespace tidemark::fuzz {

// A finding that is not a crash by itself: print it and abort, so libFuzzer saves the input.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

// A fresh directory under $TMPDIR (or /tmp), removed when the process exits normally.
class ScopedTempDir {
 public:
  explicit ScopedTempDir(const char* tag) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/tidemark-" + tag + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) finding("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A valid CurveZMQ public key (Z85), the same every run: the encoding of 32 bytes `seed`.
inline std::string fixedCurveKey(uint8_t seed) {
  uint8_t bytes[32];
  std::memset(bytes, seed, sizeof bytes);
  char z85[41] = {};
  if (zmq_z85_encode(z85, bytes, sizeof bytes) == nullptr) finding("zmq_z85_encode failed");
  return z85;
}

inline bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline bool equal(const wire::HelloData& a, const wire::HelloData& b) {
  return a.host_id == b.host_id && a.agent_version == b.agent_version && a.boot_id == b.boot_id &&
         a.epoch == b.epoch && a.interval_ms == b.interval_ms && a.facts == b.facts;
}

inline bool equal(const wire::MetricBatchData& a, const wire::MetricBatchData& b) {
  if (a.host_id != b.host_id || a.epoch != b.epoch || a.sequence != b.sequence ||
      a.oldest_pending != b.oldest_pending || a.series_ids != b.series_ids ||
      a.values.size() != b.values.size() || a.announcements.size() != b.announcements.size()) {
    return false;
  }
  // One time for all samples and the same time repeated are the same samples.
  for (size_t i = 0; i < a.series_ids.size(); ++i) {
    if (a.timestampAt(i) != b.timestampAt(i)) return false;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (!sameBits(a.values[i], b.values[i])) return false;
  }
  for (size_t i = 0; i < a.announcements.size(); ++i) {
    const auto& x = a.announcements[i];
    const auto& y = b.announcements[i];
    if (x.id != y.id || x.name != y.name || x.labels != y.labels) return false;
  }
  return true;
}

inline bool equal(const wire::TuningResultData& a, const wire::TuningResultData& b) {
  return a.host_id == b.host_id && a.change_id == b.change_id && a.action == b.action &&
         a.outcome == b.outcome && a.knob == b.knob && a.previous == b.previous &&
         a.current == b.current && a.reason == b.reason &&
         a.restore_command == b.restore_command && a.at_ms == b.at_ms;
}

inline bool equal(const wire::KnobReportData& a, const wire::KnobReportData& b) {
  if (a.host_id != b.host_id || a.at_ms != b.at_ms || a.knobs.size() != b.knobs.size()) {
    return false;
  }
  for (size_t i = 0; i < a.knobs.size(); ++i) {
    const auto& x = a.knobs[i];
    const auto& y = b.knobs[i];
    if (x.knob != y.knob || x.value != y.value || x.available != y.available ||
        x.reason != y.reason || x.choices != y.choices || x.facts != y.facts ||
        x.applied_change_id != y.applied_change_id || x.applied_value != y.applied_value ||
        x.drift != y.drift) {
      return false;
    }
  }
  return true;
}

inline bool equal(const wire::AgentMessageData& a, const wire::AgentMessageData& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) { return equal(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

inline bool equal(const wire::ControllerMessageData& a, const wire::ControllerMessageData& b) {
  if (a.index() != b.index()) return false;
  if (const auto* ack = std::get_if<wire::AckData>(&a)) {
    const auto& other = std::get<wire::AckData>(b);
    return ack->sequence == other.sequence && ack->status == other.status &&
           ack->expected_sequence == other.expected_sequence && ack->reason == other.reason;
  }
  if (const auto* x = std::get_if<wire::WelcomeData>(&a)) {
    const auto& y = std::get<wire::WelcomeData>(b);
    return x->controller_version == y.controller_version && x->last_sequence == y.last_sequence;
  }
  const auto& x = std::get<wire::TuningCommandData>(a);
  const auto& y = std::get<wire::TuningCommandData>(b);
  return x.change_id == y.change_id && x.action == y.action && x.knob == y.knob &&
         x.value == y.value && x.timeout_ms == y.timeout_ms;
}

inline bool validStatus(wire::AckStatus status) {
  switch (status) {
    case wire::AckStatus::kStored:
    case wire::AckStatus::kDuplicate:
    case wire::AckStatus::kResync:
    case wire::AckStatus::kGap:
    case wire::AckStatus::kRejected:
    case wire::AckStatus::kUnauthorized:
      return true;
  }
  return false;
}

}  // namespace tidemark::fuzz
