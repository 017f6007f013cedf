// Exception types with context. Thrown at start-up and at trust boundaries (config,
// wire); caught and logged once, at the edge (main, the ingest loop).
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark {

// Bad configuration: a flag or file key with a value that cannot be used. The
// message names the source (flag or file and key), the value and the reason.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A message from the network that cannot be decoded or violates the protocol.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failure of the history store (RocksDB): what operation, what path, the status.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tidemark
