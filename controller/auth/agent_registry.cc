#include "controller/auth/agent_registry.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/metrics/host_id.h"
#include "common/transport/curve_keys.h"

namespace tidemark::controller {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAccepted = "accepted";
constexpr const char* kPending = "pending";
constexpr const char* kDenied = "denied";

void writeAtomically(const fs::path& path, const std::string& text) {
  fs::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write);
  fs::rename(temp, path);
}

std::vector<AgentKeyRecord> readRecords(const fs::path& path, const std::string& host,
                                        KeyState state) {
  std::vector<AgentKeyRecord> records;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    AgentKeyRecord record;
    record.host = host;
    record.state = state;
    fields >> record.key >> record.address >> record.first_seen_ms >> record.last_seen_ms;
    if (!isValidZ85Key(record.key)) {
      spdlog::warn("pki: ignoring a malformed line in {}", path.string());
      continue;
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string formatRecords(const std::vector<AgentKeyRecord>& records) {
  std::string text = "# KEY ADDRESS FIRST_SEEN_MS LAST_SEEN_MS\n";
  for (const auto& r : records) {
    text += r.key + " " + (r.address.empty() ? "-" : r.address) + " " +
            std::to_string(r.first_seen_ms) + " " + std::to_string(r.last_seen_ms) + "\n";
  }
  return text;
}

}  // namespace

const char* keyStateName(KeyState state) {
  switch (state) {
    case KeyState::kAccepted: return "accepted";
    case KeyState::kPending: return "pending";
    case KeyState::kDenied: return "denied";
  }
  return "unknown";
}

AgentRegistry::AgentRegistry(std::string pki_dir, const Clock& clock, size_t max_pending)
    : pki_dir_(std::move(pki_dir)), clock_(clock), max_pending_(max_pending) {
  for (const char* folder : {kAccepted, kPending, kDenied}) {
    std::error_code error;
    fs::create_directories(fs::path(pki_dir_) / folder, error);
    if (error) {
      throw std::runtime_error("cannot create pki dir " + pki_dir_ + "/" + folder + ": " +
                               error.message());
    }
  }
  fs::permissions(pki_dir_, fs::perms::owner_all);
  std::lock_guard lock(mutex_);
  loadLocked();
}

int64_t AgentRegistry::folderStamp() const {
  int64_t stamp = 0;
  for (const char* folder : {kAccepted, kPending, kDenied}) {
    struct stat st {};
    if (::stat((fs::path(pki_dir_) / folder).c_str(), &st) == 0) {
      stamp ^= st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec + st.st_ino;
    }
  }
  return stamp;
}

void AgentRegistry::loadLocked() {
  stamp_ = folderStamp();
  accepted_.clear();
  accepted_by_key_.clear();
  pending_.clear();
  denied_.clear();
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(fs::path(pki_dir_) / kAccepted, error)) {
    const std::string host = entry.path().filename().string();
    if (!checkHostId(host).empty()) continue;  // editor backups, temp files
    auto records = readRecords(entry.path(), host, KeyState::kAccepted);
    if (records.empty()) {
      spdlog::warn("pki: {} holds no valid key; host {} is not accepted", entry.path().string(), host);
      continue;
    }
    accepted_[host] = records.front().key;
    accepted_by_key_[records.front().key] = host;
  }
  for (const auto& entry : fs::directory_iterator(fs::path(pki_dir_) / kPending, error)) {
    const std::string host = entry.path().filename().string();
    if (checkHostId(host).empty()) pending_[host] = readRecords(entry.path(), host, KeyState::kPending);
  }
  for (const auto& entry : fs::directory_iterator(fs::path(pki_dir_) / kDenied, error)) {
    const std::string host = entry.path().filename().string();
    if (checkHostId(host).empty()) denied_[host] = readRecords(entry.path(), host, KeyState::kDenied);
  }
}

void AgentRegistry::refreshIfChanged() {
  std::lock_guard lock(mutex_);
  if (folderStamp() != stamp_) loadLocked();
}

void AgentRegistry::writePendingLocked(const std::string& host) {
  auto path = fs::path(pki_dir_) / kPending / host;
  auto it = pending_.find(host);
  if (it == pending_.end() || it->second.empty()) {
    fs::remove(path);
  } else {
    writeAtomically(path, formatRecords(it->second));
  }
  stamp_ = folderStamp();
}

void AgentRegistry::writeDeniedLocked(const std::string& host) {
  writeAtomically(fs::path(pki_dir_) / kDenied / host, formatRecords(denied_[host]));
  stamp_ = folderStamp();
}

std::optional<std::string> AgentRegistry::acceptedHost(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = accepted_by_key_.find(key);
  if (it == accepted_by_key_.end()) return std::nullopt;
  return it->second;
}

bool AgentRegistry::isDenied(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (accepted_by_key_.count(key)) return false;
  for (const auto& [host, records] : denied_) {
    for (const auto& record : records) {
      if (record.key == key) return true;
    }
  }
  return false;
}

ClaimResult AgentRegistry::claim(const std::string& key, const std::string& host,
                                 const std::string& address) {
  if (!checkHostId(host).empty()) return ClaimResult::kRejected;
  std::lock_guard lock(mutex_);
  const int64_t now = clock_.wallMs();
  if (auto it = accepted_.find(host); it != accepted_.end()) {
    if (it->second == key) return ClaimResult::kAccepted;
    // Salt's duplicate-id denial: never merge a second agent into an enrolled host.
    auto& denied = denied_[host];
    for (auto& record : denied) {
      if (record.key == key) {
        record.last_seen_ms = now;
        record.address = address;
        return ClaimResult::kConflict;
      }
    }
    denied.push_back({host, key, KeyState::kDenied, address, now, now});
    writeDeniedLocked(host);
    return ClaimResult::kConflict;
  }
  if (auto it = denied_.find(host); it != denied_.end()) {
    for (const auto& record : it->second) {
      if (record.key == key) return ClaimResult::kDenied;
    }
  }
  auto& claims = pending_[host];
  for (auto& record : claims) {
    if (record.key == key) {
      record.last_seen_ms = now;
      record.address = address;
      return ClaimResult::kPending;
    }
  }
  size_t total = 0;
  for (const auto& [_, records] : pending_) total += records.size();
  if (total >= max_pending_) {
    if (claims.empty()) pending_.erase(host);
    return ClaimResult::kRejected;
  }
  claims.push_back({host, key, KeyState::kPending, address, now, now});
  writePendingLocked(host);
  return ClaimResult::kPending;
}

std::vector<AgentKeyRecord> AgentRegistry::list() {
  std::lock_guard lock(mutex_);
  std::vector<AgentKeyRecord> out;
  for (const auto& [host, key] : accepted_) out.push_back({host, key, KeyState::kAccepted, "", 0, 0});
  for (const auto& [host, records] : pending_) out.insert(out.end(), records.begin(), records.end());
  for (const auto& [host, records] : denied_) out.insert(out.end(), records.begin(), records.end());
  return out;
}

std::string AgentRegistry::accept(const std::string& host, const std::string& key_prefix) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(host);
  if (it == pending_.end() || it->second.empty()) {
    return accepted_.count(host) ? "host " + host + " is already accepted"
                                 : "no pending key for host " + host;
  }
  std::vector<AgentKeyRecord*> matches;
  for (auto& record : it->second) {
    if (record.key.rfind(key_prefix, 0) == 0) matches.push_back(&record);
  }
  if (matches.empty()) return "no pending key of host " + host + " starts with " + key_prefix;
  if (matches.size() > 1) {
    return std::to_string(matches.size()) + " keys are pending for host " + host +
           "; pick one with --key (see tidemark agents pending)";
  }
  const std::string key = matches.front()->key;
  writeAtomically(fs::path(pki_dir_) / kAccepted / host,
                  "# accepted " + std::to_string(clock_.wallMs()) + "\n" + key + "\n");
  accepted_[host] = key;
  accepted_by_key_[key] = host;
  pending_.erase(it);
  writePendingLocked(host);
  return {};
}

std::string AgentRegistry::revoke(const std::string& host) {
  std::lock_guard lock(mutex_);
  auto it = accepted_.find(host);
  if (it == accepted_.end()) return "host " + host + " is not accepted";
  const std::string key = it->second;
  const int64_t now = clock_.wallMs();
  denied_[host].push_back({host, key, KeyState::kDenied, "", now, now});
  writeDeniedLocked(host);
  accepted_by_key_.erase(key);
  accepted_.erase(it);
  fs::remove(fs::path(pki_dir_) / kAccepted / host);
  stamp_ = folderStamp();
  return {};
}

}  // namespace tidemark::controller
