#include "agent/state/state_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "common/files/durable_file.h"

namespace tidemark::agent {

namespace {

std::string readSmallFile(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

}  // namespace

StateDir::StateDir(std::string path, uint64_t sequence_block)
    : path_(std::move(path)), sequence_block_(sequence_block) {
  std::error_code error;
  std::filesystem::create_directories(path_, error);
  if (error) throw std::runtime_error("cannot create state dir " + path_ + ": " + error.message());
  ::chmod(path_.c_str(), 0700);
  if (::access(path_.c_str(), W_OK) != 0) {
    throw std::runtime_error("state dir " + path_ + " is not writable: " + std::strerror(errno));
  }

  const std::string epoch_path = path_ + "/epoch";
  std::string text = readSmallFile(epoch_path);
  if (text.empty()) {
    std::random_device random;
    epoch_ = (static_cast<uint64_t>(random()) << 32) ^ random();
    if (epoch_ == 0) epoch_ = 1;
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(epoch_));
    // A new epoch starts its sequences, series ids, outbox and counts afresh (batches
    // of another epoch could not be sent after this epoch's Hello). Removed before
    // the epoch is written, so a crash in between cannot pair them with it.
    std::filesystem::remove(path_ + "/sequence", error);
    std::filesystem::remove(path_ + "/series.tsv", error);
    std::filesystem::remove_all(outboxPath(), error);
    std::filesystem::remove(countersPath(), error);
    writeFileDurably(epoch_path, std::string(buffer) + "\n");
  } else {
    auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), epoch_, 16);
    if (parse_error != std::errc() || end != text.data() + text.size() || epoch_ == 0) {
      throw std::runtime_error(epoch_path + ": \"" + text + "\" is not an epoch (16 hex digits)");
    }
  }

  std::string sequence_text = readSmallFile(path_ + "/sequence");
  if (!sequence_text.empty()) {
    uint64_t reserved = 0;
    auto [end, parse_error] =
        std::from_chars(sequence_text.data(), sequence_text.data() + sequence_text.size(), reserved);
    if (parse_error != std::errc() || end != sequence_text.data() + sequence_text.size()) {
      throw std::runtime_error(path_ + "/sequence: \"" + sequence_text + "\" is not a number");
    }
    // Everything up to the reservation may have been used before a crash.
    next_sequence_ = reserved + 1;
  }
  reserveThrough(next_sequence_ - 1 + sequence_block_);
}

void StateDir::reserveThrough(uint64_t last) {
  writeFileDurably(path_ + "/sequence", std::to_string(last) + "\n");
  reserved_through_ = last;
}

uint64_t StateDir::nextSequence() {
  if (next_sequence_ > reserved_through_) reserveThrough(next_sequence_ - 1 + sequence_block_);
  return next_sequence_++;
}

}  // namespace tidemark::agent
