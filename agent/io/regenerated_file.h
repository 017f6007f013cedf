// Which open files the kernel regenerates on every read (procfs, sysfs, cgroupfs):
// both read batches keep those fds between passes and read them again at offset 0,
// where a regular file must be opened anew (a rename may have replaced it).
#pragma once

#include <cstddef>

#include "agent/io/read_batch.h"

namespace tidemark::agent {

struct RegeneratedFile {
  bool regenerated = false;  // procfs, sysfs or cgroupfs: cache the fd
  // procfs seq_file reads stop at the end of the kernel's page-sized buffer, so a
  // short read is no proof of the end; sysfs attributes come whole in one read.
  bool confirm_eof = false;
};

// Classifies the open file `fd` by its filesystem (fstatfs); not regenerated when
// fstatfs fails.
RegeneratedFile classifyOpenFile(int fd);

// True when one read that returned `got` bytes, fewer than asked, from a procfs file
// read into `slot` is known to be the file's end (see ReadSlot).
bool shortReadIsEnd(const ReadSlot& slot, size_t got);

}  // namespace tidemark::agent
