#include "controller/remote_write/shard_sender.h"

#include <snappy.h>
#include <spdlog/spdlog.h>

#include "controller/remote_write/export_record.h"

namespace tidemark::controller::remote_write {

bool RequestBuilder::add(std::string_view record_payload) {
  return forEachExportSeries(record_payload, [&](const ExportSeries& series) {
    encoder_.addSeries(series.labels, series.timestamps_ms, series.values);
  });
}

const std::string& RequestBuilder::compress() {
  const std::string_view raw = encoder_.bytes();
  compressed_.resize(snappy::MaxCompressedLength(raw.size()));
  size_t length = 0;
  snappy::RawCompress(raw.data(), raw.size(), compressed_.data(), &length);
  compressed_.resize(length);
  return compressed_;
}

ShardSender::ShardSender(const RemoteWriteOptions& options, ShardQueue& queue,
                         SenderCounters& counters, const Clock& clock, int index)
    : options_(options),
      queue_(queue),
      counters_(counters),
      clock_(clock),
      index_(index),
      http_(options, stop_),
      log_(clock, 60'000),
      thread_([this] { run(); }) {}

ShardSender::~ShardSender() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ShardSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void ShardSender::pause(int64_t ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_.load(); });
}

bool ShardSender::waitForBatch() {
  while (!stop_) {
    if (std::string error = queue_.sync(); !error.empty()) {
      log_.warn("sync", "remote write queue: " + error);
    }
    const uint64_t unread = queue_.unreadSamples();
    int64_t wait_ms = 1000;
    if (unread >= static_cast<uint64_t>(options_.batch_size)) return true;
    if (unread > 0) {
      const int64_t oldest = queue_.oldestUnreadMs();
      const int64_t due = oldest + options_.flush_interval_ms - clock_.wallMs();
      if (oldest == 0 || due <= 0) return true;
      wait_ms = std::min(wait_ms, due);
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stop_ || woken_; });
    woken_ = false;
  }
  return false;
}

void ShardSender::run() {
  QueuedRecord record;
  bool failing = false;
  while (waitForBatch()) {
    request_.clear();
    uint64_t samples = 0;
    while (samples < static_cast<uint64_t>(options_.batch_size) && queue_.next(record)) {
      if (!request_.add(record.payload)) {
        log_.warn("malformed",
                  fmt::format("remote write shard {}: skipped a malformed record in {}", index_,
                              queue_.dir()));
        continue;
      }
      samples += record.samples;
    }
    if (samples == 0) {
      queue_.commitRead(clock_.monotonicMs());
      continue;
    }
    const std::string& body = request_.compress();
    while (!stop_) {
      HttpResult result = http_.post(body);
      if (stop_) break;  // aborted by shutdown: the batch stays in the queue
      const SendOutcome outcome = classify(result);
      if (outcome == SendOutcome::kRetry) {
        counters_.failed += samples;
        const int64_t delay = backoff_.next(result.status == 429 ? result.retry_after_ms : -1);
        if (!failing) {
          // One line when the remote goes away and one when it is back, not one per retry.
          spdlog::warn(
              "remote write shard {}: {} failed ({}); retrying with backoff, samples "
              "wait in {}",
              index_, options_.url,
              result.status == 0 ? result.error : "HTTP " + std::to_string(result.status),
              queue_.dir());
          failing = true;
        }
        pause(delay);
        continue;
      }
      if (outcome == SendOutcome::kDelivered) {
        counters_.sent += samples;
        ++counters_.requests;
        if (failing)
          spdlog::info("remote write shard {}: {} reachable again", index_, options_.url);
      } else {
        counters_.dropped_http += samples;
        // Throttled per status: a remote that refuses everything costs a line a minute.
        log_.warn("refused:" + std::to_string(result.status),
                  fmt::format("remote write shard {}: {} refused {} samples with HTTP {}, "
                              "dropped them: {}",
                              index_, options_.url, samples, result.status, result.body));
      }
      failing = false;
      backoff_.reset();
      try {
        queue_.commitRead(clock_.monotonicMs());
      } catch (const std::exception& e) {
        log_.warn("cursor", std::string("remote write: ") + e.what());
      }
      break;
    }
  }
}

}  // namespace tidemark::controller::remote_write
