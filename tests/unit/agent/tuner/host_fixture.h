// A fixture tree standing for `/` of a host with the tuner's knobs, and helpers to pick
// one host knob out of it, shared by the tuner tests.
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/tuner/host_knob_source.h"
#include "agent/tuner/knob.h"
#include "tests/support/test_support.h"

namespace tidemark::testing {

inline const char* kFixtureMountinfo =
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
    "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "24 22 259:3 / /srv/piers rw,noatime shared:2 - xfs /dev/nvme0n1p3 rw,attr2\n"
    "25 22 8:1 / /mnt/my\\040disk rw shared:3 - ext4 /dev/sda1 rw\n"
    "26 22 0:40 / /mnt/share rw,relatime shared:4 - nfs4 srv:/share rw\n";

// Writes a small but complete host: sysctls, two disks (plus loop and dm devices that
// have no knobs), THP and mounts.
inline void writeHostTree(const TempDir& root) {
  root.write("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
  root.write("proc/sys/vm/swappiness", "60\n");
  root.write("proc/sys/vm/dirty_ratio", "20\n");
  root.write("proc/sys/vm/dirty_bytes", "0\n");
  root.write("proc/sys/vm/dirty_background_ratio", "10\n");
  root.write("proc/sys/vm/dirty_background_bytes", "0\n");
  root.write("proc/sys/vm/max_map_count", "65530\n");
  root.write("proc/sys/net/core/rmem_max", "212992\n");
  root.write("proc/sys/net/core/wmem_max", "212992\n");
  root.write("proc/sys/net/core/somaxconn", "4096\n");
  root.write("proc/sys/net/ipv4/tcp_congestion_control", "cubic\n");
  root.write("proc/sys/net/ipv4/tcp_available_congestion_control", "reno cubic\n");
  root.write("sys/block/nvme0n1/queue/scheduler", "[none] mq-deadline kyber bfq\n");
  root.write("sys/block/nvme0n1/queue/rotational", "0\n");
  root.write("sys/block/nvme0n1/queue/read_ahead_kb", "128\n");
  root.write("sys/block/nvme0n1/size", "2000409264\n");
  root.write("sys/block/sda/queue/scheduler", "[mq-deadline] kyber bfq none\n");
  root.write("sys/block/sda/queue/rotational", "1\n");
  root.write("sys/block/sda/queue/read_ahead_kb", "128\n");
  root.write("sys/block/sda/size", "1000\n");
  root.write("sys/block/loop0/queue/scheduler", "[none] mq-deadline\n");
  root.write("sys/block/dm-0/queue/scheduler", "none\n");
  root.write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
  root.write("sys/kernel/mm/transparent_hugepage/defrag",
             "always defer defer+madvise [madvise] never\n");
  root.write("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro quiet\n");
  root.write("proc/self/mountinfo", kFixtureMountinfo);
}

inline std::string readFixture(const TempDir& root, const std::string& relative) {
  std::ifstream in(root.path() / relative);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<agent::tuner::KnobPtr> hostKnobs(const agent::tuner::TunerOptions& options) {
  std::vector<agent::tuner::KnobPtr> knobs;
  agent::tuner::makeHostKnobSource(options)->addKnobs(knobs);
  return knobs;
}

// The host knob `id` under `root`, or nullptr.
inline agent::tuner::KnobPtr hostKnob(const TempDir& root, const std::string& id,
                                      agent::tuner::TunerOptions options = {}) {
  options.root = root.str();
  for (auto& knob : hostKnobs(options)) {
    if (knob->id() == id) return std::move(knob);
  }
  return nullptr;
}

}  // namespace tidemark::testing
