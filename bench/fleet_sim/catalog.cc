#include "bench/fleet_sim/catalog.h"

#include <algorithm>
#include <cmath>

namespace tidemark::fleet_sim {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

class CatalogBuilder {
 public:
  explicit CatalogBuilder(std::vector<SeriesTemplate>& out) : out_(out) {}

  void counter(std::string name, Labels labels, double start, double rate, double step = 1) {
    add({std::move(name), std::move(labels), SeriesKind::kCounter, start, rate, 0, step});
  }
  void gauge(std::string name, Labels labels, double level, double noise, double step = 1) {
    add({std::move(name), std::move(labels), SeriesKind::kGauge, level, 0, noise, step});
  }
  void constant(std::string name, Labels labels, double value) {
    add({std::move(name), std::move(labels), SeriesKind::kConstant, value, 0, 0, 1});
  }

 private:
  void add(SeriesTemplate series) {
    sortLabels(series.labels);
    out_.push_back(std::move(series));
  }
  std::vector<SeriesTemplate>& out_;
};

void addBase(CatalogBuilder& b) {
  const double uptime = 30 * 86400.0;  // counters start as after a month of uptime
  b.gauge("node_load1", {}, 1.2, 0.35, 0.01);
  b.gauge("node_load5", {}, 1.1, 0.15, 0.01);
  b.gauge("node_load15", {}, 1.0, 0.08, 0.01);
  b.counter("node_context_switches_total", {}, 20'000 * uptime, 20'000);
  b.counter("node_intr_total", {}, 15'000 * uptime, 15'000);
  b.counter("node_forks_total", {}, 30 * uptime, 30);
  b.gauge("node_procs_running", {}, 3, 0.5);
  b.gauge("node_procs_blocked", {}, 0.4, 1.0);
  b.constant("node_boot_time_seconds", {}, 1'790'000'000);
  b.gauge("node_filefd_allocated", {}, 3'200, 0.05);
  b.constant("node_filefd_maximum", {}, 9'223'372'036'854'775'807.0);
  for (const char* resource : {"cpu", "memory", "io"}) {
    const std::string prefix = std::string("node_pressure_") + resource;
    b.counter(prefix + "_waiting_seconds_total", {}, 0.02 * uptime, 0.02, 0.000001);
    if (std::string(resource) != "cpu") {
      b.counter(prefix + "_stalled_seconds_total", {}, 0.005 * uptime, 0.005, 0.000001);
    }
  }
  // /proc/meminfo of a 64 GiB host.
  struct Mem {
    const char* field;
    double gib;
    double noise;  // 0: constant
  };
  static constexpr Mem kMemory[] = {
      {"MemTotal", 64, 0},          {"MemFree", 6, 0.1},          {"MemAvailable", 30, 0.05},
      {"Buffers", 0.8, 0.02},       {"Cached", 22, 0.03},         {"SwapCached", 0.01, 0.1},
      {"Active", 28, 0.03},         {"Inactive", 20, 0.03},       {"Active_anon", 18, 0.04},
      {"Inactive_anon", 2, 0.05},   {"Active_file", 10, 0.03},    {"Inactive_file", 18, 0.03},
      {"Unevictable", 0.05, 0},     {"Mlocked", 0.05, 0},         {"SwapTotal", 8, 0},
      {"SwapFree", 7.9, 0.001},     {"Dirty", 0.05, 0.5},         {"Writeback", 0.001, 1.0},
      {"AnonPages", 19, 0.04},      {"Mapped", 3, 0.02},          {"Shmem", 0.5, 0.01},
      {"KReclaimable", 1.5, 0.02},  {"Slab", 2.5, 0.02},          {"SReclaimable", 1.5, 0.02},
      {"SUnreclaim", 1, 0.01},      {"KernelStack", 0.03, 0.02},  {"PageTables", 0.2, 0.03},
      {"NFS_Unstable", 0, 0},       {"Bounce", 0, 0},             {"WritebackTmp", 0, 0},
      {"CommitLimit", 40, 0},       {"Committed_AS", 45, 0.03},   {"VmallocTotal", 32768, 0},
      {"VmallocUsed", 0.1, 0.01},   {"VmallocChunk", 0, 0},       {"Percpu", 0.02, 0},
      {"HardwareCorrupted", 0, 0},  {"AnonHugePages", 4, 0.05},   {"ShmemHugePages", 0, 0},
      {"ShmemPmdMapped", 0, 0},     {"FileHugePages", 0, 0},      {"FilePmdMapped", 0, 0},
      {"Hugepagesize", 0.001953125, 0}, {"Hugetlb", 0, 0},        {"DirectMap4k", 0.5, 0},
      {"DirectMap2M", 30, 0},       {"DirectMap1G", 36, 0},
  };
  for (const auto& m : kMemory) {
    const std::string name = std::string("node_memory_") + m.field + "_bytes";
    if (m.noise == 0) {
      b.constant(name, {}, std::round(m.gib * kGiB / 4096) * 4096);
    } else {
      b.gauge(name, {}, m.gib * kGiB, m.noise, 4096);
    }
  }
  for (const char* field : {"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"}) {
    b.constant(std::string("node_memory_") + field, {}, 0);
  }
  b.counter("node_vmstat_pgpgin", {}, 2'000 * uptime, 2'000);
  b.counter("node_vmstat_pgpgout", {}, 5'000 * uptime, 5'000);
  b.counter("node_vmstat_pswpin", {}, 0.01 * uptime, 0.01);
  b.counter("node_vmstat_pswpout", {}, 0.02 * uptime, 0.02);
  b.counter("node_vmstat_pgfault", {}, 40'000 * uptime, 40'000);
  b.counter("node_vmstat_pgmajfault", {}, 2 * uptime, 2);
  b.constant("node_vmstat_oom_kill", {}, 0);
  b.counter("node_netstat_Tcp_ActiveOpens", {}, 50 * uptime, 50);
  b.counter("node_netstat_Tcp_PassiveOpens", {}, 80 * uptime, 80);
  b.counter("node_netstat_Tcp_InSegs", {}, 9'000 * uptime, 9'000);
  b.counter("node_netstat_Tcp_OutSegs", {}, 8'500 * uptime, 8'500);
  b.counter("node_netstat_Tcp_RetransSegs", {}, 3 * uptime, 3);
  b.gauge("node_netstat_Tcp_CurrEstab", {}, 420, 0.05);
  b.counter("node_netstat_TcpExt_ListenOverflows", {}, 0.001 * uptime, 0.001);
  b.counter("node_netstat_TcpExt_ListenDrops", {}, 0.001 * uptime, 0.001);
  b.counter("node_netstat_TcpExt_SyncookiesSent", {}, 0, 0);
  b.counter("node_netstat_Udp_InDatagrams", {}, 300 * uptime, 300);
  b.counter("node_netstat_Udp_OutDatagrams", {}, 280 * uptime, 280);
  b.counter("node_netstat_Udp_InErrors", {}, 0.01 * uptime, 0.01);
  b.constant("node_netstat_Ip_Forwarding", {}, 1);
  b.gauge("tidemark_agent_collection_duration_seconds", {}, 0.0003, 0.2, 0.000001);
  b.counter("tidemark_agent_samples_collected_total", {}, 0, 30);
  b.counter("tidemark_agent_batches_sent_total", {}, 0, 0.1);
  b.constant("tidemark_agent_samples_dropped_total", {}, 0);
}

void addCpu(CatalogBuilder& b, int cpu) {
  struct Mode {
    const char* mode;
    double share;  // of one CPU second
  };
  static constexpr Mode kModes[] = {{"idle", 0.80},  {"iowait", 0.01}, {"irq", 0.002},
                                    {"nice", 0.003}, {"softirq", 0.01}, {"steal", 0.005},
                                    {"system", 0.04}, {"user", 0.13}};
  const std::string id = std::to_string(cpu);
  for (const auto& m : kModes) {
    b.counter("node_cpu_seconds_total", {{"cpu", id}, {"mode", m.mode}},
              std::round(m.share * 30 * 86400), m.share, 0.01);
  }
  b.gauge("node_cpu_scaling_frequency_hertz", {{"cpu", id}}, 2.6e9, 0.15, 1000);
}

void addDisk(CatalogBuilder& b, int index) {
  static const char* kNames[] = {"nvme0n1", "nvme1n1", "sda", "sdb", "sdc", "sdd", "vda", "vdb"};
  const std::string device = index < 8 ? kNames[index] : "sd" + std::to_string(index);
  const Labels l = {{"device", device}};
  const double up = 30 * 86400.0;
  b.counter("node_disk_reads_completed_total", l, 120 * up, 120);
  b.counter("node_disk_writes_completed_total", l, 300 * up, 300);
  b.counter("node_disk_read_bytes_total", l, 4e6 * up, 4e6);
  b.counter("node_disk_written_bytes_total", l, 9e6 * up, 9e6);
  b.counter("node_disk_io_time_seconds_total", l, 0.08 * up, 0.08, 0.001);
  b.counter("node_disk_read_time_seconds_total", l, 0.03 * up, 0.03, 0.001);
  b.counter("node_disk_write_time_seconds_total", l, 0.2 * up, 0.2, 0.001);
  b.gauge("node_disk_io_now", l, 1, 1.0);
}

void addInterface(CatalogBuilder& b, int index) {
  static const char* kNames[] = {"eth0", "eth1", "lo", "bond0", "docker0", "ens3", "ens4", "wg0"};
  const std::string device = index < 8 ? kNames[index] : "veth" + std::to_string(index);
  const Labels l = {{"device", device}};
  const double up = 30 * 86400.0;
  b.counter("node_network_receive_bytes_total", l, 2e6 * up, 2e6);
  b.counter("node_network_receive_packets_total", l, 2'500 * up, 2'500);
  b.counter("node_network_receive_errs_total", l, 0, 0.0001);
  b.counter("node_network_receive_drop_total", l, 0.01 * up, 0.01);
  b.counter("node_network_transmit_bytes_total", l, 1.5e6 * up, 1.5e6);
  b.counter("node_network_transmit_packets_total", l, 2'000 * up, 2'000);
  b.counter("node_network_transmit_errs_total", l, 0, 0);
  b.counter("node_network_transmit_drop_total", l, 0, 0.001);
}

void addFilesystem(CatalogBuilder& b, int index) {
  static const char* kMounts[] = {"/", "/boot", "/var", "/home", "/srv", "/var/lib/docker"};
  const std::string mount = index < 6 ? kMounts[index] : "/srv/pier-" + std::to_string(index);
  const Labels l = {{"device", "/dev/md" + std::to_string(index)},
                    {"fstype", index == 1 ? "ext4" : "xfs"},
                    {"mountpoint", mount}};
  const double size = (index == 1 ? 1 : 500) * kGiB;
  b.constant("node_filesystem_size_bytes", l, size);
  b.gauge("node_filesystem_free_bytes", l, size * 0.4, 0.01, 4096);
  b.gauge("node_filesystem_avail_bytes", l, size * 0.38, 0.01, 4096);
  b.constant("node_filesystem_files", l, size / 16384);
  b.gauge("node_filesystem_files_free", l, size / 16384 * 0.9, 0.001);
  b.constant("node_filesystem_readonly", l, 0);
  b.constant("node_filesystem_device_error", l, 0);
}

}  // namespace

std::vector<SeriesTemplate> buildCatalog(size_t count) {
  std::vector<SeriesTemplate> out;
  CatalogBuilder builder(out);
  addBase(builder);
  int cpus = 0, disks = 0, interfaces = 0, filesystems = 0;
  while (out.size() < count) {
    addCpu(builder, cpus++);
    addCpu(builder, cpus++);
    addDisk(builder, disks++);
    addInterface(builder, interfaces++);
    addFilesystem(builder, filesystems++);
  }
  out.resize(count);
  return out;
}

HostValues::HostValues(const std::vector<SeriesTemplate>& catalog, uint64_t seed)
    : random_(seed), scale_(0.5 + 1.5 * random_.uniform()), values_(catalog.size()) {
  for (size_t i = 0; i < catalog.size(); ++i) {
    const auto& s = catalog[i];
    double v = s.kind == SeriesKind::kConstant ? s.start : s.start * scale_;
    if (s.kind == SeriesKind::kCounter) v *= 0.5 + random_.uniform();  // uptimes differ
    values_[i] = s.kind == SeriesKind::kCounter ? v : std::round(v / s.step) * s.step;
  }
}

void HostValues::advance(const std::vector<SeriesTemplate>& catalog, double seconds,
                         std::vector<double>& out) {
  out.resize(catalog.size());
  for (size_t i = 0; i < catalog.size(); ++i) {
    const auto& s = catalog[i];
    double& v = values_[i];
    switch (s.kind) {
      case SeriesKind::kCounter: {
        // Bursty but never decreasing: the exact total grows, the reported value is
        // that total floored to the step (a monotonic function of it).
        v += s.rate * scale_ * seconds * (0.2 + 1.6 * random_.uniform());
        out[i] = std::floor(v / s.step) * s.step;
        continue;
      }
      case SeriesKind::kGauge: {
        // Mean-reverting walk around the host's level.
        const double level = s.start * scale_;
        const double next = v + 0.3 * (level - v) + level * s.noise * random_.normal();
        v = std::max(0.0, std::round(next / s.step) * s.step);
        break;
      }
      case SeriesKind::kConstant:
        break;
    }
    out[i] = v;
  }
}

}  // namespace tidemark::fleet_sim
