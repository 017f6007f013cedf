#include "agent/collectors/proc_netstat.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <span>

namespace tidemark::agent {
namespace {

constexpr std::array<std::string_view, 2> kPaths = {"/proc/net/snmp", "/proc/net/netstat"};

struct WantedField {
  std::string_view proto;
  std::string_view field;
  std::string_view metric;
};

// node_exporter's default --collector.netstat.fields, spelled out. Grouped by
// protocol so a header line is matched against its own rows only.
constexpr WantedField kWanted[] = {
    {"Ip", "Forwarding", "node_netstat_Ip_Forwarding"},
    {"IpExt", "InOctets", "node_netstat_IpExt_InOctets"},
    {"IpExt", "OutOctets", "node_netstat_IpExt_OutOctets"},
    {"Icmp", "InErrors", "node_netstat_Icmp_InErrors"},
    {"Icmp", "InMsgs", "node_netstat_Icmp_InMsgs"},
    {"Icmp", "OutMsgs", "node_netstat_Icmp_OutMsgs"},
    {"Tcp", "ActiveOpens", "node_netstat_Tcp_ActiveOpens"},
    {"Tcp", "PassiveOpens", "node_netstat_Tcp_PassiveOpens"},
    {"Tcp", "CurrEstab", "node_netstat_Tcp_CurrEstab"},
    {"Tcp", "InSegs", "node_netstat_Tcp_InSegs"},
    {"Tcp", "OutSegs", "node_netstat_Tcp_OutSegs"},
    {"Tcp", "RetransSegs", "node_netstat_Tcp_RetransSegs"},
    {"Tcp", "InErrs", "node_netstat_Tcp_InErrs"},
    {"Tcp", "OutRsts", "node_netstat_Tcp_OutRsts"},
    {"TcpExt", "ListenOverflows", "node_netstat_TcpExt_ListenOverflows"},
    {"TcpExt", "ListenDrops", "node_netstat_TcpExt_ListenDrops"},
    {"TcpExt", "SyncookiesSent", "node_netstat_TcpExt_SyncookiesSent"},
    {"TcpExt", "SyncookiesRecv", "node_netstat_TcpExt_SyncookiesRecv"},
    {"TcpExt", "SyncookiesFailed", "node_netstat_TcpExt_SyncookiesFailed"},
    {"TcpExt", "TCPSynRetrans", "node_netstat_TcpExt_TCPSynRetrans"},
    {"TcpExt", "TCPTimeouts", "node_netstat_TcpExt_TCPTimeouts"},
    {"TcpExt", "TCPOFOQueue", "node_netstat_TcpExt_TCPOFOQueue"},
    {"TcpExt", "TCPRcvQDrop", "node_netstat_TcpExt_TCPRcvQDrop"},
    {"Udp", "InDatagrams", "node_netstat_Udp_InDatagrams"},
    {"Udp", "OutDatagrams", "node_netstat_Udp_OutDatagrams"},
    {"Udp", "InErrors", "node_netstat_Udp_InErrors"},
    {"Udp", "NoPorts", "node_netstat_Udp_NoPorts"},
    {"Udp", "RcvbufErrors", "node_netstat_Udp_RcvbufErrors"},
    {"Udp", "SndbufErrors", "node_netstat_Udp_SndbufErrors"},
    {"UdpLite", "InErrors", "node_netstat_UdpLite_InErrors"},
};

constexpr size_t maxWantedPerProto() {
  size_t most = 0;
  for (size_t begin = 0, end = 0; begin < std::size(kWanted); begin = end) {
    while (end < std::size(kWanted) && kWanted[end].proto == kWanted[begin].proto) ++end;
    if (end - begin > most) most = end - begin;
  }
  return most;
}
constexpr size_t kMaxWantedPerProto = maxWantedPerProto();

// The rows of kWanted for `proto`; empty when none of its fields is wanted.
std::span<const WantedField> wantedFor(std::string_view proto) {
  const std::span<const WantedField> all(kWanted);
  size_t begin = 0;
  while (begin < all.size() && all[begin].proto != proto) ++begin;
  size_t end = begin;
  while (end < all.size() && all[end].proto == proto) ++end;
  return all.subspan(begin, end - begin);
}

// Splits "Proto: rest" into its two parts; false when there is no ':'.
bool splitProto(std::string_view line, std::string_view& proto, std::string_view& rest) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  proto = line.substr(0, colon);
  rest = line.substr(colon + 1);
  return true;
}

// Counters are unsigned, except the few gauges like Tcp MaxConn that print -1.
bool parseCounter(std::string_view text, double& out) {
  uint64_t unsigned_value;
  if (parseUint64(text, unsigned_value)) {
    out = static_cast<double>(unsigned_value);
    return true;
  }
  int64_t signed_value;
  if (parseInt64(text, signed_value)) {
    out = static_cast<double>(signed_value);
    return true;
  }
  return false;
}

struct Found {
  std::string_view metric;
  double value;
};

// Matches one header/value pair column by column and writes the wanted values,
// all or none: if the columns do not line up, no value can be trusted.
void parsePair(std::string_view proto, std::string_view names, std::string_view values,
               std::string_view value_line, size_t value_line_number, SampleWriter& out,
               ParseProblems& problems) {
  const std::span<const WantedField> wanted = wantedFor(proto);
  if (wanted.empty()) return;
  std::array<Found, kMaxWantedPerProto> found;
  size_t found_count = 0;
  // One message per line: ThrottledLog keys problems by line, so a second one would be lost.
  std::string bad_values;
  FieldSplitter name_fields(names);
  FieldSplitter value_fields(values);
  std::string_view name;
  std::string_view value;
  size_t column = 0;
  while (true) {
    const bool has_name = name_fields.next(name);
    const bool has_value = value_fields.next(value);
    if (!has_name && !has_value) break;
    ++column;
    if (has_name != has_value) {
      problems.addLine(value_line_number, value_line,
                       fmt::format("{} columns in the header and value lines differ from "
                                   "column {}; {} values skipped",
                                   proto, column, proto));
      return;
    }
    for (const WantedField& field : wanted) {
      if (field.field != name) continue;
      double number;
      if (!parseCounter(value, number)) {
        bad_values +=
            fmt::format("{}{} {} ({:?})", bad_values.empty() ? "" : ", ", proto, name, value);
      } else if (found_count < found.size()) {
        found[found_count++] = {field.metric, number};
      }
      break;
    }
  }
  if (!bad_values.empty()) {
    problems.addLine(value_line_number, value_line,
                     fmt::format("not a number: {}; those series skipped", bad_values));
  }
  for (size_t i = 0; i < found_count; ++i) out.add(found[i].metric, found[i].value);
}

}  // namespace

void parseNetstat(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  LineSplitter lines(text);
  std::string_view header;
  std::string_view value_line;
  bool have_header = false;
  size_t header_number = 0;
  while (true) {
    if (!have_header) {
      if (!lines.next(header)) break;
      header_number = lines.lineNumber();
      if (trimSpace(header).empty()) continue;
    }
    have_header = false;
    std::string_view proto;
    std::string_view names;
    if (!splitProto(header, proto, names)) {
      problems.addLine(header_number, header, "no \"Proto:\" prefix; line skipped");
      continue;
    }
    if (!lines.next(value_line)) {
      problems.addLine(header_number, header, "header without a value line; skipped");
      break;
    }
    std::string_view value_proto;
    std::string_view values;
    if (!splitProto(value_line, value_proto, values) || value_proto != proto) {
      // A lost line would shift every later pair; resynchronise by reading this
      // line as the next header instead of pairing it with the wrong one.
      problems.addLine(header_number, header,
                       fmt::format("next line is not its {} value line; header skipped", proto));
      header = value_line;
      header_number = lines.lineNumber();
      have_header = true;
      continue;
    }
    parsePair(proto, names, values, value_line, lines.lineNumber(), out, problems);
  }
}

void NetstatCollector::prepare(ReadBatch& batch) {
  for (size_t i = 0; i < kPaths.size(); ++i) batch.queueRead(kPaths[i], slots_[i]);
}

void NetstatCollector::collect(SampleWriter& out) {
  for (size_t i = 0; i < kPaths.size(); ++i) {
    if (!slotOrLog(slots_[i], log_, name(), kPaths[i])) continue;
    ParseProblems problems(name(), kPaths[i]);
    parseNetstat(slots_[i].data, out, problems);
    problems.logTo(log_);
  }
}

}  // namespace tidemark::agent
