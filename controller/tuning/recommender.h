// The recommender: pure functions from a host's knob report and the store's newest
// values about it to tuning proposals, each with a reason and the evidence behind it.
// Only knobs the host reports available are proposed, never one already at its target.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/wire/agent_link_codec.h"
#include "controller/tuning/host_observations.h"
#include "controller/tuning/proposal.h"

namespace tidemark::controller {

struct Recommendation {
  std::string knob;
  std::string value;
  std::string current;
  std::string reason;
  std::vector<std::string> evidence;
};

// Every rule's recommendation for the host of `report` (see recommender_*_rules.cc).
std::vector<Recommendation> recommend(const wire::KnobReportData& report,
                                      const HostObservations& observed);

// How long a rejection keeps the recommender from proposing the same value again.
inline constexpr int64_t kRejectionQuietMs = 7 * 24 * 3600'000LL;

// Drops recommendations for a host+knob with an open proposal, and those matching a
// rejection (host, knob, value) younger than kRejectionQuietMs.
std::vector<Recommendation> withoutKnownAnswers(const std::string& host,
                                                std::vector<Recommendation> recommendations,
                                                const std::vector<const Proposal*>& host_proposals,
                                                int64_t now_ms);

}  // namespace tidemark::controller
