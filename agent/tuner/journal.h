// The agent's on-disk record of every tuning change: one small file per change id,
// written durably before a knob is touched (with what is needed to undo it) and
// updated after, so a rollback works across agent restarts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/tuner/knob.h"

namespace tidemark::agent::tuner {

enum class ChangeStatus {
  kPending,      // journaled, the knob is being written
  kApplied,      // written and verified (or found pending after a restart: unverified)
  kFailed,       // the write or its verification failed; restored
  kRolledBack,   // undone by an operator's rollback
  kSuperseded,   // a later change to the same knob replaced it; rolling that back revives it
  kRefused,      // policy or validation said no; nothing was written
  kUnavailable,  // no such knob, or absent on this kernel; nothing was written
};

const char* changeStatusName(ChangeStatus status);  // "pending", "applied", ...
std::optional<ChangeStatus> parseChangeStatus(std::string_view name);

struct JournalEntry {
  uint64_t change_id = 0;
  std::string knob;
  std::string value;             // the value asked for
  std::string previous;          // the value before the change
  std::string current;           // read back after the change (or after the rollback)
  std::string undone;            // with kRolledBack: the value the rollback replaced
  SavedState saved;              // what restore() needs
  std::string restore_command;   // what an operator could run by hand
  ChangeStatus status = ChangeStatus::kPending;
  std::string reason;            // why refused or failed; notes on success
  uint64_t superseded_by = 0;    // with kSuperseded
  bool unverified = false;       // applied before a crash, never read back
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// The text of one journal file (key=value lines) and back; parse throws
// std::runtime_error naming the offending line.
std::string formatJournalEntry(const JournalEntry& entry);
JournalEntry parseJournalEntry(std::string_view text);

class Journal {
 public:
  // Creates `dir` when missing and loads every entry in it. A corrupt file is logged
  // with its path and skipped; a pending one (the agent died mid-change) is logged and
  // taken as applied but unverified, so its saved state still serves a rollback.
  // Throws std::runtime_error when the folder cannot be created or listed.
  explicit Journal(std::string dir);

  // The entry for `change_id`, or nullptr.
  const JournalEntry* find(uint64_t change_id) const;
  // Writes `entry` durably (replacing the entry with the same id), then keeps it.
  // Throws std::runtime_error naming the file when it cannot be written.
  void record(const JournalEntry& entry);
  // The applied change now in force on each knob (the newest applied one).
  std::vector<const JournalEntry*> applied() const;
  const JournalEntry* appliedFor(const std::string& knob) const;
  // The change that `change_id` superseded on its knob, or nullptr.
  const JournalEntry* supersededBy(uint64_t change_id) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string pathFor(uint64_t change_id) const;

  std::string dir_;
  std::map<uint64_t, JournalEntry> entries_;
};

}  // namespace tidemark::agent::tuner
