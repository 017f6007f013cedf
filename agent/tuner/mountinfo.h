// Parses mountinfo into the few fields the mount knobs need, and finds the host's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::agent::tuner {

struct MountEntry {
  std::string mountpoint;  // octal escapes (\040) decoded
  std::string options;     // per-mount options: "rw,noatime"
  std::string fstype;      // "ext4"
  std::string source;      // "/dev/nvme0n1p2"
};

// The host's mount table under `root`, and where it was read.
struct HostMountinfo {
  std::string path;  // under the root: ROOT/proc/1/mountinfo or ROOT/proc/self/mountinfo
  std::string text;
};

// Reads ROOT/proc/1/mountinfo when it is readable: PID 1's view is the host's even when
// the agent has its own mount namespace (systemd's ProtectSystem=strict gives it one,
// whose /proc/self/mountinfo lists the sandbox's copies). Else ROOT/proc/self/mountinfo
// (fixture trees, runs without the right to read PID 1's). nullopt with `why` (both
// paths' reasons) when neither can be read.
std::optional<HostMountinfo> readHostMountinfo(const std::string& root, std::string* why = nullptr);

// One entry per well-formed line, in file order; malformed lines are skipped.
std::vector<MountEntry> parseMountinfo(std::string_view text);

// "noatime", "relatime" or "strictatime" from per-mount options. The kernel prints
// relatime and noatime but nothing for strictatime, so neither word means strictatime.
std::string atimeMode(const std::string& options);

// ext4, ext3, ext2, xfs, btrfs, f2fs, zfs: filesystems on local disks worth remounting.
bool isLocalDiskFilesystem(const std::string& fstype);

}  // namespace tidemark::agent::tuner
