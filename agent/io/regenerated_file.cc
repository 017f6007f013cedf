#include "agent/io/regenerated_file.h"

#include <linux/magic.h>
#include <sys/vfs.h>

namespace tidemark::agent {

RegeneratedFile classifyOpenFile(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return {};
  const bool regenerated = fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC ||
                           fs.f_type == CGROUP2_SUPER_MAGIC || fs.f_type == CGROUP_SUPER_MAGIC;
  return {regenerated, regenerated && fs.f_type != SYSFS_MAGIC};
}

}  // namespace tidemark::agent
