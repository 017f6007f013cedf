#include "controller/cli/tune.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

namespace tidemark::cli {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;

class TuneOutputTest : public ::testing::Test {
 protected:
  capnp::List<schema::ProposalInfo>::Reader twoProposals() {
    auto list = message->initRoot<schema::AdminResponse>().initTune().initProposals(2);
    auto swappiness = list[0];
    swappiness.setId(7);
    swappiness.setHost("web1");
    swappiness.setKnob("vm.swappiness");
    swappiness.setCurrent("60");
    swappiness.setValue("10");
    swappiness.setState("applied");
    swappiness.setReason("ship looms should stay in RAM");
    auto evidence = swappiness.initEvidence(1);
    evidence.set(0, "vm.swappiness = 60");
    swappiness.setSource("recommender");
    swappiness.setCreatedMs(kNow - 7'200'000);
    swappiness.setUpdatedMs(kNow - 60'000);
    swappiness.setRollout(3);
    swappiness.setCanary(true);
    swappiness.setRestoreCommand("sysctl -w vm.swappiness=60");
    auto pack = list[1];
    pack.setId(12);
    pack.setHost("web2");
    pack.setKnob("ship.pack:zod");
    pack.setValue("run");
    pack.setState("proposed");
    pack.setReason("no pack in 7 days");
    pack.setSource("manual by alice");
    pack.setUpdatedMs(kNow - 3'600'000);
    return message->getRoot<schema::AdminResponse>().asReader().getTune().getProposals();
  }

  // Held by pointer: capnp's builder destructor may throw, gtest's fixtures may not.
  std::unique_ptr<capnp::MallocMessageBuilder> message =
      std::make_unique<capnp::MallocMessageBuilder>();
};

TEST_F(TuneOutputTest, ListJsonHasTheDocumentedShape) {
  const auto json = proposalsJson(twoProposals());
  ASSERT_TRUE(json.contains("proposals"));
  ASSERT_EQ(json["proposals"].size(), 2u);
  const auto& first = json["proposals"][0];
  EXPECT_TRUE(first["id"].is_number_unsigned());
  EXPECT_EQ(first["id"], 7);
  EXPECT_EQ(first["host"], "web1");
  EXPECT_EQ(first["knob"], "vm.swappiness");
  EXPECT_EQ(first["current"], "60");
  EXPECT_EQ(first["value"], "10");
  EXPECT_EQ(first["state"], "applied");
  EXPECT_EQ(first["reason"], "ship looms should stay in RAM");
  EXPECT_EQ(first["evidence"], nlohmann::json::array({"vm.swappiness = 60"}));
  EXPECT_EQ(first["rollout"], 3);
  EXPECT_EQ(first["canary"], true);
  EXPECT_EQ(first["source"], "recommender");
  EXPECT_EQ(first["updated_ms"], kNow - 60'000);
  EXPECT_EQ(first["restore_command"], "sysctl -w vm.swappiness=60");
  EXPECT_EQ(json["proposals"][1]["current"], "");
  EXPECT_TRUE(json["proposals"][1]["evidence"].is_array());
}

TEST_F(TuneOutputTest, ListTextIsAnAlignedTable) {
  const std::string text = proposalsText(twoProposals(), kNow);
  std::istringstream lines(text);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_THAT(header, HasSubstr("STATE"));
  EXPECT_THAT(first, HasSubstr("vm.swappiness"));
  EXPECT_THAT(first, HasSubstr("3 canary"));
  EXPECT_THAT(second, HasSubstr("ship.pack:zod"));
  // Aligned: the KNOB column starts at the same offset on every line.
  EXPECT_EQ(header.find("KNOB"), first.find("vm.swappiness"));
  EXPECT_EQ(header.find("KNOB"), second.find("ship.pack:zod"));
  EXPECT_EQ(proposalsText(capnp::List<schema::ProposalInfo>::Reader(), kNow),
            "no tuning proposals\n");
}

TEST_F(TuneOutputTest, ShowListsTheEvidence) {
  const std::string text = proposalText(twoProposals()[0], kNow);
  EXPECT_THAT(text, HasSubstr("change           60 -> 10\n"));
  EXPECT_THAT(text, HasSubstr("  - vm.swappiness = 60\n"));
  EXPECT_THAT(text, HasSubstr("restore by hand  sysctl -w vm.swappiness=60\n"));
}

TEST_F(TuneOutputTest, AuditJsonAndText) {
  auto audit = message->initRoot<schema::AdminResponse>().initTune().initAudit(1);
  audit[0].setAtMs(kNow);
  audit[0].setProposal(7);
  audit[0].setHost("web1");
  audit[0].setKnob("vm.swappiness");
  audit[0].setEvent("approved");
  audit[0].setActorUid(1000);
  audit[0].setActor("alice");
  audit[0].setDetail("roll-out 3");
  auto reader = message->getRoot<schema::AdminResponse>().asReader().getTune().getAudit();
  const auto json = auditJson(reader);
  EXPECT_EQ(json["audit"][0]["actor_uid"], 1000);
  EXPECT_EQ(json["audit"][0]["actor"], "alice");
  EXPECT_EQ(json["audit"][0]["event"], "approved");
  EXPECT_THAT(auditText(reader), HasSubstr("alice (uid 1000)"));
}

TEST(TuneCommandTest, ParsesVerbsIntoRequests) {
  CLI::App app;
  bool json = false;
  TuneCommand command;
  addTuneCommand(app, command, json);
  std::vector<std::string> args = {"tidemark", "tune",     "approve", "4",
                                   "5",        "--canary", "2",       "--json"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(json);
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<schema::TuneRequest>();
  buildTuneRequest(command, request);
  EXPECT_EQ(request.getOp(), schema::TuneRequest::Op::APPROVE);
  ASSERT_EQ(request.getIds().size(), 2u);
  EXPECT_EQ(request.getIds()[1], 5u);
  EXPECT_TRUE(request.getHasCanary());
  EXPECT_EQ(request.getCanary(), 2u);

  // A failed call (an error reply) reaches the caller as an exception.
  AdminCall failing = [](const auto&, const auto&) {
    throw std::runtime_error("no tuning proposal 4");
  };
  std::ostringstream out;
  EXPECT_THROW(runTuneCommand(command, failing, json, kNow, out), std::runtime_error);
}

}  // namespace
}  // namespace tidemark::cli
