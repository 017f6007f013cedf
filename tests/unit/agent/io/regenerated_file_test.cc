#include "agent/io/regenerated_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

TEST(ClassifyOpenFileTest, ProcfsConfirmsItsEndSysfsAndRegularFilesDoNot) {
  const int proc = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(proc, 0);
  const RegeneratedFile procfs = classifyOpenFile(proc);
  ::close(proc);
  EXPECT_TRUE(procfs.regenerated);
  EXPECT_TRUE(procfs.confirm_eof);

  tidemark::testing::TempDir dir;
  dir.write("plain", "x");
  const int plain = ::open((dir.str() + "/plain").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(plain, 0);
  const RegeneratedFile regular = classifyOpenFile(plain);
  ::close(plain);
  EXPECT_FALSE(regular.regenerated);
  EXPECT_FALSE(regular.confirm_eof);
}

TEST(ShortReadIsEndTest, OneRecordOrRoomForOneMoreRecordInAPage) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  ReadSlot unknown;
  EXPECT_FALSE(shortReadIsEnd(unknown, 10));
  ReadSlot whole;
  whole.one_record = true;
  EXPECT_TRUE(shortReadIsEnd(whole, 10));
  EXPECT_TRUE(shortReadIsEnd(whole, page - 1));
  ReadSlot lines;
  lines.max_record_bytes = 64;
  EXPECT_TRUE(shortReadIsEnd(lines, 10));
  EXPECT_TRUE(shortReadIsEnd(lines, page - 64));
  // The next line may have been up to 64 bytes and not fitted.
  EXPECT_FALSE(shortReadIsEnd(lines, page - 63));
  EXPECT_FALSE(shortReadIsEnd(lines, 2 * page));
}

}  // namespace
}  // namespace tidemark::agent
