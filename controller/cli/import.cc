#include "controller/cli/import.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>
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

ImportPlan planPart(std::string_view text, const ImportOptions& options, PartIndex& index) {
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
      const double estimate = static_cast<double>(text.size()) / consumed * kEstimateAfter * 1.05;
      const auto reserve = static_cast<size_t>(
          std::min(estimate, static_cast<double>(options.max_retained_samples)));
      plan.timestamps_ms.reserve(reserve);
      plan.values.reserve(reserve);
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
  const bool retained = first.retained && second.retained &&
                        first.timestamps_ms.size() + second.timestamps_ms.size() <=
                            options.max_retained_samples;
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
    return planPart(text, options, index);
  }
  PartIndex first_index, second_index;
  ImportPlan second;
  std::exception_ptr second_failure;
  std::thread second_planner([&] {
    try {
      second = planPart(text.substr(cut + 1), options, second_index);
    } catch (...) {
      second_failure = std::current_exception();
    }
  });
  ImportPlan first;
  try {
    first = planPart(text.substr(0, cut + 1), options, first_index);
  } catch (...) {
    second_planner.join();
    throw;
  }
  second_planner.join();
  if (second_failure) std::rethrow_exception(second_failure);
  if (first.error_count > 0 || second.error_count > 0 || first.saw_eof) {
    PartIndex index;
    return planPart(text, options, index);
  }
  mergeSecondPart(first, first_index, std::move(second), std::move(second_index), options);
  return first;
}

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
    auto timestamps = out.initTimestampsMs(static_cast<unsigned>(piece.timestamps_ms.size()));
    auto values = out.initValues(static_cast<unsigned>(piece.values.size()));
    for (size_t j = 0; j < piece.values.size(); ++j) {
      timestamps.set(j, piece.timestamps_ms[j]);
      values.set(j, piece.values[j]);
    }
  }
}

uint64_t sendImport(std::string_view text, const ImportPlan& plan, const ImportOptions& options,
                    const std::function<void(const ImportChunk&)>& send) {
  using Point = std::pair<int64_t, double>;
  std::vector<std::vector<Point>> buffers(plan.series.size());
  std::vector<uint32_t> touched;  // series with buffered samples, in first-seen order
  size_t buffered = 0;
  uint64_t sent = 0;
  const size_t per_request = std::max<size_t>(1, options.max_samples_per_request);

  auto flush = [&] {
    ImportChunk chunk;
    auto deliver = [&] {
      if (chunk.samples == 0) return;
      send(chunk);
      sent += chunk.samples;
      chunk = {};
    };
    for (uint32_t id : touched) {
      auto& points = buffers[id];
      // Files are usually in time order per series; sort only when they are not. The
      // stable sort keeps file order among equal timestamps, so the later line wins.
      auto by_time = [](const Point& a, const Point& b) { return a.first < b.first; };
      if (!std::is_sorted(points.begin(), points.end(), by_time)) {
        std::stable_sort(points.begin(), points.end(), by_time);
      }
      size_t kept = 0;
      for (size_t i = 0; i < points.size(); ++i) {
        if (kept > 0 && points[kept - 1].first == points[i].first) {
          points[kept - 1] = points[i];
        } else {
          points[kept++] = points[i];
        }
      }
      points.resize(kept);
      size_t from = 0;
      while (from < points.size()) {
        if (chunk.samples == per_request) deliver();
        const size_t take = std::min(points.size() - from, per_request - chunk.samples);
        ImportChunk::Piece piece;
        piece.series = id;
        piece.timestamps_ms.reserve(take);
        piece.values.reserve(take);
        for (size_t i = from; i < from + take; ++i) {
          piece.timestamps_ms.push_back(points[i].first);
          piece.values.push_back(points[i].second);
        }
        chunk.pieces.push_back(std::move(piece));
        chunk.samples += take;
        from += take;
      }
      points.clear();
    }
    // Sent even when not full: a series must not have two pieces in one request.
    deliver();
    touched.clear();
    buffered = 0;
  };

  auto add = [&](uint32_t series, int64_t timestamp_ms, double value) {
    auto& points = buffers[series];
    if (points.empty()) touched.push_back(series);
    points.emplace_back(timestamp_ms, value);
    if (++buffered >= options.max_buffered_samples) flush();
  };

  if (plan.retained) {
    size_t at = 0;
    for (const auto& run : plan.runs) {
      for (const size_t end = at + run.count; at < end; ++at) {
        add(run.series, plan.timestamps_ms[at], plan.values[at]);
      }
    }
  } else {
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
      add(previous, *sample.timestamp_ms, sample.value);
    }
  }
  flush();
  return sent;
}

}  // namespace tidemark::cli
