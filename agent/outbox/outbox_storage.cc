#include "agent/outbox/outbox_storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "common/checksum/crc32c.h"

namespace tidemark::agent {

namespace {

constexpr const char* kSuffix = ".seg";

// "00000042.seg" -> 42; 0 for anything else (temp files, strays).
uint32_t segmentOf(const std::string& name) {
  if (name.size() < 12 || name.size() > 14 || name.compare(name.size() - 4, 4, kSuffix) != 0) {
    return 0;
  }
  uint64_t value = 0;
  for (size_t i = 0; i + 4 < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    value = value * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return value > UINT32_MAX ? 0 : static_cast<uint32_t>(value);
}

int writeAll(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::write(fd, p, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (written == 0) return EIO;
    p += written;
    size -= static_cast<size_t>(written);
  }
  return 0;
}

std::string parentOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

FileOutboxStorage::FileOutboxStorage(std::string dir, std::string state_path, bool sync)
    : dir_(std::move(dir)), state_path_(std::move(state_path)), sync_(sync) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) throw std::runtime_error("cannot create outbox folder " + dir_ + ": " + error.message());
  ::chmod(dir_.c_str(), 0700);
}

FileOutboxStorage::~FileOutboxStorage() {
  closeActive();
  if (state_fd_ >= 0) ::close(state_fd_);
}

void FileOutboxStorage::closeActive() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  open_segment_ = 0;
}

std::string FileOutboxStorage::segmentPath(uint32_t segment) const {
  char name[16];
  std::snprintf(name, sizeof name, "%08u%s", segment, kSuffix);
  return dir_ + "/" + name;
}

std::vector<uint32_t> FileOutboxStorage::listSegments() {
  std::vector<uint32_t> segments;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir_, error), end; !error && it != end;
       it.increment(error)) {
    if (uint32_t segment = segmentOf(it->path().filename().string()); segment != 0) {
      segments.push_back(segment);
    }
  }
  if (error) throw std::runtime_error("cannot list outbox folder " + dir_ + ": " + error.message());
  std::sort(segments.begin(), segments.end());
  return segments;
}

int FileOutboxStorage::readSegment(uint32_t segment, std::string& out) {
  out.clear();
  int fd = ::open(segmentPath(segment).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return error;
    }
    if (got == 0) break;
    out.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return 0;
}

int FileOutboxStorage::syncFolder(const std::string& folder) {
  if (!sync_) return 0;
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

int FileOutboxStorage::append(uint32_t segment, const void* data, size_t size) {
  if (fd_ < 0 || open_segment_ != segment) {
    closeActive();
    const std::string path = segmentPath(segment);
    bool created = ::access(path.c_str(), F_OK) != 0;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) return errno;
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      int error = errno;
      closeActive();
      return error;
    }
    open_segment_ = segment;
    open_size_ = static_cast<uint64_t>(st.st_size);
    // fdatasync makes the file's data durable, not its name: a new segment's
    // directory entry is synced once, before anything in it counts as written.
    if (created) {
      if (int error = syncFolder(dir_); error != 0) {
        closeActive();
        return error;
      }
    }
  }
  if (int error = writeAll(fd_, data, size); error != 0) {
    // Leave no partial record behind for the next append to follow, and start
    // afresh on the next call (the outbox moves to a new segment too).
    (void)::ftruncate(fd_, static_cast<off_t>(open_size_));
    closeActive();
    return error;
  }
  open_size_ += size;
  return 0;
}

int FileOutboxStorage::sync(uint32_t segment) {
  if (!sync_) return 0;
  if (segment == open_segment_ && fd_ >= 0) return ::fdatasync(fd_) == 0 ? 0 : errno;
  const int fd = ::open(segmentPath(segment).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : errno;
  const int error = ::fdatasync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

int FileOutboxStorage::truncate(uint32_t segment, uint64_t size) {
  if (segment == open_segment_) closeActive();
  const std::string path = segmentPath(segment);
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return errno;
  if (!sync_) return 0;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

int FileOutboxStorage::remove(uint32_t segment) {
  if (segment == open_segment_) closeActive();
  if (::unlink(segmentPath(segment).c_str()) != 0 && errno != ENOENT) return errno;
  return 0;
}

namespace {

constexpr uint32_t kSlotMagic = 0x31534D54;  // "TMS1" as little-endian bytes
constexpr size_t kSlotHeader = 20;
constexpr uint64_t kMinSlotBytes = 4096;

uint32_t slotCrc(const uint8_t* slot, size_t length) {
  // generation (8 bytes at offset 12), length (4 bytes at offset 4), text
  uint32_t crc = crc32c(0, slot + 12, 8);
  crc = crc32c(crc, slot + 4, 4);
  return crc32c(crc, slot + kSlotHeader, length);
}

std::string encodeSlot(const std::string& text, uint64_t generation) {
  std::string slot(kSlotHeader, '\0');
  const auto length = static_cast<uint32_t>(text.size());
  std::memcpy(slot.data(), &kSlotMagic, 4);
  std::memcpy(slot.data() + 4, &length, 4);
  std::memcpy(slot.data() + 12, &generation, 8);
  slot += text;
  const uint32_t crc = slotCrc(reinterpret_cast<const uint8_t*>(slot.data()), text.size());
  std::memcpy(slot.data() + 8, &crc, 4);
  return slot;
}

// The slot's text and generation when it is whole.
std::optional<std::pair<std::string, uint64_t>> decodeSlot(std::string_view slot) {
  if (slot.size() < kSlotHeader) return std::nullopt;
  const auto* p = reinterpret_cast<const uint8_t*>(slot.data());
  uint32_t magic = 0, length = 0, crc = 0;
  uint64_t generation = 0;
  std::memcpy(&magic, p, 4);
  std::memcpy(&length, p + 4, 4);
  std::memcpy(&crc, p + 8, 4);
  std::memcpy(&generation, p + 12, 8);
  if (magic != kSlotMagic || length > slot.size() - kSlotHeader || slotCrc(p, length) != crc) {
    return std::nullopt;
  }
  return std::make_pair(std::string(slot.substr(kSlotHeader, length)), generation);
}

int pwriteAll(int fd, const std::string& data, uint64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t written = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (written == 0) return EIO;
    done += static_cast<size_t>(written);
  }
  return 0;
}

}  // namespace

std::optional<std::string> FileOutboxStorage::readState() {
  if (state_fd_ >= 0) ::close(state_fd_);
  state_fd_ = ::open(state_path_.c_str(), O_RDWR | O_CLOEXEC);
  if (state_fd_ < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("cannot open " + state_path_ + ": " + std::strerror(errno));
  }
  std::string data;
  char buffer[1 << 16];
  for (uint64_t offset = 0;;) {
    ssize_t got = ::pread(state_fd_, buffer, sizeof buffer, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw std::runtime_error("cannot read " + state_path_ + ": " + std::strerror(errno));
    if (got == 0) break;
    data.append(buffer, static_cast<size_t>(got));
    offset += static_cast<uint64_t>(got);
  }
  slot_bytes_ = data.size() / 2;
  std::optional<std::pair<std::string, uint64_t>> best;
  for (int slot = 0; slot < 2 && slot_bytes_ >= kSlotHeader; ++slot) {
    auto decoded = decodeSlot(std::string_view(data).substr(slot * slot_bytes_, slot_bytes_));
    if (decoded && (!best || decoded->second > best->second)) {
      best = std::move(decoded);
      durable_slot_ = slot;
    }
  }
  if (!best) {
    // Unreadable (or empty): the next write makes a new file.
    ::close(state_fd_);
    state_fd_ = -1;
    return std::string();  // there, but no slot is whole: damaged
  }
  generation_ = best->second;
  // What was read counts as durable from now on: make it so.
  if (sync_) ::fdatasync(state_fd_);
  return std::move(best->first);
}

int FileOutboxStorage::rewriteState(const std::string& text) {
  uint64_t slot_bytes = kMinSlotBytes;
  while (slot_bytes < 2 * (kSlotHeader + text.size())) slot_bytes *= 2;
  std::string data = encodeSlot(text, generation_ + 1);
  data.resize(2 * slot_bytes, '\0');
  const std::string temp = state_path_ + ".tmp";
  int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  int error = writeAll(fd, data.data(), data.size());
  if (error == 0 && sync_ && ::fsync(fd) != 0) error = errno;
  if (error == 0 && ::rename(temp.c_str(), state_path_.c_str()) != 0) error = errno;
  if (error == 0) error = syncFolder(parentOf(state_path_));
  if (error != 0) {
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  if (state_fd_ >= 0) ::close(state_fd_);
  state_fd_ = fd;
  slot_bytes_ = slot_bytes;
  ++generation_;
  durable_slot_ = 0;
  return 0;
}

int FileOutboxStorage::writeState(const std::string& text, bool durable) {
  if (state_fd_ < 0 || kSlotHeader + text.size() > slot_bytes_) return rewriteState(text);
  const int slot = 1 - durable_slot_;
  if (int error = pwriteAll(state_fd_, encodeSlot(text, generation_ + 1), slot * slot_bytes_);
      error != 0) {
    return error;
  }
  ++generation_;
  if (durable) {
    if (sync_ && ::fdatasync(state_fd_) != 0) return errno;
    durable_slot_ = slot;
  }
  return 0;
}

}  // namespace tidemark::agent
