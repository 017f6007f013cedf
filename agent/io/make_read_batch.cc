#include "agent/io/make_read_batch.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

#include "agent/io/plain_read_batch.h"

namespace tidemark::agent {

std::optional<IoBackendChoice> parseIoBackendChoice(std::string_view text) {
  if (text == "auto") return IoBackendChoice::kAuto;
  if (text == "io_uring") return IoBackendChoice::kIoUring;
  if (text == "plain") return IoBackendChoice::kPlain;
  return std::nullopt;
}

ReadBatchPtr makeReadBatch(std::string_view root, IoBackendChoice choice,
                           UringReadBatchOptions options, UringReadBatch::RingInit init) {
  if (choice == IoBackendChoice::kPlain) return std::make_unique<PlainReadBatch>(root);
  // auto measures where procfs/sysfs reads are cheaper on this host (see cost_chooser.h);
  // io_uring puts every op through the ring, as asked.
  options.hand_off = choice == IoBackendChoice::kIoUring
                         ? UringReadBatchOptions::HandOffPolicy::kRing
                         : UringReadBatchOptions::HandOffPolicy::kMeasured;
  std::string why;
  if (auto batch = UringReadBatch::create(root, why, options, init)) return batch;
  if (choice == IoBackendChoice::kIoUring) {
    throw std::runtime_error("--io io_uring: the kernel refused io_uring: " + why);
  }
  spdlog::warn("io_uring unavailable ({}); reading /proc and /sys with plain syscalls", why);
  return std::make_unique<PlainReadBatch>(root);
}

}  // namespace tidemark::agent
