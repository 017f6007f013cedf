// Rules for the host itself: I/O schedulers, pier mounts, sysctls, THP, the network.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "controller/tuning/recommender_rules.h"

namespace tidemark::controller::rules {

namespace {

constexpr double kSocketBufferTarget = 16777216;  // 16 MiB
// An interface is busy over 30% of its link speed, or over 10 MB/s whatever the link.
constexpr double kBusyLinkShare = 0.30;
constexpr double kBusyBytesPerSecond = 10e6;

bool offers(const wire::KnobStateData& knob, std::string_view choice) {
  return knob.choices.empty() ||
         std::find(knob.choices.begin(), knob.choices.end(), choice) != knob.choices.end();
}

std::string facts(const wire::KnobStateData& knob) {
  std::string out;
  for (const auto& [name, value] : knob.facts) {
    out += (out.empty() ? "" : ", ") + name + "=" + value;
  }
  return out;
}

Recommendation make(const wire::KnobStateData& knob, std::string value, std::string reason) {
  Recommendation r{knob.knob, std::move(value), knob.value, std::move(reason), {}};
  r.evidence.push_back(fmt::format("{} = {}", knob.knob, knob.value));
  return r;
}

void scheduler(const wire::KnobStateData& knob, std::vector<Recommendation>& out) {
  const std::string_view transport = fact(knob, "transport");
  const std::string_view rotational = fact(knob, "rotational");
  if (transport == "nvme" && knob.value != "none" && offers(knob, "none")) {
    auto r =
        make(knob, "none", "NVMe queues requests itself: a kernel I/O scheduler only adds latency");
    r.evidence.push_back(fmt::format("{}: {}", subject(knob.knob), facts(knob)));
    out.push_back(std::move(r));
  } else if (rotational == "1" && knob.value != "mq-deadline" && knob.value != "bfq" &&
             offers(knob, "mq-deadline")) {
    auto r = make(knob, "mq-deadline",
                  "a rotating disk needs requests sorted and deadlines kept: mq-deadline (or bfq)");
    r.evidence.push_back(fmt::format("{}: {}", subject(knob.knob), facts(knob)));
    out.push_back(std::move(r));
  }
}

bool underMount(std::string_view path, std::string_view mountpoint) {
  if (mountpoint == "/") return path.starts_with("/");
  return path == mountpoint || (path.starts_with(mountpoint) && path.size() > mountpoint.size() &&
                                path[mountpoint.size()] == '/');
}

// noatime on the filesystems that hold piers: every event read would otherwise
// write an access time.
void pierMounts(const wire::KnobReportData& report, const HostObservations& observed,
                std::vector<Recommendation>& out) {
  std::map<std::string, std::vector<const ShipObservation*>> piers_by_mount;
  for (const auto& ship : observed.ships) {
    if (ship.pier.empty()) continue;
    std::string_view best;
    for (const auto& knob : report.knobs) {
      if (!knob.knob.starts_with("mount.atime:")) continue;
      const std::string_view mountpoint = subject(knob.knob);
      if (underMount(ship.pier, mountpoint) && mountpoint.size() > best.size()) best = mountpoint;
    }
    if (!best.empty()) piers_by_mount[std::string(best)].push_back(&ship);
  }
  for (const auto& knob : report.knobs) {
    if (!knob.available || !knob.knob.starts_with("mount.atime:") || knob.value == "noatime")
      continue;
    auto found = piers_by_mount.find(std::string(subject(knob.knob)));
    if (found == piers_by_mount.end()) continue;
    auto r = make(knob, "noatime",
                  "a filesystem holding piers: access-time updates are writes for nothing");
    r.evidence.push_back(fmt::format("{}: {}", found->first, facts(knob)));
    for (const auto* ship : found->second) {
      r.evidence.push_back(fmt::format("ship {} has its pier at {}", ship->ship, ship->pier));
    }
    out.push_back(std::move(r));
  }
}

const InterfaceObservation* busiestInterface(const HostObservations& observed, std::string& why) {
  for (const auto& interface : observed.interfaces) {
    // Loopback traffic never crosses a link; its buffers are not the bottleneck here.
    if (interface.device == "lo") continue;
    const double rate =
        std::max(interface.receive_bytes_per_second, interface.transmit_bytes_per_second);
    const bool over_link = interface.speed_bytes_per_second &&
                           *interface.speed_bytes_per_second > 0 &&
                           rate > kBusyLinkShare * *interface.speed_bytes_per_second;
    if (over_link || rate > kBusyBytesPerSecond) {
      why = fmt::format(
          "{}: receive {:.0f} B/s, transmit {:.0f} B/s over the last 10 min{}", interface.device,
          interface.receive_bytes_per_second, interface.transmit_bytes_per_second,
          interface.speed_bytes_per_second
              ? fmt::format(", link speed {:.0f} B/s", *interface.speed_bytes_per_second)
              : "");
      return &interface;
    }
  }
  return nullptr;
}

}  // namespace

void systemRules(const wire::KnobReportData& report, const HostObservations& observed,
                 std::vector<Recommendation>& out) {
  pierMounts(report, observed, out);
  std::string busy_evidence;
  const bool busy = busiestInterface(observed, busy_evidence) != nullptr;
  for (const auto& knob : report.knobs) {
    if (!knob.available) continue;
    if (knob.knob.starts_with("block.scheduler:")) {
      scheduler(knob, out);
    } else if (knob.knob == "vm.swappiness") {
      if (auto value = number(knob.value); value && *value > 10) {
        out.push_back(
            make(knob, "10", "ship looms should stay in RAM: swap only under real pressure"));
      }
    } else if (knob.knob == "thp.enabled" || knob.knob == "thp.defrag") {
      if (knob.value == "always") {
        out.push_back(
            make(knob, "madvise",
                 "huge pages for every mapping stall on compaction and bloat sparse looms"));
      }
    } else if (knob.knob == "net.ipv4.tcp_congestion_control") {
      if (knob.value != "bbr" &&
          std::find(knob.choices.begin(), knob.choices.end(), "bbr") != knob.choices.end()) {
        auto r = make(knob, "bbr", "bbr keeps throughput up and queues short on lossy paths");
        r.evidence.push_back("available: " + fmt::format("{}", fmt::join(knob.choices, " ")));
        out.push_back(std::move(r));
      }
    } else if (knob.knob == "net.core.rmem_max" || knob.knob == "net.core.wmem_max") {
      auto value = number(knob.value);
      if (busy && value && *value < kSocketBufferTarget) {
        auto r = make(knob, "16777216",
                      "a busy interface: small socket buffers cap each connection's window");
        r.evidence.push_back(busy_evidence);
        out.push_back(std::move(r));
      }
    }
  }
}

}  // namespace tidemark::controller::rules
