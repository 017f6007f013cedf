#include "common/process/wake_set.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace tidemark {
namespace {

bool readable(int fd) {
  pollfd item{fd, POLLIN, 0};
  return ::poll(&item, 1, 0) == 1 && (item.revents & POLLIN);
}

TEST(WakeSetTest, NoMembersIsMinusOneAndOneMemberIsItself) {
  WakeSet none;
  none.add(-1);
  EXPECT_EQ(none.fd(), -1);
  const int event = eventfd(0, EFD_NONBLOCK);
  WakeSet one;
  one.add(event);
  EXPECT_EQ(one.fd(), event);
  close(event);
}

TEST(WakeSetTest, ReadableWhileAnyMemberIsReadable) {
  const int first = eventfd(0, EFD_NONBLOCK);
  const int second = eventfd(0, EFD_NONBLOCK);
  WakeSet set;
  set.add(first);
  set.add(second);
  EXPECT_FALSE(readable(set.fd()));
  const uint64_t one = 1;
  ASSERT_EQ(write(second, &one, sizeof one), 8);
  EXPECT_TRUE(readable(set.fd()));
  uint64_t drained = 0;
  ASSERT_EQ(read(second, &drained, sizeof drained), 8);
  EXPECT_FALSE(readable(set.fd()));
  ASSERT_EQ(write(first, &one, sizeof one), 8);
  EXPECT_TRUE(readable(set.fd()));
  close(first);
  close(second);
}

}  // namespace
}  // namespace tidemark
