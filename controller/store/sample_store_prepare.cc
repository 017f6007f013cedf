// SampleStore's commit preparation: pending samples into sealed chunks, rollups, head
// marks, the head-log record and the heads to install. A big commit (an import request)
// is split by series into parts prepared on threads of their own: encoding chunks is
// most of a commit's CPU, and parts share nothing but read-only state (the installed
// heads, which change only after the write, under the write lock this commit holds).
#include <algorithm>
#include <exception>
#include <limits>
#include <system_error>
#include <thread>

#include "controller/store/batch_append.h"
#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/key_codec.h"
#include "controller/store/prepared_heads.h"
#include "controller/store/rollups.h"
#include "controller/store/sample_store.h"
#include "controller/store/series_head.h"

namespace tidemark::controller {

namespace {

constexpr int64_t kMinTimestamp = std::numeric_limits<int64_t>::min();

// later - earlier <= span for later >= earlier, without overflow: timestamps from an
// agent or a file may be anywhere in the int64 range (found by batch_ingest_fuzz).
bool withinSpan(int64_t earlier, int64_t later, int64_t span) {
  return static_cast<uint64_t>(later) - static_cast<uint64_t>(earlier) <= static_cast<uint64_t>(span);
}

std::string u64Bytes(uint64_t value) {
  std::string out;
  keys::appendU64(out, value);
  return out;
}

}  // namespace

void SampleStore::putChunk(PreparedPart& part, uint64_t series_id,
                           std::span<const int64_t> timestamps_ms, std::span<const double> values,
                           uint64_t uniquifier) {
  part.encoded.clear();
  chunk::encodeChunk(timestamps_ms, values, part.encoded);
  part.batch->Put(chunks_cf_, keys::chunkKey(series_id, timestamps_ms.front(), uniquifier),
                  part.encoded);
}

void SampleStore::putChunks(PreparedPart& part, uint64_t series_id,
                            std::span<const int64_t> timestamps_ms, std::span<const double> values,
                            uint64_t uniquifier) {
  size_t begin = 0;
  while (begin < timestamps_ms.size()) {
    size_t end = begin + 1;
    while (end < timestamps_ms.size() && end - begin < options_.chunk_samples &&
           withinSpan(timestamps_ms[begin], timestamps_ms[end], options_.max_chunk_span_ms)) {
      ++end;
    }
    putChunk(part, series_id, timestamps_ms.subspan(begin, end - begin),
             values.subspan(begin, end - begin), uniquifier);
    begin = end;
  }
  // One set of rollup operands for the whole run rather than one per chunk: a bucket
  // or window spanning chunks gets one operand (fewer memtable entries and merges).
  addRollups(*part.batch, rollups_cf_, series_id, timestamps_ms, values);
}

void SampleStore::sealHead(PreparedPart& part, uint64_t id, const SeriesHead* current,
                           std::span<const int64_t> ts, std::span<const double> values,
                           bool everything, uint64_t commit) {
  auto& all_ts = part.all_ts;
  auto& all_values = part.all_values;
  all_ts.clear();
  all_values.clear();
  auto next = std::make_unique<SeriesHead>();
  if (current) {
    current->chunk.decode(all_ts, all_values);
    next->sealed_through_ms = current->sealed_through_ms;
  }
  all_ts.insert(all_ts.end(), ts.begin(), ts.end());
  all_values.insert(all_values.end(), values.begin(), values.end());
  size_t begin = 0;
  while (begin < all_ts.size()) {
    size_t end = begin + 1;
    while (end < all_ts.size() && end - begin < options_.chunk_samples &&
           withinSpan(all_ts[begin], all_ts[end], options_.max_chunk_span_ms)) {
      ++end;
    }
    const bool full = end - begin == options_.chunk_samples || end < all_ts.size();
    if (!full && !everything) break;
    putChunk(part, id, std::span(all_ts).subspan(begin, end - begin),
             std::span(all_values).subspan(begin, end - begin), 0);
    next->sealed_through_ms = all_ts[end - 1];
    begin = end;
  }
  if (begin > 0) {
    // Rollups of everything sealed here at once (see putChunks).
    addRollups(*part.batch, rollups_cf_, id, std::span(all_ts).first(begin),
               std::span(all_values).first(begin));
  }
  if (begin < all_ts.size()) {
    next->first_log = commit;
    for (size_t i = begin; i < all_ts.size(); ++i) next->chunk.append(all_ts[i], all_values[i]);
    part.log.add(id, std::span(all_ts).subspan(begin), std::span(all_values).subspan(begin));
  }
  if (!current || next->sealed_through_ms != current->sealed_through_ms) {
    std::string mark;
    keys::appendTimestamp(mark, next->sealed_through_ms);
    part.batch->Put(head_meta_cf_, u64Bytes(id), mark);
  }
  part.replacements[id] = std::move(next);
}

void SampleStore::prepareSeries(PreparedPart& part, PreparedPart& flushed,
                                std::span<const CommittedSample> pending, uint64_t commit) {
  part.timestamps_ms.reserve(part.timestamps_ms.size() + pending.size());
  part.values.reserve(part.values.size() + pending.size());
  for (size_t group = 0; group < pending.size();) {
    const uint64_t id = pending[group].series_id;
    size_t group_end = group;
    while (group_end < pending.size() && pending[group_end].series_id == id) ++group_end;

    // Only the flush stage can have staged this series' head: every series is in one
    // group of one part. Its head is this part's alone to append to.
    SeriesHead* staged = nullptr;
    if (auto it = flushed.replacements.find(id); it != flushed.replacements.end()) {
      staged = it->second.get();
    }
    const SeriesHead* current = staged ? staged : head(id);
    int64_t newest = current ? current->newestMs() : kMinTimestamp;

    const size_t first_in_order = part.timestamps_ms.size();
    part.late_ts.clear();
    part.late_values.clear();
    for (size_t i = group; i < group_end; ++i) {
      if (pending[i].timestamp_ms > newest) {
        newest = pending[i].timestamp_ms;
        part.timestamps_ms.push_back(pending[i].timestamp_ms);
        part.values.push_back(pending[i].value);
      } else {
        part.late_ts.push_back(pending[i].timestamp_ms);
        part.late_values.push_back(pending[i].value);
      }
    }
    group = group_end;

    if (!part.late_ts.empty()) {
      // Late or backfilled samples: chunks of their own, sorted, keyed with this
      // commit's number so they never replace another chunk with the same start.
      std::vector<size_t> order(part.late_ts.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return part.late_ts[a] < part.late_ts[b]; });
      std::vector<int64_t> sorted_ts(order.size());
      std::vector<double> sorted_values(order.size());
      for (size_t i = 0; i < order.size(); ++i) {
        sorted_ts[i] = part.late_ts[order[i]];
        sorted_values[i] = part.late_values[order[i]];
      }
      putChunks(part, id, sorted_ts, sorted_values, commit);
    }

    const size_t in_order = part.timestamps_ms.size() - first_in_order;
    if (in_order == 0) continue;
    const auto ts = std::span(part.timestamps_ms).subspan(first_in_order, in_order);
    const auto values = std::span(part.values).subspan(first_in_order, in_order);
    const size_t open = current ? current->chunk.count() : 0;
    const int64_t first = open > 0 ? current->chunk.firstTimestampMs() : ts.front();
    const bool fits = open + in_order < options_.chunk_samples &&
                      withinSpan(first, ts.back(), options_.max_chunk_span_ms);
    if (!fits) {
      sealHead(part, id, current, ts, values, /*everything=*/false, commit);
    } else if (staged) {
      if (staged->empty()) staged->first_log = commit;
      for (size_t i = 0; i < in_order; ++i) staged->chunk.append(ts[i], values[i]);
      part.log.add(id, ts, values);
    } else {
      part.appends.push_back({id, first_in_order, first_in_order + in_order});
      part.log.add(id, ts, values);
    }
  }
}

void SampleStore::prepareSamples(WriteSet& writes, PreparedHeads& prepared, bool flush_due) {
  const uint64_t commit = next_commit_;
  auto& pending = writes.samples_;
  const auto by_series = [](const auto& a, const auto& b) { return a.series_id < b.series_id; };
  // Imports append whole series in id order already; a stable sort would still copy all.
  if (!std::is_sorted(pending.begin(), pending.end(), by_series)) {
    std::stable_sort(pending.begin(), pending.end(), by_series);
  }

  auto newPart = [&](bool own_batch) -> PreparedPart& {
    auto& part = *prepared.parts.emplace_back(std::make_unique<PreparedPart>());
    part.batch = own_batch ? &part.own_batch : &writes.batch_;
    return part;
  };

  // Heads that have waited two flush intervals are sealed as they are, so that the
  // head log can be cut behind them.
  PreparedPart& flushed = newPart(false);
  if (flush_due) {
    for (uint64_t id = 0; id < heads_.size(); ++id) {
      const SeriesHead* current = heads_[id].get();
      if (current && !current->empty() && current->first_log < flush_mark_) {
        sealHead(flushed, id, current, {}, {}, /*everything=*/true, commit);
      }
    }
  }

  // Split the series into parts of about equal samples, each cut moved to the nearer
  // end of the series it falls in; a part below the minimum is not worth a thread.
  const size_t min_part = std::max<size_t>(options_.parallel_prepare_min_samples, 1);
  const size_t parts = std::clamp<size_t>(pending.size() / min_part, 1,
                                          std::max<uint32_t>(options_.prepare_threads, 1));
  std::vector<std::span<const CommittedSample>> ranges;
  size_t begin = 0;
  for (size_t p = 1; p <= parts && begin < pending.size(); ++p) {
    size_t end = pending.size();
    if (p < parts && begin + 1 < pending.size()) {
      const size_t target = std::max(begin + 1, pending.size() * p / parts);
      size_t back = target;
      while (back > begin && pending[back - 1].series_id == pending[target].series_id) --back;
      size_t forward = target;
      while (forward < pending.size() && pending[forward].series_id == pending[target].series_id) {
        ++forward;
      }
      end = back > begin && target - back <= forward - target ? back : forward;
    }
    ranges.emplace_back(std::span(pending).subspan(begin, end - begin));
    begin = end;
  }

  // The first range on this thread, straight into the commit's batch; the others on
  // threads of their own into batches of their own.
  std::vector<PreparedPart*> range_parts;
  for (size_t r = 0; r < ranges.size(); ++r) range_parts.push_back(&newPart(r > 0));
  std::vector<std::exception_ptr> failures(ranges.size());
  auto run = [&](size_t r) noexcept {
    try {
      prepareSeries(*range_parts[r], flushed, ranges[r], commit);
    } catch (...) {
      failures[r] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(ranges.size());  // no allocation can throw between the threads' starts
  std::vector<size_t> here = {0};
  here.reserve(ranges.size());
  for (size_t r = 1; r < ranges.size(); ++r) {
    try {
      workers.emplace_back(run, r);
    } catch (const std::system_error&) {
      here.push_back(r);  // no thread to be had: prepared here, after the first
    }
  }
  if (!ranges.empty()) {
    for (size_t r : here) run(r);
  }
  for (auto& worker : workers) worker.join();
  // The caller discards the whole commit on a throw: nothing of any part is written.
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }

  HeadLogWriter log;
  for (auto& part : prepared.parts) {
    log.append(std::move(part->log));
    if (part->batch == &part->own_batch) {
      appendBatch(part->own_batch, writes.batch_, handles_);
      part->own_batch.Clear();
    }
  }
  if (!log.empty()) writes.batch_.Put(head_log_cf_, u64Bytes(commit), log.finish());
}

}  // namespace tidemark::controller
