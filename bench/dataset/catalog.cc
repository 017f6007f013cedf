#include "bench/dataset/catalog.h"

#include <algorithm>
#include <map>

namespace tidemark::bench {

namespace {

class Builder {
 public:
  void add(const std::string& family, bool counter, const std::string& labels, Model model,
           double base, double rate) {
    std::string name = counter ? family + "_total" : family;
    specs_.push_back({family, std::move(name), labels, counter, model, base, rate});
  }
  std::vector<SeriesSpec>& specs() { return specs_; }

 private:
  std::vector<SeriesSpec> specs_;
};

// One node's catalog with `cpus` CPUs, `disks` disks and `sensors` temperature sensors.
std::vector<SeriesSpec> build(int cpus, int disks, int sensors) {
  Builder b;
  static const char* kModes[] = {"idle",    "iowait", "irq",    "nice",
                                 "softirq", "steal",  "system", "user"};
  static const double kModeShare[] = {0.80, 0.01, 0.0, 0.001, 0.005, 0.0, 0.05, 0.13};
  for (int cpu = 0; cpu < cpus; ++cpu) {
    for (int m = 0; m < 8; ++m) {
      // A mode that never moves (irq, steal on bare metal) is a constant counter.
      b.add("node_cpu_seconds", true,
            "cpu=\"" + std::to_string(cpu) + "\",mode=\"" + kModes[m] + "\"",
            kModeShare[m] == 0 ? Model::kConstant : Model::kCpuSeconds, kModeShare[m] * 3.1e6,
            kModeShare[m]);
    }
  }
  for (int cpu = 0; cpu < cpus; ++cpu) {
    b.add("node_cpu_scaling_frequency_hertz", false, "cpu=\"" + std::to_string(cpu) + "\"",
          Model::kPState, 2.8e9, 0);
  }
  for (const char* which : {"load1", "load5", "load15"}) {
    b.add(std::string("node_") + which, false, "", Model::kLoad, cpus * 0.3, 0.2);
  }
  for (const char* resource : {"cpu", "io", "memory"}) {
    b.add(std::string("node_pressure_") + resource + "_waiting_seconds", true, "", Model::kMillis,
          2.5e4, 0.02);
    b.add(std::string("node_pressure_") + resource + "_avg10", false, "", Model::kLoad, 0.5, 0.4);
  }
  const double ram = 64.0 * (1ull << 30);
  struct Mem {
    const char* name;
    Model model;
    double share;
  };
  static const Mem kMemory[] = {
      {"MemTotal", Model::kConstant, 1.0},        {"MemFree", Model::kPageGauge, 0.08},
      {"MemAvailable", Model::kPageGauge, 0.55},  {"Buffers", Model::kPageGauge, 0.02},
      {"Cached", Model::kPageGauge, 0.40},        {"SwapCached", Model::kConstant, 0.0},
      {"Active", Model::kPageGauge, 0.30},        {"Inactive", Model::kPageGauge, 0.25},
      {"Active_anon", Model::kPageGauge, 0.15},   {"Inactive_anon", Model::kPageGauge, 0.02},
      {"Active_file", Model::kPageGauge, 0.15},   {"Inactive_file", Model::kPageGauge, 0.23},
      {"Dirty", Model::kPageGauge, 0.0005},       {"Writeback", Model::kSmallInt, 0},
      {"AnonPages", Model::kPageGauge, 0.17},     {"Mapped", Model::kPageGauge, 0.03},
      {"Shmem", Model::kSlowGauge, 0.01},         {"Slab", Model::kPageGauge, 0.03},
      {"SReclaimable", Model::kPageGauge, 0.02},  {"SUnreclaim", Model::kPageGauge, 0.01},
      {"KernelStack", Model::kSlowGauge, 0.0003}, {"PageTables", Model::kPageGauge, 0.002},
      {"SwapTotal", Model::kConstant, 0.125},     {"SwapFree", Model::kConstant, 0.125},
      {"HugePages_Total", Model::kConstant, 0},   {"Hugepagesize", Model::kConstant, 0},
  };
  for (const auto& m : kMemory) {
    double base = m.share * ram;
    if (std::string(m.name) == "Hugepagesize") base = 2097152;
    b.add(std::string("node_memory_") + m.name + "_bytes", false, "", m.model, base,
          m.model == Model::kPageGauge ? std::max(4096.0, base * 0.002) : 0);
  }
  static const char* kDisks[] = {"nvme0n1", "nvme1n1", "sda", "sdb", "sdc", "sdd", "sde", "sdf"};
  for (int d = 0; d < disks; ++d) {
    const std::string dev =
        std::string("device=\"") + kDisks[d % 8] + (d >= 8 ? std::to_string(d / 8) : "") + "\"";
    const double busy = d < 2 ? 1.0 : 0.2;
    b.add("node_disk_reads_completed", true, dev, Model::kEventCounter, 8e6, 40 * busy);
    b.add("node_disk_writes_completed", true, dev, Model::kEventCounter, 2e7, 90 * busy);
    b.add("node_disk_read_bytes", true, dev, Model::kByteCounter, 3e11, 2e6 * busy);
    b.add("node_disk_written_bytes", true, dev, Model::kByteCounter, 9e11, 5e6 * busy);
    b.add("node_disk_io_time_seconds", true, dev, Model::kMillis, 4e4, 0.05 * busy);
    b.add("node_disk_read_time_seconds", true, dev, Model::kMillis, 2e4, 0.02 * busy);
    b.add("node_disk_write_time_seconds", true, dev, Model::kMillis, 6e4, 0.08 * busy);
    b.add("node_disk_io_now", false, dev, Model::kSmallInt, 1, 0);
  }
  static const char* kNics[] = {"eth0", "eth1", "lo", "docker0"};
  for (int n = 0; n < 4; ++n) {
    const std::string dev = std::string("device=\"") + kNics[n] + "\"";
    const double busy = n == 0 ? 1.0 : 0.1;
    b.add("node_network_receive_bytes", true, dev, Model::kByteCounter, 5e12, 4e6 * busy);
    b.add("node_network_transmit_bytes", true, dev, Model::kByteCounter, 3e12, 3e6 * busy);
    b.add("node_network_receive_packets", true, dev, Model::kEventCounter, 4e9, 3000 * busy);
    b.add("node_network_transmit_packets", true, dev, Model::kEventCounter, 3e9, 2500 * busy);
    b.add("node_network_receive_errs", true, dev, Model::kRareCounter, 12, 0);
    b.add("node_network_receive_drop", true, dev, Model::kRareCounter, 340, 0);
    b.add("node_network_mtu_bytes", false, dev, Model::kConstant, n == 2 ? 65536 : 1500, 0);
    b.add("node_network_up", false, dev, Model::kConstant, 1, 0);
  }
  struct Fs {
    const char* device;
    const char* fstype;
    const char* mountpoint;
    double size;
  };
  static const Fs kFilesystems[] = {{"/dev/nvme0n1p2", "ext4", "/", 4.8e11},
                                    {"/dev/nvme0n1p1", "vfat", "/boot/efi", 5.3e8},
                                    {"/dev/nvme1n1", "xfs", "/srv", 1.9e12},
                                    {"tmpfs", "tmpfs", "/run", 6.8e9},
                                    {"tmpfs", "tmpfs", "/dev/shm", 3.4e10}};
  for (const auto& fs : kFilesystems) {
    const std::string labels = std::string("device=\"") + fs.device + "\",fstype=\"" + fs.fstype +
                               "\",mountpoint=\"" + fs.mountpoint + "\"";
    const double size = static_cast<double>(static_cast<uint64_t>(fs.size) / 4096 * 4096);
    b.add("node_filesystem_size_bytes", false, labels, Model::kConstant, size, 0);
    b.add("node_filesystem_avail_bytes", false, labels, Model::kSlowGauge, size * 0.4, 4096 * 64);
    b.add("node_filesystem_free_bytes", false, labels, Model::kSlowGauge, size * 0.45, 4096 * 64);
    b.add("node_filesystem_files", false, labels, Model::kConstant, size / 16384, 0);
    b.add("node_filesystem_files_free", false, labels, Model::kRareCounter, size / 20000, 0);
    b.add("node_filesystem_readonly", false, labels, Model::kConstant, 0, 0);
  }
  b.add("node_context_switches", true, "", Model::kEventCounter, 9e10, 2e4);
  b.add("node_intr", true, "", Model::kEventCounter, 5e10, 1.2e4);
  b.add("node_forks", true, "", Model::kEventCounter, 3e7, 8);
  b.add("node_procs_running", false, "", Model::kSmallInt, 2, 0);
  b.add("node_procs_blocked", false, "", Model::kSmallInt, 0, 0);
  b.add("node_boot_time_seconds", false, "", Model::kConstant, 1.698e9, 0);
  b.add("node_time_seconds", false, "", Model::kWallClock, 0, 0);
  b.add("node_timex_offset_seconds", false, "", Model::kFullFloat, 0, 2e-5);
  b.add("node_entropy_available_bits", false, "", Model::kConstant, 256, 0);
  b.add("node_filefd_allocated", false, "", Model::kSmallInt, 2400, 0);
  b.add("node_filefd_maximum", false, "", Model::kConstant, 9.2233720368547758e18, 0);
  b.add("node_netstat_Tcp_RetransSegs", false, "", Model::kEventCounter, 4e5, 0.3);
  b.add("node_netstat_Tcp_ActiveOpens", false, "", Model::kEventCounter, 9e6, 5);
  b.add("node_netstat_TcpExt_ListenOverflows", false, "", Model::kRareCounter, 3, 0);
  b.add("node_sockstat_TCP_inuse", false, "", Model::kSmallInt, 180, 0);
  b.add("node_vmstat_pgfault", false, "", Model::kEventCounter, 4e10, 9e3);
  b.add("node_vmstat_pgmajfault", false, "", Model::kEventCounter, 2e6, 0.5);
  b.add("node_vmstat_pswpin", false, "", Model::kConstant, 0, 0);
  b.add("node_vmstat_oom_kill", false, "", Model::kRareCounter, 1, 0);
  for (int s = 0; s < sensors; ++s) {
    b.add("node_hwmon_temp_celsius", false,
          "chip=\"platform_coretemp_0\",sensor=\"temp" + std::to_string(s + 1) + "\"",
          Model::kFullFloat, 45 + s % 7, 1.5);
  }
  // Families must be contiguous in an exposition; keep the first-seen family order.
  std::map<std::string, size_t> order;
  for (const auto& spec : b.specs()) order.emplace(spec.family, order.size());
  std::stable_sort(b.specs().begin(), b.specs().end(),
                   [&](const auto& x, const auto& y) { return order[x.family] < order[y.family]; });
  return std::move(b.specs());
}

}  // namespace

std::vector<SeriesSpec> nodeCatalog(size_t series) {
  // A 2-CPU, 2-disk node has 150 series; more are made as real nodes have them: a CPU
  // adds 9, a disk 8, then temperature sensors fill the exact count. Fewer than 150
  // keeps the first families whole (CPU, load, pressure, memory, ...).
  constexpr int kCpuSeries = 9;
  constexpr int kDiskSeries = 8;
  int cpus = 2;
  int disks = 2;
  int sensors = 0;
  std::vector<SeriesSpec> specs = build(cpus, disks, sensors);
  while (specs.size() < series) {
    const size_t missing = series - specs.size();
    if (cpus < 64 && missing >= kCpuSeries) {
      ++cpus;
    } else if (disks < 16 && missing >= kDiskSeries) {
      ++disks;
    } else {
      sensors += static_cast<int>(missing);
    }
    specs = build(cpus, disks, sensors);
  }
  specs.resize(series);
  return specs;
}

}  // namespace tidemark::bench
