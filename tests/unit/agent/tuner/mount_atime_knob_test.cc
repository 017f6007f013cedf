#include <gtest/gtest.h>
#include <sys/stat.h>

#include "agent/tuner/mount_atime_knob.h"
#include "tests/unit/agent/tuner/host_fixture.h"

namespace tidemark::agent::tuner {
namespace {

using testing::hostKnob;
using testing::hostKnobs;
using testing::TempDir;
using testing::writeHostTree;

TEST(Mountinfo, ParsesFieldsAndAtimeModes) {
  const auto mounts = parseMountinfo(testing::kFixtureMountinfo);
  ASSERT_EQ(mounts.size(), 5u);
  EXPECT_EQ(mounts[2].mountpoint, "/srv/piers");
  EXPECT_EQ(mounts[2].fstype, "xfs");
  EXPECT_EQ(mounts[2].source, "/dev/nvme0n1p3");
  EXPECT_EQ(mounts[3].mountpoint, "/mnt/my disk");
  EXPECT_EQ(atimeMode("rw,noatime"), "noatime");
  EXPECT_EQ(atimeMode("rw,relatime"), "relatime");
  // The kernel prints nothing for strictatime.
  EXPECT_EQ(atimeMode("rw"), "strictatime");
  EXPECT_TRUE(parseMountinfo("garbage line\n").empty());
}

TEST(MountAtimeKnob, OneKnobPerLocalDiskMount) {
  TempDir root;
  writeHostTree(root);
  TunerOptions options;
  options.root = root.str();
  std::vector<std::string> ids;
  for (const auto& knob : hostKnobs(options)) {
    if (knob->id().rfind("mount.", 0) == 0) ids.push_back(knob->id());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"mount.atime:/", "mount.atime:/srv/piers",
                                           "mount.atime:/mnt/my disk"}));
}

// A stand-in for `mount -o remount`: rewrites the fixture's mountinfo line of the
// mountpoint with the new atime option, or fails when told to.
std::string writeRemountScript(const TempDir& root) {
  const std::string script = root.str() + "/remount.sh";
  root.write("remount.sh",
             "#!/bin/sh\n"
             "# $1: atime option, $2: mountpoint\n"
             "[ -e '" + root.str() +
                 "/fail' ] && { echo \"mount: $2: permission denied\"; exit 32; }\n"
             "info='" + root.str() + "/proc/self/mountinfo'\n"
             "awk -v mp=\"$2\" -v opt=\"$1\" '$5 == mp { n = split($6, o, \",\"); s = \"\";"
             " for (i = 1; i <= n; i++) if (o[i] != \"noatime\" && o[i] != \"relatime\" &&"
             " o[i] != \"strictatime\") s = s \",\" o[i];"
             " if (opt != \"strictatime\") s = s \",\" opt; $6 = substr(s, 2) } { print }'"
             " \"$info\" > \"$info.new\" && mv \"$info.new\" \"$info\"\n");
  ::chmod(script.c_str(), 0755);
  return script + " {option} {mountpoint}";
}

TEST(MountAtimeKnob, RemountsThroughTheCommandAndVerifiesByMountinfo) {
  TempDir root;
  writeHostTree(root);
  TunerOptions options;
  options.remount_command = writeRemountScript(root);
  KnobPtr knob = hostKnob(root, "mount.atime:/", options);
  ASSERT_NE(knob, nullptr);
  const KnobProbe probe = knob->probe();
  EXPECT_TRUE(probe.available);
  EXPECT_EQ(probe.value, "relatime");
  EXPECT_NE(std::find(probe.facts.begin(), probe.facts.end(),
                      std::pair<std::string, std::string>{"device", "/dev/nvme0n1p2"}),
            probe.facts.end());
  EXPECT_EQ(knob->validate("noatime"), "");
  EXPECT_NE(knob->validate("lazytime"), "");

  const SavedState saved = knob->save();
  knob->write("noatime");
  EXPECT_EQ(knob->read(), "noatime");
  EXPECT_EQ(knob->restoreCommand(saved), root.str() + "/remount.sh 'relatime' '/'");
  knob->restore(saved);
  EXPECT_EQ(knob->read(), "relatime");
}

TEST(MountAtimeKnob, FailedRemountThrowsWithTheCommandsOutput) {
  TempDir root;
  writeHostTree(root);
  root.write("fail", "");
  TunerOptions options;
  options.remount_command = writeRemountScript(root);
  KnobPtr knob = hostKnob(root, "mount.atime:/srv/piers", options);
  ASSERT_NE(knob, nullptr);
  try {
    knob->write("relatime");
    FAIL() << "the remount failed";
  } catch (const TuningError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exit 32: mount: /srv/piers: permission denied"), std::string::npos)
        << what;
  }
  EXPECT_EQ(knob->read(), "noatime");
}

// Under ProtectSystem=strict the agent has its own mount namespace: its
// /proc/self/mountinfo lists the sandbox's copies (/ read-only, a private mount), PID 1's
// the host's. The fixture's two files differ so.
TEST(MountAtimeKnob, ReadsTheHostsMountinfoBeforeItsOwn) {
  const std::string root = testing::fixturePath("hosts/sandbox");
  std::string why;
  const auto host = readHostMountinfo(root, &why);
  ASSERT_TRUE(host) << why;
  EXPECT_EQ(host->path, root + "/proc/1/mountinfo");

  TunerOptions options;
  options.root = root;
  std::vector<std::string> ids;
  for (const auto& knob : hostKnobs(options)) {
    if (knob->id().rfind("mount.", 0) == 0) ids.push_back(knob->id());
  }
  // Not /var/lib/private, which only the sandbox's own view has.
  EXPECT_EQ(ids, (std::vector<std::string>{"mount.atime:/", "mount.atime:/srv/piers"}));
  for (const auto& knob : hostKnobs(options)) {
    // The host has /srv/piers noatime; the sandbox's copy says relatime.
    if (knob->id() == "mount.atime:/srv/piers") {
      EXPECT_EQ(knob->probe().value, "noatime");
    }
  }
}

TEST(MountAtimeKnob, FallsBackToItsOwnMountinfoWithoutPid1s) {
  TempDir root;
  writeHostTree(root);  // proc/self/mountinfo only
  auto own = readHostMountinfo(root.str());
  ASSERT_TRUE(own);
  EXPECT_EQ(own->path, root.str() + "/proc/self/mountinfo");

  // Once PID 1's is there, it wins, for the knob's read-back too.
  KnobPtr knob = hostKnob(root, "mount.atime:/srv/piers");
  ASSERT_NE(knob, nullptr);
  EXPECT_EQ(knob->read(), "noatime");
  root.write("proc/1/mountinfo",
             "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
             "24 22 259:3 / /srv/piers rw,relatime shared:2 - xfs /dev/nvme0n1p3 rw\n");
  EXPECT_EQ(readHostMountinfo(root.str())->path, root.str() + "/proc/1/mountinfo");
  EXPECT_EQ(knob->read(), "relatime");

  TempDir empty;
  std::string why;
  EXPECT_FALSE(readHostMountinfo(empty.str(), &why));
  EXPECT_NE(why.find("/proc/1/mountinfo"), std::string::npos) << why;
  EXPECT_NE(why.find("/proc/self/mountinfo"), std::string::npos) << why;
}

TEST(MountAtimeKnob, DefaultCommandQuotesTheMountpoint) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "mount.atime:/mnt/my disk");
  ASSERT_NE(knob, nullptr);
  EXPECT_EQ(knob->restoreCommand(knob->save()),
            "mount -o remount,'strictatime' '/mnt/my disk'");
}

}  // namespace
}  // namespace tidemark::agent::tuner
