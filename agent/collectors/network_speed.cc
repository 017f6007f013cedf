#include "agent/collectors/network_speed.h"

#include <spdlog/fmt/fmt.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "agent/collectors/parse_util.h"

namespace tidemark::agent {
namespace {

constexpr std::string_view kNetDirectory = "/sys/class/net";
constexpr double kBytesPerMegabit = 1e6 / 8;

}  // namespace

bool parseLinkSpeed(std::string_view text, double& bytes_per_second) {
  const std::string_view trimmed = trimSpace(text);
  int64_t megabits = 0;
  const auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), megabits);
  if (error != std::errc() || end != trimmed.data() + trimmed.size() || megabits <= 0) return false;
  bytes_per_second = static_cast<double>(megabits) * kBytesPerMegabit;
  return true;
}

void NetworkSpeedCollector::collect(SampleWriter& out) {
  const int64_t now = clock_.monotonicMs();
  if (!last_refresh_ms_ || now - *last_refresh_ms_ >= refresh_interval_ms_) {
    last_refresh_ms_ = now;
    refresh();
  }
  for (const auto& link : cache_)
    out.add("node_network_speed_bytes", link.bytes_per_second, {{"device", link.device}});
}

void NetworkSpeedCollector::refresh() {
  cache_.clear();
  const int error = reader_.listDirectory(kNetDirectory, entries_);
  if (error != 0) {
    log_.warn(fmt::format("network_speed:{}:list", kNetDirectory),
              fmt::format("network_speed: cannot list {}: {} (errno {}); no link speeds until "
                          "the next refresh",
                          kNetDirectory, std::strerror(error), error));
    return;
  }
  for (const auto& device : entries_) {
    if (device == "lo") continue;
    path_.assign(kNetDirectory);
    path_ += '/';
    path_ += device;
    path_ += "/speed";
    // Virtual and down interfaces have no file or refuse the read (EINVAL): no speed.
    if (reader_.read(path_, buffer_) != 0) continue;
    double bytes_per_second = 0;
    if (parseLinkSpeed(buffer_, bytes_per_second)) cache_.push_back({device, bytes_per_second});
  }
}

}  // namespace tidemark::agent
