#include "agent/tuner/mountinfo.h"

#include <set>

#include "agent/tuner/knob_files.h"

namespace tidemark::agent::tuner {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeOctal(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto octal = [&](size_t at, char high) { return text[at] >= '0' && text[at] <= high; };
    if (text[i] == '\\' && i + 3 < text.size() && octal(i + 1, '3') && octal(i + 2, '7') &&
        octal(i + 3, '7')) {
      out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                               (text[i + 3] - '0'));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::vector<MountEntry> parseMountinfo(std::string_view text) {
  std::vector<MountEntry> mounts;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    const std::vector<std::string> fields = splitWords(text.substr(position, end - position));
    position = end + 1;
    // id parent major:minor root mountpoint options [optional...] - fstype source super
    size_t separator = 6;
    while (separator < fields.size() && fields[separator] != "-") ++separator;
    if (fields.size() < 6 || separator + 2 >= fields.size()) continue;
    mounts.push_back({unescapeOctal(fields[4]), fields[5], fields[separator + 1],
                      unescapeOctal(fields[separator + 2])});
  }
  return mounts;
}

std::string atimeMode(const std::string& options) {
  std::string mode = "strictatime";
  size_t position = 0;
  while (position <= options.size()) {
    size_t end = options.find(',', position);
    if (end == std::string::npos) end = options.size();
    const std::string option = options.substr(position, end - position);
    if (option == "noatime" || option == "relatime" || option == "strictatime") mode = option;
    position = end + 1;
  }
  return mode;
}

std::optional<HostMountinfo> readHostMountinfo(const std::string& root, std::string* why) {
  std::string host_error;
  const std::string host_path = underRoot(root, "/proc/1/mountinfo");
  if (auto text = readKnobFile(host_path, &host_error)) return HostMountinfo{host_path, *text};
  std::string self_error;
  const std::string self_path = underRoot(root, "/proc/self/mountinfo");
  if (auto text = readKnobFile(self_path, &self_error)) return HostMountinfo{self_path, *text};
  if (why != nullptr) {
    *why = "cannot read " + host_path + " (" + host_error + ") nor " + self_path + " (" +
           self_error + ")";
  }
  return std::nullopt;
}

bool isLocalDiskFilesystem(const std::string& fstype) {
  static const std::set<std::string> kLocal = {"ext4", "ext3", "ext2", "xfs",
                                               "btrfs", "f2fs", "zfs"};
  return kLocal.contains(fstype);
}

}  // namespace tidemark::agent::tuner
