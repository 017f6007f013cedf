// A query's label matchers (=, !=, =~, !~), regular expressions compiled once, applied
// to a series' encoded labels as the catalog stores them (nothing decoded or copied).
#pragma once

#include <optional>
#include <regex>
#include <string_view>
#include <vector>

#include "controller/store/sample_store.h"

namespace tidemark::controller {

class LabelFilter {
 public:
  // Throws std::invalid_argument naming the matcher for an invalid regular expression.
  explicit LabelFilter(const std::vector<LabelMatcher>& matchers);

  // True when every matcher accepts; a missing label counts as the empty value.
  bool accepts(std::string_view encoded_labels) const;

 private:
  const std::vector<LabelMatcher>& matchers_;
  std::vector<std::optional<std::regex>> patterns_;  // per matcher; set for =~ and !~
};

}  // namespace tidemark::controller
