#include "controller/planner/trend.h"

#include <gtest/gtest.h>

#include <vector>

#include "controller/planner/sawtooth.h"

namespace tidemark::controller::planner {
namespace {

TEST(TrendTest, TheilSenIgnoresOutliersThatPullLeastSquares) {
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(i);
    y.push_back(10 + 2.0 * i + (i % 10 == 9 ? 500 : 0));  // every tenth point wild
  }
  const Line robust = theilSen(x, y);
  EXPECT_DOUBLE_EQ(robust.slope, 2.0);
  EXPECT_DOUBLE_EQ(robust.intercept, 10.0);
  const Line squares = leastSquares(x, y);
  EXPECT_GT(squares.intercept, 20.0);  // the outliers lift the whole line
}

TEST(TrendTest, TheilSenThinsLongSeriesAndKeepsTheAnswer) {
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 20'000; ++i) {
    x.push_back(i * 0.01);
    y.push_back(3 - 0.5 * x.back());
  }
  const Line line = theilSen(x, y, 64);
  EXPECT_NEAR(line.slope, -0.5, 1e-12);
  EXPECT_NEAR(line.intercept, 3, 1e-9);
}

TEST(TrendTest, DegenerateInputs) {
  EXPECT_EQ(theilSen({}, {}).slope, 0);
  const std::vector<double> same_x = {1, 1, 1};
  const std::vector<double> y = {4, 5, 9};
  EXPECT_EQ(theilSen(same_x, y).slope, 0);
  EXPECT_EQ(theilSen(same_x, y).intercept, 5);
  EXPECT_EQ(leastSquares(same_x, y).intercept, 6);
  EXPECT_EQ(median(std::vector<double>{4, 1, 3, 2}), 2.5);
}

TEST(TrendTest, FitQualityIsRelativeToTheLevel) {
  const std::vector<double> x = {0, 1, 2, 3};
  const std::vector<double> y = {100, 101, 99, 100};
  EXPECT_NEAR(fitQuality(Line{0, 100}, x, y), 1 - 0.5 / 100, 1e-12);
  EXPECT_EQ(fitQuality(Line{0, 1000}, x, y), 0);  // far off: clamped
}

TEST(SawtoothTest, FindsPackDropsButNotNoise) {
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) y.push_back(100 + (i % 20) * 2 + (i % 3) * 0.1);
  const Jumps jumps = findJumps(y);
  EXPECT_EQ(jumps.drops, (std::vector<size_t>{20, 40}));
  EXPECT_TRUE(jumps.rises.empty());
  EXPECT_TRUE(isSawtooth(jumps));
}

TEST(SawtoothTest, DaysToTargetWalksTheTeeth) {
  // Floor 10 rising 1 a day, teeth 3 a day, a pack every 5 days, the last at x = 0.
  SawtoothFit fit;
  fit.floor = Line{1, 10};
  fit.growth_per_day = 3;
  fit.cycle_days = 5;
  fit.last_pack_x = -2;
  // Now (x = 0) at 16, the current tooth grows to 25 by the next pack (x = 3).
  EXPECT_DOUBLE_EQ(*sawtoothDaysTo(fit, 0, 16, 19), 1.0);
  // 30: the next teeth start at 13 (x = 3, peak 28) and 18 (x = 8, peak 33); the
  // second passes 30 after (30 - 18) / 3 days.
  EXPECT_NEAR(*sawtoothDaysTo(fit, 0, 16, 30), 8 + 12.0 / 3, 1e-9);
  EXPECT_EQ(*sawtoothDaysTo(fit, 0, 31, 30), 0);
  fit.floor.slope = 0;
  EXPECT_EQ(sawtoothDaysTo(fit, 0, 16, 30), std::nullopt);
}

}  // namespace
}  // namespace tidemark::controller::planner
