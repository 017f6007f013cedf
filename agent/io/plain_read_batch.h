// ReadBatch over plain open/read/statx calls, one at a time: the fallback when
// io_uring is refused, and the reference the io_uring batch is tested against.
#pragma once

#include <vector>

#include "agent/io/read_batch.h"

namespace tidemark::agent {

class PlainReadBatch final : public ReadBatch {
 public:
  explicit PlainReadBatch(std::string_view root);

  // ReadBatch
  void queueRead(std::string_view path, ReadSlot& slot) override;
  void queueStat(std::string_view path, StatSlot& slot) override;
  void submit() override;
  const std::string& root() const override { return root_; }
  std::string_view backend() const override { return "plain"; }

 private:
  struct Pending {
    ReadSlot* read = nullptr;
    StatSlot* stat = nullptr;
  };
  // Resolved paths in reused strings, so steady-state passes allocate nothing.
  std::string& nextPath(std::string_view path);

  std::string root_;
  std::vector<Pending> pending_;
  std::vector<std::string> paths_;
  size_t used_paths_ = 0;
};

// Reads the whole file at the host path `resolved` into `out`, reusing its capacity:
// 0 or an errno value. Shared by both batches (io_uring retries short buffers with it).
int readWholeFile(const std::string& resolved, std::string& out);

}  // namespace tidemark::agent
