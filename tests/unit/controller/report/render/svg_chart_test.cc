#include "controller/report/render/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tidemark::report {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SvgChartTest, DrawsHistoryProjectionAndThreshold) {
  ChartSpec chart;
  chart.title = "db-01 disk <var>";
  chart.history = {{0, 1}, {1000, 2}, {2000, NAN}, {3000, 4}};
  chart.projection = {{3000, 4}, {6000, 7}};
  chart.threshold = 6;
  const std::string svg = renderSvgChart(chart);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_TRUE(svg.ends_with("</svg>"));
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_NE(svg.find("stroke-dasharray=\"2 3\""), std::string::npos);  // threshold
  EXPECT_NE(svg.find("db-01 disk &lt;var&gt;"), std::string::npos);   // escaped title
  // Three finite history points, the NaN skipped.
  const size_t history = svg.find("stroke=\"#0969da\"");
  ASSERT_NE(history, std::string::npos);
  const size_t points = svg.find("points=\"", history);
  const std::string list = svg.substr(points + 8, svg.find('"', points + 8) - points - 8);
  EXPECT_EQ(count(list, ","), 3u);
}

TEST(SvgChartTest, ThePointsSpanThePlotFromLeftToRightAndBottomToTop) {
  ChartSpec chart;
  chart.width = 200;
  chart.height = 100;
  chart.history = {{0, 0}, {10, 10}};
  const std::string svg = renderSvgChart(chart);
  // Left margin 72, right 12, top 24, bottom 28: (0,0) bottom left, (10,10) top right.
  EXPECT_NE(svg.find("points=\"72.0,72.0 188.0,24.0\""), std::string::npos) << svg;
}

TEST(SvgChartTest, EmptyAndFlatChartsRender) {
  ChartSpec empty;
  empty.title = "nothing";
  EXPECT_NE(renderSvgChart(empty).find("no history"), std::string::npos);
  ChartSpec flat;
  flat.history = {{0, 5}, {1000, 5}};
  const std::string svg = renderSvgChart(flat);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 1u);
}

TEST(SvgChartTest, EscapesEveryHtmlSpecialCharacter) {
  EXPECT_EQ(escapeHtml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

}  // namespace
}  // namespace tidemark::report
