#include "agent/collectors/filesystem.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cstring>
#include <functional>

#include "common/metrics/series.h"

namespace tidemark::agent {
namespace {

constexpr std::string_view kHostMountinfo = "/proc/1/mountinfo";
constexpr std::string_view kSelfMountinfo = "/proc/self/mountinfo";

// mountinfo fields before the optional ones, and after the "-" separator.
constexpr size_t kDeviceNumberField = 2;
constexpr size_t kMountpointField = 4;
constexpr size_t kMountOptionsField = 5;
constexpr size_t kFirstOptionalField = 6;
constexpr size_t kFieldsAfterSeparator = 3;  // fstype, source, super options
constexpr size_t kMaxFields = 64;

// node_exporter's default --collector.filesystem.fs-types-exclude.
constexpr std::array<std::string_view, 25> kPseudoTypes = {
    "autofs",   "binfmt_misc", "bpf",     "cgroup",    "cgroup2",    "configfs",   "debugfs",
    "devpts",   "devtmpfs",    "fusectl", "hugetlbfs", "iso9660",    "mqueue",     "nsfs",
    "overlay",  "proc",        "procfs",  "pstore",    "rpc_pipefs", "securityfs", "selinuxfs",
    "squashfs", "erofs",       "sysfs",   "tracefs",
};

constexpr std::array<std::string_view, 14> kNetworkTypes = {
    "nfs", "nfs4", "cifs",   "smb3", "smbfs",  "ceph",  "glusterfs",
    "9p",  "afs",  "lustre", "gpfs", "beegfs", "ncpfs", "coda",
};

template <size_t N>
bool isOneOf(std::string_view value, const std::array<std::string_view, N>& set) {
  for (std::string_view item : set)
    if (item == value) return true;
  return false;
}

// "fuseblk" is not here on purpose: it is backed by a local disk (ntfs-3g, exfat).
bool isFuseType(std::string_view fstype) { return fstype == "fuse" || fstype.starts_with("fuse."); }

// `path` is `dir` or lies below it.
bool isAtOrUnder(std::string_view path, std::string_view dir) {
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// Strictly below `dir` ("/var/lib/docker/x", not "/var/lib/docker").
bool isStrictlyUnder(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() + 1 && path.starts_with(dir) && path[dir.size()] == '/';
}

// node_exporter's default --collector.filesystem.mount-points-exclude,
// ^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)
bool isExcludedMountpoint(std::string_view path) {
  return isAtOrUnder(path, "/dev") || isAtOrUnder(path, "/proc") || isAtOrUnder(path, "/sys") ||
         isStrictlyUnder(path, "/run/credentials") || isStrictlyUnder(path, "/var/lib/docker") ||
         isStrictlyUnder(path, "/var/lib/containers/storage");
}

bool isOctal(char c) { return c >= '0' && c <= '7'; }

// The kernel writes ' ', '\t', '\n' and '\\' in mountinfo paths as \ooo (fstab(5) style).
void decodeEscapes(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 3 < in.size() && isOctal(in[i + 1]) && isOctal(in[i + 2]) &&
        isOctal(in[i + 3])) {
      out += static_cast<char>(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) |
                               (in[i + 3] - '0'));
      i += 3;
    } else {
      out += in[i];
    }
  }
}

// True when the comma-separated `options` hold the bare word "ro".
bool hasReadOnlyOption(std::string_view options) {
  while (!options.empty()) {
    const size_t comma = options.find(',');
    if (options.substr(0, comma) == "ro") return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

// Parses one line into `mount`; false (with a problem added) when it is malformed.
bool parseLine(std::string_view line, size_t line_number, MountInfo& mount,
               ParseProblems& problems) {
  std::array<std::string_view, kMaxFields> fields;
  const size_t count = splitFields(line, fields);
  if (count > kMaxFields) {
    problems.addLine(line_number, line,
                     fmt::format("{} fields, more than {}; line skipped", count, kMaxFields));
    return false;
  }
  if (count < kFirstOptionalField + 1 + kFieldsAfterSeparator) {
    problems.addLine(line_number, line,
                     fmt::format("{} fields, need at least {}; line skipped", count,
                                 kFirstOptionalField + 1 + kFieldsAfterSeparator));
    return false;
  }
  size_t separator = kFirstOptionalField;
  while (separator < count && fields[separator] != "-") ++separator;
  if (separator + kFieldsAfterSeparator >= count) {
    problems.addLine(
        line_number, line,
        separator == count
            ? std::string("no \"-\" separator before the filesystem type; line skipped")
            : fmt::format("{} fields after \"-\", need {}; line skipped", count - separator - 1,
                          kFieldsAfterSeparator));
    return false;
  }
  if (fields[kDeviceNumberField].find(':') == std::string_view::npos) {
    problems.addLine(
        line_number, line,
        fmt::format("field 3 ({:?}) is not major:minor; line skipped", fields[kDeviceNumberField]));
    return false;
  }
  const std::string_view mountpoint = fields[kMountpointField];
  if (mountpoint.empty() || mountpoint.front() != '/') {
    problems.addLine(line_number, line,
                     fmt::format("mount point {:?} is not absolute; line skipped", mountpoint));
    return false;
  }
  decodeEscapes(fields[separator + 1], mount.fstype);
  decodeEscapes(fields[separator + 2], mount.device);
  decodeEscapes(mountpoint, mount.mountpoint);
  mount.readonly =
      hasReadOnlyOption(fields[kMountOptionsField]) || hasReadOnlyOption(fields[separator + 3]);
  return true;
}

}  // namespace

void parseMountinfo(std::string_view text, std::vector<MountInfo>& mounts,
                    ParseProblems& problems) {
  size_t used = 0;
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no mounts");
  } else {
    LineSplitter lines(text);
    std::string_view line;
    while (lines.next(line)) {
      if (trimSpace(line).empty()) continue;
      if (used == mounts.size()) mounts.emplace_back();
      if (parseLine(line, lines.lineNumber(), mounts[used], problems)) ++used;
    }
  }
  mounts.resize(used);
}

bool shouldReportMount(const MountInfo& mount, const FilesystemCollectorOptions& options) {
  if (isOneOf(mount.fstype, kPseudoTypes)) return false;
  if (isExcludedMountpoint(mount.mountpoint)) return false;
  if (isOneOf(mount.fstype, kNetworkTypes)) return options.include_network;
  if (isFuseType(mount.fstype)) return options.include_fuse;
  return true;
}

size_t FilesystemCollector::MountKeyHash::operator()(const MountInfo* mount) const {
  const size_t device = std::hash<std::string>{}(mount->device);
  return device ^ (std::hash<std::string>{}(mount->mountpoint) + 0x9e3779b97f4a7c15ULL +
                   (device << 6) + (device >> 2));
}

bool FilesystemCollector::MountKeyEqual::operator()(const MountInfo* a, const MountInfo* b) const {
  return a->device == b->device && a->mountpoint == b->mountpoint;
}

std::string_view FilesystemCollector::readMountinfo() {
  // PID 1's view shows the host's mounts even when the agent runs in its own mount
  // namespace; it is unreadable under some hardening, hence the fallback.
  if (reader_.read(kHostMountinfo, buffer_) == 0) return kHostMountinfo;
  if (readOrLog(reader_, log_, name(), kSelfMountinfo, buffer_)) return kSelfMountinfo;
  return {};
}

void FilesystemCollector::collect(SampleWriter& out) {
  const std::string_view path = readMountinfo();
  if (path.empty()) return;
  ParseProblems problems(name(), path);
  parseMountinfo(buffer_, mounts_, problems);
  problems.logTo(log_);

  reported_.clear();
  for (const MountInfo& mount : mounts_) {
    if (!shouldReportMount(mount, options_)) continue;
    // Bind mounts and mount propagation list the same filesystem more than once.
    if (!reported_.insert(&mount).second) continue;
    collectMount(mount, out);
  }
}

void FilesystemCollector::collectMount(const MountInfo& mount, SampleWriter& out) {
  stat_path_.assign(reader_.root());
  stat_path_.append(mount.mountpoint);
  FilesystemUsage usage;
  const int error = statter_.statfs(stat_path_, usage);

  const LabelView labels[] = {
      {"device", mount.device}, {"fstype", mount.fstype}, {"mountpoint", mount.mountpoint}};
  out.add("node_filesystem_device_error", error == 0 ? 0 : 1, labels);
  out.add("node_filesystem_readonly", mount.readonly || (error == 0 && usage.readonly) ? 1 : 0,
          labels);
  if (error != 0) {
    log_.warn(fmt::format("{}:statfs:{}", name(), mount.mountpoint),
              fmt::format("{}: statfs {} ({} {} on {}): {} (errno {}); "
                          "node_filesystem_device_error=1 and no sizes for it",
                          name(), stat_path_, mount.fstype, mount.device, mount.mountpoint,
                          std::strerror(error), error));
    return;
  }
  out.add("node_filesystem_size_bytes", static_cast<double>(usage.size_bytes), labels);
  out.add("node_filesystem_free_bytes", static_cast<double>(usage.free_bytes), labels);
  out.add("node_filesystem_avail_bytes", static_cast<double>(usage.avail_bytes), labels);
  out.add("node_filesystem_files", static_cast<double>(usage.files), labels);
  out.add("node_filesystem_files_free", static_cast<double>(usage.files_free), labels);
}

}  // namespace tidemark::agent
