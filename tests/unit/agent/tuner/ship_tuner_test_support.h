// Helpers for the ship knob tests: a knob's view of a running stand-in ship, the
// processes that name a pier, and a teardown that leaves no stand-in running.
#pragma once

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/tuner/ship_process.h"
#include "agent/tuner/ship_tuning_options.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"

namespace tidemark::agent::tuner::testing {

inline std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline ShipProcess liveProcess(pid_t pid) {
  const auto live = readLiveProcess("", pid);
  return ShipProcess{pid, live ? live->start_ticks : 0};
}

// What discovery would hand the knobs for `ship` running on `pier` (host root).
inline ShipTarget targetOf(const std::string& pier, const tidemark::testing::StandinShip& ship,
                           int loom_bits = 31) {
  ShipTarget target;
  target.name = std::filesystem::path(pier).filename().string();
  target.ship.pier = pier;
  target.ship.king = liveProcess(ship.kingPid());
  target.ship.serf = liveProcess(ship.serfPid());
  target.ship.loom_bits = loom_bits;
  return target;
}

// A stopped ship: discovery finds the pier under a pier root, with no processes.
inline ShipTarget downTarget(const std::string& pier) {
  ShipTarget target;
  target.name = std::filesystem::path(pier).filename().string();
  target.ship.pier = pier;
  return target;
}

// Live (non-zombie) processes whose command line has `pier` as an argument.
inline std::vector<pid_t> processesNaming(const std::string& pier) {
  std::vector<pid_t> pids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cmdline = readText("/proc/" + name + "/cmdline");
    bool names = false;
    for (size_t start = 0; start < cmdline.size();) {
      const size_t end = cmdline.find('\0', start);
      if (cmdline.substr(start, end - start) == pier) names = true;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (names && readLiveProcess("", pid)) pids.push_back(pid);
  }
  return pids;
}

// Kills everything still running on `pier` (a ship a job restarted, a hung job) and
// waits until the lock is free.
inline void killEverythingOn(const std::string& pier) {
  for (int round = 0; round < 2; ++round) {
    for (const pid_t pid : processesNaming(pier)) ::kill(pid, round == 0 ? SIGTERM : SIGKILL);
    if (tidemark::testing::eventually(
            [&] { return processesNaming(pier).empty() && !pierLockHolder("", pier); },
            std::chrono::seconds(5)))
      return;
  }
}

inline uintmax_t fileSize(const std::string& path) {
  std::error_code error;
  return std::filesystem::file_size(path, error);
}

inline std::vector<std::string> epochsOf(const std::string& pier) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(pier + "/.urb/log"))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tidemark::agent::tuner::testing
