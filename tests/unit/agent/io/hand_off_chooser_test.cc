#include "agent/io/hand_off_chooser.h"

#include <gtest/gtest.h>

#include <vector>

namespace tidemark::agent {
namespace {

using enum HandOff;

// Runs `passes` passes, charging each what `cost` says its mode costs; returns the modes.
template <typename Cost>
std::vector<HandOff> run(HandOffChooser& chooser, int passes, Cost cost) {
  std::vector<HandOff> modes;
  for (int i = 0; i < passes; ++i) {
    modes.push_back(chooser.next());
    chooser.record(cost(modes.back()));
  }
  return modes;
}

TEST(HandOffChooserTest, RingUntilAProbeDecides) {
  HandOffChooser chooser({.warmup_passes = 3, .probe_passes = 4, .hold_passes = 10});
  EXPECT_FALSE(chooser.decided());
  EXPECT_FALSE(chooser.probing());
  const auto modes = run(chooser, 3, [](HandOff) { return 100; });
  EXPECT_EQ(modes, (std::vector<HandOff>{kRing, kRing, kRing}));
  EXPECT_FALSE(chooser.decided());
  EXPECT_TRUE(chooser.probing());  // the warm-up is over
  run(chooser, 4, [](HandOff) { return 100; });
  EXPECT_TRUE(chooser.decided());
  EXPECT_FALSE(chooser.probing());  // holding
}

TEST(HandOffChooserTest, AProbeAlternatesAndKeepsTheCheaperMedian) {
  HandOffChooser chooser({.warmup_passes = 1, .probe_passes = 6, .hold_passes = 4});
  const auto modes = run(chooser, 11, [](HandOff mode) { return mode == kInline ? 300 : 700; });
  EXPECT_EQ(modes, (std::vector<HandOff>{kRing, kRing, kInline, kRing, kInline, kRing, kInline,
                                         kInline, kInline, kInline, kInline}));
  EXPECT_TRUE(chooser.decided());
  EXPECT_EQ(chooser.kept(), kInline);
  EXPECT_EQ(chooser.inlineMedianNs(), 300);
  EXPECT_EQ(chooser.ringMedianNs(), 700);
  EXPECT_EQ(chooser.probes(), 1u);
  // The hold is over: the next pass starts another probe.
  EXPECT_EQ(chooser.next(), kRing);
}

TEST(HandOffChooserTest, ATieKeepsTheRing) {
  HandOffChooser chooser({.warmup_passes = 0, .probe_passes = 4, .hold_passes = 4});
  run(chooser, 4, [](HandOff) { return 500; });
  EXPECT_EQ(chooser.kept(), kRing);
  EXPECT_EQ(chooser.next(), kRing);
}

TEST(HandOffChooserTest, TheMedianIgnoresAnOutlierPass) {
  HandOffChooser chooser({.warmup_passes = 0, .probe_passes = 6, .hold_passes = 4});
  int inline_passes = 0;
  // One inline pass that also read every serf's maps costs ten times the others.
  run(chooser, 6, [&](HandOff mode) {
    if (mode == kRing) return 600;
    return ++inline_passes == 2 ? 4000 : 400;
  });
  EXPECT_EQ(chooser.kept(), kInline);
  EXPECT_EQ(chooser.inlineMedianNs(), 400);
}

TEST(HandOffChooserTest, ALaterProbeChangesItsMind) {
  HandOffChooser chooser({.warmup_passes = 0, .probe_passes = 2, .hold_passes = 2});
  run(chooser, 2, [](HandOff mode) { return mode == kInline ? 100 : 200; });
  EXPECT_EQ(chooser.kept(), kInline);
  run(chooser, 2, [](HandOff) { return 0; });  // the hold
  run(chooser, 2, [](HandOff mode) { return mode == kInline ? 300 : 200; });
  EXPECT_EQ(chooser.kept(), kRing);
  EXPECT_EQ(chooser.probes(), 2u);
}

}  // namespace
}  // namespace tidemark::agent
