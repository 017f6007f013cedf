// A TuningService over a real store in a temp dir, a manual clock, agents that are
// connected or not, and a sender that records every command.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/time/clock.h"
#include "controller/tuning/tuning_service.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {

class TuningServiceFixture : public ::testing::Test {
 protected:
  TuningServiceFixture() {
    options.health_window_ms = 1'000;
    options.host_healthy = [this](const std::string& host) { return !unhealthy.contains(host); };
    open();
  }

  void open() {
    StoreOptions store_options;
    store_options.path = (dir.path() / "db").string();
    store_options.sync_writes = false;
    store_options.now_ms = [this] { return clock.wallMs(); };
    store = SampleStore::open(store_options);
    service = std::make_unique<TuningService>(*store, options, clock);
  }
  void reopen() {
    service.reset();
    store.reset();
    open();
  }

  void tick() {
    service->tick([this](const std::string& host, const wire::TuningCommandData& command) {
      if (!connected.contains(host)) return false;
      sent.emplace_back(host, command);
      return true;
    });
  }

  // A knob report with vm.swappiness at 60 (the recommender proposes 10) and more knobs.
  void report(const std::string& host, std::vector<wire::KnobStateData> knobs = {}) {
    wire::KnobReportData data;
    data.host_id = host;
    data.at_ms = clock.wallMs();
    wire::KnobStateData swappiness;
    swappiness.knob = "vm.swappiness";
    swappiness.value = "60";
    swappiness.available = true;
    data.knobs.push_back(swappiness);
    for (auto& knob : knobs) data.knobs.push_back(std::move(knob));
    service->onKnobReport(data);
  }

  void result(const std::string& host, uint64_t id, wire::TuningAction action,
              wire::TuningOutcome outcome, std::string reason = "") {
    wire::TuningResultData data;
    data.host_id = host;
    data.change_id = id;
    data.action = action;
    data.outcome = outcome;
    data.knob = service->show(id).knob;
    data.previous = "60";
    data.current = outcome == wire::TuningOutcome::kApplied ? "10" : "60";
    data.reason = std::move(reason);
    data.restore_command = "sysctl -w vm.swappiness=60";
    service->onResult(data);
  }
  void applied(const std::string& host, uint64_t id) {
    result(host, id, wire::TuningAction::kApply, wire::TuningOutcome::kApplied);
  }

  // The id of the open swappiness proposal of `host`.
  uint64_t swappinessOf(const std::string& host) {
    for (const auto& proposal : service->list({std::nullopt, host})) {
      if (proposal.knob == "vm.swappiness" && isOpen(proposal.state)) return proposal.id;
    }
    ADD_FAILURE() << "no open vm.swappiness proposal for " << host;
    return 0;
  }

  std::vector<std::string> sentTo() const {
    std::vector<std::string> hosts;
    for (const auto& [host, command] : sent) hosts.push_back(host);
    return hosts;
  }

  // The audit entries with `event`, oldest first.
  std::vector<AuditEntry> events(const std::string& event) const {
    std::vector<AuditEntry> out;
    auto log = service->log(1000);
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
      if (it->event == event) out.push_back(*it);
    }
    return out;
  }

  tidemark::testing::TempDir dir;
  ManualClock clock;
  TuningOptions options;
  std::unique_ptr<SampleStore> store;
  std::unique_ptr<TuningService> service;
  std::set<std::string> connected = {"a", "b", "c"};
  std::set<std::string> unhealthy;
  std::vector<std::pair<std::string, wire::TuningCommandData>> sent;
  const AdminPeer alice{1234, "alice"};
};

}  // namespace tidemark::controller
