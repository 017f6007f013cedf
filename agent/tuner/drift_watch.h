// Watches knobs with an applied change for values changed out of band (an operator,
// /etc/sysctl.d, another tool): reports when a change starts or stops drifting, logs
// the first drift of each change once, and never writes anything back.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "agent/tuner/journal.h"
#include "agent/tuner/knob.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent::tuner {

class DriftWatch {
 public:
  // Re-probes the knobs of `journal`'s applied changes found in `knobs` (skipping
  // verifiedByWrite ones and unavailable ones: a device or ship that is gone is not
  // drift); returns the states whose drift flag changed since the last call.
  std::vector<wire::KnobStateData> check(const Journal& journal, const std::vector<KnobPtr>& knobs);
  // Drops what is remembered of a change (rolled back: nothing left to drift from).
  void forget(uint64_t change_id);

 private:
  std::map<uint64_t, bool> reported_;  // the drift flag last reported, per change
  std::set<uint64_t> logged_;          // changes whose drift was logged
};

}  // namespace tidemark::agent::tuner
