// A task iterator that reads the CPU time, resident pages and start time of the
// processes the agent tracks (its ships' kings and serfs), all of them in one read()
// of the iterator, instead of formatting and parsing a /proc/PID/stat per process
// (ships/bpf_task_sampler.h). It declares only the kernel fields it reads: libbpf
// relocates each against the running kernel's BTF (CO-RE), so building it needs no
// kernel headers and one object runs on every kernel with BTF and task iterators (5.8+).
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "ship_task_record.h"

#define CORE __attribute__((preserve_access_index))

struct sched_entity {
  __u64 sum_exec_runtime;
} CORE;

struct signal_struct {
  __u64 sum_sched_runtime;
} CORE;

// Linux 6.2 and later: each of the mm's RSS counters is a percpu_counter, whose
// `count` is what /proc reads (percpu_counter_read_positive).
struct percpu_counter {
  __s64 count;
} CORE;
struct mm_struct {
  struct percpu_counter rss_stat[4];
} CORE;

// Before 6.2: an array of atomic longs in struct mm_rss_stat.
typedef struct {
  __s64 counter;
} tidemark_atomic_long;
struct mm_rss_stat {
  tidemark_atomic_long count[4];
} CORE;
struct mm_struct___before_6_2 {
  struct mm_rss_stat rss_stat;
} CORE;

struct task_struct {
  int pid;
  int tgid;
  struct sched_entity se;
  __u64 start_boottime;
  struct mm_struct *mm;
  struct signal_struct *signal;
} CORE;

struct seq_file;
struct bpf_iter_meta {
  struct seq_file *seq;
} CORE;
struct bpf_iter__task {
  struct bpf_iter_meta *meta;
  struct task_struct *task;
} CORE;

// The mm's counters, in the kernel's order since 4.5.
enum { kFilePages = 0, kAnonPages = 1, kShmemPages = 3 };

// The tracked processes (tgid -> unused); the agent keeps it to its ships' processes.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, __u32);
  __type(value, __u8);
} tracked SEC(".maps");

static __always_inline __u64 positive(__s64 value) { return value > 0 ? (__u64)value : 0; }

static __always_inline __u64 rssPages(struct mm_struct *mm) {
  if (bpf_core_type_exists(struct mm_rss_stat)) {
    struct mm_struct___before_6_2 *old = (void *)mm;
    return positive(old->rss_stat.count[kFilePages].counter) +
           positive(old->rss_stat.count[kAnonPages].counter) +
           positive(old->rss_stat.count[kShmemPages].counter);
  }
  return positive(mm->rss_stat[kFilePages].count) + positive(mm->rss_stat[kAnonPages].count) +
         positive(mm->rss_stat[kShmemPages].count);
}

SEC("iter/task")
int ship_tasks(struct bpf_iter__task *ctx) {
  struct task_struct *task = ctx->task;
  if (!task) return 0;  // the end of the iteration
  __u32 tgid = task->tgid;
  if (!bpf_map_lookup_elem(&tracked, &tgid)) return 0;
  struct tidemark_ship_task_record record = {};
  record.tgid = tgid;
  record.tid = task->pid;
  record.runtime_ns = task->se.sum_exec_runtime;
  if (record.tid == tgid) {
    record.start_ns = task->start_boottime;
    record.dead_runtime_ns = task->signal->sum_sched_runtime;
    struct mm_struct *mm = task->mm;
    if (mm) record.rss_pages = rssPages(mm);
  }
  bpf_seq_write(ctx->meta->seq, &record, sizeof record);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
