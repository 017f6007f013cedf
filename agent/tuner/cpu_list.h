// CPU lists as the kernel writes them ("0-3,6"): parsed to sets, formatted back in
// the canonical shortest form, and the CPUs online on a host.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace tidemark::agent::tuner {

using CpuSet = std::set<int>;

// "0-3,6" -> {0,1,2,3,6}; nullopt when malformed (empty, a reversed range, junk).
std::optional<CpuSet> parseCpuList(std::string_view text);

// {0,1,2,3,6} -> "0-3,6".
std::string formatCpuList(const CpuSet& cpus);

// The CPUs online: <root>/sys/devices/system/cpu/online, else 0..sysconf(ONLN)-1.
CpuSet onlineCpus(const std::string& root);

}  // namespace tidemark::agent::tuner
