// `tidemark import openmetrics` against a real controller: what goes in comes back
// out of `tidemark query` exactly, and a malformed file stores nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using ::testing::HasSubstr;

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(ImportTest, ImportedSamplesComeBackExactly) {
  Fleet fleet;
  fleet.startController();
  // An hour ago, inside every retention; fractions of a second in the timestamps.
  const int64_t t0 = nowSeconds() - 3600;
  auto ts = [&](int k, const char* frac) { return std::to_string(t0 + 10 * k) + frac; };
  const std::string text =
      "# HELP node_load1 1m load average.\n"
      "# TYPE node_load1 gauge\n"
      "node_load1{instance=\"web1:9100\",job=\"node\"} 0.52 " +
      ts(0, ".001") + "\n" +
      "node_load1{instance=\"web1:9100\",job=\"node\"} 0.30000000000000004 " + ts(1, ".999") +
      "\n" + "node_load1{instance=\"web1:9100\",job=\"node\"} NaN " + ts(2, "") + "\n" +
      "node_load1{host=\"db1\",instance=\"10.0.0.2:9100\"} +Inf " + ts(0, ".5") + "\n" +
      "node_load1{host=\"db1\",instance=\"10.0.0.2:9100\"} 123456789012345680000 " + ts(1, ".25") +
      "\n" +
      "# TYPE app_info info\n"
      "app_info{path=\"C:\\\\temp\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\"} 1 " +
      ts(0, ".123") + "\n" +
      "\n"
      "# EOF\n";
  fleet.dir().write("history.om", text);
  const std::string file = fleet.dir().str() + "/history.om";

  auto result = fleet.cliRaw({"import", "openmetrics", file, "--host", "batch1"});
  ASSERT_EQ(result.exit_code, 0) << result.err << fleet.controller().log();
  EXPECT_THAT(result.out, HasSubstr("imported 6 samples in 3 series for 3 hosts in "));
  EXPECT_THAT(result.out, HasSubstr("samples/s)"));

  const std::string since = std::to_string(t0 - 60);
  auto load = fleet.cli({"query", "node_load1", "--since", since})["series"];
  ASSERT_EQ(load.size(), 2u) << load.dump(2);
  // db1: the host label is the host; instance stays a label.
  EXPECT_EQ(load[0]["host"], "db1");
  EXPECT_EQ(load[0]["labels"], (nlohmann::json{{"instance", "10.0.0.2:9100"}}));
  ASSERT_EQ(load[0]["samples"].size(), 2u);
  EXPECT_EQ(load[0]["samples"][0][0].get<int64_t>(), t0 * 1000 + 500);
  EXPECT_TRUE(load[0]["samples"][0][1].is_null());  // +Inf: JSON has no infinity
  EXPECT_EQ(load[0]["samples"][1][0].get<int64_t>(), (t0 + 10) * 1000 + 250);
  EXPECT_EQ(load[0]["samples"][1][1].get<double>(), 123456789012345680000.0);
  // web1: from instance without its port; instance is not kept.
  EXPECT_EQ(load[1]["host"], "web1");
  EXPECT_EQ(load[1]["labels"], (nlohmann::json{{"job", "node"}}));
  ASSERT_EQ(load[1]["samples"].size(), 3u);
  EXPECT_EQ(load[1]["samples"][0][0].get<int64_t>(), t0 * 1000 + 1);
  EXPECT_EQ(load[1]["samples"][0][1].get<double>(), 0.52);
  EXPECT_EQ(load[1]["samples"][1][0].get<int64_t>(), (t0 + 10) * 1000 + 999);
  EXPECT_EQ(load[1]["samples"][1][1].get<double>(), 0.1 + 0.2);
  EXPECT_EQ(load[1]["samples"][2][0].get<int64_t>(), (t0 + 20) * 1000);
  EXPECT_TRUE(load[1]["samples"][2][1].is_null());  // NaN

  auto info = fleet.cli({"query", "app_info", "--since", since})["series"];
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0]["host"], "batch1");  // neither host nor instance: --host
  EXPECT_EQ(info[0]["labels"]["path"], "C:\\temp");
  EXPECT_EQ(info[0]["labels"]["quote"], "say \"hi\"");
  EXPECT_EQ(info[0]["labels"]["nl"], "a\nb");
  EXPECT_EQ(info[0]["samples"][0][0].get<int64_t>(), t0 * 1000 + 123);

  auto status = fleet.cli({"status"});
  EXPECT_EQ(status["series"], 3);
  EXPECT_EQ(status["samples"], 6);
}

TEST(ImportTest, AMalformedFileIsRefusedWithLineNumbersAndStoresNothing) {
  Fleet fleet;
  fleet.startController();
  const int64_t t0 = nowSeconds() - 600;
  const std::string good = "node_load1{instance=\"web1:9100\"} 1 " + std::to_string(t0) + "\n";
  const std::string text = good + good +  // 1, 2
                           "node_load1{instance=\"web1:9100\" 1 " + std::to_string(t0) +
                           "\n" +                                                // 3
                           good +                                                // 4
                           "node_load1{instance=\"web1:9100\"} 1 yesterday\n" +  // 5
                           "# EOF\n";
  fleet.dir().write("bad.om", text);
  const std::string file = fleet.dir().str() + "/bad.om";

  auto result = fleet.cliRaw({"import", "openmetrics", file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr(file + ":3: node_load1: expected , or }"));
  EXPECT_THAT(result.err, HasSubstr(file + ":5: node_load1: invalid timestamp \"yesterday\""));
  EXPECT_THAT(result.err, HasSubstr("2 malformed lines; nothing imported"));
  EXPECT_EQ(result.out, "");

  auto status = fleet.cli({"status"});
  EXPECT_EQ(status["samples"], 0);
  EXPECT_EQ(status["series"], 0);
  EXPECT_TRUE(fleet.cli({"hosts"})["hosts"].empty());
}

TEST(ImportTest, AnUnreadableFileIsAnErrorNamingIt) {
  Fleet fleet;
  auto result = fleet.cliRaw({"import", "openmetrics", "/nonexistent/history.om"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot open /nonexistent/history.om"));
}

}  // namespace
}  // namespace tidemark::testing
