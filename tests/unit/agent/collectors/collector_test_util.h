// Test helpers shared by the collector tests: capture what was logged, run a pass
// the way the agent does, and count or fail reads beneath a collector.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"

namespace tidemark::testing {

// Routes spdlog's default logger into a string for the object's lifetime.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(stream_);
    sink->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const { return stream_.str(); }
  // Number of logged lines containing `part`.
  size_t count(const std::string& part) const {
    std::istringstream lines(stream_.str());
    size_t n = 0;
    for (std::string line; std::getline(lines, line);) n += line.find(part) != std::string::npos;
    return n;
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Counts the calls that reach the wrapped reader, and can fail chosen paths with an errno.
class CountingFileReader final : public agent::FileReader {
 public:
  explicit CountingFileReader(agent::FileReader& inner) : inner_(inner) {}

  int read(std::string_view path, std::string& out) override {
    ++reads;
    if (auto it = failures.find(std::string(path)); it != failures.end()) {
      out.clear();
      return it->second;
    }
    return inner_.read(path, out);
  }
  int listDirectory(std::string_view path, std::vector<std::string>& names) override {
    ++listings;
    return inner_.listDirectory(path, names);
  }
  int listDirectoryEntries(std::string_view path,
                           std::vector<agent::DirectoryEntry>& entries) override {
    ++listings;
    return inner_.listDirectoryEntries(path, entries);
  }
  const std::string& root() const override { return inner_.root(); }

  int reads = 0;
  int listings = 0;
  std::map<std::string, int> failures;  // path -> errno to return

 private:
  agent::FileReader& inner_;
};

// One collection pass as the agent runs it: prepare, one submit, collect.
inline void collectPass(agent::Collector& collector, agent::ReadBatch& batch,
                        agent::SampleWriter& out) {
  collector.prepare(batch);
  batch.submit();
  collector.collect(out);
}

// Counts the reads queued on the wrapped batch, and can fail chosen paths with an errno.
class FailingReadBatch final : public agent::ReadBatch {
 public:
  explicit FailingReadBatch(agent::ReadBatch& inner) : inner_(inner) {}

  void queueRead(std::string_view path, agent::ReadSlot& slot) override {
    ++reads;
    if (auto it = failures.find(std::string(path)); it != failures.end()) {
      failed_.push_back({&slot, it->second});
      return;
    }
    inner_.queueRead(path, slot);
  }
  void queueStat(std::string_view path, agent::StatSlot& slot) override {
    inner_.queueStat(path, slot);
  }
  void queueStatAt(int dirfd, std::string_view relative, agent::StatSlot& slot) override {
    inner_.queueStatAt(dirfd, relative, slot);
  }
  void submit() override {
    inner_.submit();
    for (auto& [slot, error] : failed_) {
      slot->data.clear();
      slot->error = error;
    }
    failed_.clear();
  }
  const std::string& root() const override { return inner_.root(); }
  std::string_view backend() const override { return inner_.backend(); }

  int reads = 0;
  std::map<std::string, int> failures;  // path -> errno to return

 private:
  agent::ReadBatch& inner_;
  std::vector<std::pair<agent::ReadSlot*, int>> failed_;
};

}  // namespace tidemark::testing
