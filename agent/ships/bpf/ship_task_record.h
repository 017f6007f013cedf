/* What the ship task iterator (ship_tasks.bpf.c) writes for each thread of a tracked
 * process: plain C, shared by the BPF program and the agent that reads it. */
#ifndef TIDEMARK_AGENT_SHIPS_BPF_SHIP_TASK_RECORD_H
#define TIDEMARK_AGENT_SHIPS_BPF_SHIP_TASK_RECORD_H

#include <linux/types.h>

struct tidemark_ship_task_record {
  __u32 tgid;            /* the process */
  __u32 tid;             /* the thread: tgid for the process's leader */
  __u64 runtime_ns;      /* the thread's CPU time (sum_exec_runtime) */
  /* Filled on the leader's record only (0 on the others): */
  __u64 dead_runtime_ns; /* CPU time of the process's threads that have exited */
  __u64 start_ns;        /* start time, ns since boot (what /proc/PID/stat's starttime counts) */
  __u64 rss_pages;       /* file + anonymous + shmem resident pages, as /proc/PID/stat's rss */
};

#endif
