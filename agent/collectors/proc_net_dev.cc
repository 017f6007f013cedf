#include "agent/collectors/proc_net_dev.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cstdint>

#include "common/metrics/series.h"

namespace tidemark::agent {
namespace {


// The column order has been fixed since Linux 2.6 (net/core/net-procfs.c).
constexpr std::array<std::string_view, 16> kMetrics = {
    "node_network_receive_bytes_total",      "node_network_receive_packets_total",
    "node_network_receive_errs_total",       "node_network_receive_drop_total",
    "node_network_receive_fifo_total",       "node_network_receive_frame_total",
    "node_network_receive_compressed_total", "node_network_receive_multicast_total",
    "node_network_transmit_bytes_total",     "node_network_transmit_packets_total",
    "node_network_transmit_errs_total",      "node_network_transmit_drop_total",
    "node_network_transmit_fifo_total",      "node_network_transmit_colls_total",
    "node_network_transmit_carrier_total",   "node_network_transmit_compressed_total",
};

void parseLine(std::string_view line, size_t line_number, SampleWriter& out,
               ParseProblems& problems) {
  // Interface names cannot contain ':' (dev_valid_name), and old kernels print no
  // space after it once the byte count is wide ("eth0:123456"), so split there.
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    problems.addLine(line_number, line, "no ':' after the interface name; line skipped");
    return;
  }
  const std::string_view device = trimSpace(line.substr(0, colon));
  if (device.empty()) {
    problems.addLine(line_number, line, "empty interface name; line skipped");
    return;
  }
  std::array<std::string_view, kMetrics.size()> fields;
  const size_t count = splitFields(line.substr(colon + 1), fields);
  if (count < kMetrics.size()) {
    problems.addLine(line_number, line,
                     fmt::format("{} counters, need {}; line skipped", count, kMetrics.size()));
    return;
  }
  std::array<uint64_t, kMetrics.size()> values;
  for (size_t i = 0; i < kMetrics.size(); ++i) {
    if (!parseUint64(fields[i], values[i])) {
      problems.addLine(
          line_number, line,
          fmt::format("counter {} ({:?}) is not a number; line skipped", i + 1, fields[i]));
      return;
    }
  }
  const LabelView labels[] = {{"device", device}};
  for (size_t i = 0; i < kMetrics.size(); ++i) {
    out.add(kMetrics[i], static_cast<double>(values[i]), labels);
  }
}

}  // namespace

void parseNetDev(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) {
    // The two header lines are the only ones with '|' column separators.
    if (line.find('|') != std::string_view::npos || trimSpace(line).empty()) continue;
    parseLine(line, lines.lineNumber(), out, problems);
  }
}

}  // namespace tidemark::agent
