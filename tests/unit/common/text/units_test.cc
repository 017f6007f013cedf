#include "common/text/units.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tidemark {
namespace {

TEST(GroupDigitsTest, Groups) {
  EXPECT_EQ(groupDigits(0), "0");
  EXPECT_EQ(groupDigits(7), "7");
  EXPECT_EQ(groupDigits(999), "999");
  EXPECT_EQ(groupDigits(1000), "1,000");
  EXPECT_EQ(groupDigits(12345), "12,345");
  EXPECT_EQ(groupDigits(123456), "123,456");
  EXPECT_EQ(groupDigits(1234567), "1,234,567");
  EXPECT_EQ(groupDigits(18446744073709551615ull), "18,446,744,073,709,551,615");
}

TEST(FormatValueTest, IntegersWithoutDecimals) {
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(42), "42");
  EXPECT_EQ(formatValue(-7), "-7");
  EXPECT_EQ(formatValue(123456789012), "123456789012");
  EXPECT_EQ(formatValue(999999999999999), "999999999999999");
}

TEST(FormatValueTest, FractionsToSixSignificantDigits) {
  EXPECT_EQ(formatValue(0.5), "0.5");
  EXPECT_EQ(formatValue(3.14159265), "3.14159");
  EXPECT_EQ(formatValue(-0.25), "-0.25");
  EXPECT_EQ(formatValue(1234.5678), "1234.57");
  EXPECT_EQ(formatValue(0.000012345), "1.2345e-05");
  EXPECT_EQ(formatValue(1e15), "1e+15");
  EXPECT_EQ(formatValue(1e300), "1e+300");
}

TEST(FormatValueTest, SpecialValues) {
  EXPECT_EQ(formatValue(std::nan("")), "NaN");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(FormatAgoTest, Units) {
  const int64_t now = 1'700'000'000'000;
  EXPECT_EQ(formatAgo(0, now), "never");
  EXPECT_EQ(formatAgo(-5, now), "never");
  EXPECT_EQ(formatAgo(now, now), "0s ago");
  EXPECT_EQ(formatAgo(now - 12'000, now), "12s ago");
  EXPECT_EQ(formatAgo(now - 119'999, now), "119s ago");
  EXPECT_EQ(formatAgo(now - 120'000, now), "2m ago");
  EXPECT_EQ(formatAgo(now - 3 * 60'000 - 59'000, now), "3m ago");
  EXPECT_EQ(formatAgo(now - 7'199'000, now), "119m ago");
  EXPECT_EQ(formatAgo(now - 7'200'000, now), "2h ago");
  EXPECT_EQ(formatAgo(now - 47 * 3'600'000, now), "47h ago");
  EXPECT_EQ(formatAgo(now - 48 * 3'600'000, now), "2d ago");
  EXPECT_EQ(formatAgo(now - 5 * 86'400'000LL, now), "5d ago");
}

TEST(FormatAgoTest, FutureClampsToZero) {
  EXPECT_EQ(formatAgo(2'000'000, 1'000'000), "0s ago");
}

TEST(FormatBytesTest, BinaryUnitsWithThreeSignificantDigits) {
  EXPECT_EQ(formatBytes(0), "0 B");
  EXPECT_EQ(formatBytes(1023), "1023 B");
  EXPECT_EQ(formatBytes(1536), "1.50 KiB");
  EXPECT_EQ(formatBytes(734.4 * 1024 * 1024), "734 MiB");
  EXPECT_EQ(formatBytes(2147483648.0), "2.00 GiB");
  EXPECT_EQ(formatBytes(45.25 * 1024 * 1024 * 1024), "45.2 GiB");
  EXPECT_EQ(formatBytes(3.0 * 1024 * 1024 * 1024 * 1024), "3.00 TiB");
  EXPECT_EQ(formatBytes(2048.0 * 1024 * 1024 * 1024 * 1024), "2048 TiB");  // no unit above TiB
}

TEST(FormatBytesTest, UnknownOrNegativeIsADash) {
  EXPECT_EQ(formatBytes(std::nan("")), "-");
  EXPECT_EQ(formatBytes(-1), "-");
}

TEST(FormatPercentTest, WholePercentsFromTenTwoDigitsBelow) {
  EXPECT_EQ(formatPercent(0), "0%");
  EXPECT_EQ(formatPercent(0.34), "34%");
  EXPECT_EQ(formatPercent(0.996), "100%");
  EXPECT_EQ(formatPercent(1.0), "100%");
  EXPECT_EQ(formatPercent(0.034), "3.4%");
  EXPECT_EQ(formatPercent(0.0005), "0.05%");
  EXPECT_EQ(formatPercent(1.5), "150%");  // a ship using more than one core
  EXPECT_EQ(formatPercent(std::nan("")), "-");
}

}  // namespace
}  // namespace tidemark
