#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/ships/maintenance_log.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using ::testing::HasSubstr;
using tidemark::testing::TempDir;

TEST(MaintenanceLogAppendTest, AppendedLinesAreReadBack) {
  TempDir dir;
  const std::string path = dir.str() + "/maintenance.log";
  appendMaintenanceLine(path, {1763900000, "/srv/zod", MaintenanceJob::kPack, true});
  appendMaintenanceLine(path, {1763900100, "/srv/zod", MaintenanceJob::kMeld, false});
  appendMaintenanceLine(path, {1763900200, "/srv/zod", MaintenanceJob::kChop, true});
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "1763900000 /srv/zod pack ok\n1763900100 /srv/zod meld failed\n"
            "1763900200 /srv/zod chop ok\n");

  ManualClock clock;
  ThrottledLog log(clock);
  MaintenanceLog maintenance(path, log);
  maintenance.refresh();
  EXPECT_EQ(maintenance.lastPack("/srv/zod"), 1763900000);
  EXPECT_FALSE(maintenance.lastMeld("/srv/zod"));  // only ok jobs count
}

TEST(MaintenanceLogAppendTest, FailuresNameThePath) {
  TempDir dir;
  try {
    appendMaintenanceLine(dir.str() + "/missing/maintenance.log",
                          {1, "/srv/zod", MaintenanceJob::kPack, true});
    FAIL() << "a log in a missing folder cannot be opened";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr(dir.str() + "/missing/maintenance.log"));
  }
  EXPECT_THROW(
      appendMaintenanceLine(dir.str() + "/log", {1, "/srv/my ship", MaintenanceJob::kPack, true}),
      std::runtime_error);
  EXPECT_THROW(appendMaintenanceLine(dir.str() + "/log", {1, "zod", MaintenanceJob::kPack, true}),
               std::runtime_error);
}

}  // namespace
}  // namespace tidemark::agent
