// Reports size, free space and inodes of the host's real mounts (node_filesystem_*),
// read from /proc/1/mountinfo and statted through a FilesystemStatter, so a hung
// network or FUSE mount costs at most the statter's timeout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/filesystem_statter.h"
#include "agent/collectors/mount_table_watch.h"
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
  // `in_memory_statter`, when given, serves the local filesystems whose statfs answers
  // from counters in memory (ext4, xfs, tmpfs, ...) and so cannot hang: they skip
  // `statter`'s worker-thread round trip, which costs more than the call itself.
  FilesystemCollector(FileReader& reader, ThrottledLog& log, FilesystemStatter& statter,
                      FilesystemCollectorOptions options,
                      FilesystemStatter* in_memory_statter = nullptr)
      : reader_(reader),
        log_(log),
        statter_(statter),
        in_memory_statter_(in_memory_statter),
        options_(options) {}

  // PID 1's view shows the host's mounts even when the agent runs in its own mount
  // namespace; it is unreadable under some hardening, hence the agent's own as fallback.
  static constexpr std::string_view kHostMountinfo = "/proc/1/mountinfo";
  static constexpr std::string_view kSelfMountinfo = "/proc/self/mountinfo";

  std::string_view name() const override { return "filesystem"; }
  void prepare(ReadBatch& batch) override;
  void collect(SampleWriter& out) override;

 private:
  // The mountinfo text of this pass, from the slot or, when PID 1's is unreadable, from
  // the agent's own (read directly, and queued instead from then on); empty view and
  // `path` empty when neither could be read.
  std::string_view mountinfo(std::string_view& path);
  void collectMount(const MountInfo& mount, SampleWriter& out);

  // Marks in duplicate_ every candidate that repeats an earlier one's (device, mountpoint).
  void markDuplicates();

  FileReader& reader_;
  ThrottledLog& log_;
  FilesystemStatter& statter_;
  FilesystemStatter* in_memory_statter_;
  FilesystemCollectorOptions options_;
  ReadSlot slot_;
  std::string_view mountinfo_path_ = kHostMountinfo;  // what prepare() queues
  // The mount table is read and parsed again only when it changed (or could not be
  // read last time); between changes a pass only statfs'es the mounts it found.
  MountTableWatch watch_;
  std::string_view watched_path_;
  bool reread_ = true;
  bool parsed_ = false;
  std::string fallback_buffer_;
  std::vector<MountInfo> mounts_;
  // Indexes into mounts_ of the mounts to report, reused so a pass allocates nothing.
  std::vector<size_t> candidates_;
  std::vector<uint8_t> duplicate_;
  std::string stat_path_;
  std::string log_key_;
};

}  // namespace tidemark::agent
