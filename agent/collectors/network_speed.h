// Reports each network interface's link speed (node_network_speed_bytes, node_exporter's
// name and unit) from /sys/class/net/DEV/speed, so the controller can judge traffic
// against what the link carries. Re-read only every few minutes: speeds rarely change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/io/file_reader.h"
#include "common/logging/throttled_log.h"
#include "common/time/clock.h"

namespace tidemark::agent {

// Parses a `speed` file (Mb/s) into bytes per second; false for a link without a
// known speed (-1, 0, an interface that is down and refuses the read, or not a number).
bool parseLinkSpeed(std::string_view text, double& bytes_per_second);

class NetworkSpeedCollector final : public Collector {
 public:
  NetworkSpeedCollector(FileReader& reader, ThrottledLog& log, const Clock& clock,
                        int64_t refresh_interval_ms = 300000)
      : reader_(reader), log_(log), clock_(clock), refresh_interval_ms_(refresh_interval_ms) {}

  std::string_view name() const override { return "network_speed"; }
  void collect(SampleWriter& out) override;

 private:
  struct LinkSpeed {
    std::string device;
    double bytes_per_second;
  };

  void refresh();

  FileReader& reader_;
  ThrottledLog& log_;
  const Clock& clock_;
  int64_t refresh_interval_ms_;
  std::optional<int64_t> last_refresh_ms_;
  std::vector<LinkSpeed> cache_;
  std::vector<std::string> entries_;
  std::string path_;
  std::string buffer_;
};

}  // namespace tidemark::agent
