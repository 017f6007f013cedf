// When the agent's maintenance log records no pack or meld of a ship, the files may
// still show one: the runtime's own log line (`pack: gained ...`, `meld: gained ...`,
// which it prints after a pack it ran itself under memory pressure, or one asked for
// with |pack) and the snapshot shrinking by a clear margin between intervals (each
// save trims it to the loom's high-water mark, which only defragmenting lowers by
// much). Evidence is appended to STATE_DIR/pack_evidence.log in the maintenance
// log's format (`<unix_seconds> <pier> <pack|meld> ok`), so it survives a restart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/ships/maintenance_log.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// What a line of the ship's log says was done: a pack, a meld, or neither.
std::optional<MaintenanceJob> packOrMeldIn(std::string_view line);

// Whether a snapshot going from `before` to `after` bytes shrank by at least
// `min_ratio` of `before` (a present snapshot only: `after` > 0).
bool snapshotShrankClearly(uint64_t before, uint64_t after, double min_ratio);

class PackEvidenceLog {
 public:
  // `path`: STATE_DIR/pack_evidence.log; what it holds already is read at refresh().
  PackEvidenceLog(std::string path, ThrottledLog& log) : path_(path), read_(path, log), log_(log) {}

  // Reads what was appended since the last call (including this process's records).
  void refresh() { read_.refresh(); }

  // Appends one line; seen by lastPack()/lastMeld() after the next refresh(). A
  // failed append is logged (throttled) and the evidence is lost, never thrown.
  void record(int64_t unix_seconds, std::string_view pier, MaintenanceJob job,
              std::string_view source);

  std::optional<int64_t> lastPack(std::string_view pier) const { return read_.lastPack(pier); }
  std::optional<int64_t> lastMeld(std::string_view pier) const { return read_.lastMeld(pier); }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  MaintenanceLog read_;
  ThrottledLog& log_;
};

}  // namespace tidemark::agent
