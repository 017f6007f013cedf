#include "tests/integration/capacity_history.h"

#include <cmath>
#include <sstream>

namespace tidemark::testing {

double CapacityHistory::pier(double t) {
  const double pack = 7 * std::floor(t / 7);  // packs every 7 days; the floor rises 0.5 GB a day
  return 20 * kGB + 0.5 * kGB * pack + 3 * kGB * (t - pack);
}

double CapacityHistory::disk(double t) { return 300 * kGB + 4 * kGB * t; }

CapacityHistory capacityHistory(int64_t now, int days, bool with_cpu, const std::string& host) {
  CapacityHistory history;
  history.start = (now - days * 86'400) / 3600 * 3600 - 3600;
  const double span_days = static_cast<double>(now - 600 - history.start) / kDaySeconds;
  std::ostringstream text;
  text.precision(17);
  auto line = [&](const std::string& series, double value, int64_t s) {
    text << series << ' ' << value << ' ' << history.start + s << '\n';
  };
  const std::string ship = "host=\"" + host + R"(",pier="/srv/zod",ship="zod")";
  const std::string root =
      R"(device="/dev/sda1",fstype="ext4",host=")" + host + R"(",mountpoint="/")";
  for (int64_t s = 0; s <= static_cast<int64_t>(span_days * kDaySeconds); s += 300) {
    const double t = static_cast<double>(s) / kDaySeconds;
    const double pier = CapacityHistory::pier(t);
    line("urbit_ship_pier_bytes{" + ship + "}", pier, s);
    line("urbit_ship_filesystem_avail_bytes{" + ship + "}", CapacityHistory::kPierCapacity - pier,
         s);
    line("urbit_ship_loom_use_ratio{" + ship + "}", 0.4 + 0.002 * ((s / 300) % 5), s);
    line("urbit_ship_loom_bytes{" + ship + "}", 2147483648.0, s);
    line("node_filesystem_size_bytes{" + root + "}", 1000 * kGB, s);
    line("node_filesystem_avail_bytes{" + root + "}", 1000 * kGB - CapacityHistory::disk(t), s);
    if (with_cpu) {
      line(R"(node_cpu_seconds_total{cpu="0",host=")" + host + R"(",mode="idle"})", 0.7 * s, s);
      line(R"(node_cpu_seconds_total{cpu="0",host=")" + host + R"(",mode="user"})", 0.3 * s, s);
    }
  }
  text << "# EOF\n";
  history.text = text.str();
  return history;
}

}  // namespace tidemark::testing
