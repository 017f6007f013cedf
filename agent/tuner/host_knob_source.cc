#include "agent/tuner/host_knob_source.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <utility>

#include "agent/tuner/choice_file_knob.h"
#include "agent/tuner/dirty_pair_knob.h"
#include "agent/tuner/integer_file_knob.h"
#include "agent/tuner/knob_files.h"
#include "agent/tuner/mount_atime_knob.h"
#include "common/errors/error.h"

namespace tidemark::agent::tuner {

namespace {

constexpr int64_t kIntMax = 2147483647;

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

class HostKnobSource final : public KnobSource {
 public:
  explicit HostKnobSource(TunerOptions options) : options_(std::move(options)) {}

  // KnobSource
  void addKnobs(std::vector<KnobPtr>& out) override {
    addSysctls(out);
    addBlockDevices(out);
    addTransparentHugePages(out);
    addMounts(out);
  }

 private:
  KnobPtr integerSysctl(const std::string& name, int64_t min, int64_t max) const {
    IntegerFileKnobSpec spec;
    spec.id = name;
    spec.target = {options_.root, sysctlHostPath(name), name};
    spec.min = min;
    spec.max = max;
    const std::string leaf = name.substr(name.rfind('.') + 1);
    if (startsWith(leaf, "sched_")) {
      spec.missing_reason = "sched_* sysctls moved out of /proc/sys in Linux 5.13";
    } else {
      spec.missing_reason = "no " + spec.target.host_path + " on this kernel";
    }
    return std::make_unique<IntegerFileKnob>(std::move(spec));
  }

  void addSysctls(std::vector<KnobPtr>& out) const {
    const auto release = readKnobFile(underRoot(options_.root, "/proc/sys/kernel/osrelease"));
    out.push_back(integerSysctl("vm.swappiness", 0, swappinessMax(release.value_or(""))));
    out.push_back(std::make_unique<DirtyPairKnob>(options_.root, "vm.dirty_ratio",
                                                  "vm.dirty_bytes"));
    out.push_back(std::make_unique<DirtyPairKnob>(options_.root, "vm.dirty_background_ratio",
                                                  "vm.dirty_background_bytes"));
    out.push_back(integerSysctl("vm.max_map_count", 0, kIntMax));
    out.push_back(integerSysctl("net.core.rmem_max", 0, kIntMax));
    out.push_back(integerSysctl("net.core.wmem_max", 0, kIntMax));
    out.push_back(integerSysctl("net.core.somaxconn", 0, kIntMax));
    ChoiceFileKnobSpec congestion;
    congestion.id = "net.ipv4.tcp_congestion_control";
    congestion.target = {options_.root, sysctlHostPath(congestion.id), congestion.id};
    congestion.choices_host_path = sysctlHostPath("net.ipv4.tcp_available_congestion_control");
    out.push_back(std::make_unique<ChoiceFileKnob>(std::move(congestion)));
    for (const auto& name : options_.extra_sysctls) {
      const bool known = std::any_of(out.begin(), out.end(),
                                     [&](const KnobPtr& knob) { return knob->id() == name; });
      if (!known) {
        out.push_back(integerSysctl(name, std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max()));
      }
    }
  }

  void addBlockDevices(std::vector<KnobPtr>& out) const {
    namespace fs = std::filesystem;
    std::error_code error;
    fs::directory_iterator devices(underRoot(options_.root, "/sys/block"), error);
    if (error) return;  // no sysfs under this root: no block knobs
    std::vector<std::string> names;
    for (const auto& entry : devices) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (startsWith(name, "loop") || startsWith(name, "ram") || startsWith(name, "zram")) {
        continue;
      }
      const std::string queue = "/sys/block/" + name + "/queue/";
      const auto scheduler = readKnobFile(underRoot(options_.root, queue + "scheduler"));
      if (!scheduler) continue;
      const ChoiceList list = parseChoiceList(*scheduler);
      // Device-mapper and md devices read "none": nothing to choose.
      if (list.choices.size() <= 1 && (list.choices.empty() || list.choices[0] == "none")) {
        continue;
      }
      ChoiceFileKnobSpec spec;
      spec.id = "block.scheduler:" + name;
      spec.target = {options_.root, queue + "scheduler", ""};
      spec.facts = blockFacts(name);
      IntegerFileKnobSpec read_ahead;
      read_ahead.id = "block.read_ahead_kb:" + name;
      read_ahead.target = {options_.root, queue + "read_ahead_kb", ""};
      read_ahead.min = 0;
      read_ahead.max = 65536;
      read_ahead.facts = spec.facts;
      out.push_back(std::make_unique<ChoiceFileKnob>(std::move(spec)));
      out.push_back(std::make_unique<IntegerFileKnob>(std::move(read_ahead)));
    }
  }

  std::vector<std::pair<std::string, std::string>> blockFacts(const std::string& name) const {
    const std::string base = "/sys/block/" + name + "/";
    std::vector<std::pair<std::string, std::string>> facts;
    if (auto rotational = readKnobFile(underRoot(options_.root, base + "queue/rotational"))) {
      facts.emplace_back("rotational", *rotational);
    }
    const std::string transport = startsWith(name, "nvme") ? "nvme"
                                  : startsWith(name, "vd") ? "virtio"
                                                           : "scsi";
    facts.emplace_back("transport", transport);
    if (auto sectors = readKnobFile(underRoot(options_.root, base + "size"))) {
      if (auto count = parseCanonicalInteger(*sectors)) {
        facts.emplace_back("size_bytes", std::to_string(*count * 512));  // always 512-byte units
      }
    }
    return facts;
  }

  void addTransparentHugePages(std::vector<KnobPtr>& out) const {
    std::string boot_override;
    if (auto cmdline = readKnobFile(underRoot(options_.root, "/proc/cmdline"))) {
      for (const auto& word : splitWords(*cmdline)) {
        if (startsWith(word, "transparent_hugepage=")) {
          boot_override = "set on the kernel command line (" + word + "): left alone";
        }
      }
    }
    for (const std::string mode : {"enabled", "defrag"}) {
      ChoiceFileKnobSpec spec;
      spec.id = "thp." + mode;
      spec.target = {options_.root, "/sys/kernel/mm/transparent_hugepage/" + mode, ""};
      spec.unavailable_reason = boot_override;
      if (!boot_override.empty()) spec.facts = {{"boot_override", "1"}};
      out.push_back(std::make_unique<ChoiceFileKnob>(std::move(spec)));
    }
  }

  void addMounts(std::vector<KnobPtr>& out) const {
    // The host's mounts, not the sandbox's copies (readHostMountinfo).
    const auto mountinfo = readHostMountinfo(options_.root);
    if (!mountinfo) return;
    std::vector<MountEntry> mounts;
    for (auto& mount : parseMountinfo(mountinfo->text)) {
      if (!isLocalDiskFilesystem(mount.fstype)) continue;
      // A later mount at the same place hides the earlier one.
      std::erase_if(mounts, [&](const MountEntry& seen) {
        return seen.mountpoint == mount.mountpoint;
      });
      mounts.push_back(std::move(mount));
    }
    for (auto& mount : mounts) {
      MountAtimeKnobSpec spec;
      spec.root = options_.root;
      spec.mount = std::move(mount);
      spec.remount_command = options_.remount_command;
      out.push_back(std::make_unique<MountAtimeKnob>(std::move(spec)));
    }
  }

  TunerOptions options_;
};

}  // namespace

int swappinessMax(const std::string& osrelease) {
  int major = 0;
  int minor = 0;
  if (std::sscanf(osrelease.c_str(), "%d.%d", &major, &minor) != 2) return 200;
  return (major > 5 || (major == 5 && minor >= 8)) ? 200 : 100;
}

std::unique_ptr<KnobSource> makeHostKnobSource(const TunerOptions& options) {
  for (const auto& name : options.extra_sysctls) {
    if (std::string why = checkSysctlName(name); !why.empty()) {
      throw ConfigError("extra_sysctls: " + why);
    }
  }
  return std::make_unique<HostKnobSource>(options);
}

}  // namespace tidemark::agent::tuner
