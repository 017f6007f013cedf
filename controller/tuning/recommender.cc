#include "controller/tuning/recommender.h"

#include <algorithm>
#include <charconv>

#include "controller/tuning/recommender_rules.h"

namespace tidemark::controller {

namespace rules {

std::string_view fact(const wire::KnobStateData& knob, std::string_view name) {
  for (const auto& [fact_name, value] : knob.facts) {
    if (fact_name == name) return value;
  }
  return {};
}

std::string_view subject(std::string_view knob) {
  const auto colon = knob.find(':');
  return colon == std::string_view::npos ? std::string_view{} : knob.substr(colon + 1);
}

std::optional<double> number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace rules

std::vector<Recommendation> recommend(const wire::KnobReportData& report,
                                      const HostObservations& observed) {
  std::vector<Recommendation> out;
  rules::systemRules(report, observed, out);
  rules::shipRules(report, observed, out);
  // Rules only see available knobs, but a value equal to its target is dropped here
  // once for all of them; maintenance jobs have no value to compare.
  std::erase_if(out, [](const Recommendation& r) {
    return !isMaintenanceKnob(r.knob) && r.value == r.current;
  });
  return out;
}

std::vector<Recommendation> withoutKnownAnswers(const std::string& host,
                                                std::vector<Recommendation> recommendations,
                                                const std::vector<const Proposal*>& host_proposals,
                                                int64_t now_ms) {
  std::erase_if(recommendations, [&](const Recommendation& r) {
    return std::any_of(host_proposals.begin(), host_proposals.end(), [&](const Proposal* p) {
      if (p->host != host || p->knob != r.knob) return false;
      if (isOpen(p->state)) return true;
      return p->state == ProposalState::kRejected && p->value == r.value &&
             now_ms - p->updated_ms < kRejectionQuietMs;
    });
  });
  return recommendations;
}

}  // namespace tidemark::controller
