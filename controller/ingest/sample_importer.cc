#include "controller/ingest/sample_importer.h"

#include <stdexcept>

#include "common/errors/error.h"
#include "common/metrics/host_id.h"
#include "common/metrics/series_rules.h"

namespace tidemark::controller {

ImportResult SampleImporter::apply(schema::ImportRequest::Reader request) {
  auto series_list = request.getSeries();
  // Check the request's size before taking the writer lock.
  uint64_t total = 0;
  for (auto series : series_list) total += series.getValues().size();
  if (total > limits_.max_samples_per_batch) {
    throw std::invalid_argument("import request of " + std::to_string(total) +
                                " samples, the limit is " +
                                std::to_string(limits_.max_samples_per_batch));
  }

  WriteSet writes = store_.beginWrite();
  store_.reserveSamples(writes, total);
  ImportResult result;
  Labels labels;
  for (auto series : series_list) {
    const std::string host = series.getHost();
    const std::string name = series.getMetric();
    auto fail = [&](const std::string& why) {
      throw std::invalid_argument("import of host " + host.substr(0, 64) + " series " +
                                  name.substr(0, 64) + ": " + why);
    };
    if (auto problem = checkHostId(host); !problem.empty()) fail(problem);
    labels.clear();
    for (auto label : series.getLabels()) labels.push_back({label.getName(), label.getValue()});
    if (auto problem = checkSeriesShape(name, labels, limits_); !problem.empty()) fail(problem);

    auto timestamps = series.getTimestampsMs();
    auto values = series.getValues();
    if (timestamps.size() != values.size()) {
      fail(std::to_string(timestamps.size()) + " timestamps but " + std::to_string(values.size()) +
           " values");
    }
    timestamps_.resize(timestamps.size());
    values_.resize(values.size());
    for (unsigned i = 0; i < timestamps.size(); ++i) {
      timestamps_[i] = timestamps[i];
      values_[i] = values[i];
      if (i > 0 && timestamps_[i] <= timestamps_[i - 1]) {
        fail("timestamps not strictly increasing at " + std::to_string(timestamps_[i]) +
             " ms (after " + std::to_string(timestamps_[i - 1]) + ")");
      }
    }

    const uint64_t series_before = store_.hostForWrite(writes, host).series;
    const uint64_t id = store_.resolveSeries(writes, host, name, labels);
    HostState& state = store_.hostForWrite(writes, host);
    if (state.series != series_before) {
      ++result.new_series;
      if (state.series > limits_.max_series_per_host) {
        fail("host would exceed " + std::to_string(limits_.max_series_per_host) + " series");
      }
    }
    // Checked above: equal lengths, strictly increasing timestamps (appendSamples' contract).
    store_.appendSamples(writes, id, timestamps_, values_);
    state.samples += timestamps_.size();
    result.samples += timestamps_.size();
    ++result.series;
  }
  if (std::string error = store_.commit(writes); !error.empty()) {
    throw StoreError("import of " + std::to_string(result.samples) + " samples in " +
                     store_.path() + " not written: " + error);
  }
  return result;
}

}  // namespace tidemark::controller
