#include "agent/ships/maintenance_log.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

TEST(MaintenanceLineTest, ParsesAndRejects) {
  MaintenanceEntry entry;
  ASSERT_TRUE(parseMaintenanceLine("1763900000 /srv/zod pack ok", entry));
  EXPECT_EQ(entry.unix_seconds, 1763900000);
  EXPECT_EQ(entry.pier, "/srv/zod");
  EXPECT_EQ(entry.job, MaintenanceJob::kPack);
  EXPECT_TRUE(entry.ok);
  ASSERT_TRUE(parseMaintenanceLine("5 /srv/zod chop failed", entry));
  EXPECT_FALSE(entry.ok);
  EXPECT_FALSE(parseMaintenanceLine("x /srv/zod pack ok", entry));
  EXPECT_FALSE(parseMaintenanceLine("5 zod pack ok", entry));
  EXPECT_FALSE(parseMaintenanceLine("5 /srv/zod wash ok", entry));
  EXPECT_FALSE(parseMaintenanceLine("5 /srv/zod pack maybe", entry));
  EXPECT_FALSE(parseMaintenanceLine("5 /srv/zod pack ok extra", entry));
}

TEST(MaintenanceLogTest, OnlyOkJobsCountAndAppendsAreFollowed) {
  TempDir dir;
  ManualClock clock;
  ThrottledLog log(clock);
  const std::string path = dir.str() + "/maintenance.log";
  MaintenanceLog maintenance(path, log);
  maintenance.refresh();  // no file yet: nothing known
  EXPECT_FALSE(maintenance.lastPack("/srv/zod"));

  {
    std::ofstream out(path, std::ios::app);
    out << "100 /srv/zod pack ok\n200 /srv/zod meld failed\ngarbage line\n300 /srv/nec pack ok\n";
  }
  tidemark::testing::LogCapture capture;
  maintenance.refresh();
  EXPECT_EQ(maintenance.lastPack("/srv/zod"), 100);
  EXPECT_FALSE(maintenance.lastMeld("/srv/zod"));
  EXPECT_EQ(maintenance.lastPack("/srv/nec"), 300);
  EXPECT_EQ(capture.count("garbage line"), 1u);

  {
    std::ofstream out(path, std::ios::app);
    out << "400 /srv/zod meld ok\n500 /srv/zod pack ok\n";
  }
  maintenance.refresh();
  EXPECT_EQ(maintenance.lastPack("/srv/zod"), 500);
  EXPECT_EQ(maintenance.lastMeld("/srv/zod"), 400);
}

}  // namespace
}  // namespace tidemark::agent
