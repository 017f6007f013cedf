#include "controller/cli/send_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "schemas/admin.capnp.h"

namespace tidemark::cli {
namespace {

// A message whose root is an ImportRequest with `n` series: the payload a test reads back.
SendPipeline::Message messageWith(unsigned n) {
  auto message = std::make_unique<capnp::MallocMessageBuilder>();
  message->initRoot<schema::ImportRequest>().initSeries(n);
  return message;
}

unsigned seriesIn(capnp::MallocMessageBuilder& message) {
  return message.getRoot<schema::ImportRequest>().getSeries().size();
}

TEST(SendPipeline, DeliversEveryMessageOnceInPushOrder) {
  std::vector<unsigned> delivered;  // written by the sender thread, read after finish()
  SendPipeline pipeline([&](capnp::MallocMessageBuilder& m) { delivered.push_back(seriesIn(m)); },
                        2);
  for (unsigned i = 1; i <= 50; ++i) pipeline.push(messageWith(i));
  pipeline.finish();
  ASSERT_EQ(delivered.size(), 50u);
  for (unsigned i = 0; i < 50; ++i) EXPECT_EQ(delivered[i], i + 1);
  // Usable again after finish().
  pipeline.push(messageWith(7));
  pipeline.finish();
  EXPECT_EQ(delivered.back(), 7u);
}

TEST(SendPipeline, AFailedDeliveryStopsItAndReachesTheCaller) {
  std::atomic<unsigned> delivered{0};
  SendPipeline pipeline([&](capnp::MallocMessageBuilder& m) {
    if (seriesIn(m) == 3) throw std::runtime_error("controller refused request 3");
    ++delivered;
  });
  bool thrown = false;
  try {
    for (unsigned i = 1; i <= 20; ++i) pipeline.push(messageWith(i));
    pipeline.finish();
  } catch (const std::runtime_error& e) {
    thrown = true;
    EXPECT_STREQ(e.what(), "controller refused request 3");
  }
  EXPECT_TRUE(thrown);
  // Nothing after the failed one was delivered.
  EXPECT_EQ(delivered.load(), 2u);
  EXPECT_THROW(pipeline.finish(), std::runtime_error);
}

}  // namespace
}  // namespace tidemark::cli
