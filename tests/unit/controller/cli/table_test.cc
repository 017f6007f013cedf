#include "controller/cli/table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tidemark::cli {
namespace {

TEST(TableTest, AlignsColumns) {
  Table table({"HOST", "SERIES", "AGENT"}, {false, true, false});
  table.addRow({"web-01", "12", "0.1.0"});
  table.addRow({"db", "1,234", "0.2.0-rc1"});
  EXPECT_EQ(table.render(),
            "HOST    SERIES  AGENT\n"
            "web-01      12  0.1.0\n"
            "db       1,234  0.2.0-rc1\n");
}

TEST(TableTest, HeaderOnly) {
  Table table({"A", "B"});
  EXPECT_EQ(table.render(), "A  B\n");
}

TEST(TableTest, LastLeftColumnIsNotPaddedAndTrailingSpacesTrimmed) {
  Table table({"NAME", "NOTE"});
  table.addRow({"a", ""});
  table.addRow({"bbbbbb", "x"});
  EXPECT_EQ(table.render(),
            "NAME    NOTE\n"
            "a\n"
            "bbbbbb  x\n");
}

TEST(TableTest, RightAlignedLastColumnIsPadded) {
  Table table({"K", "VALUE"}, {false, true});
  table.addRow({"a", "1"});
  table.addRow({"b", "1000000"});
  EXPECT_EQ(table.render(),
            "K    VALUE\n"
            "a        1\n"
            "b  1000000\n");
}

TEST(TableTest, ShortRowsArePaddedAndLongRowsCut) {
  Table table({"A", "B", "C"});
  table.addRow({"1"});
  table.addRow({"x", "y", "z", "dropped"});
  EXPECT_EQ(table.render(),
            "A  B  C\n"
            "1\n"
            "x  y  z\n");
}

TEST(TableTest, MissingAlignmentDefaultsToLeft) {
  Table table({"A", "B", "C"}, {true});
  table.addRow({"100", "x", "y"});
  EXPECT_EQ(table.render(),
            "  A  B  C\n"
            "100  x  y\n");
}

}  // namespace
}  // namespace tidemark::cli
