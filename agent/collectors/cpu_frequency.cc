#include "agent/collectors/cpu_frequency.h"

#include <spdlog/fmt/fmt.h>

#include <cerrno>
#include <cstring>

namespace tidemark::agent {
namespace {

constexpr std::string_view kCpuDirectory = "/sys/devices/system/cpu";
constexpr std::string_view kFrequencyFile = "/cpufreq/scaling_cur_freq";
constexpr double kHertzPerKilohertz = 1000.0;

}  // namespace

bool parseScalingCurFreq(std::string_view text, double& hertz) {
  uint64_t kilohertz;
  if (!parseUint64(trimSpace(text), kilohertz)) return false;
  hertz = static_cast<double>(kilohertz) * kHertzPerKilohertz;
  return true;
}

bool parseCpuDirectoryName(std::string_view entry, std::string_view& id) {
  if (!entry.starts_with("cpu") || entry.size() == 3) return false;
  for (char c : entry.substr(3))
    if (c < '0' || c > '9') return false;
  id = entry.substr(3);
  return true;
}

void CpuFrequencyCollector::collect(SampleWriter& out) {
  const int64_t now = clock_.monotonicMs();
  if (!last_refresh_ms_ || now - *last_refresh_ms_ >= refresh_interval_ms_) {
    last_refresh_ms_ = now;
    refresh();
  }
  for (const auto& entry : cache_)
    out.add("node_cpu_scaling_frequency_hertz", entry.hertz, {{"cpu", entry.cpu}});
}

void CpuFrequencyCollector::refresh() {
  cache_.clear();
  const int error = reader_.listDirectory(kCpuDirectory, entries_);
  if (error != 0) {
    log_.warn(fmt::format("cpu_frequency:{}:list", kCpuDirectory),
              fmt::format("cpu_frequency: cannot list {}: {} (errno {}); no CPU frequencies "
                          "until the next refresh",
                          kCpuDirectory, std::strerror(error), error));
    return;
  }
  size_t cpus = 0;
  for (const auto& entry : entries_) {
    std::string_view id;
    if (!parseCpuDirectoryName(entry, id)) continue;
    ++cpus;
    readCpu(entry, id);
  }
  if (cache_.empty() && cpus > 0) {
    if (!reported_unavailable_) {
      log_.warn("cpu_frequency:unavailable",
                fmt::format("cpu_frequency: none of the {} CPUs under {} has a readable "
                            "cpufreq/scaling_cur_freq (no cpufreq driver, as in most VMs); "
                            "CPU frequencies are not collected on this host",
                            cpus, kCpuDirectory));
      reported_unavailable_ = true;
    }
  } else {
    reported_unavailable_ = false;
  }
}

void CpuFrequencyCollector::readCpu(std::string_view entry, std::string_view id) {
  path_.assign(kCpuDirectory);
  path_ += '/';
  path_ += entry;
  path_ += kFrequencyFile;
  const int error = reader_.read(path_, buffer_);
  // An offline CPU, or one without a cpufreq policy, simply has no file.
  if (error == ENOENT) return;
  if (error != 0) {
    log_.warn(fmt::format("cpu_frequency:{}:read", path_),
              fmt::format("cpu_frequency: cannot read {}: {} (errno {}); cpu {} skipped", path_,
                          std::strerror(error), error, id));
    return;
  }
  double hertz;
  if (!parseScalingCurFreq(buffer_, hertz)) {
    ParseProblems problems(name(), path_);
    problems.addLine(1, trimSpace(buffer_), "is not a frequency in kHz; cpu skipped");
    problems.logTo(log_);
    return;
  }
  cache_.push_back({std::string(id), hertz});
}

}  // namespace tidemark::agent
