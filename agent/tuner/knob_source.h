// A provider of knobs, asked again at every survey because devices and ships come and go.
#pragma once

#include <vector>

#include "agent/tuner/knob.h"

namespace tidemark::agent::tuner {

class KnobSource {
 public:
  virtual ~KnobSource() = default;
  virtual void addKnobs(std::vector<KnobPtr>& out) = 0;
};

}  // namespace tidemark::agent::tuner
