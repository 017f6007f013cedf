// TuningStore: records and counters in the `tuning` column family across reopen.
#include "controller/tuning/tuning_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

class TuningStoreTest : public ::testing::Test {
 protected:
  TuningStoreTest() { open(); }
  void open() {
    tuning.reset();
    store.reset();
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    store = SampleStore::open(options);
    tuning = std::make_unique<TuningStore>(*store);
  }

  static AuditEntry entry(uint64_t proposal, std::string event) {
    AuditEntry out;
    out.at_ms = 1'700'000'000'000 + static_cast<int64_t>(proposal);
    out.proposal = proposal;
    out.event = std::move(event);
    return out;
  }

  tidemark::testing::TempDir dir;
  std::unique_ptr<SampleStore> store;
  std::unique_ptr<TuningStore> tuning;
};

TEST_F(TuningStoreTest, RecordsAndCountersSurviveReopen) {
  Proposal proposal;
  proposal.id = tuning->nextProposalId();
  proposal.host = "web1";
  proposal.knob = "block.scheduler:nvme0n1";
  proposal.value = "none";
  proposal.state = ProposalState::kApplied;
  proposal.evidence = {"block.scheduler:nvme0n1 = mq-deadline", "nvme0n1: transport=nvme"};
  proposal.command = PendingCommand::kRollback;
  proposal.command_sent_ms = 5;
  wire::KnobReportData report;
  report.host_id = "web1";
  report.at_ms = 42;
  report.knobs.push_back({"vm.swappiness", "60", true, "", {}, {{"source", "sysctl"}}, 0, "", false});
  ASSERT_EQ(tuning->commit({{proposal}, {entry(proposal.id, "proposed")}, {report}}), "");
  EXPECT_EQ(tuning->nextRolloutId(), 1u);
  ASSERT_EQ(tuning->commit({{}, {entry(proposal.id, "approved"), entry(proposal.id, "dispatched")}, {}}), "");

  open();
  EXPECT_EQ(tuning->nextProposalId(), 2u);
  EXPECT_EQ(tuning->nextRolloutId(), 2u);
  const auto proposals = tuning->loadProposals();
  ASSERT_THAT(proposals, SizeIs(1));
  EXPECT_EQ(proposals[0].knob, "block.scheduler:nvme0n1");
  EXPECT_EQ(proposals[0].state, ProposalState::kApplied);
  EXPECT_EQ(proposals[0].evidence, proposal.evidence);
  EXPECT_EQ(proposals[0].command, PendingCommand::kRollback);
  EXPECT_EQ(proposals[0].command_sent_ms, 5);
  const auto reports = tuning->loadKnobReports();
  ASSERT_THAT(reports, SizeIs(1));
  EXPECT_EQ(reports[0].knobs[0].facts[0].second, "sysctl");

  // The audit sequence goes on after the reopen: newest first.
  ASSERT_EQ(tuning->commit({{}, {entry(1, "applied")}, {}}), "");
  std::vector<std::string> events;
  for (const auto& audit : tuning->log(3)) events.push_back(audit.event);
  EXPECT_THAT(events, ElementsAre("applied", "dispatched", "approved"));
  EXPECT_THAT(tuning->log(100), SizeIs(4));
  EXPECT_THAT(tuning->log(0), SizeIs(0));
}

TEST_F(TuningStoreTest, DamagedRecordsAreSkipped) {
  Proposal proposal;
  proposal.id = tuning->nextProposalId();
  ASSERT_EQ(tuning->commit({{proposal}, {}, {}}), "");
  std::string key("proposal\0", 9);
  key.append(8, '\x7f');
  ASSERT_EQ(store->writeTuning({{key, "not a record"}}, {}), "");
  EXPECT_THAT(tuning->loadProposals(), SizeIs(1));
}

}  // namespace
}  // namespace tidemark::controller
