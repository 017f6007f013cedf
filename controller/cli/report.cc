#include "controller/cli/report.h"

#include <string>
#include <vector>

#include "controller/cli/plan.h"
#include "controller/cli/ships.h"
#include "controller/cli/triggers.h"
#include "controller/cli/tune.h"
#include "controller/report/render/report_assembly.h"

namespace tidemark::cli {

namespace {

nlohmann::json planOf(const AdminCall& call, const std::string& host, int64_t window_ms,
                      bool with_history) {
  nlohmann::json plan;
  call(
      [&](schema::AdminRequest::Builder request) {
        auto plan_request = request.initPlan();
        plan_request.setHost(host);
        plan_request.setWindowMs(window_ms);
        plan_request.setWithHistory(with_history);
      },
      [&](schema::AdminResponse::Reader response) { plan = planJson(response.getPlan()); });
  return plan;
}

}  // namespace

nlohmann::json collectReport(const AdminCall& call, int64_t since_ms, int64_t now_ms,
                             Progress* progress) {
  const int64_t window_ms = std::max<int64_t>(1, now_ms - since_ms);
  const auto step = [&](std::string_view what, size_t done, size_t total) {
    if (progress != nullptr) progress->update(what, done, total);
  };
  report::ReportParts parts;
  step("report: planning the fleet", 0, 3);
  parts.plan = planOf(call, "", window_ms, false);
  // History for the charts only: one host at a time keeps each reply small.
  const std::vector<std::string> hosts = report::chartedHosts(parts.plan);
  const size_t total = 3 + hosts.size();
  for (size_t i = 0; i < hosts.size(); ++i) {
    step("report: history of " + hosts[i], 1 + i, total);
    report::attachHistory(parts.plan, planOf(call, hosts[i], window_ms, true));
  }
  step("report: triggers", total - 2, total);
  call([](schema::AdminRequest::Builder request) { request.initTriggers().setAll(false); },
       [&](schema::AdminResponse::Reader response) {
         parts.triggers = triggersJson(response.getTriggers());
       });
  step("report: ships", total - 1, total);
  call([](schema::AdminRequest::Builder request) { request.initShips(); },
       [&](schema::AdminResponse::Reader response) { parts.ships = shipsJson(response.getShips()); });
  try {
    call(
        [](schema::AdminRequest::Builder request) {
          auto tune = request.initTune();
          tune.setOp(schema::TuneRequest::Op::LIST);
          tune.setState("proposed");
        },
        [&](schema::AdminResponse::Reader response) {
          parts.proposals = proposalsJson(response.getTune().getProposals())["proposals"];
        });
  } catch (const std::runtime_error&) {
    // A controller without a tuning service (or an older one): the section stays empty.
  }
  if (progress != nullptr) progress->finish();
  return report::assembleReport(parts, now_ms, since_ms);
}

}  // namespace tidemark::cli
