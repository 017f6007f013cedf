#include "agent/outbox/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "common/checksum/crc32c.h"
#include "agent/outbox/outbox_record.h"

namespace tidemark::agent {

namespace {

constexpr const char* kStateHeader = "tidemark outbox state 1";

std::string errnoText(int error) {
  return std::string(std::strerror(error)) + " (errno " + std::to_string(error) + ")";
}

bool parseNumber(std::string_view text, uint64_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> splitWords(std::string_view line) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    if (end > start) words.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

}  // namespace

Outbox::Outbox(std::unique_ptr<OutboxStorage> storage, OutboxOptions options)
    : storage_(std::move(storage)), options_(options) {
  load();
}

Outbox::Outbox(const std::string& dir, const std::string& state_path, OutboxOptions options)
    : Outbox(std::make_unique<FileOutboxStorage>(dir, state_path), options) {}

Outbox::~Outbox() {
  if (undurable_ == 0) return;
  writePending();
  makeDurable();
  commit();
  if (unwritten_ > 0) {
    uint64_t samples = 0;
    for (size_t i = pending_.size() - unwritten_; i < pending_.size(); ++i) {
      samples += pending_[i].batch.values.size();
    }
    spdlog::error("outbox: {} batches ({} samples) the disk refused are lost at exit; they "
                  "are counted as dropped on the next start",
                  unwritten_, samples);
  }
}

const std::string& Outbox::encodeState() {
  // Written at every push and ack: built in one reused buffer, numbers with to_chars.
  std::string& text = state_text_;
  text.assign(kStateHeader);
  text += '\n';
  auto number = [&](uint64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    text.append(digits, static_cast<size_t>(end - digits));
  };
  auto line = [&](const char* key, uint64_t value) {
    text += key;
    text += ' ';
    number(value);
    text += '\n';
  };
  line("done_through", done_through_);
  line("pushed_through", pushed_through_);
  line("batches_collected", counters_.batches_collected);
  line("samples_collected", counters_.samples_collected);
  line("batches_acked", counters_.batches_acked);
  line("samples_acked", counters_.samples_acked);
  line("batches_dropped", counters_.batches_dropped);
  line("samples_dropped", counters_.samples_dropped);
  text += "dropped";
  for (uint64_t sequence : dropped_) {
    text += ' ';
    number(sequence);
  }
  // The batches a power loss could take (named "unwritten" since the disk refusing
  // them was the only way once): those missing on the next start are counted dropped.
  text += "\nunwritten";
  for (size_t i = pending_.size() - undurable_; i < pending_.size(); ++i) {
    text += ' ';
    number(pending_[i].batch.sequence);
    text += ':';
    number(pending_[i].batch.values.size());
  }
  text += '\n';
  char crc[32];
  const int crc_length =
      std::snprintf(crc, sizeof crc, "crc32c %08x\n", crc32c(0, text.data(), text.size()));
  text.append(crc, static_cast<size_t>(crc_length));
  return text;
}

bool Outbox::parseState(const std::string& text, std::map<uint64_t, uint64_t>& unwritten) {
  // The last line is "crc32c XXXXXXXX" over everything before it.
  if (text.empty() || text.back() != '\n') return false;
  const size_t crc_line = text.rfind('\n', text.size() - 2);
  if (crc_line == std::string::npos) return false;
  const std::string_view last(text.data() + crc_line + 1, text.size() - crc_line - 2);
  uint32_t crc = 0;
  if (last.size() != 15 || last.substr(0, 7) != "crc32c " ||
      std::from_chars(last.data() + 7, last.data() + 15, crc, 16).ec != std::errc() ||
      crc != crc32c(0, text.data(), crc_line + 1)) {
    return false;
  }
  std::istringstream lines(text.substr(0, crc_line + 1));
  std::string line;
  if (!std::getline(lines, line) || line != kStateHeader) return false;
  const std::map<std::string_view, uint64_t*> numbers{
      {"done_through", &done_through_},
      {"pushed_through", &pushed_through_},
      {"batches_collected", &counters_.batches_collected},
      {"samples_collected", &counters_.samples_collected},
      {"batches_acked", &counters_.batches_acked},
      {"samples_acked", &counters_.samples_acked},
      {"batches_dropped", &counters_.batches_dropped},
      {"samples_dropped", &counters_.samples_dropped},
  };
  while (std::getline(lines, line)) {
    auto words = splitWords(line);
    if (words.empty()) continue;
    if (auto it = numbers.find(words[0]); it != numbers.end()) {
      if (words.size() != 2 || !parseNumber(words[1], *it->second)) return false;
    } else if (words[0] == "dropped") {
      for (size_t i = 1; i < words.size(); ++i) {
        uint64_t sequence = 0;
        if (!parseNumber(words[i], sequence)) return false;
        dropped_.insert(sequence);
      }
    } else if (words[0] == "unwritten") {
      for (size_t i = 1; i < words.size(); ++i) {
        const size_t colon = words[i].find(':');
        uint64_t sequence = 0, samples = 0;
        if (colon == std::string_view::npos || !parseNumber(words[i].substr(0, colon), sequence) ||
            !parseNumber(words[i].substr(colon + 1), samples)) {
          return false;
        }
        unwritten[sequence] = samples;
      }
    }  // other keys: written by a newer agent; ignored
  }
  return true;
}

void Outbox::load() {
  std::map<uint64_t, uint64_t> unwritten;  // sequence -> samples, only in memory last time
  if (auto text = storage_->readState()) {
    if (!parseState(*text, unwritten)) {
      spdlog::warn("outbox: {} is damaged; the lifetime counts restart from the batches the "
                   "outbox holds",
                   storage_->statePath());
      done_through_ = pushed_through_ = 0;
      counters_ = {};
      dropped_.clear();
      unwritten.clear();
    }
  }

  const std::vector<uint32_t> segments = storage_->listSegments();
  uint64_t last_kept = done_through_;
  uint64_t recovered_batches = 0;
  uint64_t recovered_samples = 0;
  bool logged_damage = false;
  std::string data;
  for (uint32_t segment : segments) {
    if (int error = storage_->readSegment(segment, data); error != 0) {
      // Left alone (not deleted): the next start tries again.
      spdlog::error("outbox: cannot read {}: {}; its batches are not sent",
                    storage_->segmentPath(segment), errnoText(error));
      continue;
    }
    SegmentScan scan = scanSegment(data);
    for (const auto& skipped : scan.skipped) {
      ++corrupt_records_;
      if (!logged_damage) {
        spdlog::warn("outbox: skipped a damaged record in {} at offset {} ({} bytes, {})",
                     storage_->segmentPath(segment), skipped.offset, skipped.bytes,
                     skippedKindName(skipped.kind));
        logged_damage = true;
      }
    }
    if (scan.clean_size < data.size()) {
      if (int error = storage_->truncate(segment, scan.clean_size); error != 0) {
        spdlog::warn("outbox: cannot cut the damaged end off {} at offset {}: {}",
                     storage_->segmentPath(segment), scan.clean_size, errnoText(error));
      } else {
        spdlog::info("outbox: cut {} at offset {} ({} damaged bytes at its end)",
                     storage_->segmentPath(segment), scan.clean_size,
                     data.size() - scan.clean_size);
      }
    }
    size_t live = 0;
    for (auto& record : scan.records) {
      const uint64_t sequence = record.batch.sequence;
      // Acked or dropped already; or a second copy of a record (a retried write).
      if (sequence <= last_kept || dropped_.count(sequence)) continue;
      if (sequence > pushed_through_) {
        // Written, but the crash came before the state file counted it.
        ++recovered_batches;
        recovered_samples += record.batch.values.size();
      }
      last_kept = sequence;
      bytes_ += record.bytes;
      pending_.push_back(PendingBatch{std::move(record.batch), -1, segment,
                                      static_cast<uint32_t>(record.bytes)});
      ++live;
    }
    if (live > 0) {
      live_[segment] = live;
    } else {
      doomed_.push_back(segment);
    }
  }
  if (corrupt_records_ > 1) {
    spdlog::warn("outbox: skipped {} damaged records in all", corrupt_records_);
  }
  counters_.batches_collected += recovered_batches;
  counters_.samples_collected += recovered_samples;
  pushed_through_ = std::max(pushed_through_, last_kept);

  // Batches the disk had refused, or not yet synced, that a crash or power loss took.
  uint64_t lost_batches = 0, lost_samples = 0;
  for (const auto& [unwritten_sequence, samples] : unwritten) {
    // A plain copy: clang 14 (the fuzz build) cannot capture a structured binding.
    const uint64_t sequence = unwritten_sequence;
    if (sequence <= done_through_ || dropped_.count(sequence)) continue;
    const bool loaded = std::any_of(pending_.begin(), pending_.end(),
                                    [&](const auto& p) { return p.batch.sequence == sequence; });
    if (loaded) continue;
    ++lost_batches;
    lost_samples += samples;
  }
  if (lost_batches > 0) {
    counters_.batches_dropped += lost_batches;
    counters_.samples_dropped += lost_samples;
    spdlog::error("outbox: {} batches ({} samples) were not on disk yet when the agent stopped "
                  "(refused by the disk, or written just before a power loss) and are lost; "
                  "counted as dropped",
                  lost_batches, lost_samples);
  }

  // Loaded from the page cache, maybe never synced (the last run was killed): the
  // first push syncs them.
  undurable_ = pending_.size();
  for (const auto& [segment, live] : live_) unsynced_segments_.insert(segment);
  if (!segments.empty()) next_segment_ = segments.back() + 1;
  roll_ = true;
  if (size_t dropped = dropOverBounds(); dropped > 0) {
    spdlog::warn("outbox: dropped the {} oldest batches kept on disk to fit the bounds "
                 "({} batches, {} bytes)",
                 dropped, options_.max_batches, options_.max_bytes);
  }
  if (!pending_.empty()) {
    spdlog::info("outbox: {} unacknowledged batches (sequences {} to {}) kept from before are "
                 "sent again",
                 pending_.size(), pending_.front().batch.sequence, pending_.back().batch.sequence);
  }
  if (recovered_batches > 0) {
    spdlog::info("outbox: {} batches written just before a crash counted as collected",
                 recovered_batches);
  }
  commit();
}

void Outbox::release(const PendingBatch& pending) {
  bytes_ -= pending.record_bytes;
  if (pending.segment == 0) return;
  auto it = live_.find(pending.segment);
  if (it == live_.end()) return;
  if (--it->second == 0) {
    live_.erase(it);
    if (pending.segment != active_segment_) doomed_.push_back(pending.segment);
  }
}

void Outbox::popFront() {
  if (unwritten_ == pending_.size()) --unwritten_;
  if (undurable_ == pending_.size()) --undurable_;
  release(pending_.front());
  pending_.pop_front();
}

size_t Outbox::dropOverBounds() {
  size_t dropped = 0;
  while (pending_.size() > 1 &&
         (pending_.size() > options_.max_batches || bytes_ > options_.max_bytes)) {
    counters_.samples_dropped += pending_.front().batch.values.size();
    ++counters_.batches_dropped;
    popFront();
    ++dropped;
  }
  return dropped;
}

size_t Outbox::push(wire::MetricBatchData batch) {
  const uint64_t sequence = batch.sequence;
  const auto record_bytes = static_cast<uint32_t>(recordBytes(batch));
  counters_.samples_collected += batch.values.size();
  ++counters_.batches_collected;
  pushed_through_ = std::max(pushed_through_, sequence);
  bytes_ += record_bytes;
  pending_.push_back(PendingBatch{std::move(batch), -1, 0, record_bytes});
  ++unwritten_;
  ++undurable_;
  // Drop first: what is dropped need not be written. The newest is never dropped.
  const size_t dropped = dropOverBounds();
  makeDurable();  // what the controller has not acked since the last push
  writePending();
  commit();
  return dropped;
}

void Outbox::retryWrites() {
  if (unwritten_ == 0) return;
  writePending();
  commit();
}

void Outbox::makeDurable() {
  if (undurable_ == unwritten_) {
    unsynced_segments_.clear();  // every record written is acknowledged or synced
    return;
  }
  for (auto it = unsynced_segments_.begin(); it != unsynced_segments_.end();) {
    if (int error = storage_->sync(*it); error != 0) {
      ++write_errors_;
      if (!sync_failing_) {
        spdlog::error("outbox: cannot fdatasync {}: {}; its unacknowledged batches stay in "
                      "memory and the sync is tried again with the next batch",
                      storage_->segmentPath(*it), errnoText(error));
        sync_failing_ = true;
      }
      return;
    }
    it = unsynced_segments_.erase(it);
  }
  if (sync_failing_) {
    spdlog::info("outbox: fdatasync works again");
    sync_failing_ = false;
  }
  undurable_ = unwritten_;
}

void Outbox::writePending() {
  while (unwritten_ > 0) {
    PendingBatch& pending = pending_[pending_.size() - unwritten_];
    if (roll_ || active_segment_ == 0 ||
        (active_bytes_ > 0 && active_bytes_ + pending.record_bytes > options_.segment_bytes)) {
      if (active_segment_ != 0 && live_.count(active_segment_) == 0) {
        doomed_.push_back(active_segment_);
      }
      active_segment_ = next_segment_++;
      active_bytes_ = 0;
      roll_ = false;
    }
    scratch_.clear();
    appendRecord(pending.batch, scratch_);
    if (int error = storage_->append(active_segment_, scratch_.data(), scratch_.size());
        error != 0) {
      ++write_errors_;
      // A segment with records in it may hold a partial one now: start a new one.
      // An empty one was cut back to nothing and is used again (no pile of empty
      // files while the disk stays full).
      roll_ = active_bytes_ > 0;
      if (!write_failing_) {
        spdlog::error("outbox: cannot write batch {} to {}: {}; it stays in memory ({} batches "
                      "there now) and is written when the disk takes it again",
                      pending.batch.sequence, storage_->segmentPath(active_segment_),
                      errnoText(error), unwritten_);
        write_failing_ = true;
      }
      return;
    }
    pending.segment = active_segment_;
    ++live_[active_segment_];
    unsynced_segments_.insert(active_segment_);
    active_bytes_ += scratch_.size();
    --unwritten_;
    if (write_failing_ && unwritten_ == 0) {
      spdlog::info("outbox: the disk takes records again; every batch held in memory is written "
                   "to {}",
                   storage_->segmentPath(active_segment_));
      write_failing_ = false;
    }
  }
}

void Outbox::commit() {
  done_through_ = pending_.empty() ? pushed_through_ : pending_.front().batch.sequence - 1;
  dropped_.erase(dropped_.begin(), dropped_.upper_bound(done_through_));
  // Segments go only after a durable state file says their records are done.
  const bool durable = !doomed_.empty();
  if (int error = storage_->writeState(encodeState(), durable); error != 0) {
    if (!state_failing_) {
      spdlog::error("outbox: cannot write {}: {}; retried with every batch and ack",
                    storage_->statePath(), errnoText(error));
      state_failing_ = true;
    }
    return;
  }
  if (state_failing_) {
    spdlog::info("outbox: {} written again", storage_->statePath());
    state_failing_ = false;
  }
  for (uint32_t segment : doomed_) {
    if (int error = storage_->remove(segment); error != 0) {
      spdlog::warn("outbox: cannot delete {}: {}", storage_->segmentPath(segment),
                   errnoText(error));
    }
  }
  doomed_.clear();
}

bool Outbox::drop(uint64_t sequence) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->batch.sequence != sequence) continue;
    counters_.samples_dropped += it->batch.values.size();
    ++counters_.batches_dropped;
    const auto index = static_cast<size_t>(it - pending_.begin());
    if (index >= pending_.size() - unwritten_) {
      --unwritten_;
    } else {
      dropped_.insert(sequence);
    }
    if (index >= pending_.size() - undurable_) --undurable_;
    release(*it);
    pending_.erase(it);
    commit();
    return true;
  }
  return false;
}

void Outbox::resendFrom(uint64_t sequence) {
  for (auto& pending : pending_) {
    if (pending.batch.sequence >= sequence) pending.sent_at_ms = -1;
  }
}

}  // namespace tidemark::agent
