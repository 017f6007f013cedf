// Reports size, free space and inodes of the host's real mounts (node_filesystem_*),
// read from /proc/1/mountinfo and statted through a FilesystemStatter, so a hung
// network or FUSE mount costs at most the statter's timeout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/filesystem_statter.h"
#include "agent/collectors/parse_util.h"
#include "agent/io/file_reader.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

struct FilesystemCollectorOptions {
  bool include_network = false;  // nfs, cifs, ceph...: they hang when the server does
  bool include_fuse = false;     // fuse and fuse.*: they hang when the daemon does
  // How long the agent's TimeoutStatter waits for one statfs; read where it is built.
  int64_t statfs_timeout_ms = 1000;
};

// One line of mountinfo, with octal escapes ("\040") decoded.
struct MountInfo {
  std::string device;
  std::string fstype;
  std::string mountpoint;
  bool readonly = false;  // "ro" in the mount's or the superblock's options
};

// Fills `mounts` with the mounts of mountinfo `text` in file order, reusing the
// elements already there; a bad line is skipped and reported.
void parseMountinfo(std::string_view text, std::vector<MountInfo>& mounts, ParseProblems& problems);

// True for the mounts node_exporter reports by default (no pseudo filesystems,
// nothing under /dev, /proc, /sys, container storage), with network and FUSE
// filesystems only when `options` asks for them.
bool shouldReportMount(const MountInfo& mount, const FilesystemCollectorOptions& options);

class FilesystemCollector final : public Collector {
 public:
  FilesystemCollector(FileReader& reader, ThrottledLog& log, FilesystemStatter& statter,
                      FilesystemCollectorOptions options)
      : reader_(reader), log_(log), statter_(statter), options_(options) {}

  std::string_view name() const override { return "filesystem"; }
  void collect(SampleWriter& out) override;

 private:
  // Reads mountinfo into buffer_; returns the path read, or empty when none could be.
  std::string_view readMountinfo();
  void collectMount(const MountInfo& mount, SampleWriter& out);

  struct MountKeyHash {
    size_t operator()(const MountInfo* mount) const;
  };
  struct MountKeyEqual {
    bool operator()(const MountInfo* a, const MountInfo* b) const;
  };

  FileReader& reader_;
  ThrottledLog& log_;
  FilesystemStatter& statter_;
  FilesystemCollectorOptions options_;
  std::string buffer_;
  std::vector<MountInfo> mounts_;
  std::unordered_set<const MountInfo*, MountKeyHash, MountKeyEqual> reported_;
  std::string stat_path_;
};

}  // namespace tidemark::agent
