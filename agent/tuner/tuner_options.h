// Options of the agent's Tuner: where the host is, where the journal lives, and the
// host knobs that come from configuration.
#pragma once

#include <string>
#include <vector>

namespace tidemark::agent::tuner {

struct TunerOptions {
  // Every knob's path is under this root; tests point it at a fixture tree. Default: "/".
  std::string root = "/";
  // Folder of the change journal (STATE_DIR/tuning); created when missing. Required.
  std::string journal_dir;
  // This host's name in the fleet, copied into every result. Default: empty.
  std::string host_id;
  // Further integer sysctls to offer as knobs ("vm.vfs_cache_pressure"). Default: none.
  std::vector<std::string> extra_sysctls;
  // How mount.atime knobs remount; {option} is the atime mode, {mountpoint} the mount.
  // Default: "mount -o remount,{option} {mountpoint}".
  std::string remount_command = "mount -o remount,{option} {mountpoint}";
};

}  // namespace tidemark::agent::tuner
