#include "controller/cli/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace tidemark::cli {
namespace {

std::string contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text += static_cast<char>(c);
  return text;
}

TEST(ProgressTest, QuietWhenNotATerminal) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    Progress progress(file);
    EXPECT_FALSE(progress.enabled());
    progress.update("report: ships", 1, 3);
  }
  EXPECT_EQ(contents(file), "");
  std::fclose(file);
}

TEST(ProgressTest, RedrawsOneLineInPlaceAndClearsIt) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    Progress progress(file, /*force=*/true);
    progress.update("report: history of web-01", 1, 3);
    progress.update("report: ships", 2, 3);
  }
  // The shorter second line pads over the first; the destructor blanks the line.
  EXPECT_EQ(contents(file),
            "\rreport: history of web-01 [1/3]"
            "\rreport: ships [2/3]            "
            "\r                   \r");
  std::fclose(file);
}

}  // namespace
}  // namespace tidemark::cli
