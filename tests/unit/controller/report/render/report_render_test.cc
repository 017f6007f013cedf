#include "controller/report/render/report_render.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/unit/controller/report/render/report_fixture.h"

namespace tidemark::report {
namespace {

TEST(ReportRenderTest, ParsesFormats) {
  EXPECT_EQ(parseReportFormat("md"), ReportFormat::kMarkdown);
  EXPECT_EQ(parseReportFormat("html"), ReportFormat::kHtml);
  EXPECT_EQ(parseReportFormat("json"), ReportFormat::kJson);
  try {
    parseReportFormat("pdf");
    FAIL() << "pdf accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'pdf'"), std::string::npos);
  }
}

TEST(ReportRenderTest, MarkdownHasEverySectionInOrder) {
  const std::string md = renderMarkdown(sampleReport());
  const char* sections[] = {"# Tidemark fleet report", "## Fleet", "## Nearest exhaustion",
                            "## Firing triggers", "## Ships by pier growth", "## Ships by loom use",
                            "## Pending tuning proposals"};
  size_t at = 0;
  for (const char* section : sections) {
    const size_t found = md.find(section, at);
    ASSERT_NE(found, std::string::npos) << section << "\n" << md;
    at = found;
  }
  // Nearest exhaustion: the disk that fills in 5 days comes first.
  EXPECT_NE(md.find("| db-01 | disk | mountpoint=/var | 135 GiB | 186 GiB | 85% | 4.66 GiB | "
                    "5.0 d | 0.98 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| disk_over_85_percent | db-01 |"), std::string::npos);
  EXPECT_NE(md.find("| months of headroom | 2.5 |"), std::string::npos);
  EXPECT_NE(md.find("| disk used bytes | 140 GiB |"), std::string::npos);
  EXPECT_NE(md.find("no tuning proposal is waiting for approval"), std::string::npos);
  EXPECT_NE(md.find("| web-01 | sampel-palnet | 91% | 2.00 GiB | - |"), std::string::npos);
}

TEST(ReportRenderTest, MarkdownCellsCannotBreakTheTable) {
  auto report = sampleReport();
  report["triggers"][0]["rule"] = "a|b\nc";
  const std::string md = renderMarkdown(report);
  EXPECT_NE(md.find("| a\\|b c |"), std::string::npos);
}

TEST(ReportRenderTest, HtmlIsOnePageWithChartsAndEscapedText) {
  auto report = sampleReport();
  report["ships"][0]["ship"] = "<script>alert(1)</script>";
  const std::string html = renderHtml(report);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  // One chart per forecast (three), the one with history drawn as a line.
  size_t charts = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++charts;
  EXPECT_EQ(charts, 3u);
  EXPECT_NE(html.find("<h2>Firing triggers</h2>"), std::string::npos);
}

TEST(ReportRenderTest, EmptyReportSaysWhatIsMissing) {
  const nlohmann::json empty = {{"generated_at", "2023-11-14T22:13:20Z"}};
  const std::string md = renderMarkdown(empty);
  EXPECT_NE(md.find("no host has reported yet"), std::string::npos);
  EXPECT_NE(md.find("no forecasts: not enough history yet"), std::string::npos);
  EXPECT_NE(md.find("no trigger is firing"), std::string::npos);
  EXPECT_NE(renderHtml(empty).find("no ships have reported"), std::string::npos);
}

TEST(ReportRenderTest, JsonIsTheDocumentItself) {
  const auto report = sampleReport();
  EXPECT_EQ(nlohmann::json::parse(renderReport(report, ReportFormat::kJson)), report);
}

}  // namespace
}  // namespace tidemark::report
