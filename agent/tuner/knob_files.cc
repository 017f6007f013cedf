#include "agent/tuner/knob_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/tuner/knob.h"

namespace tidemark::agent::tuner {

namespace {

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string> readKnobFile(const std::string& path, std::string* why) {
  std::ifstream in(path);
  if (!in) {
    if (why != nullptr) *why = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    if (why != nullptr) *why = "read error";
    return std::nullopt;
  }
  return std::string(trim(text.str()));
}

void writeKnobFile(const std::string& path, const std::string& value) {
  // O_TRUNC matters only for fixture trees; /proc/sys and /sys ignore it.
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    throw TuningError("write " + path + " = '" + value + "': " + std::strerror(errno));
  }
  const std::string line = value + "\n";
  ssize_t written;
  do {
    written = ::write(fd, line.data(), line.size());
  } while (written < 0 && errno == EINTR);
  const int write_errno = errno;
  ::close(fd);
  if (written < 0) {
    // The kernel's verdict on the value (EINVAL for out of range, EBUSY, ...).
    throw TuningError("write " + path + " = '" + value + "': " + std::strerror(write_errno));
  }
  if (static_cast<size_t>(written) != line.size()) {
    throw TuningError("write " + path + " = '" + value + "': short write (" +
                      std::to_string(written) + " of " + std::to_string(line.size()) +
                      " bytes)");
  }
}

ChoiceList parseChoiceList(std::string_view text) {
  ChoiceList list;
  for (std::string word : splitWords(text)) {
    if (word.size() >= 2 && word.front() == '[' && word.back() == ']') {
      word = word.substr(1, word.size() - 2);
      list.active = word;
    }
    list.choices.push_back(word);
  }
  return list;
}

std::optional<int64_t> parseCanonicalInteger(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  if (std::to_string(value) != text) return std::nullopt;
  return value;
}

std::vector<std::string> splitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t position = 0;
  while (position < text.size()) {
    const size_t start = text.find_first_not_of(" \t\n", position);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t\n", start);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(start, end - start));
    position = end;
  }
  return words;
}

std::string KnobFileTarget::path() const { return underRoot(root, host_path); }

std::string KnobFileTarget::commandToSet(const std::string& value) const {
  if (!sysctl_name.empty()) return "sysctl -w " + sysctl_name + "=" + value;
  return "echo " + value + " > " + host_path;
}

const std::string* findSaved(const std::vector<std::pair<std::string, std::string>>& saved,
                             const std::string& name) {
  for (const auto& [key, value] : saved) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string sysctlHostPath(const std::string& name) {
  std::string path = name;
  for (char& c : path) {
    if (c == '.') {
      c = '/';
    } else if (c == '/') {
      c = '.';
    }
  }
  return "/proc/sys/" + path;
}

std::string checkSysctlName(const std::string& name) {
  for (char c : name) {
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                         c == '.' || c == '/';
    if (!allowed) return "'" + name + "' has a character a sysctl name cannot hold";
  }
  size_t position = 0;
  while (position <= name.size()) {
    size_t end = name.find('.', position);
    if (end == std::string::npos) end = name.size();
    const std::string component = name.substr(position, end - position);
    // A '/' becomes a '.', so "/" and "//" would be "." and ".." in the path.
    if (component.empty() || component == "/" || component == "//") {
      return "'" + name + "' is not a dot-separated sysctl name";
    }
    position = end + 1;
  }
  return "";
}

std::string underRoot(const std::string& root, const std::string& path) {
  if (root.empty() || root == "/") return path;
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + path;
}

}  // namespace tidemark::agent::tuner
