#include "controller/store/key_codec.h"

namespace tidemark::controller::keys {

void appendU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void appendU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t readU64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return value;
}

void appendTimestamp(std::string& out, int64_t ms) {
  appendU64(out, static_cast<uint64_t>(ms) ^ (1ULL << 63));
}

int64_t readTimestamp(std::string_view bytes) {
  return static_cast<int64_t>(readU64(bytes) ^ (1ULL << 63));
}

namespace {

void appendVarint(std::string& out, size_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool readVarint(std::string_view& in, size_t& value) {
  value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (in.empty()) return false;
    auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool readString(std::string_view& in, std::string& out) {
  size_t length = 0;
  if (!readVarint(in, length) || length > in.size()) return false;
  out.assign(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}

bool readView(std::string_view& in, std::string_view& out) {
  size_t length = 0;
  if (!readVarint(in, length) || length > in.size()) return false;
  out = in.substr(0, length);
  in.remove_prefix(length);
  return true;
}

}  // namespace

bool viewSeriesKey(std::string_view key, SeriesKeyView& out) {
  if (key.empty() || key.front() != 'k') return false;
  key.remove_prefix(1);
  const auto name_end = key.find('\0');
  if (name_end == std::string_view::npos) return false;
  const auto host_end = key.find('\0', name_end + 1);
  if (host_end == std::string_view::npos) return false;
  out.metric = key.substr(0, name_end);
  out.host = key.substr(name_end + 1, host_end - name_end - 1);
  out.encoded_labels = key.substr(host_end + 1);
  return true;
}

bool nextLabel(std::string_view& encoded, LabelView& label) {
  return !encoded.empty() && readView(encoded, label.name) && readView(encoded, label.value);
}

std::string_view findLabel(std::string_view encoded, std::string_view name) {
  LabelView label;
  while (nextLabel(encoded, label)) {
    if (label.name == name) return label.value;
  }
  return {};
}

Labels decodeLabels(std::string_view encoded) {
  Labels labels;
  LabelView label;
  while (nextLabel(encoded, label)) labels.push_back({std::string(label.name), std::string(label.value)});
  return labels;
}

int compareEncodedLabels(std::string_view a, std::string_view b) {
  LabelView a_label, b_label;
  while (true) {
    const bool a_more = nextLabel(a, a_label);
    const bool b_more = nextLabel(b, b_label);
    if (!a_more || !b_more) return a_more == b_more ? 0 : (a_more ? 1 : -1);
    if (int by_name = a_label.name.compare(b_label.name); by_name != 0) return by_name;
    if (int by_value = a_label.value.compare(b_label.value); by_value != 0) return by_value;
  }
}

std::string seriesKeyPrefix(std::string_view name, std::string_view host) {
  std::string key = "k";
  key += name;
  key.push_back('\0');
  if (!host.empty()) {
    key += host;
    key.push_back('\0');
  }
  return key;
}

std::string seriesKey(std::string_view host, std::string_view name, const Labels& labels) {
  std::string key = seriesKeyPrefix(name, host);
  if (host.empty()) key.push_back('\0');
  for (const auto& label : labels) {
    appendVarint(key, label.name.size());
    key += label.name;
    appendVarint(key, label.value.size());
    key += label.value;
  }
  return key;
}

bool parseSeriesKey(std::string_view key, std::string& host, std::string& name, Labels& labels) {
  if (key.empty() || key.front() != 'k') return false;
  key.remove_prefix(1);
  auto name_end = key.find('\0');
  if (name_end == std::string_view::npos) return false;
  name.assign(key.substr(0, name_end));
  key.remove_prefix(name_end + 1);
  auto host_end = key.find('\0');
  if (host_end == std::string_view::npos) return false;
  host.assign(key.substr(0, host_end));
  key.remove_prefix(host_end + 1);
  labels.clear();
  while (!key.empty()) {
    Label label;
    if (!readString(key, label.name) || !readString(key, label.value)) return false;
    labels.push_back(std::move(label));
  }
  return true;
}

std::string chunkKey(uint64_t series_id, int64_t start_ms, uint64_t uniquifier) {
  std::string key;
  key.reserve(24);
  appendU64(key, series_id);
  appendTimestamp(key, start_ms);
  appendU64(key, uniquifier);
  return key;
}

std::string seriesTimeKey(uint64_t series_id, int64_t start_ms) {
  std::string key;
  key.reserve(16);
  appendU64(key, series_id);
  appendTimestamp(key, start_ms);
  return key;
}

std::string agentSeriesKey(std::string_view host, uint64_t epoch, uint32_t agent_series_id) {
  std::string key(host);
  key.push_back('\0');
  appendU64(key, epoch);
  appendU32(key, agent_series_id);
  return key;
}

}  // namespace tidemark::controller::keys
