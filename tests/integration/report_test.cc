// `tidemark report` and the controller's scheduled reports against a real controller
// fed by `tidemark import openmetrics`: every section filled from the same figures as
// `plan` and `triggers`, quiet on a pipe and showing progress on a terminal, and the
// HTML rendered by headless Chromium into a screenshot that is not blank and shows
// the charts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>

#include "tests/integration/fleet.h"
#include "tests/support/png_image.h"

namespace tidemark::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kDay = 86'400;
constexpr double kGB = 1e9;

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string findChromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (fs::exists(path)) return path;
  return "";
}

// 20 days at 5 min of a disk filling 4 GB a day, a root disk at 93% (fires disk_full)
// and a ship whose pier grows between weekly packs.
void importHistory(Fleet& fleet) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t start = (now - 20 * 86'400) / 3600 * 3600;
  std::ostringstream text;
  text.precision(17);
  const std::string ship = R"(host="web",ship="zod",pier="/srv/zod")";
  const std::string data = R"(host="web",device="/dev/sdb1",fstype="ext4",mountpoint="/data")";
  const std::string root = R"(host="db",device="/dev/sda1",fstype="ext4",mountpoint="/")";
  for (int64_t s = 0; s <= now - 120 - start; s += 300) {
    const double t = static_cast<double>(s) / kDay;
    const double pack = 7 * static_cast<int64_t>(t / 7);
    const double pier = 20 * kGB + 0.5 * kGB * pack + 3 * kGB * (t - pack);
    text << "urbit_ship_pier_bytes{" << ship << "} " << pier << ' ' << start + s << '\n';
    text << "urbit_ship_filesystem_avail_bytes{" << ship << "} " << 400 * kGB - pier << ' '
         << start + s << '\n';
    text << "urbit_ship_up{" << ship << "} 1 " << start + s << '\n';
    text << "node_filesystem_size_bytes{" << data << "} " << 1000 * kGB << ' ' << start + s << '\n';
    text << "node_filesystem_avail_bytes{" << data << "} " << 700 * kGB - 4 * kGB * t << ' '
         << start + s << '\n';
    text << "node_filesystem_size_bytes{" << root << "} " << 100 * kGB << ' ' << start + s << '\n';
    text << "node_filesystem_avail_bytes{" << root << "} " << 7 * kGB << ' ' << start + s << '\n';
  }
  // The ship's newest up sample a minute ago, whatever the time, so it counts as up.
  text << "urbit_ship_up{" << ship << "} 1 " << now - 60 << '\n';
  text << "# EOF\n";
  fleet.dir().write("history.om", text.str());
  auto imported = fleet.cliRaw({"import", "openmetrics", fleet.dir().str() + "/history.om"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << fleet.controller().log();
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.startController({"--trigger-interval", "1s", "--reports-interval", "3s",
                           "--reports-dir", fleet.dir().str() + "/reports", "--reports-format",
                           "html", "--reports-format", "md"});
    importHistory(fleet);
    ASSERT_TRUE(eventually(
        [&] {
          auto triggers = fleet.cli({"triggers"});
          for (const auto& trigger : triggers["triggers"])
            if (trigger["rule"] == "disk_full" && trigger["state"] == "firing") return true;
          return false;
        },
        std::chrono::seconds(30)))
        << fleet.controller().log();
  }
  Fleet fleet;
};

TEST_F(ReportTest, EveryFormatCarriesThePlanTheTriggersAndTheShips) {
  const std::string json_path = fleet.dir().str() + "/report.json";
  auto result = fleet.cliRaw({"report", "--format", "json", "--out", json_path, "--since", "20d"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Not a terminal: no progress line, only the summary.
  EXPECT_THAT(result.err, Not(HasSubstr("\r")));
  EXPECT_THAT(result.err, HasSubstr("wrote " + json_path));
  const auto report = nlohmann::json::parse(readAll(json_path));
  const auto plan = fleet.cli({"plan", "--window", "20d"});
  ASSERT_EQ(report["forecasts"].size(), plan["forecasts"].size());
  for (size_t i = 0; i < plan["forecasts"].size(); ++i) {
    EXPECT_EQ(report["forecasts"][i]["host"], plan["forecasts"][i]["host"]);
    EXPECT_EQ(report["forecasts"][i]["days_to_threshold"], plan["forecasts"][i]["days_to_threshold"]);
  }
  // The nearest exhaustion (the pier or /data) is charted, so it carries its history.
  ASSERT_TRUE(report["forecasts"][0].contains("history")) << report["forecasts"][0].dump();
  EXPECT_GT(report["forecasts"][0]["history"].size(), 100u);
  EXPECT_EQ(report["fleet"]["hosts"], 2);
  EXPECT_EQ(report["fleet"]["ships"], 1);
  // disk_full on db's root, and pier_growth on zod (its floor rises 15 GB a month).
  std::set<std::string> firing;
  for (const auto& trigger : report["triggers"]) {
    EXPECT_EQ(trigger["state"], "firing");
    firing.insert(trigger["rule"].get<std::string>() + "@" + trigger["host"].get<std::string>());
  }
  EXPECT_EQ(firing, (std::set<std::string>{"disk_full@db", "pier_growth@web"}))
      << report["triggers"].dump(2);
  ASSERT_EQ(report["ships"].size(), 1u);
  EXPECT_EQ(report["ships"][0]["ship"], "zod");
  EXPECT_NEAR(report["ships"][0]["pier_growth_bytes_per_day"].get<double>(), 0.5 * kGB, 0.1 * kGB);

  const std::string md_path = fleet.dir().str() + "/report.md";
  ASSERT_EQ(fleet.cliRaw({"report", "--format", "md", "--out", md_path}).exit_code, 0);
  const std::string md = readAll(md_path);
  EXPECT_THAT(md, HasSubstr("## Nearest exhaustion"));
  EXPECT_THAT(md, HasSubstr("| disk_full | db |"));
  EXPECT_THAT(md, HasSubstr("| web | zod | up |"));

  auto bad = fleet.cliRaw({"report", "--format", "pdf", "--out", md_path});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("unknown report format 'pdf'"));
}

TEST_F(ReportTest, ShowsProgressOnATerminal) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "util-linux script(1) is missing";
  const std::string out = fleet.dir().str() + "/tty.html";
  // script(1) gives the CLI a pseudo-terminal and copies what it drew to stdout.
  const std::string command = binary("tidemark") + " --socket " + fleet.socket() +
                              " report --format html --out " + out;
  auto result = runCommand({"/usr/bin/script", "-q", "-e", "-c", command, "/dev/null"},
                           std::chrono::seconds(60));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("report: planning the fleet [0/"));
  EXPECT_THAT(result.out, HasSubstr("report: history of "));
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(ReportTest, HtmlRendersInHeadlessChromiumWithCharts) {
  const std::string chromium = findChromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (make deps installs it)";
  const std::string html = fleet.dir().str() + "/report.html";
  ASSERT_EQ(fleet.cliRaw({"report", "--format", "html", "--out", html}).exit_code, 0);
  const std::string png = fleet.dir().str() + "/report.png";
  auto shot = runCommand({chromium, "--headless", "--no-sandbox", "--disable-gpu",
                          "--hide-scrollbars", "--user-data-dir=" + fleet.dir().str() + "/chromium",
                          "--window-size=1280,2400", "--screenshot=" + png, "file://" + html},
                         std::chrono::seconds(120));
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  // TIDEMARK_SCREENSHOT_OUT=FILE keeps the screenshot for a person to look at.
  if (const char* keep = std::getenv("TIDEMARK_SCREENSHOT_OUT"); keep != nullptr && *keep != '\0')
    fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
  const RgbImage image = readPng(png);
  ASSERT_EQ(image.width, 1280u);
  const size_t pixels = size_t{image.width} * image.height;
  // Not blank: text, tables and charts cover more than 3% of the page.
  const size_t drawn = countPixelsUnlike(image, 0xf6, 0xf8, 0xfa, 8);
  std::printf("screenshot %ux%u: %zu of %zu pixels differ from the background\n", image.width,
              image.height, drawn, pixels);
  EXPECT_GT(drawn, pixels * 3 / 100);
  // The history lines (#0969da) and the forecast projections (#bf8700) were drawn.
  EXPECT_GT(countPixelsLike(image, 0x09, 0x69, 0xda, 40), 300u);
  EXPECT_GT(countPixelsLike(image, 0xbf, 0x87, 0x00, 40), 100u);
}

TEST_F(ReportTest, TheControllerWritesScheduledReports) {
  const std::string folder = fleet.dir().str() + "/reports";
  // Reports written before the import finished are empty; one after it shows the trigger.
  std::string html_of_that_report;
  ASSERT_TRUE(eventually(
      [&] {
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(folder, error)) {
          if (entry.path().extension() != ".md") continue;
          if (readAll(entry.path()).find("| disk_full | db |") == std::string::npos) continue;
          html_of_that_report = fs::path(entry.path()).replace_extension(".html");
          return true;
        }
        return false;
      },
      std::chrono::seconds(30)))
      << fleet.controller().log();
  EXPECT_THAT(readAll(html_of_that_report), HasSubstr("<svg"));
}

}  // namespace
}  // namespace tidemark::testing
