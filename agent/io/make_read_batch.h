// Chooses the agent's ReadBatch: io_uring where the kernel allows it, plain syscalls
// where it does not (old kernels, seccomp, containers, a low RLIMIT_MEMLOCK).
#pragma once

#include <optional>
#include <string_view>

#include "agent/io/read_batch.h"
#include "agent/io/uring_read_batch.h"

namespace tidemark::agent {

enum class IoBackendChoice {
  kAuto,     // io_uring, with procfs/sysfs reads and stats inline where that measures
             // cheaper on this host; else plain with one log line saying why
  kIoUring,  // io_uring for every op, or fail
  kPlain,    // plain syscalls
};

// "auto", "io_uring", "plain"; nullopt for anything else.
std::optional<IoBackendChoice> parseIoBackendChoice(std::string_view text);

// The batch for `root`. kAuto falls back to PlainReadBatch when the ring is refused and
// logs one warning with the reason; kIoUring throws std::runtime_error with the reason
// instead. `init` sets the ring up (tests inject refusals).
ReadBatchPtr makeReadBatch(std::string_view root, IoBackendChoice choice,
                           UringReadBatchOptions options = {},
                           UringReadBatch::RingInit init = &io_uring_queue_init);

}  // namespace tidemark::agent
