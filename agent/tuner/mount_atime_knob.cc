#include "agent/tuner/mount_atime_knob.h"

#include <chrono>
#include <utility>

#include "agent/tuner/command_runner.h"
#include "agent/tuner/knob_files.h"

namespace tidemark::agent::tuner {

namespace {

bool isAtimeMode(const std::string& value) {
  return value == "noatime" || value == "relatime" || value == "strictatime";
}

}  // namespace

MountAtimeKnob::MountAtimeKnob(MountAtimeKnobSpec spec)
    : spec_(std::move(spec)), id_("mount.atime:" + spec_.mount.mountpoint) {}

std::optional<MountEntry> MountAtimeKnob::findMount(std::string* why) const {
  const auto mountinfo = readHostMountinfo(spec_.root, why);
  if (!mountinfo) return std::nullopt;
  std::optional<MountEntry> found;
  for (auto& mount : parseMountinfo(mountinfo->text)) {
    // Later lines are mounted on top of earlier ones at the same place.
    if (mount.mountpoint == spec_.mount.mountpoint) found = std::move(mount);
  }
  if (!found) *why = spec_.mount.mountpoint + " is no longer mounted";
  return found;
}

KnobProbe MountAtimeKnob::probe() const {
  KnobProbe probe;
  probe.choices = {"noatime", "relatime", "strictatime"};
  std::string why;
  const auto mount = findMount(&why);
  if (!mount) {
    probe.reason = why;
    return probe;
  }
  probe.facts = {{"mountpoint", mount->mountpoint},
                 {"fstype", mount->fstype},
                 {"device", mount->source}};
  if (!isLocalDiskFilesystem(mount->fstype)) {
    probe.reason = mount->fstype + " on " + mount->mountpoint + " is not a local disk filesystem";
    return probe;
  }
  probe.available = true;
  probe.value = atimeMode(mount->options);
  return probe;
}

std::string MountAtimeKnob::validate(const std::string& value) const {
  if (isAtimeMode(value)) return "";
  return id_ + ": '" + value + "' is not one of noatime, relatime, strictatime";
}

SavedState MountAtimeKnob::save() const { return {{id_, read()}}; }

void MountAtimeKnob::remount(const std::string& mode) const {
  const std::string command = expandCommand(
      spec_.remount_command, {{"option", mode}, {"mountpoint", spec_.mount.mountpoint}});
  const CommandOutcome outcome =
      runCommand(command, std::chrono::milliseconds(spec_.remount_timeout_ms));
  if (!outcome.ok()) {
    throw TuningError("remount " + spec_.mount.mountpoint + " with " + mode + " (" + command +
                      "): " + outcome.describe());
  }
}

void MountAtimeKnob::write(const std::string& value) { remount(value); }

std::string MountAtimeKnob::read() const {
  std::string why;
  const auto mount = findMount(&why);
  if (!mount) throw TuningError(id_ + ": " + why);
  return atimeMode(mount->options);
}

void MountAtimeKnob::restore(const SavedState& saved) {
  const std::string* value = findSaved(saved, id_);
  if (value == nullptr) throw TuningError(id_ + ": saved state has no value to restore");
  remount(*value);
}

std::string MountAtimeKnob::restoreCommand(const SavedState& saved) const {
  const std::string* value = findSaved(saved, id_);
  if (value == nullptr) return "";
  try {
    return expandCommand(spec_.remount_command,
                         {{"option", *value}, {"mountpoint", spec_.mount.mountpoint}});
  } catch (const std::invalid_argument&) {
    return "";
  }
}

}  // namespace tidemark::agent::tuner
