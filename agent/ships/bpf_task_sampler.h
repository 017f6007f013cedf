// Reads the CPU time, resident memory and start time of the tracked ship processes
// from the kernel's tasks in one read() of a BPF task iterator (bpf/ship_tasks.bpf.c),
// where /proc costs a formatted /proc/PID/stat per process. Needs CAP_BPF and
// CAP_PERFMON (or root), a kernel with BTF and task iterators (5.8+), and the host's
// PID namespace; open() says why when any is missing, and the ships are read from /proc.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct bpf_object;
struct bpf_link;

namespace tidemark::agent {

// One process as the iterator saw it.
struct ProcessUsage {
  uint64_t start_ticks = 0;  // clock ticks since boot, as /proc/PID/stat's starttime
  uint64_t rss_pages = 0;    // as /proc/PID/stat's rss
  uint64_t cpu_ns = 0;       // every thread's CPU time, those that exited included
};

class BpfTaskSampler {
 public:
  // Loads the iterator and checks it on this process (same PID, same start time as
  // /proc/self/stat, some resident pages). nullptr, with the reason in `why`, when the
  // kernel refuses it or the check fails.
  static std::unique_ptr<BpfTaskSampler> open(std::string& why);
  ~BpfTaskSampler();
  BpfTaskSampler(const BpfTaskSampler&) = delete;
  BpfTaskSampler& operator=(const BpfTaskSampler&) = delete;

  // The processes (PIDs) sample() reads; the kernel skips every other task. Cheap when
  // the set is unchanged. 0, or an errno value when the kernel's map refused a PID.
  int track(std::span<const int32_t> pids);
  // One read of the iterator: every tracked process still running. 0 or an errno value.
  int sample();
  // What the last sample() saw of `pid`; nullptr when it did not see it (gone, or
  // not tracked).
  const ProcessUsage* find(int32_t pid) const;

 private:
  BpfTaskSampler() = default;

  bpf_object* object_ = nullptr;
  bpf_link* link_ = nullptr;
  int link_fd_ = -1;
  int tracked_map_fd_ = -1;
  uint64_t ns_per_tick_ = 10'000'000;
  std::vector<int32_t> tracked_;       // sorted
  std::vector<int32_t> wanted_;        // scratch for track()
  std::vector<ProcessUsage> usage_;    // parallel to tracked_
  std::vector<uint8_t> seen_;          // parallel to tracked_: in the last sample
  std::vector<char> buffer_;           // the iterator's output, kept between passes
};

}  // namespace tidemark::agent
