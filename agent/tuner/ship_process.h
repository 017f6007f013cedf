// A ship's processes as they are now, read at every knob call: the survey's PIDs go
// stale when a ship restarts, and a zombie (an exited king its parent has not reaped)
// counts as gone. Also who holds the pier lock, the runtime's own "I am up".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/ships/ship_discovery.h"

namespace tidemark::agent::tuner {

struct LiveProcess {
  int nice = 0;
  uint64_t start_ticks = 0;
};

// Fields of a /proc/PID/stat text; nullopt when it is not one or the process is a zombie.
std::optional<LiveProcess> parseLiveProcess(std::string_view stat);

// <root>/proc/PID/stat parsed; nullopt when the process is gone or a zombie.
std::optional<LiveProcess> readLiveProcess(const std::string& root, int64_t pid);

// True when `process` still runs as the same incarnation (its start time matches).
bool isSameProcess(const std::string& root, const ShipProcess& process);

// "" when the ship's surveyed king still runs, else why not ("the ship is down", "king
// PID 12 is gone: the ship stopped or restarted since the survey").
std::string whyShipNotRunning(const std::string& root, const DiscoveredShip& ship);

// The process's threads (<root>/proc/PID/task): nice and affinity are per thread on
// Linux, so both are set on every one. Just {pid} when the folder is unreadable.
std::vector<int64_t> threadIds(const std::string& root, int64_t pid);

// The PID holding the fcntl lock on <root><pier>/.vere.lock (as the kernel reports it,
// in the agent's PID namespace); nullopt when the file is missing or nobody holds it.
std::optional<int64_t> pierLockHolder(const std::string& root, const std::string& pier);

// "" when <root><pier>/.vere.lock can be checked (it opens, or is absent), else why
// not: an unreadable lock must not pass for a free one.
std::string pierLockProblem(const std::string& root, const std::string& pier);

}  // namespace tidemark::agent::tuner
