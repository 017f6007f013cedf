#include "agent/tuner/journal.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/tuner/knob_files.h"
#include "common/files/durable_file.h"

namespace tidemark::agent::tuner {

namespace {

constexpr const char* kSuffix = ".change";

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view text, int line) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) {
      throw std::runtime_error("line " + std::to_string(line) + ": a value ends in a lone \\");
    }
    switch (text[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default:
        throw std::runtime_error("line " + std::to_string(line) + ": unknown escape \\" +
                                 std::string(1, text[i]));
    }
  }
  return out;
}

int64_t parseNumber(const std::string& value, const std::string& key, int line) {
  const auto number = parseCanonicalInteger(value);
  if (!number) {
    throw std::runtime_error("line " + std::to_string(line) + ": " + key + " = '" + value +
                             "' is not a number");
  }
  return *number;
}

}  // namespace

const char* changeStatusName(ChangeStatus status) {
  switch (status) {
    case ChangeStatus::kPending: return "pending";
    case ChangeStatus::kApplied: return "applied";
    case ChangeStatus::kFailed: return "failed";
    case ChangeStatus::kRolledBack: return "rolled_back";
    case ChangeStatus::kSuperseded: return "superseded";
    case ChangeStatus::kRefused: return "refused";
    case ChangeStatus::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::optional<ChangeStatus> parseChangeStatus(std::string_view name) {
  for (ChangeStatus status :
       {ChangeStatus::kPending, ChangeStatus::kApplied, ChangeStatus::kFailed,
        ChangeStatus::kRolledBack, ChangeStatus::kSuperseded, ChangeStatus::kRefused,
        ChangeStatus::kUnavailable}) {
    if (name == changeStatusName(status)) return status;
  }
  return std::nullopt;
}

std::string formatJournalEntry(const JournalEntry& entry) {
  std::ostringstream out;
  const auto line = [&](const char* key, std::string_view value) {
    out << key << '=' << escape(value) << '\n';
  };
  line("change_id", std::to_string(entry.change_id));
  line("knob", entry.knob);
  line("value", entry.value);
  line("previous", entry.previous);
  line("current", entry.current);
  line("undone", entry.undone);
  // Pairs as two lines in order: names from other knob kinds may hold '='.
  for (const auto& [name, value] : entry.saved) {
    line("saved_name", name);
    line("saved_value", value);
  }
  line("restore_command", entry.restore_command);
  line("status", changeStatusName(entry.status));
  line("reason", entry.reason);
  line("superseded_by", std::to_string(entry.superseded_by));
  line("unverified", entry.unverified ? "1" : "0");
  line("created_ms", std::to_string(entry.created_ms));
  line("updated_ms", std::to_string(entry.updated_ms));
  return out.str();
}

JournalEntry parseJournalEntry(std::string_view text) {
  JournalEntry entry;
  bool has_id = false;
  bool has_status = false;
  std::optional<std::string> pending_name;
  int number = 0;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(position, end - position);
    position = end + 1;
    ++number;
    if (raw.empty()) continue;
    const size_t equals = raw.find('=');
    if (equals == std::string_view::npos) {
      throw std::runtime_error("line " + std::to_string(number) + ": no '=' in '" +
                               std::string(raw) + "'");
    }
    const std::string key(raw.substr(0, equals));
    const std::string value = unescape(raw.substr(equals + 1), number);
    if (key == "change_id") {
      entry.change_id = static_cast<uint64_t>(parseNumber(value, key, number));
      has_id = true;
    } else if (key == "knob") {
      entry.knob = value;
    } else if (key == "value") {
      entry.value = value;
    } else if (key == "previous") {
      entry.previous = value;
    } else if (key == "current") {
      entry.current = value;
    } else if (key == "undone") {
      entry.undone = value;
    } else if (key == "saved_name") {
      if (pending_name) {
        throw std::runtime_error("line " + std::to_string(number) + ": saved_name '" +
                                 *pending_name + "' has no saved_value");
      }
      pending_name = value;
    } else if (key == "saved_value") {
      if (!pending_name) {
        throw std::runtime_error("line " + std::to_string(number) +
                                 ": saved_value without a saved_name before it");
      }
      entry.saved.emplace_back(*pending_name, value);
      pending_name.reset();
    } else if (key == "restore_command") {
      entry.restore_command = value;
    } else if (key == "status") {
      const auto status = parseChangeStatus(value);
      if (!status) {
        throw std::runtime_error("line " + std::to_string(number) + ": unknown status '" +
                                 value + "'");
      }
      entry.status = *status;
      has_status = true;
    } else if (key == "reason") {
      entry.reason = value;
    } else if (key == "superseded_by") {
      entry.superseded_by = static_cast<uint64_t>(parseNumber(value, key, number));
    } else if (key == "unverified") {
      entry.unverified = value == "1";
    } else if (key == "created_ms") {
      entry.created_ms = parseNumber(value, key, number);
    } else if (key == "updated_ms") {
      entry.updated_ms = parseNumber(value, key, number);
    }
    // Unknown keys are skipped: a newer agent may have written them.
  }
  if (pending_name) throw std::runtime_error("saved_name '" + *pending_name + "' has no value");
  if (!has_id) throw std::runtime_error("no change_id");
  if (!has_status) throw std::runtime_error("no status");
  if (entry.knob.empty()) throw std::runtime_error("no knob");
  return entry;
}

Journal::Journal(std::string dir) : dir_(std::move(dir)) {
  namespace fs = std::filesystem;
  if (dir_.empty()) throw std::runtime_error("tuning journal: no folder given (journal_dir)");
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) {
    throw std::runtime_error("tuning journal " + dir_ + ": cannot create: " + error.message());
  }
  fs::directory_iterator files(dir_, error);
  if (error) {
    throw std::runtime_error("tuning journal " + dir_ + ": cannot list: " + error.message());
  }
  for (const auto& file : files) {
    const std::string path = file.path().string();
    if (file.path().extension() != kSuffix) continue;  // .tmp leftovers of a crash, strays
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    JournalEntry entry;
    try {
      if (!in) throw std::runtime_error("cannot read");
      entry = parseJournalEntry(text.str());
    } catch (const std::exception& e) {
      spdlog::error("tuning journal: skipping corrupt entry {}: {}", path, e.what());
      continue;
    }
    if (file.path().stem() != std::to_string(entry.change_id)) {
      spdlog::error("tuning journal: skipping {}: it holds change {}", path, entry.change_id);
      continue;
    }
    if (entry.status == ChangeStatus::kPending) {
      spdlog::warn(
          "tuning journal: change {} ({} = {}) was in progress when the agent stopped; taking "
          "it as applied but unverified (its saved state still serves a rollback: {})",
          entry.change_id, entry.knob, entry.value, entry.restore_command);
      entry.status = ChangeStatus::kApplied;
      entry.unverified = true;
      if (entry.reason.empty()) entry.reason = "the agent stopped mid-change; not verified";
    }
    entries_[entry.change_id] = std::move(entry);
  }
}

std::string Journal::pathFor(uint64_t change_id) const {
  return dir_ + "/" + std::to_string(change_id) + kSuffix;
}

const JournalEntry* Journal::find(uint64_t change_id) const {
  const auto found = entries_.find(change_id);
  return found == entries_.end() ? nullptr : &found->second;
}

void Journal::record(const JournalEntry& entry) {
  writeFileDurably(pathFor(entry.change_id), formatJournalEntry(entry));
  entries_[entry.change_id] = entry;
}

std::vector<const JournalEntry*> Journal::applied() const {
  std::map<std::string, const JournalEntry*> newest;
  for (const auto& [id, entry] : entries_) {
    if (entry.status == ChangeStatus::kApplied) newest[entry.knob] = &entry;  // ids ascend
  }
  std::vector<const JournalEntry*> out;
  for (const auto& [knob, entry] : newest) out.push_back(entry);
  return out;
}

const JournalEntry* Journal::appliedFor(const std::string& knob) const {
  const JournalEntry* newest = nullptr;
  for (const auto& [id, entry] : entries_) {
    if (entry.status == ChangeStatus::kApplied && entry.knob == knob) newest = &entry;
  }
  return newest;
}

const JournalEntry* Journal::supersededBy(uint64_t change_id) const {
  for (const auto& [id, entry] : entries_) {
    if (entry.status == ChangeStatus::kSuperseded && entry.superseded_by == change_id) {
      return &entry;
    }
  }
  return nullptr;
}

}  // namespace tidemark::agent::tuner
