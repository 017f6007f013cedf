#include "agent/collectors/host_collectors.h"

#include "agent/collectors/cpu_frequency.h"
#include "agent/collectors/network_speed.h"
#include "agent/collectors/file_nr.h"
#include "agent/collectors/proc_diskstats.h"
#include "agent/collectors/proc_loadavg.h"
#include "agent/collectors/proc_meminfo.h"
#include "agent/collectors/proc_net_dev.h"
#include "agent/collectors/proc_netstat.h"
#include "agent/collectors/proc_pressure.h"
#include "agent/collectors/proc_stat.h"
#include "agent/collectors/proc_vmstat.h"

namespace tidemark::agent {

HostCollectors::HostCollectors(FileReader& reader, ReadBatch& side_batch, const Clock& clock,
                               const HostCollectorOptions& options)
    : log_(clock),
      statter_(std::make_unique<TimeoutStatter>(options.filesystems.statfs_timeout_ms)) {
  collectors_.push_back(std::make_unique<ProcStatCollector>(log_));
  collectors_.push_back(std::make_unique<LoadavgCollector>(log_));
  collectors_.push_back(std::make_unique<PressureCollector>(log_));
  collectors_.push_back(std::make_unique<MeminfoCollector>(log_));
  collectors_.push_back(std::make_unique<VmstatCollector>(log_));
  collectors_.push_back(std::make_unique<FileNrCollector>(log_));
  collectors_.push_back(std::make_unique<DiskstatsCollector>(log_));
  collectors_.push_back(std::make_unique<NetDevCollector>(log_));
  collectors_.push_back(std::make_unique<NetstatCollector>(log_));
  collectors_.push_back(
      std::make_unique<FilesystemCollector>(reader, log_, *statter_, options.filesystems,
                                            &in_memory_statter_));
  collectors_.push_back(
      std::make_unique<CpuFrequencyCollector>(reader, log_, clock, options.slow_interval_ms));
  collectors_.push_back(
      std::make_unique<NetworkSpeedCollector>(reader, log_, clock, options.slow_interval_ms));
  collectors_.push_back(
      std::make_unique<ShipCollector>(reader, side_batch, log_, clock, *statter_, options.ships));
}

HostCollectors::~HostCollectors() = default;

}  // namespace tidemark::agent
