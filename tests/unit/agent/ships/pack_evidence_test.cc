#include "agent/ships/pack_evidence.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/time/clock.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

TEST(PackOrMeldInTest, TheRuntimesPackAndMeldLines) {
  EXPECT_EQ(packOrMeldIn("pack: gained: 1.2 GB"), MaintenanceJob::kPack);
  EXPECT_EQ(packOrMeldIn("urbit: meld: gained: 310 MB"), MaintenanceJob::kMeld);
  EXPECT_EQ(packOrMeldIn("~zod:dojo> |pack"), std::nullopt);  // asked for, not done yet
  EXPECT_EQ(packOrMeldIn("bail: meme"), std::nullopt);
  EXPECT_EQ(packOrMeldIn(""), std::nullopt);
}

TEST(SnapshotShrankClearlyTest, OnlyAClearDropOfAPresentSnapshot) {
  EXPECT_TRUE(snapshotShrankClearly(1000, 700, 0.2));
  EXPECT_TRUE(snapshotShrankClearly(1000, 800, 0.2));   // exactly the margin
  EXPECT_FALSE(snapshotShrankClearly(1000, 900, 0.2));  // ordinary churn
  EXPECT_FALSE(snapshotShrankClearly(1000, 1500, 0.2));
  EXPECT_FALSE(snapshotShrankClearly(1000, 0, 0.2));  // missing mid-save, not packed
}

TEST(PackEvidenceLogTest, RecordsAreReadBackAndSurviveANewInstance) {
  TempDir dir;
  ManualClock clock;
  ThrottledLog log(clock);
  const std::string path = dir.str() + "/pack_evidence.log";
  {
    PackEvidenceLog evidence(path, log);
    evidence.refresh();
    EXPECT_FALSE(evidence.lastPack("/piers/zod"));
    evidence.record(1'000, "/piers/zod", MaintenanceJob::kPack, "test");
    evidence.record(2'000, "/piers/zod", MaintenanceJob::kMeld, "test");
    evidence.refresh();
    EXPECT_EQ(evidence.lastPack("/piers/zod"), 1'000);
    EXPECT_EQ(evidence.lastMeld("/piers/zod"), 2'000);
  }
  PackEvidenceLog after_restart(path, log);
  after_restart.refresh();
  EXPECT_EQ(after_restart.lastPack("/piers/zod"), 1'000);
  EXPECT_EQ(after_restart.lastMeld("/piers/zod"), 2'000);
  EXPECT_FALSE(after_restart.lastPack("/piers/bus"));
}

TEST(PackEvidenceLogTest, AnUnwritableFileIsLoggedNotThrown) {
  TempDir dir;
  ManualClock clock;
  ThrottledLog log(clock);
  tidemark::testing::LogCapture capture;
  PackEvidenceLog evidence(dir.str() + "/missing-folder/pack_evidence.log", log);
  evidence.record(1'000, "/piers/zod", MaintenanceJob::kPack, "test");
  evidence.refresh();
  EXPECT_FALSE(evidence.lastPack("/piers/zod"));
  EXPECT_NE(capture.text().find("missing-folder/pack_evidence.log"), std::string::npos)
      << capture.text();
}

}  // namespace
}  // namespace tidemark::agent
