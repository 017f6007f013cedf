// Options of the controller's history store.
#pragma once

#include <string>

namespace tidemark::controller {

struct StoreOptions {
  // Folder of the RocksDB database; created when missing. Required.
  std::string path;
  // fsync the write-ahead log before a write returns, so an acked batch survives a
  // power loss, not only a crash of the controller. Writes are group-committed, so
  // this costs one fsync per drained burst of batches. Default: true.
  bool sync_writes = true;
};

}  // namespace tidemark::controller
