#include "agent/batch/series_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace tidemark::agent {

namespace {

// Journal lines: id TAB name (TAB label=value)* with \t, \n, \\ escaped in values.
void appendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
}

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      char next = text[++i];
      out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

SeriesRegistry::SeriesRegistry(const std::string& journal_path) : journal_path_(journal_path) {
  std::ifstream in(journal_path);
  std::string line;
  std::vector<std::string_view> fields;
  uintmax_t complete_bytes = 0;  // length of the journal's complete lines
  bool torn = false;
  while (std::getline(in, line)) {
    if (in.eof()) {  // no trailing newline: torn by a crash mid-append
      torn = true;
      break;
    }
    complete_bytes += line.size() + 1;
    fields.clear();
    std::string_view rest(line);
    while (true) {
      auto tab = rest.find('\t');
      fields.push_back(rest.substr(0, tab));
      if (tab == std::string_view::npos) break;
      rest.remove_prefix(tab + 1);
    }
    uint32_t id = 0;
    const auto [id_end, id_error] =
        std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), id);
    if (fields.size() < 2 || id_error != std::errc() ||
        id_end != fields[0].data() + fields[0].size() || id != definitions_.size()) {
      throw std::runtime_error("series journal " + journal_path + " line " +
                               std::to_string(definitions_.size() + 1) +
                               " is out of order or malformed; move the state dir away to start a "
                               "new epoch");
    }
    SeriesDefinition definition{unescape(fields[1]), {}};
    for (size_t i = 2; i < fields.size(); ++i) {
      auto eq = fields[i].find('=');
      if (eq == std::string_view::npos) continue;
      definition.labels.push_back(
          {std::string(fields[i].substr(0, eq)), unescape(fields[i].substr(eq + 1))});
    }
    std::vector<LabelView> views;
    for (const auto& l : definition.labels) views.push_back({l.name, l.value});
    buildKey(definition.name, views);
    ids_.emplace(key_buffer_, static_cast<uint32_t>(definitions_.size()));
    definitions_.push_back(std::move(definition));
  }
  acknowledged_.assign(definitions_.size(), 0);
  in.close();
  if (torn) {
    // Cut the torn tail off, or the next definition would be appended onto it.
    std::error_code error;
    std::filesystem::resize_file(journal_path, complete_bytes, error);
    if (error) {
      throw std::runtime_error("cannot truncate the torn last line of series journal " +
                               journal_path + ": " + error.message());
    }
  }
  journal_bytes_ = complete_bytes;
  journal_fd_ = ::open(journal_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd_ < 0) {
    throw std::runtime_error("cannot open series journal " + journal_path + ": " +
                             std::strerror(errno));
  }
}

SeriesRegistry::~SeriesRegistry() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

void SeriesRegistry::buildKey(std::string_view name, std::span<const LabelView> sorted_labels) {
  key_buffer_.assign(name);
  for (const auto& label : sorted_labels) {
    key_buffer_ += '\0';
    key_buffer_ += label.name;
    key_buffer_ += '\0';
    key_buffer_ += label.value;
  }
}

bool SeriesRegistry::matches(uint32_t id, std::string_view name,
                             std::span<const LabelView> labels) const {
  const SeriesDefinition& known = definitions_[id];
  if (known.name != name || known.labels.size() != labels.size()) return false;
  // Collectors pass labels in their own order ({ship, pier}); the definition holds
  // them sorted by name. A small sorted copy on the stack compares like idFor's key.
  constexpr size_t kMostLabels = 8;
  if (labels.size() > kMostLabels) return false;  // idFor() answers
  const LabelView* sorted[kMostLabels];
  for (size_t i = 0; i < labels.size(); ++i) {
    size_t at = i;
    for (; at > 0 && labels[i].name < sorted[at - 1]->name; --at) sorted[at] = sorted[at - 1];
    sorted[at] = &labels[i];
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (known.labels[i].name != sorted[i]->name || known.labels[i].value != sorted[i]->value)
      return false;
  }
  return true;
}

uint32_t SeriesRegistry::idFor(std::string_view name, std::span<const LabelView> labels) {
  sort_buffer_.assign(labels.begin(), labels.end());
  std::sort(sort_buffer_.begin(), sort_buffer_.end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  buildKey(name, sort_buffer_);
  if (auto it = ids_.find(std::string_view(key_buffer_)); it != ids_.end()) return it->second;

  const auto id = static_cast<uint32_t>(definitions_.size());
  SeriesDefinition definition{std::string(name), {}};
  for (const auto& label : sort_buffer_) {
    definition.labels.push_back({std::string(label.name), std::string(label.value)});
  }
  if (!append(id, definition)) return kUnjournalled;
  ids_.emplace(key_buffer_, id);
  definitions_.push_back(std::move(definition));
  acknowledged_.push_back(0);
  return id;
}

bool SeriesRegistry::append(uint32_t id, const SeriesDefinition& definition) {
  if (journal_fd_ < 0) return true;
  std::string& line = journal_line_;
  line.assign(std::to_string(id));
  line += '\t';
  appendEscaped(line, definition.name);
  for (const auto& label : definition.labels) {
    line += '\t';
    line += label.name;
    line += '=';
    appendEscaped(line, label.value);
  }
  line += '\n';
  // Written whole before the id is used, so a batch naming it never outlives the
  // definition. A short write (ENOSPC mid-line) is cut back off: the next append must
  // not land on a torn line.
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(journal_fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      journal_error_ = "cannot append to series journal " + journal_path_ + ": " +
                       std::strerror(n < 0 ? errno : ENOSPC);
      if (written > 0 && ::ftruncate(journal_fd_, static_cast<off_t>(journal_bytes_)) != 0) {
        journal_error_ += "; and cannot cut the partial line off: " + std::string(std::strerror(errno));
      }
      return false;
    }
    written += static_cast<size_t>(n);
  }
  journal_bytes_ += line.size();
  journal_error_.clear();
  return true;
}

void SeriesRegistry::forgetAcknowledgements() {
  std::fill(acknowledged_.begin(), acknowledged_.end(), 0);
}

}  // namespace tidemark::agent
