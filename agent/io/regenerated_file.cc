#include "agent/io/regenerated_file.h"

#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace tidemark::agent {

RegeneratedFile classifyOpenFile(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return {};
  const bool regenerated = fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC ||
                           fs.f_type == CGROUP2_SUPER_MAGIC || fs.f_type == CGROUP_SUPER_MAGIC;
  return {regenerated, regenerated && fs.f_type != SYSFS_MAGIC};
}

bool shortReadIsEnd(const ReadSlot& slot, size_t got) {
  if (slot.one_record) return true;
  // The least a seq file's buffer holds.
  static const size_t page_bytes = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  // The read stopped at a record boundary: at the end, or because the next record
  // did not fit in the buffer's rest. A record of at most max_record_bytes fits
  // when got + max_record_bytes <= page_bytes <= the buffer's size.
  return slot.max_record_bytes > 0 && got + slot.max_record_bytes <= page_bytes;
}

}  // namespace tidemark::agent
