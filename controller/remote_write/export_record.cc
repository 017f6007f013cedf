#include "controller/remote_write/export_record.h"

#include <algorithm>
#include <cstring>

namespace tidemark::controller::remote_write {
namespace {

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian hosts only (x86-64, arm64)
  out.append(bytes, sizeof(T));
}

template <typename T>
bool get(std::string_view in, size_t& offset, T& value) {
  if (in.size() - offset < sizeof(T)) return false;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  offset += sizeof(T);
  return true;
}

bool getText(std::string_view in, size_t& offset, std::string_view& text) {
  uint32_t length = 0;
  if (!get(in, offset, length) || in.size() - offset < length) return false;
  text = in.substr(offset, length);
  offset += length;
  return true;
}

}  // namespace

void appendExportSeries(std::string& payload, std::span<const LabelView> labels,
                        std::span<const int64_t> timestamps_ms, std::span<const double> values) {
  put(payload, static_cast<uint16_t>(labels.size()));
  for (const auto& label : labels) {
    put(payload, static_cast<uint32_t>(label.name.size()));
    payload.append(label.name);
    put(payload, static_cast<uint32_t>(label.value.size()));
    payload.append(label.value);
  }
  put(payload, static_cast<uint32_t>(timestamps_ms.size()));
  for (size_t i = 0; i < timestamps_ms.size(); ++i) {
    put(payload, timestamps_ms[i]);
    put(payload, values[i]);
  }
}

void exportLabels(std::string_view host, std::string_view metric, const Labels& labels,
                  std::vector<LabelView>& out) {
  out.clear();
  out.push_back({"__name__", metric});
  out.push_back({"host", host});
  for (const auto& label : labels) {
    if (label.name == "__name__" || label.name == "host") continue;
    out.push_back({label.name, label.value});
  }
  std::sort(out.begin(), out.end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
}

namespace detail {

bool readExportSeries(std::string_view payload, size_t& offset, ExportSeries& series) {
  uint16_t label_count = 0;
  if (!get(payload, offset, label_count)) return false;
  series.labels.resize(label_count);
  for (auto& label : series.labels) {
    if (!getText(payload, offset, label.name) || !getText(payload, offset, label.value)) {
      return false;
    }
  }
  uint32_t samples = 0;
  if (!get(payload, offset, samples) || (payload.size() - offset) / 16 < samples) return false;
  series.timestamps_ms.resize(samples);
  series.values.resize(samples);
  for (uint32_t i = 0; i < samples; ++i) {
    get(payload, offset, series.timestamps_ms[i]);
    get(payload, offset, series.values[i]);
  }
  return true;
}

}  // namespace detail
}  // namespace tidemark::controller::remote_write
