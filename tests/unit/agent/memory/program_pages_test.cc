#include "agent/memory/program_pages.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

TEST(MappingsOfFileTest, FindsEveryRangeOfThePathAndNothingElse) {
  const std::string maps =
      "55d0c8a00000-55d0c8a30000 r--p 00000000 fd:01 1835 /usr/bin/tidemark-agent\n"
      "55d0c8a30000-55d0c8e10000 r-xp 00030000 fd:01 1835 /usr/bin/tidemark-agent\n"
      "55d0c8e10000-55d0c8e20000 rw-p 00410000 fd:01 1835 /usr/bin/tidemark-agent2\n"
      "55d0c9000000-55d0c9100000 rw-p 00000000 00:00 0          [heap]\n"
      "7f00aa000000-7f00aa001000 r--p 00000000 fd:01 99   /opt/my agent/tidemark-agent\n"
      "7f00aa001000-7f00aa002000 r-xp 00001000 fd:01 99   /usr/bin/tidemark-agent (deleted)\n"
      "garbage line\n"
      "zz-7f00aa003000 r-xp 00001000 fd:01 99   /usr/bin/tidemark-agent";
  const auto ranges = mappingsOfFile(maps, "/usr/bin/tidemark-agent");
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].begin, 0x55d0c8a00000u);
  EXPECT_EQ(ranges[0].end, 0x55d0c8a30000u);
  EXPECT_EQ(ranges[1].begin, 0x55d0c8a30000u);
  EXPECT_EQ(ranges[1].end, 0x55d0c8e10000u);
  // A path with spaces is matched whole.
  EXPECT_EQ(mappingsOfFile(maps, "/opt/my agent/tidemark-agent").size(), 1u);
  EXPECT_TRUE(mappingsOfFile(maps, "/usr/bin/other").empty());
}

// The resident kilobytes of the mapping starting at `address`, from /proc/self/smaps.
long residentKb(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  std::ostringstream wanted;
  wanted << std::hex << reinterpret_cast<uintptr_t>(address) << '-';
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    if (line.find('-') != std::string::npos && line.find(' ') > line.find('-') &&
        line.find(':') > line.find(' ')) {
      inside = line.starts_with(wanted.str());
    } else if (inside && line.starts_with("Rss:")) {
      return std::stol(line.substr(4));
    }
  }
  return -1;
}

TEST(PageOutMappingsOfTest, DropsTheResidentPagesOfAMappedFile) {
  tidemark::testing::TempDir dir;
  const std::string path = dir.str() + "/program";
  constexpr size_t kBytes = 64 * 4096;
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(kBytes, 'p');
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  // Clean, like an installed program: dirty pages would wait for writeback first.
  ASSERT_EQ(::fsync(fd), 0);
  void* mapped = ::mmap(nullptr, kBytes, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  ASSERT_NE(mapped, MAP_FAILED);
  volatile char sum = 0;
  for (size_t at = 0; at < kBytes; at += 4096) sum = sum + static_cast<const char*>(mapped)[at];
  EXPECT_EQ(residentKb(mapped), static_cast<long>(kBytes / 1024));

  const PageOutResult result = pageOutMappingsOf(path);
  if (result.error == EINVAL) GTEST_SKIP() << "MADV_PAGEOUT needs Linux 5.4";
  EXPECT_EQ(result.error, 0);
  EXPECT_EQ(result.ranges, 1u);
  EXPECT_EQ(result.bytes, kBytes);
  struct statfs filesystem {};
  ASSERT_EQ(::statfs(path.c_str(), &filesystem), 0);
  // tmpfs pages go only to swap; a disk file's clean pages are simply dropped.
  if (filesystem.f_type != TMPFS_MAGIC) {
    EXPECT_LT(residentKb(mapped), static_cast<long>(kBytes / 1024));
  }
  // Still readable: faulted back from the file.
  EXPECT_EQ(static_cast<const char*>(mapped)[kBytes - 1], 'p');
  ::munmap(mapped, kBytes);
}

}  // namespace
}  // namespace tidemark::agent
