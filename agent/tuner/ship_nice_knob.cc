#include "agent/tuner/ship_nice_knob.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "agent/io/file_reader.h"
#include "agent/tuner/ship_process.h"

namespace tidemark::agent::tuner {
namespace {

constexpr int kNiceMin = -20, kNiceMax = 19;

bool parseNice(const std::string& text, int& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out >= kNiceMin &&
         out <= kNiceMax;
}

}  // namespace

ShipNiceKnob::ShipNiceKnob(std::shared_ptr<const ShipTuningOptions> options, ShipTarget target)
    : options_(std::move(options)),
      target_(std::move(target)),
      root_(normaliseRoot(options_->root)),
      id_("ship.nice:" + target_.name) {}

std::vector<int64_t> ShipNiceKnob::shipPids() const {
  std::vector<int64_t> pids{target_.ship.king->pid};
  if (target_.ship.serf && isSameProcess(root_, *target_.ship.serf))
    pids.push_back(target_.ship.serf->pid);
  return pids;
}

void ShipNiceKnob::requireRunning(const char* action) const {
  if (const std::string why = whyShipNotRunning(root_, target_.ship); !why.empty())
    throw TuningError(fmt::format("{}: cannot {}: {}", id_, action, why));
}

KnobProbe ShipNiceKnob::probe() const {
  KnobProbe probe;
  probe.reason = whyShipNotRunning(root_, target_.ship);
  if (!probe.reason.empty()) return probe;
  const auto king = readLiveProcess(root_, target_.ship.king->pid);
  if (!king) {
    probe.reason = fmt::format("king PID {} exited while probing", target_.ship.king->pid);
    return probe;
  }
  probe.available = true;
  probe.value = std::to_string(king->nice);
  probe.facts.emplace_back("pier", target_.ship.pier);
  probe.facts.emplace_back("king_pid", std::to_string(target_.ship.king->pid));
  if (target_.ship.serf) {
    probe.facts.emplace_back("serf_pid", std::to_string(target_.ship.serf->pid));
    if (const auto serf = readLiveProcess(root_, target_.ship.serf->pid))
      probe.facts.emplace_back("serf_nice", std::to_string(serf->nice));
  }
  return probe;
}

std::string ShipNiceKnob::validate(const std::string& value) const {
  int nice = 0;
  if (!parseNice(value, nice))
    return fmt::format("{:?} is not an integer nice value from {} to {}", value, kNiceMin,
                       kNiceMax);
  return "";
}

SavedState ShipNiceKnob::save() const { return {{"nice", read()}}; }

void ShipNiceKnob::write(const std::string& value) {
  if (const std::string why = validate(value); !why.empty())
    throw TuningError(fmt::format("{}: {}", id_, why));
  requireRunning("set the nice value");
  int nice = 0;
  parseNice(value, nice);
  for (const int64_t pid : shipPids()) {
    for (const int64_t tid : threadIds(root_, pid)) {
      if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) == 0) continue;
      const int error = errno;
      if (error == ESRCH && tid != pid) continue;  // a thread that ended meanwhile
      throw TuningError(fmt::format("{}: setpriority(thread {} of PID {}, {}): {}{}", id_, tid, pid,
                                    nice, std::strerror(error),
                                    error == EACCES ? " (lowering nice needs CAP_SYS_NICE)" : ""));
    }
  }
  spdlog::info("{}: nice {} set on king {} and serf {} of {}", id_, nice, target_.ship.king->pid,
               target_.ship.serf ? std::to_string(target_.ship.serf->pid) : "(none)",
               target_.ship.pier);
}

std::string ShipNiceKnob::read() const {
  requireRunning("read the nice value");
  const auto king = readLiveProcess(root_, target_.ship.king->pid);
  if (!king) throw TuningError(fmt::format("{}: king PID {} exited", id_, target_.ship.king->pid));
  return std::to_string(king->nice);
}

void ShipNiceKnob::restore(const SavedState& saved) {
  for (const auto& [key, value] : saved)
    if (key == "nice") return write(value);
  throw TuningError(fmt::format("{}: saved state holds no \"nice\" entry", id_));
}

std::string ShipNiceKnob::restoreCommand(const SavedState& saved) const {
  std::string nice = "?";
  for (const auto& [key, value] : saved)
    if (key == "nice") nice = value;
  std::string command = "renice -n " + nice + " -p ";
  command += target_.ship.king ? std::to_string(target_.ship.king->pid) : "<king PID>";
  if (target_.ship.serf) command += " " + std::to_string(target_.ship.serf->pid);
  return command;
}

}  // namespace tidemark::agent::tuner
