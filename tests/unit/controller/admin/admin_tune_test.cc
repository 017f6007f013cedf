// `tune` over the admin protocol: through the handler, and over a real admin socket
// where the approval's actor is the peer's uid (SO_PEERCRED) and user name.
#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <zmq.hpp>

#include "common/transport/admin_client.h"
#include "controller/admin/admin_peer.h"
#include "controller/admin/admin_server.h"
#include "controller/report/scheduled_report.h"
#include "tests/unit/controller/tuning/tuning_service_fixture.h"

namespace tidemark::controller {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class AdminTuneTest : public TuningServiceFixture {
 protected:
  AdminContext context(TuningService* tuning) {
    if (!triggers)
      triggers = std::make_unique<TriggerEvaluator>(*store, std::vector<TriggerRule>{});
    return AdminContext{*store,  presence, clock,   clock.monotonicMs(), "tcp://0.0.0.0:7070",
                        nullptr, nullptr,  nullptr, triggers.get(),      {},
                        tuning};
  }

  AgentPresence presence;
  std::unique_ptr<TriggerEvaluator> triggers;  // reports ask for the firing ones
};

TEST_F(AdminTuneTest, AControllerWithoutTuningSaysSo) {
  AdminHandler handler(context(nullptr));
  capnp::MallocMessageBuilder request_message;
  request_message.initRoot<schema::AdminRequest>().initTune().setOp(schema::TuneRequest::Op::LIST);
  capnp::MallocMessageBuilder response_message;
  auto response = response_message.initRoot<schema::AdminResponse>();
  handler.handle(request_message.getRoot<schema::AdminRequest>().asReader(), response);
  ASSERT_TRUE(response.isError());
  EXPECT_EQ(std::string(response.getError().cStr()), "this controller has no tuning service");
}

TEST_F(AdminTuneTest, ReportsListThePendingProposals) {
  report("a");
  report("b");
  service->reject(swappinessOf("b"), alice);
  AdminHandler handler(context(service.get()));
  const auto document = cli::collectReport(inProcessAdminCall(handler), clock.wallMs() - 86'400'000,
                                           clock.wallMs(), nullptr);
  ASSERT_EQ(document["proposals"].size(), 1u);
  EXPECT_EQ(document["proposals"][0]["host"], "a");
  EXPECT_EQ(document["proposals"][0]["knob"], "vm.swappiness");

  AdminHandler without(context(nullptr));
  EXPECT_TRUE(cli::collectReport(inProcessAdminCall(without), clock.wallMs() - 86'400'000,
                                 clock.wallMs(), nullptr)["proposals"]
                  .empty());
}

TEST_F(AdminTuneTest, PeerAddressGivesTheUidAndItsName) {
  const AdminPeer root = adminPeerFromAddress(":0:0:4242");
  EXPECT_EQ(root.uid, 0);
  EXPECT_EQ(root.user, "root");
  EXPECT_EQ(adminPeerFromAddress(":4000000:1:2").user, "uid:4000000");
  EXPECT_EQ(adminPeerFromAddress("").uid, -1);
  EXPECT_EQ(adminPeerFromAddress("127.0.0.1").uid, -1);
}

TEST_F(AdminTuneTest, OverTheAdminSocketTheApprovalRecordsTheCallersUid) {
  report("a");
  const uint64_t id = swappinessOf("a");
  zmq::context_t zmq_context;
  const std::string socket_path = (dir.path() / "admin.sock").string();
  AdminServer server(zmq_context, socket_path, AdminHandler(context(service.get())));
  AdminClient client(socket_path, std::chrono::seconds(10));

  client.call(
      [&](schema::AdminRequest::Builder request) {
        auto tune = request.initTune();
        tune.setOp(schema::TuneRequest::Op::APPROVE);
        tune.initIds(1).set(0, id);
      },
      [&](schema::AdminResponse::Reader response) {
        ASSERT_TRUE(response.isTune());
        EXPECT_THAT(response.getTune().getDone().cStr(), HasSubstr("1 change(s) approved"));
        ASSERT_EQ(response.getTune().getProposals().size(), 1u);
        EXPECT_EQ(std::string(response.getTune().getProposals()[0].getState().cStr()), "approved");
      });
  const auto approvals = events("approved");
  ASSERT_THAT(approvals, SizeIs(1));
  EXPECT_EQ(approvals[0].actor_uid, static_cast<int64_t>(::getuid()));
  EXPECT_EQ(approvals[0].actor,
            adminPeerFromAddress(":" + std::to_string(::getuid()) + ":0:0").user);

  // A refused verb comes back as an error reply naming the reason.
  try {
    client.call(
        [&](schema::AdminRequest::Builder request) {
          auto tune = request.initTune();
          tune.setOp(schema::TuneRequest::Op::REJECT);
          tune.initIds(1).set(0, id);
        },
        [](schema::AdminResponse::Reader) {});
    FAIL() << "expected an error reply";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("is approved: only proposed ones can be rejected"));
  }

  client.call(
      [&](schema::AdminRequest::Builder request) {
        request.initTune().setOp(schema::TuneRequest::Op::LOG);
      },
      [&](schema::AdminResponse::Reader response) {
        auto audit = response.getTune().getAudit();
        ASSERT_GE(audit.size(), 2u);
        EXPECT_EQ(std::string(audit[0].getEvent().cStr()), "approved");
        EXPECT_EQ(audit[0].getActorUid(), static_cast<int64_t>(::getuid()));
      });
}

}  // namespace
}  // namespace tidemark::controller
