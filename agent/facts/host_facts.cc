#include "agent/facts/host_facts.h"

#include <charconv>
#include <cstdint>
#include <string_view>

namespace tidemark::agent {

namespace {

std::string trim(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return std::string(text);
}

}  // namespace

std::string readBootId(FileReader& reader) {
  std::string text;
  if (reader.read("/proc/sys/kernel/random/boot_id", text) != 0) return {};
  return trim(text);
}

Facts readHostFacts(FileReader& reader) {
  Facts facts;
  std::string text;
  if (reader.read("/proc/sys/kernel/osrelease", text) == 0) facts.emplace_back("kernel", trim(text));
  if (reader.read("/proc/cpuinfo", text) == 0) {
    int cpus = 0;
    std::string model;
    std::string_view rest(text);
    while (!rest.empty()) {
      auto newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
      if (line.starts_with("processor")) ++cpus;
      if (model.empty() && line.starts_with("model name")) {
        auto colon = line.find(':');
        if (colon != std::string_view::npos) model = trim(line.substr(colon + 1));
      }
    }
    if (cpus > 0) facts.emplace_back("cpu_count", std::to_string(cpus));
    if (!model.empty()) facts.emplace_back("cpu_model", model);
  }
  if (reader.read("/proc/meminfo", text) == 0 && text.starts_with("MemTotal:")) {
    std::string_view line(text);
    line = line.substr(9, line.find('\n') - 9);
    std::string kb = trim(line.substr(0, line.find("kB")));
    uint64_t value = 0;
    auto [end, error] = std::from_chars(kb.data(), kb.data() + kb.size(), value);
    if (error == std::errc() && end == kb.data() + kb.size() && value > 0 &&
        value <= UINT64_MAX / 1024) {
      facts.emplace_back("memory_bytes", std::to_string(value * 1024));
    }
  }
  if (reader.read("/proc/sys/kernel/hostname", text) == 0) facts.emplace_back("hostname", trim(text));
  return facts;
}

}  // namespace tidemark::agent
