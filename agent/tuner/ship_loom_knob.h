// ship.loom:SHIP — a ship's loom size in bits (2^N bytes), kept as `LOOM=N` in the
// ship's service config and applied when the ship next restarts (the service passes
// it as --loom); a running ship keeps its loom until then.
#pragma once

#include <memory>

#include "agent/tuner/knob.h"
#include "agent/tuner/ship_tuning_options.h"

namespace tidemark::agent::tuner {

// The loom a ship gets at its next start, and where that comes from.
struct ShipLoom {
  int bits = 0;
  std::string source;  // "file", "process" (the running --loom) or "default"
  std::string file;    // the service config as seen on the host
  bool file_exists = false;
  bool in_file = false;             // the file sets the key
  std::optional<int> running_bits;  // what the running ship was started with
};

// Reads the loom from the service config, else the running process's --loom, else
// the runtime's default (31). Throws TuningError when the file exists but is unreadable.
ShipLoom readShipLoom(const ShipTuningOptions& options, const ShipTarget& target);

class ShipLoomKnob final : public Knob {
 public:
  // The runtime accepts 20..34 (URBIT.md); below 24 (16 MiB) no real ship boots.
  static constexpr int kMinBits = 24, kMaxBits = 34;

  ShipLoomKnob(std::shared_ptr<const ShipTuningOptions> options, ShipTarget target);

  // Knob
  const std::string& id() const override { return id_; }
  KnobProbe probe() const override;
  std::string validate(const std::string& value) const override;
  SavedState save() const override;
  void write(const std::string& value) override;
  std::string read() const override;
  void restore(const SavedState& saved) override;
  std::string restoreCommand(const SavedState& saved) const override;
  // The service config. It is replaced through a temporary file in its folder, so a
  // sandbox must let the agent write that folder (the sandbox plan grants it).
  std::vector<std::string> writtenPaths() const override { return {localFile()}; }

 private:
  // The file under the root (what the agent opens).
  std::string localFile() const;
  void replaceFile(const std::string& text, const char* action);

  std::shared_ptr<const ShipTuningOptions> options_;
  ShipTarget target_;
  std::string root_;
  std::string id_;
};

}  // namespace tidemark::agent::tuner
