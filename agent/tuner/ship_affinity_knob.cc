#include "agent/tuner/ship_affinity_knob.h"

#include <sched.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "agent/io/file_reader.h"
#include "agent/tuner/cpu_list.h"
#include "agent/tuner/ship_process.h"

namespace tidemark::agent::tuner {
namespace {

std::optional<CpuSet> affinityOf(int64_t pid) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (::sched_getaffinity(static_cast<pid_t>(pid), sizeof mask, &mask) != 0) return std::nullopt;
  CpuSet cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &mask)) cpus.insert(cpu);
  return cpus;
}

}  // namespace

ShipAffinityKnob::ShipAffinityKnob(std::shared_ptr<const ShipTuningOptions> options,
                                   ShipTarget target)
    : options_(std::move(options)),
      target_(std::move(target)),
      root_(normaliseRoot(options_->root)),
      id_("ship.affinity:" + target_.name) {}

void ShipAffinityKnob::requireRunning(const char* action) const {
  if (const std::string why = whyShipNotRunning(root_, target_.ship); !why.empty())
    throw TuningError(fmt::format("{}: cannot {}: {}", id_, action, why));
}

KnobProbe ShipAffinityKnob::probe() const {
  KnobProbe probe;
  probe.reason = whyShipNotRunning(root_, target_.ship);
  if (!probe.reason.empty()) return probe;
  const auto cpus = affinityOf(target_.ship.king->pid);
  if (!cpus) {
    probe.reason = fmt::format("sched_getaffinity(king PID {}): {}", target_.ship.king->pid,
                               std::strerror(errno));
    return probe;
  }
  probe.available = true;
  probe.value = formatCpuList(*cpus);
  probe.facts.emplace_back("pier", target_.ship.pier);
  probe.facts.emplace_back("cpus_online", formatCpuList(onlineCpus(root_)));
  probe.facts.emplace_back("king_pid", std::to_string(target_.ship.king->pid));
  if (target_.ship.serf)
    probe.facts.emplace_back("serf_pid", std::to_string(target_.ship.serf->pid));
  return probe;
}

std::string ShipAffinityKnob::validate(const std::string& value) const {
  const auto cpus = parseCpuList(value);
  if (!cpus) return fmt::format("{:?} is not a CPU list such as \"0-3,6\"", value);
  const CpuSet online = onlineCpus(root_);
  for (const int cpu : *cpus) {
    if (!online.contains(cpu)) {
      return fmt::format("CPU {} in {:?} is not online (online: {})", cpu, value,
                         formatCpuList(online));
    }
  }
  return "";
}

SavedState ShipAffinityKnob::save() const { return {{"cpus", read()}}; }

void ShipAffinityKnob::write(const std::string& value) {
  if (const std::string why = validate(value); !why.empty())
    throw TuningError(fmt::format("{}: {}", id_, why));
  requireRunning("set the CPU affinity");
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const CpuSet cpus = parseCpuList(value).value();
  for (const int cpu : cpus) CPU_SET(cpu, &mask);
  std::vector<int64_t> pids{target_.ship.king->pid};
  if (target_.ship.serf && isSameProcess(root_, *target_.ship.serf))
    pids.push_back(target_.ship.serf->pid);
  for (const int64_t pid : pids) {
    for (const int64_t tid : threadIds(root_, pid)) {
      if (::sched_setaffinity(static_cast<pid_t>(tid), sizeof mask, &mask) == 0) continue;
      const int error = errno;
      if (error == ESRCH && tid != pid) continue;  // a thread that ended meanwhile
      throw TuningError(fmt::format("{}: sched_setaffinity(thread {} of PID {}, {}): {}", id_, tid,
                                    pid, value, std::strerror(error)));
    }
  }
  spdlog::info("{}: CPUs {} set on the ship {}", id_, value, target_.ship.pier);
}

std::string ShipAffinityKnob::read() const {
  requireRunning("read the CPU affinity");
  const auto cpus = affinityOf(target_.ship.king->pid);
  if (!cpus) {
    throw TuningError(fmt::format("{}: sched_getaffinity(king PID {}): {}", id_,
                                  target_.ship.king->pid, std::strerror(errno)));
  }
  return formatCpuList(*cpus);
}

void ShipAffinityKnob::restore(const SavedState& saved) {
  for (const auto& [key, value] : saved)
    if (key == "cpus") return write(value);
  throw TuningError(fmt::format("{}: saved state holds no \"cpus\" entry", id_));
}

std::string ShipAffinityKnob::restoreCommand(const SavedState& saved) const {
  std::string cpus = "?";
  for (const auto& [key, value] : saved)
    if (key == "cpus") cpus = value;
  // -a: every thread, as write() does.
  std::string command = "taskset -a -pc " + cpus + " ";
  command += target_.ship.king ? std::to_string(target_.ship.king->pid) : "<king PID>";
  if (target_.ship.serf)
    command += " && taskset -a -pc " + cpus + " " + std::to_string(target_.ship.serf->pid);
  return command;
}

}  // namespace tidemark::agent::tuner
