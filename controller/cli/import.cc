#include "controller/cli/import.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>
#include <tuple>
#include <unordered_set>

#include "common/metrics/host_id.h"

namespace tidemark::cli {

namespace {

constexpr uint32_t kBadSeries = std::numeric_limits<uint32_t>::max();
// Retained samples after which the rest of the file's are estimated.
constexpr size_t kEstimateAfter = 4096;

void appendField(std::string& key, std::string_view field) {
  // Length-prefixed, so no byte inside a name or value can make two series collide.
  const auto size = static_cast<uint32_t>(field.size());
  key.append(reinterpret_cast<const char*>(&size), sizeof size);
  key.append(field);
}

// The series as written on this line (labels in file order): the cheap lookup key.
void rawKey(const openmetrics::Sample& sample, std::string& key) {
  key.clear();
  appendField(key, sample.name);
  for (const auto& label : sample.labels) {
    appendField(key, label.name);
    appendField(key, label.value);
  }
}

std::string canonicalKey(const ImportSeries& series) {
  std::string key;
  appendField(key, series.host);
  appendField(key, series.name);
  for (const auto& label : series.labels) {
    appendField(key, label.name);
    appendField(key, label.value);
  }
  return key;
}

// Where the sample's series goes, or why it cannot be stored.
std::string describeSeries(const openmetrics::Sample& sample, const ImportOptions& options,
                           ImportSeries& out) {
  std::string_view host_label;
  std::string_view instance_label;
  bool has_host = false;
  bool has_instance = false;
  for (const auto& label : sample.labels) {
    if (label.name == "host") {
      host_label = label.value;
      has_host = true;
    } else if (label.name == "instance") {
      instance_label = label.value;
      has_instance = true;
    }
  }
  std::string_view used;  // the label consumed as the host
  if (has_host) {
    out.host = host_label;
    used = "host";
  } else if (has_instance) {
    std::string_view host = instance_label;
    // "node1:9100" -> "node1"; a bare IPv6 address has more than one colon: left as is
    // (and refused by checkHostId below, with the value in the message).
    if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(':') == colon &&
                                      colon + 1 < host.size() &&
                                      std::all_of(host.begin() + colon + 1, host.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; })) {
      host = host.substr(0, colon);
    }
    out.host = host;
    used = "instance";
  } else if (!options.default_host.empty()) {
    out.host = options.default_host;
  } else {
    return "no host for " + std::string(sample.name) +
           ": it has neither a host nor an instance label; pass --host NAME";
  }
  if (auto problem = checkHostId(out.host); !problem.empty()) {
    return "host of " + std::string(sample.name) + " (from " +
           (used.empty() ? std::string("--host") : std::string(used) + " label") + "): " + problem;
  }
  out.name = sample.name;
  out.labels.clear();
  for (const auto& label : sample.labels) {
    if (label.name == used) continue;
    out.labels.push_back({std::string(label.name), std::string(label.value)});
  }
  sortLabels(out.labels);
  return checkSeriesShape(out.name, out.labels, options.limits);
}

// What planning one part of the file leaves besides its plan, for merging parts.
struct PartIndex {
  std::unordered_map<std::string, uint32_t> canonical;  // canonicalKey -> series index
  std::unordered_set<std::string> hosts;
};

// Asks for transparent huge pages over a big array's storage: the retained samples are
// hundreds of MiB touched once, and on a VM a fault per 4 KiB page costs more than the
// writes themselves. Advice only; nothing depends on it being taken.
template <typename T>
void adviseHugePages(const std::vector<T>& array) {
  constexpr uintptr_t kHuge = 2u << 20;
  const auto begin = (reinterpret_cast<uintptr_t>(array.data()) + kHuge - 1) & ~(kHuge - 1);
  const auto end = reinterpret_cast<uintptr_t>(array.data() + array.capacity()) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// `reserve_for` is the text the retained arrays are sized for once the first samples
// tell the bytes per sample: this part, or the whole file for the part that the
// other part's samples are appended to.
ImportPlan planPart(std::string_view text, const ImportOptions& options, PartIndex& index,
                    size_t reserve_for) {
  ImportPlan plan;
  auto& canonical = index.canonical;
  auto& hosts = index.hosts;
  auto report = [&](size_t line, std::string reason) {
    ++plan.error_count;
    if (plan.errors.size() < options.max_errors) plan.errors.push_back({line, std::move(reason)});
  };
  plan.retained = options.max_retained_samples > 0;
  auto retain = [&](uint32_t series, const openmetrics::Sample& sample) {
    if (!plan.retained) return;
    if (plan.timestamps_ms.size() >= options.max_retained_samples) {
      // Too big to hold: pass 2 parses the file again.
      plan.retained = false;
      plan.runs = {};
      plan.timestamps_ms = {};
      plan.values = {};
      return;
    }
    if (plan.timestamps_ms.size() == kEstimateAfter) {
      // Growing by doubling would copy the arrays over and over and fault fresh pages
      // for each copy: reserve once for the whole file, from the bytes per sample so far.
      const auto consumed = static_cast<double>(sample.name.data() - text.data());
      const double estimate = static_cast<double>(reserve_for) / consumed * kEstimateAfter * 1.05;
      const auto reserve = static_cast<size_t>(
          std::min(estimate, static_cast<double>(options.max_retained_samples)));
      plan.timestamps_ms.reserve(reserve);
      plan.values.reserve(reserve);
      adviseHugePages(plan.timestamps_ms);
      adviseHugePages(plan.values);
    }
    if (plan.runs.empty() || plan.runs.back().series != series ||
        plan.runs.back().count == std::numeric_limits<uint32_t>::max()) {
      plan.runs.push_back({series, 0});
    }
    ++plan.runs.back().count;
    plan.timestamps_ms.push_back(*sample.timestamp_ms);
    plan.values.push_back(sample.value);
  };
  openmetrics::Parser parser(text);
  std::string key;
  ImportSeries candidate;
  uint32_t previous = kBadSeries;  // index of the last sample's series
  for (auto event = parser.next(); event != openmetrics::Parser::Event::kEnd;
       event = parser.next()) {
    if (event == openmetrics::Parser::Event::kError) {
      report(parser.error().line, parser.error().reason);
      continue;
    }
    const auto& sample = parser.sample();
    if (sample.same_series) {
      // Same bytes as the last sample's series: same index, no key to build or hash.
      if (previous == kBadSeries) {
        ++plan.error_count;
      } else {
        ++plan.samples;
        retain(previous, sample);
      }
      continue;
    }
    rawKey(sample, key);
    auto it = plan.raw_index.find(key);
    if (it == plan.raw_index.end()) {
      uint32_t index = kBadSeries;
      if (auto problem = describeSeries(sample, options, candidate); !problem.empty()) {
        // Listed once, at its first line; its later lines are counted, not listed.
        report(sample.line, problem);
      } else {
        auto [found, added] =
            canonical.emplace(canonicalKey(candidate), static_cast<uint32_t>(plan.series.size()));
        if (added) {
          hosts.insert(candidate.host);
          plan.series.push_back(std::move(candidate));
          candidate = {};
        }
        index = found->second;
      }
      it = plan.raw_index.emplace(key, index).first;
    } else if (it->second == kBadSeries) {
      ++plan.error_count;
    }
    previous = it->second;
    if (it->second != kBadSeries) {
      ++plan.samples;
      retain(it->second, sample);
    }
  }
  if (plan.error_count > 0) {
    plan.retained = false;
    plan.runs = {};
    plan.timestamps_ms = {};
    plan.values = {};
  }
  plan.hosts = hosts.size();
  plan.saw_eof = parser.sawEof();
  plan.lines = parser.lines();
  return plan;
}

// Appends the plan of the part after `first`'s to it: series met in both get the
// first part's index, the second part's runs are renumbered. Both plans are error-free.
void mergeSecondPart(ImportPlan& first, PartIndex& first_index, ImportPlan&& second,
                     PartIndex&& second_index, const ImportOptions& options) {
  // In the second part's order, so that series are numbered in file order as one pass would.
  std::vector<const std::string*> keys(second.series.size());
  for (const auto& [key, second_id] : second_index.canonical) keys[second_id] = &key;
  std::vector<uint32_t> renumbered(second.series.size());
  for (size_t second_id = 0; second_id < keys.size(); ++second_id) {
    auto [found, added] =
        first_index.canonical.emplace(*keys[second_id], static_cast<uint32_t>(first.series.size()));
    if (added) first.series.push_back(std::move(second.series[second_id]));
    renumbered[second_id] = found->second;
  }
  for (auto& [key, second_id] : second.raw_index) {
    first.raw_index.emplace(key, second_id == kBadSeries ? kBadSeries : renumbered[second_id]);
  }
  first_index.hosts.merge(second_index.hosts);
  first.hosts = first_index.hosts.size();
  first.samples += second.samples;
  first.saw_eof = second.saw_eof;
  first.lines += second.lines;
  const bool retained =
      first.retained && second.retained &&
      first.timestamps_ms.size() + second.timestamps_ms.size() <= options.max_retained_samples;
  if (!retained) {
    first.retained = false;
    first.runs = {};
    first.timestamps_ms = {};
    first.values = {};
    return;
  }
  for (auto run : second.runs) {
    run.series = renumbered[run.series];
    first.runs.push_back(run);
  }
  first.timestamps_ms.insert(first.timestamps_ms.end(), second.timestamps_ms.begin(),
                             second.timestamps_ms.end());
  first.values.insert(first.values.end(), second.values.begin(), second.values.end());
}

}  // namespace

ImportPlan planImport(std::string_view text, const ImportOptions& options) {
  // Two parts cut at a line boundary, planned on two threads. The listing of errors
  // (first max_errors, each bad series once, at its first line) and an early # EOF
  // depend on everything before them: then the whole file is planned again in one
  // pass, which gives exactly the sequential answer (a failing import is not the fast path).
  const size_t cut = text.size() >= options.parallel_plan_min_bytes
                         ? text.find('\n', text.size() / 2)
                         : std::string_view::npos;
  if (cut == std::string_view::npos || cut + 1 == text.size()) {
    PartIndex index;
    return planPart(text, options, index, text.size());
  }
  PartIndex first_index, second_index;
  ImportPlan second;
  std::exception_ptr second_failure;
  std::thread second_planner([&] {
    try {
      second = planPart(text.substr(cut + 1), options, second_index, text.size() - cut - 1);
    } catch (...) {
      second_failure = std::current_exception();
    }
  });
  ImportPlan first;
  try {
    // Sized for the whole file: the second part's samples are appended without moving.
    first = planPart(text.substr(0, cut + 1), options, first_index, text.size());
  } catch (...) {
    second_planner.join();
    throw;
  }
  second_planner.join();
  if (second_failure) std::rethrow_exception(second_failure);
  if (first.error_count > 0 || second.error_count > 0 || first.saw_eof) {
    PartIndex index;
    return planPart(text, options, index, text.size());
  }
  mergeSecondPart(first, first_index, std::move(second), std::move(second_index), options);
  return first;
}

namespace {

// A list of primitives as the bytes the builder already allocated (Cap'n Proto lays
// Int64 and Float64 lists out as little-endian 8-byte elements, like this machine),
// so a piece is one memcpy instead of a set() per element.
template <typename T>
void copyInto(typename capnp::List<T>::Builder list, std::span<const T> from) {
  static_assert(std::endian::native == std::endian::little);
  static_assert(sizeof(T) == 8);
  if (from.empty()) return;
  auto bytes = capnp::AnyList::Reader(list.asReader()).getRawBytes();
  std::memcpy(const_cast<capnp::byte*>(bytes.begin()), from.data(), from.size_bytes());
}

}  // namespace

void fillImportRequest(const ImportPlan& plan, const ImportChunk& chunk,
                       schema::ImportRequest::Builder request) {
  auto list = request.initSeries(static_cast<unsigned>(chunk.pieces.size()));
  for (size_t i = 0; i < chunk.pieces.size(); ++i) {
    const auto& piece = chunk.pieces[i];
    const auto& series = plan.series[piece.series];
    auto out = list[i];
    out.setHost(series.host);
    out.setMetric(series.name);
    auto labels = out.initLabels(static_cast<unsigned>(series.labels.size()));
    for (size_t j = 0; j < series.labels.size(); ++j) {
      labels[j].setName(series.labels[j].name);
      labels[j].setValue(series.labels[j].value);
    }
    copyInto<int64_t>(out.initTimestampsMs(static_cast<unsigned>(piece.timestamps_ms.size())),
                      piece.timestamps_ms);
    copyInto<double>(out.initValues(static_cast<unsigned>(piece.values.size())), piece.values);
  }
}

namespace {

// Groups one window of samples (file order) by series and cuts it into requests.
class WindowSender {
 public:
  WindowSender(const ImportPlan& plan, const ImportOptions& options,
               const std::function<void(const ImportChunk&)>& send)
      : send_(send),
        per_request_(std::max<size_t>(1, options.max_samples_per_request)),
        window_of_(plan.series.size(), 0) {}

  // `runs` cover ts[0..n) and values[0..n) in order; both stay valid until this returns.
  void flush(std::span<const ImportPlan::Run> runs, const int64_t* ts, const double* values) {
    if (runs.empty()) return;
    ++window_;
    // Series in the order first met; whether every series is one run of the window.
    order_.clear();
    bool one_run_each = true;
    for (const auto& run : runs) {
      const uint32_t series = run.series;
      if (window_of_[series] != window_) {
        window_of_[series] = window_;
        order_.push_back(series);
      } else {
        one_run_each = false;
      }
    }
    scratch_ts_.clear();
    scratch_values_.clear();
    size_t total = 0;
    for (const auto& run : runs) total += run.count;
    if (one_run_each) {
      // Runs already in time order go out as they are; the others are sorted in the
      // scratch buffers, reserved for the whole window so spans already handed out
      // never move.
      increasing_.assign(runs.size(), 1);
      size_t at = 0;
      bool all_increasing = true;
      for (size_t r = 0; r < runs.size(); ++r) {
        for (size_t i = at + 1; i < at + runs[r].count; ++i) {
          if (ts[i - 1] >= ts[i]) {
            increasing_[r] = 0;
            all_increasing = false;
            break;
          }
        }
        at += runs[r].count;
      }
      if (!all_increasing) {
        scratch_ts_.reserve(total);
        scratch_values_.reserve(total);
      }
      at = 0;
      for (size_t r = 0; r < runs.size(); ++r) {
        const size_t count = runs[r].count;
        if (increasing_[r]) {
          emit(runs[r].series, {ts + at, values + at, count});
        } else {
          const size_t begin = scratch_ts_.size();
          scratch_ts_.insert(scratch_ts_.end(), ts + at, ts + at + count);
          scratch_values_.insert(scratch_values_.end(), values + at, values + at + count);
          emit(runs[r].series,
               sortInPlace(scratch_ts_.data() + begin, scratch_values_.data() + begin, count));
        }
        at += count;
      }
    } else {
      // Gather each series' runs (file order) into the scratch buffers first. Reserved for
      // the whole window, so spans handed out earlier stay valid while it fills.
      std::vector<size_t> starts(runs.size());
      for (size_t r = 0, at = 0; r < runs.size(); at += runs[r].count, ++r) starts[r] = at;
      scratch_ts_.reserve(total);
      scratch_values_.reserve(total);
      std::vector<uint32_t> by_series(runs.size());
      for (size_t r = 0; r < runs.size(); ++r) by_series[r] = static_cast<uint32_t>(r);
      std::vector<uint32_t> rank(window_of_.size());
      for (size_t i = 0; i < order_.size(); ++i) rank[order_[i]] = static_cast<uint32_t>(i);
      std::stable_sort(by_series.begin(), by_series.end(), [&](uint32_t a, uint32_t b) {
        return rank[runs[a].series] < rank[runs[b].series];
      });
      for (size_t i = 0; i < by_series.size();) {
        const uint32_t series = runs[by_series[i]].series;
        const size_t begin = scratch_ts_.size();
        for (; i < by_series.size() && runs[by_series[i]].series == series; ++i) {
          const size_t r = by_series[i];
          scratch_ts_.insert(scratch_ts_.end(), ts + starts[r], ts + starts[r] + runs[r].count);
          scratch_values_.insert(scratch_values_.end(), values + starts[r],
                                 values + starts[r] + runs[r].count);
        }
        const size_t count = scratch_ts_.size() - begin;
        emit(series,
             sortInPlace(scratch_ts_.data() + begin, scratch_values_.data() + begin, count));
      }
    }
    // Sent even when not full: a series must not have two pieces in one request.
    deliver();
  }

  uint64_t sent() const { return sent_; }

 private:
  struct Slice {
    const int64_t* ts;
    const double* values;
    size_t count;
  };

  // Sorts by time, stable (file order among equal timestamps), and keeps the last of
  // each timestamp. Returns the kept prefix.
  Slice sortInPlace(int64_t* ts, double* values, size_t count) {
    bool sorted = true;
    for (size_t i = 1; i < count && sorted; ++i) sorted = ts[i - 1] <= ts[i];
    if (!sorted) {
      points_.resize(count);
      for (size_t i = 0; i < count; ++i) points_[i] = {ts[i], values[i]};
      std::stable_sort(points_.begin(), points_.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < count; ++i) std::tie(ts[i], values[i]) = points_[i];
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
      if (kept > 0 && ts[kept - 1] == ts[i]) {
        values[kept - 1] = values[i];
      } else {
        ts[kept] = ts[i];
        values[kept] = values[i];
        ++kept;
      }
    }
    return {ts, values, kept};
  }

  void emit(uint32_t series, Slice slice) {
    size_t from = 0;
    while (from < slice.count) {
      if (chunk_.samples == per_request_) deliver();
      const size_t take = std::min(slice.count - from, per_request_ - chunk_.samples);
      chunk_.pieces.push_back({series, std::span<const int64_t>(slice.ts + from, take),
                               std::span<const double>(slice.values + from, take)});
      chunk_.samples += take;
      from += take;
    }
  }

  void deliver() {
    if (chunk_.samples == 0) return;
    send_(chunk_);
    sent_ += chunk_.samples;
    chunk_.pieces.clear();
    chunk_.samples = 0;
  }

  const std::function<void(const ImportChunk&)>& send_;
  const size_t per_request_;
  uint64_t sent_ = 0;
  uint32_t window_ = 0;
  std::vector<uint32_t> window_of_;  // per series: the last window it was met in
  std::vector<char> increasing_;     // per run of the window
  std::vector<uint32_t> order_;
  std::vector<int64_t> scratch_ts_;
  std::vector<double> scratch_values_;
  std::vector<std::pair<int64_t, double>> points_;
  ImportChunk chunk_;
};

}  // namespace

uint64_t sendImport(std::string_view text, const ImportPlan& plan, const ImportOptions& options,
                    const std::function<void(const ImportChunk&)>& send) {
  WindowSender sender(plan, options, send);
  const size_t window = std::max<size_t>(1, options.max_buffered_samples);
  std::vector<ImportPlan::Run> runs;  // the current window's, cut at its edges

  if (plan.retained) {
    size_t at = 0;          // first sample of the window
    size_t run_index = 0;   // run holding sample `at`
    size_t run_offset = 0;  // samples of that run before `at`
    const size_t total = plan.timestamps_ms.size();
    while (at < total) {
      const size_t end = std::min(total, at + window);
      runs.clear();
      for (size_t pos = at; pos < end;) {
        const auto& run = plan.runs[run_index];
        const size_t take = std::min<size_t>(run.count - run_offset, end - pos);
        runs.push_back({run.series, static_cast<uint32_t>(take)});
        pos += take;
        run_offset += take;
        if (run_offset == run.count) {
          ++run_index;
          run_offset = 0;
        }
      }
      sender.flush(runs, plan.timestamps_ms.data() + at, plan.values.data() + at);
      at = end;
    }
  } else {
    std::vector<int64_t> ts;
    std::vector<double> values;
    ts.reserve(std::min<size_t>(window, 1u << 20));
    values.reserve(ts.capacity());
    auto flush = [&] {
      sender.flush(runs, ts.data(), values.data());
      runs.clear();
      ts.clear();
      values.clear();
    };
    openmetrics::Parser parser(text);
    std::string key;
    uint32_t previous = kBadSeries;
    for (auto event = parser.next(); event != openmetrics::Parser::Event::kEnd;
         event = parser.next()) {
      if (event != openmetrics::Parser::Event::kSample) continue;  // the plan had no errors
      const auto& sample = parser.sample();
      if (!sample.same_series) {
        rawKey(sample, key);
        auto it = plan.raw_index.find(key);
        previous = it == plan.raw_index.end() ? kBadSeries : it->second;
      }
      if (previous == kBadSeries) continue;
      if (runs.empty() || runs.back().series != previous) runs.push_back({previous, 0});
      ++runs.back().count;
      ts.push_back(*sample.timestamp_ms);
      values.push_back(sample.value);
      if (ts.size() >= window) flush();
    }
    flush();
  }
  return sender.sent();
}

}  // namespace tidemark::cli
