// Which agent keys may speak for which host: the allow-list, kept as files in a
// pki dir the way salt keeps minion keys, so operators and Ansible can read and
// drop keys by hand:
//   accepted/HOST   the one key allowed to speak for HOST
//   pending/HOST    keys that asked to join as HOST: "KEY ADDRESS FIRST_SEEN_MS LAST_SEEN_MS"
//   denied/HOST     keys refused for HOST (revoked, or a second agent claiming HOST)
// The folder is re-read when it changes on disk, so a key dropped into accepted/
// takes effect without a restart. Thread-safe: ZAP, ingest and admin all use it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/time/clock.h"

namespace tidemark::controller {

enum class KeyState { kAccepted, kPending, kDenied };

struct AgentKeyRecord {
  std::string host;
  std::string key;  // Z85 public key
  KeyState state = KeyState::kPending;
  std::string address;        // where it last connected from (pending and denied)
  int64_t first_seen_ms = 0;  // wall clock
  int64_t last_seen_ms = 0;
};

enum class ClaimResult {
  kAccepted,  // the key is accepted for this host
  kPending,   // recorded (or already) pending for an operator
  kConflict,  // the host is accepted with another key: refused and recorded as denied
  kDenied,    // the key was denied for this host before
  kRejected,  // pending list full, or the host id is unusable
};

class AgentRegistry {
 public:
  // Creates the folders (0700) when missing and loads them. Throws
  // std::runtime_error naming the path when it cannot.
  AgentRegistry(std::string pki_dir, const Clock& clock, size_t max_pending = 10'000);

  // The host `key` is accepted for; nullopt when it is not accepted.
  std::optional<std::string> acceptedHost(const std::string& key);
  // True when `key` is denied for every host it was seen with and accepted for none:
  // ZAP refuses such a key at the handshake.
  bool isDenied(const std::string& key);

  // An agent with `key` says it is `host`. Records pending or conflicting claims.
  ClaimResult claim(const std::string& key, const std::string& host, const std::string& address);

  std::vector<AgentKeyRecord> list();

  // Accepts the pending key of `host` (the one starting with `key_prefix` when
  // several are pending). Returns an empty string, or why not.
  std::string accept(const std::string& host, const std::string& key_prefix);
  // Removes `host` from the allow-list and denies its key. Returns "" or why not.
  std::string revoke(const std::string& host);

  // Re-reads the folders when any changed on disk (cheap: three stat calls).
  void refreshIfChanged();

  const std::string& directory() const { return pki_dir_; }

 private:
  void loadLocked();
  void writePendingLocked(const std::string& host);
  void writeDeniedLocked(const std::string& host);
  int64_t folderStamp() const;

  std::string pki_dir_;
  const Clock& clock_;
  size_t max_pending_;
  std::mutex mutex_;
  int64_t stamp_ = -1;
  std::map<std::string, std::string> accepted_;                          // host -> key
  std::map<std::string, std::string> accepted_by_key_;                   // key -> host
  std::map<std::string, std::vector<AgentKeyRecord>> pending_;           // host -> claims
  std::map<std::string, std::vector<AgentKeyRecord>> denied_;            // host -> keys
};

const char* keyStateName(KeyState state);

}  // namespace tidemark::controller
