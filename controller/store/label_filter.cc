#include "controller/store/label_filter.h"

#include <stdexcept>

#include "controller/store/key_codec.h"

namespace tidemark::controller {

LabelFilter::LabelFilter(const std::vector<LabelMatcher>& matchers) : matchers_(matchers) {
  patterns_.reserve(matchers.size());
  for (const auto& matcher : matchers) {
    if (matcher.op != LabelMatcher::Op::kRegexMatch &&
        matcher.op != LabelMatcher::Op::kRegexNoMatch) {
      patterns_.emplace_back(std::nullopt);
      continue;
    }
    try {
      patterns_.emplace_back(std::regex(matcher.value, std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("label matcher " + matcher.name + "=~\"" + matcher.value +
                                  "\": invalid regular expression: " + e.what());
    }
  }
}

bool LabelFilter::accepts(std::string_view encoded_labels) const {
  for (size_t i = 0; i < matchers_.size(); ++i) {
    const LabelMatcher& matcher = matchers_[i];
    const std::string_view value = keys::findLabel(encoded_labels, matcher.name);
    bool accepted = false;
    switch (matcher.op) {
      case LabelMatcher::Op::kEqual:
        accepted = value == matcher.value;
        break;
      case LabelMatcher::Op::kNotEqual:
        accepted = value != matcher.value;
        break;
      case LabelMatcher::Op::kRegexMatch:
        accepted = std::regex_match(value.begin(), value.end(), *patterns_[i]);
        break;
      case LabelMatcher::Op::kRegexNoMatch:
        accepted = !std::regex_match(value.begin(), value.end(), *patterns_[i]);
        break;
    }
    if (!accepted) return false;
  }
  return true;
}

}  // namespace tidemark::controller
