#include "agent/tuner/ship_tuning_options.h"

#include <stdexcept>

namespace tidemark::agent::tuner {

std::string expandPathTemplate(const std::string& path_template, const std::string& ship) {
  std::string out;
  size_t position = 0;
  while (position < path_template.size()) {
    const size_t open = path_template.find('{', position);
    if (open == std::string::npos) break;
    const size_t close = path_template.find('}', open);
    if (close == std::string::npos) break;
    const std::string name = path_template.substr(open + 1, close - open - 1);
    if (name != "ship") {
      throw std::invalid_argument("path template \"" + path_template + "\": unknown placeholder {" +
                                  name + "} (only {ship})");
    }
    out.append(path_template, position, open - position);
    out += ship;
    position = close + 1;
  }
  out.append(path_template, position, std::string::npos);
  return out;
}

}  // namespace tidemark::agent::tuner
