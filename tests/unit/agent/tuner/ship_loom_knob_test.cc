#include "agent/tuner/ship_loom_knob.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "agent/tuner/service_config.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/tuner/ship_tuner_test_support.h"

namespace tidemark::agent::tuner {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using tidemark::testing::TempDir;
using namespace tidemark::agent::tuner::testing;
using Fact = std::pair<std::string, std::string>;

TEST(ServiceConfigTest, FindsSetsAndRemovesOneKey) {
  const std::string text = "# loom\nexport LOOM=\"32\"\nARGS=-t\nLOOMY=1\n";
  EXPECT_EQ(findConfigValue(text, "LOOM"), "32");
  EXPECT_EQ(findConfigValue(text, "ARGS"), "-t");
  EXPECT_FALSE(findConfigValue(text, "MISSING"));
  EXPECT_EQ(findConfigValue("LOOM=30\nLOOM = 33\n", "LOOM"), "33");  // the last one wins
  EXPECT_EQ(setConfigValue(text, "LOOM", "34"), "# loom\nLOOM=34\nARGS=-t\nLOOMY=1\n");
  EXPECT_EQ(setConfigValue("ARGS=-t", "LOOM", "34"), "ARGS=-t\nLOOM=34\n");
  EXPECT_EQ(setConfigValue("", "LOOM", "34"), "LOOM=34\n");
  EXPECT_EQ(removeConfigKey(text, "LOOM"), "# loom\nARGS=-t\nLOOMY=1\n");
}

// The service config lives under a fixture root; no ship runs.
class ShipLoomKnobTest : public ::testing::Test {
 protected:
  ShipLoomKnobTest() : file(root.str() + "/etc/default/urbit-zod") {
    options->root = root.str();
    std::filesystem::create_directories(root.str() + "/etc/default");
    std::filesystem::create_directories(root.str() + "/piers/zod/.urb");
  }

  ShipLoomKnob knob(ShipTarget target = downTarget("/piers/zod")) {
    return ShipLoomKnob(options, std::move(target));
  }

  TempDir root;
  std::string file;
  std::shared_ptr<ShipTuningOptions> options = std::make_shared<ShipTuningOptions>();
};

TEST_F(ShipLoomKnobTest, WritesANewFileAndRestoreRemovesIt) {
  ShipLoomKnob loom = knob();
  EXPECT_EQ(loom.id(), "ship.loom:zod");
  const KnobProbe probe = loom.probe();
  ASSERT_TRUE(probe.available) << probe.reason;
  EXPECT_EQ(probe.value, "31");  // the runtime's default
  EXPECT_THAT(probe.facts, Contains(Fact("applies_at", "restart")));
  EXPECT_THAT(probe.facts, Contains(Fact("source", "default")));
  EXPECT_THAT(probe.facts, Contains(Fact("file", "/etc/default/urbit-zod")));
  const SavedState saved = loom.save();

  loom.write("33");
  EXPECT_EQ(readText(file), "LOOM=33\n");
  EXPECT_EQ(loom.read(), "33");
  EXPECT_THAT(loom.probe().facts, Contains(Fact("source", "file")));

  loom.restore(saved);
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_EQ(loom.read(), "31");
  EXPECT_THAT(loom.restoreCommand(saved), HasSubstr("sed -i '/^LOOM=/d' '/etc/default/urbit-zod'"));
}

TEST_F(ShipLoomKnobTest, KeepsOtherLinesAndModeAndRestoresTheOldValue) {
  const std::string before = "# written by ansible\nURBIT_ARGS=\"-t --http-port 8080\"\nLOOM=32\n";
  root.write("etc/default/urbit-zod", before);
  ::chmod(file.c_str(), 0640);
  ShipLoomKnob loom = knob();
  EXPECT_EQ(loom.probe().value, "32");
  const SavedState saved = loom.save();

  loom.write("34");
  EXPECT_EQ(readText(file), "# written by ansible\nURBIT_ARGS=\"-t --http-port 8080\"\nLOOM=34\n");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);

  loom.restore(saved);
  EXPECT_EQ(readText(file), before);
  EXPECT_EQ(loom.restoreCommand(saved),
            "sed -i 's/^LOOM=.*/LOOM=32/' '/etc/default/urbit-zod'  # applies at the ship's next "
            "restart");
}

TEST_F(ShipLoomKnobTest, AppendsToAFileWithoutTheKeyAndUsesTheRunningLoom) {
  root.write("etc/default/urbit-zod", "URBIT_ARGS=-t");
  ShipTarget running = downTarget("/piers/zod");
  running.ship.king = ShipProcess{::getpid(), 0};
  running.ship.loom_bits = 33;
  ShipLoomKnob loom = knob(running);
  const KnobProbe probe = loom.probe();
  EXPECT_EQ(probe.value, "33");
  EXPECT_THAT(probe.facts, Contains(Fact("source", "process")));
  EXPECT_THAT(probe.facts, Contains(Fact("running_loom", "33")));
  const SavedState saved = loom.save();

  loom.write("32");
  EXPECT_EQ(readText(file), "URBIT_ARGS=-t\nLOOM=32\n");
  loom.restore(saved);
  EXPECT_EQ(readText(file), "URBIT_ARGS=-t\n");  // the running --loom applies again
}

TEST_F(ShipLoomKnobTest, ValidatesAndNamesTheFileOnErrors) {
  ShipLoomKnob loom = knob();
  EXPECT_EQ(loom.validate("24"), "");
  EXPECT_EQ(loom.validate("34"), "");
  EXPECT_NE(loom.validate("23"), "");
  EXPECT_NE(loom.validate("35"), "");
  EXPECT_NE(loom.validate("3x"), "");
  EXPECT_THROW(loom.write("40"), TuningError);

  options->loom_file = "/etc/missing-folder/urbit-{ship}";
  try {
    knob().write("32");
    FAIL() << "a config in a missing folder cannot be written";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("ship.loom:zod"));
    EXPECT_THAT(error.what(), HasSubstr("/etc/missing-folder/urbit-zod"));
  }
}

}  // namespace
}  // namespace tidemark::agent::tuner
