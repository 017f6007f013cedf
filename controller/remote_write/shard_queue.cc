#include "controller/remote_write/shard_queue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/files/durable_file.h"
#include "controller/remote_write/queue_record.h"

namespace tidemark::controller::remote_write {
namespace {

std::string systemError(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Reads [offset, offset + size) of the file at `path`; false on a short read.
bool readRange(const std::string& path, uint64_t offset, size_t size, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t got =
        ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  return done == size;
}

}  // namespace

ShardQueue::ShardQueue(std::string dir, uint64_t max_bytes, uint64_t segment_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes), segment_bytes_(segment_bytes) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) throw std::runtime_error("cannot create " + dir_ + ": " + error.message());
  load();
}

ShardQueue::~ShardQueue() {
  std::lock_guard lock(mutex_);
  if (active_fd_ >= 0) {
    ::fdatasync(active_fd_);
    ::close(active_fd_);
  }
  try {
    writeCursorLocked();
  } catch (const std::exception&) {
    // At worst the records since the last cursor write are sent again.
  }
}

std::string ShardQueue::segmentPath(uint32_t id) const {
  char name[32];
  std::snprintf(name, sizeof name, "/%08u.seg", id);
  return dir_ + name;
}

void ShardQueue::load() {
  std::vector<uint32_t> ids;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 12 && name.ends_with(".seg")) {
      ids.push_back(static_cast<uint32_t>(std::strtoul(name.c_str(), nullptr, 10)));
    }
  }
  std::sort(ids.begin(), ids.end());
  loadCursor();  // the raw position; checked against the segments below
  const Position wanted = cursor_;
  cursor_ = {};
  std::string data;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string path = segmentPath(ids[i]);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(systemError("cannot read", path));
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    QueueSegmentScan scan = scanQueueSegment(data);
    damaged_regions_ += scan.damaged_regions;
    const bool last = i + 1 == ids.size();
    if (last && scan.clean_size < data.size()) {
      // A torn append (a crash mid-write) or damage at the end: cut it off so the
      // next append starts on a record boundary.
      if (::truncate(path.c_str(), static_cast<off_t>(scan.clean_size)) != 0) {
        throw std::runtime_error(systemError("cannot truncate", path));
      }
      data.resize(scan.clean_size);
    }
    Segment segment{ids[i], data.size(), 0};
    for (const auto& record : scan.records) segment.samples += record.header.samples;
    if (ids[i] == wanted.segment) {
      // Resume at the first intact record at or after the saved offset.
      cursor_ = {ids[i], data.size(), 0};
      uint64_t before = 0;
      for (const auto& record : scan.records) {
        if (record.offset >= wanted.offset) {
          cursor_.offset = record.offset;
          break;
        }
        before += record.header.samples;
      }
      cursor_.samples_before = before;
      unread_samples_ = segment.samples - before;
    } else if (ids[i] > wanted.segment) {
      unread_samples_ += segment.samples;
    }
    bytes_ += segment.bytes;
    segments_.push_back(segment);
  }
  if (segments_.empty()) {
    segments_.push_back({1, 0, 0});
    folder_dirty_ = true;
  }
  // No cursor (a new queue) or one older than every segment: start at the oldest.
  if (cursor_.segment == 0) {
    cursor_ = {segments_.front().id, 0, 0};
    unread_samples_ = 0;
    for (const auto& segment : segments_) unread_samples_ += segment.samples;
  }
  normalizeLocked(cursor_);
  read_ = cursor_;
  if (std::string error = openActiveLocked(segments_.back().id); !error.empty()) {
    throw std::runtime_error(error);
  }
}

void ShardQueue::loadCursor() {
  std::ifstream in(dir_ + "/cursor");
  uint32_t segment = 0;
  uint64_t offset = 0;
  std::string version;
  if (in >> version >> segment >> offset && version == "v1") cursor_ = {segment, offset, 0};
}

void ShardQueue::writeCursorLocked() {
  std::ostringstream text;
  text << "v1 " << cursor_.segment << " " << cursor_.offset << "\n";
  if (text.str() == written_cursor_) return;
  writeFileDurably(dir_ + "/cursor", text.str());
  written_cursor_ = text.str();
}

std::string ShardQueue::openActiveLocked(uint32_t id) {
  const std::string path = segmentPath(id);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return systemError("cannot open", path);
  if (active_fd_ >= 0) {
    // The sealed segment's last appends reach the disk now (once per segment).
    ::fdatasync(active_fd_);
    ::close(active_fd_);
  }
  active_fd_ = fd;
  return {};
}

const ShardQueue::Segment* ShardQueue::findLocked(uint32_t id) const {
  for (const auto& segment : segments_) {
    if (segment.id == id) return &segment;
  }
  return nullptr;
}

void ShardQueue::normalizeLocked(Position& at) const {
  while (true) {
    const Segment* segment = findLocked(at.segment);
    if (segment == nullptr) {
      if (at.segment < segments_.front().id) at = {segments_.front().id, 0, 0};
      return;
    }
    if (at.offset < segment->bytes || segment == &segments_.back()) return;
    at = {at.segment + 1, 0, 0};
  }
}

void ShardQueue::dropOldestLocked() {
  const Segment oldest = segments_.front();
  uint64_t read_in = 0;
  if (read_.segment > oldest.id) {
    read_in = oldest.samples;
  } else if (read_.segment == oldest.id) {
    read_in = read_.samples_before;
  }
  const uint64_t unread = oldest.samples - std::min(read_in, oldest.samples);
  unread_samples_ -= std::min(unread, unread_samples_);
  dropped_samples_ += unread;
  ::unlink(segmentPath(oldest.id).c_str());
  bytes_ -= oldest.bytes;
  segments_.pop_front();
  const Position next{segments_.front().id, 0, 0};
  if (cursor_.segment <= oldest.id) cursor_ = next;
  if (read_.segment <= oldest.id) read_ = next;
}

std::string ShardQueue::append(std::string_view payload, uint32_t samples, int64_t enqueued_ms) {
  std::string record;
  record.reserve(kQueueRecordHeaderBytes + payload.size());
  appendQueueRecord(record, payload, samples, enqueued_ms);
  std::lock_guard lock(mutex_);
  if (record.size() > max_bytes_) {
    dropped_samples_ += samples;
    return "a record of " + std::to_string(record.size()) + " bytes is larger than the queue (" +
           std::to_string(max_bytes_) + " bytes)";
  }
  auto roll = [&]() -> std::string {
    const uint32_t id = segments_.back().id + 1;
    if (std::string error = openActiveLocked(id); !error.empty()) return error;
    segments_.push_back({id, 0, 0});
    folder_dirty_ = true;
    return {};
  };
  if (segments_.back().bytes >= segment_bytes_) {
    if (std::string error = roll(); !error.empty()) return error;
  }
  while (bytes_ + record.size() > max_bytes_) {
    if (segments_.size() == 1) {
      if (std::string error = roll(); !error.empty()) return error;
    }
    dropOldestLocked();
  }
  Segment& active = segments_.back();
  size_t done = 0;
  while (done < record.size()) {
    const ssize_t wrote = ::write(active_fd_, record.data() + done, record.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      std::string error = systemError("cannot append to", segmentPath(active.id));
      // Cut a partial record off so the segment stays a sequence of whole records.
      if (::ftruncate(active_fd_, static_cast<off_t>(active.bytes)) != 0) {
        error += " (and cannot cut the partial record off)";
      }
      return error;
    }
    done += static_cast<size_t>(wrote);
  }
  active.bytes += record.size();
  active.samples += samples;
  bytes_ += record.size();
  unread_samples_ += samples;
  dirty_ = true;
  return {};
}

bool ShardQueue::next(QueuedRecord& out) {
  std::lock_guard lock(mutex_);
  std::string header_bytes;
  while (true) {
    normalizeLocked(read_);
    const Segment* segment = findLocked(read_.segment);
    if (segment == nullptr || read_.offset >= segment->bytes) {
      unread_samples_ = 0;  // everything is read: whatever damage cost is settled
      return false;
    }
    const std::string path = segmentPath(segment->id);
    QueueRecordHeader header;
    if (readRange(path, read_.offset, kQueueRecordHeaderBytes, header_bytes) &&
        parseQueueRecordHeader(header_bytes.data(), header) &&
        read_.offset + kQueueRecordHeaderBytes + header.payload_bytes <= segment->bytes &&
        readRange(path, read_.offset + kQueueRecordHeaderBytes, header.payload_bytes,
                  out.payload) &&
        queueRecordIntact(header_bytes.data(), header, out.payload)) {
      out.samples = header.samples;
      out.enqueued_ms = header.enqueued_ms;
      read_.offset += kQueueRecordHeaderBytes + header.payload_bytes;
      read_.samples_before += header.samples;
      unread_samples_ -= std::min<uint64_t>(header.samples, unread_samples_);
      in_flight_samples_ += header.samples;
      return true;
    }
    // Damage: skip to the next intact record of this segment, or to its end.
    ++damaged_regions_;
    std::string rest;
    uint64_t resume = segment->bytes;
    if (readRange(path, read_.offset, segment->bytes - read_.offset, rest)) {
      QueueSegmentScan scan = scanQueueSegment(rest, 1);
      if (!scan.records.empty()) resume = read_.offset + scan.records.front().offset;
    }
    read_.offset = resume;
  }
}

void ShardQueue::commitRead(int64_t now_ms, bool force) {
  std::lock_guard lock(mutex_);
  in_flight_samples_ = 0;
  if (read_.segment > cursor_.segment ||
      (read_.segment == cursor_.segment && read_.offset > cursor_.offset)) {
    cursor_ = read_;
  }
  normalizeLocked(cursor_);
  while (segments_.size() > 1 && segments_.front().id < cursor_.segment) {
    ::unlink(segmentPath(segments_.front().id).c_str());
    bytes_ -= segments_.front().bytes;
    segments_.pop_front();
  }
  if (force || now_ms - cursor_written_ms_ >= 1000) {
    writeCursorLocked();  // throws std::runtime_error naming the path
    cursor_written_ms_ = now_ms;
  }
}

uint64_t ShardQueue::unreadSamples() const {
  std::lock_guard lock(mutex_);
  return unread_samples_;
}

int64_t ShardQueue::enqueuedAtLocked(const Position& at) const {
  Position where = at;
  normalizeLocked(where);
  const Segment* segment = findLocked(where.segment);
  if (segment == nullptr || where.offset >= segment->bytes) return 0;
  std::string header_bytes;
  QueueRecordHeader header;
  if (!readRange(segmentPath(where.segment), where.offset, kQueueRecordHeaderBytes, header_bytes) ||
      !parseQueueRecordHeader(header_bytes.data(), header)) {
    return 0;
  }
  return header.enqueued_ms;
}

int64_t ShardQueue::oldestUnreadMs() const {
  std::lock_guard lock(mutex_);
  return enqueuedAtLocked(read_);
}

std::string ShardQueue::sync() {
  int fd = -1;
  bool folder = false;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_ && !folder_dirty_) return {};
    // A duplicate: the appender may close and replace the active fd meanwhile, and
    // the fdatasync must not hold the lock the ingest thread appends under.
    fd = ::dup(active_fd_);
    folder = folder_dirty_;
    dirty_ = folder_dirty_ = false;
  }
  std::string error;
  if (fd < 0 || ::fdatasync(fd) != 0) error = systemError("cannot fdatasync a segment in", dir_);
  if (fd >= 0) ::close(fd);
  if (folder) {
    const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) error = systemError("cannot fsync", dir_);
    if (dir_fd >= 0) ::close(dir_fd);
  }
  return error;
}

ShardQueueStats ShardQueue::stats() const {
  std::lock_guard lock(mutex_);
  ShardQueueStats stats;
  stats.bytes = bytes_;
  stats.unsent_samples = unread_samples_ + in_flight_samples_;
  stats.oldest_unsent_ms = stats.unsent_samples > 0 ? enqueuedAtLocked(cursor_) : 0;
  stats.dropped_samples = dropped_samples_;
  stats.damaged_regions = damaged_regions_;
  return stats;
}

}  // namespace tidemark::controller::remote_write
