#include "agent/tuner/cpu_list.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "agent/io/file_reader.h"

namespace tidemark::agent::tuner {
namespace {

// Beyond any machine Linux runs on; stops "0-999999999" from allocating a huge set.
constexpr int kMaxCpu = 8191;

bool parseCpu(std::string_view text, int& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out >= 0 && out <= kMaxCpu;
}

}  // namespace

std::optional<CpuSet> parseCpuList(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  CpuSet cpus;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const size_t dash = item.find('-');
    int first = 0, last = 0;
    if (dash == std::string_view::npos) {
      if (!parseCpu(item, first)) return std::nullopt;
      last = first;
    } else if (!parseCpu(item.substr(0, dash), first) || !parseCpu(item.substr(dash + 1), last) ||
               last < first) {
      return std::nullopt;
    }
    for (int cpu = first; cpu <= last; ++cpu) cpus.insert(cpu);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return cpus;
}

std::string formatCpuList(const CpuSet& cpus) {
  std::string out;
  for (auto it = cpus.begin(); it != cpus.end();) {
    const int first = *it;
    int last = first;
    for (++it; it != cpus.end() && *it == last + 1; ++it) last = *it;
    if (!out.empty()) out += ',';
    out += std::to_string(first);
    if (last != first) out += "-" + std::to_string(last);
  }
  return out;
}

CpuSet onlineCpus(const std::string& root) {
  std::ifstream in(resolveUnderRoot(root, "/sys/devices/system/cpu/online"));
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    if (auto cpus = parseCpuList(text.str())) return *cpus;
  }
  CpuSet cpus;
  const long count = ::sysconf(_SC_NPROCESSORS_ONLN);
  for (long cpu = 0; cpu < (count > 0 ? count : 1); ++cpu) cpus.insert(static_cast<int>(cpu));
  return cpus;
}

}  // namespace tidemark::agent::tuner
