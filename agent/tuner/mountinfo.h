// Parses /proc/self/mountinfo into the few fields the mount knobs need.
#pragma once

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

// One entry per well-formed line, in file order; malformed lines are skipped.
std::vector<MountEntry> parseMountinfo(std::string_view text);

// "noatime", "relatime" or "strictatime" from per-mount options. The kernel prints
// relatime and noatime but nothing for strictatime, so neither word means strictatime.
std::string atimeMode(const std::string& options);

// ext4, ext3, ext2, xfs, btrfs, f2fs, zfs: filesystems on local disks worth remounting.
bool isLocalDiskFilesystem(const std::string& fstype);

}  // namespace tidemark::agent::tuner
