#include "agent/ships/bpf_task_sampler.h"

#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/ships/bpf/ship_task_record.h"
#include "agent/ships/process_stat.h"

namespace tidemark::agent {

extern const std::span<const uint8_t> kShipTasksBpfObject;  // ship_tasks_object.cc, generated

namespace {

// 40 bytes a thread: room for 100 ships' kings and serfs, threads included, before it
// grows (resident memory counts on a host of ships).
constexpr size_t kInitialBuffer = 16 * 1024;

// libbpf explains its failures on stderr; the agent says why in one line of its own,
// so libbpf's lines go to the debug log.
int libbpfToDebugLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || !spdlog::should_log(spdlog::level::debug)) return 0;
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  std::string_view text(line);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  spdlog::debug("libbpf: {}", text);
  return 0;
}

std::string refusal(std::string_view step, int error) {
  std::string why = fmt::format("{}: {}", step, std::strerror(error));
  if (error == EPERM || error == EACCES)
    why += " (needs CAP_BPF and CAP_PERFMON, or root)";
  return why;
}

// This process's start time from /proc/self/stat, in clock ticks; 0 when unreadable.
uint64_t ownStartTicks() {
  const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[1024];
  const ssize_t got = ::read(fd, text, sizeof text);
  ::close(fd);
  ProcessStat stat;
  if (got <= 0 || !parseProcessStat(std::string_view(text, static_cast<size_t>(got)), stat))
    return 0;
  return stat.start_ticks;
}

// The bpf(2) commands of a steady pass, called directly: libbpf's wrappers would map
// its code pages back in every pass, and resident memory counts on a host of ships.
int bpfCommand(int command, bpf_attr& attr) {
  return static_cast<int>(::syscall(__NR_bpf, command, &attr, sizeof attr));
}

int createIterator(int link_fd) {
  bpf_attr attr{};
  attr.iter_create.link_fd = static_cast<uint32_t>(link_fd);
  return bpfCommand(BPF_ITER_CREATE, attr);
}

int updateElement(int map_fd, const void* key, const void* value) {
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map_fd);
  attr.key = reinterpret_cast<uint64_t>(key);
  attr.value = reinterpret_cast<uint64_t>(value);
  attr.flags = BPF_ANY;
  return bpfCommand(BPF_MAP_UPDATE_ELEM, attr);
}

int deleteElement(int map_fd, const void* key) {
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map_fd);
  attr.key = reinterpret_cast<uint64_t>(key);
  return bpfCommand(BPF_MAP_DELETE_ELEM, attr);
}

}  // namespace

std::unique_ptr<BpfTaskSampler> BpfTaskSampler::open(std::string& why) {
  libbpf_set_print(libbpfToDebugLog);
  std::unique_ptr<BpfTaskSampler> sampler(new BpfTaskSampler());
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks > 0) sampler->ns_per_tick_ = 1'000'000'000 / static_cast<uint64_t>(ticks);

  LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = "tidemark_ship_tasks");
  sampler->object_ =
      bpf_object__open_mem(kShipTasksBpfObject.data(), kShipTasksBpfObject.size(), &options);
  if (sampler->object_ == nullptr) {
    why = refusal("cannot open the BPF task iterator", errno);
    return nullptr;
  }
  if (int error = bpf_object__load(sampler->object_); error != 0) {
    why = refusal("the kernel refused the BPF task iterator (no BTF, no task iterators before "
                  "Linux 5.8, or no permission)",
                  -error);
    return nullptr;
  }
  sampler->tracked_map_fd_ =
      bpf_map__fd(bpf_object__find_map_by_name(sampler->object_, "tracked"));
  bpf_program* program = bpf_object__find_program_by_name(sampler->object_, "ship_tasks");
  sampler->link_ = program == nullptr ? nullptr : bpf_program__attach_iter(program, nullptr);
  if (sampler->link_ == nullptr) {
    why = refusal("cannot attach the BPF task iterator", errno);
    return nullptr;
  }
  sampler->link_fd_ = bpf_link__fd(sampler->link_);
  sampler->buffer_.resize(kInitialBuffer);

  // The check: this process, as the iterator sees it, must be this process as /proc
  // sees it. A PID namespace of its own, a time namespace, or a field read at the wrong
  // place would fail it.
  const auto self = static_cast<int32_t>(::getpid());
  if (int error = sampler->track({&self, 1}); error != 0) {
    why = refusal("cannot track a process in the BPF task iterator's map", error);
    return nullptr;
  }
  if (int error = sampler->sample(); error != 0) {
    why = refusal("cannot read the BPF task iterator", error);
    return nullptr;
  }
  const ProcessUsage* usage = sampler->find(self);
  const uint64_t start_ticks = ownStartTicks();
  if (usage == nullptr || start_ticks == 0 || usage->start_ticks != start_ticks ||
      usage->rss_pages == 0 || usage->cpu_ns == 0) {
    why = usage == nullptr
              ? "the BPF task iterator does not see this process under its PID (a PID "
                "namespace of its own?)"
              : fmt::format("the BPF task iterator disagrees with /proc/self/stat (start {} "
                            "against {} ticks, {} resident pages, {} ns of CPU)",
                            usage->start_ticks, start_ticks, usage->rss_pages, usage->cpu_ns);
    return nullptr;
  }
  return sampler;
}

BpfTaskSampler::~BpfTaskSampler() {
  if (link_ != nullptr) bpf_link__destroy(link_);
  if (object_ != nullptr) bpf_object__close(object_);
}

int BpfTaskSampler::track(std::span<const int32_t> pids) {
  wanted_.assign(pids.begin(), pids.end());
  std::sort(wanted_.begin(), wanted_.end());
  wanted_.erase(std::unique(wanted_.begin(), wanted_.end()), wanted_.end());
  if (wanted_ == tracked_) return 0;
  // Both sorted: one merge finds what left and what came.
  auto old = tracked_.begin();
  auto now = wanted_.begin();
  int failure = 0;
  const uint8_t one = 1;
  while (old != tracked_.end() || now != wanted_.end()) {
    if (now == wanted_.end() || (old != tracked_.end() && *old < *now)) {
      const auto pid = static_cast<uint32_t>(*old++);
      if (deleteElement(tracked_map_fd_, &pid) != 0 && errno != ENOENT) failure = errno;
    } else if (old == tracked_.end() || *now < *old) {
      const auto pid = static_cast<uint32_t>(*now++);
      if (updateElement(tracked_map_fd_, &pid, &one) != 0) failure = errno;
    } else {
      ++old;
      ++now;
    }
  }
  tracked_.swap(wanted_);
  usage_.assign(tracked_.size(), ProcessUsage{});
  seen_.assign(tracked_.size(), 0);
  return failure;
}

int BpfTaskSampler::sample() {
  const int fd = createIterator(link_fd_);
  if (fd < 0) return errno;
  size_t used = 0;
  int error = 0;
  for (;;) {
    // Grows only when the tracked set outgrows it: a steady state allocates nothing.
    if (buffer_.size() - used < 4096) buffer_.resize(buffer_.size() * 2);
    const ssize_t got = ::read(fd, buffer_.data() + used, buffer_.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) error = errno;
    if (got <= 0) break;
    used += static_cast<size_t>(got);
  }
  ::close(fd);
  std::fill(usage_.begin(), usage_.end(), ProcessUsage{});
  std::fill(seen_.begin(), seen_.end(), 0);
  if (error != 0) return error;
  tidemark_ship_task_record record;
  for (size_t offset = 0; offset + sizeof record <= used; offset += sizeof record) {
    std::memcpy(&record, buffer_.data() + offset, sizeof record);
    const auto tgid = static_cast<int32_t>(record.tgid);
    const auto it = std::lower_bound(tracked_.begin(), tracked_.end(), tgid);
    if (it == tracked_.end() || *it != tgid) continue;  // untracked since the last track()
    const auto index = static_cast<size_t>(it - tracked_.begin());
    ProcessUsage& usage = usage_[index];
    usage.cpu_ns += record.runtime_ns;
    if (record.tid == record.tgid) {
      usage.cpu_ns += record.dead_runtime_ns;
      usage.start_ticks = record.start_ns / ns_per_tick_;
      usage.rss_pages = record.rss_pages;
      seen_[index] = 1;
    }
  }
  return 0;
}

const ProcessUsage* BpfTaskSampler::find(int32_t pid) const {
  const auto it = std::lower_bound(tracked_.begin(), tracked_.end(), pid);
  if (it == tracked_.end() || *it != pid) return nullptr;
  const auto index = static_cast<size_t>(it - tracked_.begin());
  return seen_[index] ? &usage_[index] : nullptr;
}

}  // namespace tidemark::agent
