#include "agent/io/cost_chooser.h"

#include <gtest/gtest.h>

#include <vector>

namespace tidemark::agent {
namespace {

// Two ways to do a pass; the first is the default.
enum class Way : uint8_t { kRing, kInline };
using enum Way;
using Chooser = CostChooser<Way>;

Chooser makeChooser(CostChooserOptions options) { return Chooser(kRing, kInline, options); }

// Runs `passes` passes, charging each what `cost` says its mode costs; returns the modes.
template <typename Cost>
std::vector<Way> run(Chooser& chooser, int passes, Cost cost) {
  std::vector<Way> modes;
  for (int i = 0; i < passes; ++i) {
    modes.push_back(chooser.next());
    chooser.record(cost(modes.back()));
  }
  return modes;
}

TEST(CostChooserTest, TheFirstUntilAProbeDecides) {
  Chooser chooser = makeChooser({.warmup_passes = 3, .probe_passes = 4, .hold_passes = 10});
  EXPECT_FALSE(chooser.decided());
  EXPECT_FALSE(chooser.probing());
  const auto modes = run(chooser, 3, [](Way) { return 100; });
  EXPECT_EQ(modes, (std::vector<Way>{kRing, kRing, kRing}));
  EXPECT_FALSE(chooser.decided());
  EXPECT_TRUE(chooser.probing());  // the warm-up is over
  run(chooser, 4, [](Way) { return 100; });
  EXPECT_TRUE(chooser.decided());
  EXPECT_FALSE(chooser.probing());  // holding
}

TEST(CostChooserTest, AProbeAlternatesAndKeepsTheCheaperMedian) {
  Chooser chooser = makeChooser({.warmup_passes = 1, .probe_passes = 6, .hold_passes = 4});
  const auto modes = run(chooser, 11, [](Way mode) { return mode == kInline ? 300 : 700; });
  EXPECT_EQ(modes, (std::vector<Way>{kRing, kRing, kInline, kRing, kInline, kRing, kInline,
                                         kInline, kInline, kInline, kInline}));
  EXPECT_TRUE(chooser.decided());
  EXPECT_EQ(chooser.kept(), kInline);
  EXPECT_EQ(chooser.medianNs(kInline), 300);
  EXPECT_EQ(chooser.medianNs(kRing), 700);
  EXPECT_EQ(chooser.probes(), 1u);
  // The hold is over: the next pass starts another probe.
  EXPECT_EQ(chooser.next(), kRing);
}

TEST(CostChooserTest, ATieKeepsTheFirst) {
  Chooser chooser = makeChooser({.warmup_passes = 0, .probe_passes = 4, .hold_passes = 4});
  run(chooser, 4, [](Way) { return 500; });
  EXPECT_EQ(chooser.kept(), kRing);
  EXPECT_EQ(chooser.next(), kRing);
}

TEST(CostChooserTest, TheMedianIgnoresAnOutlierPass) {
  Chooser chooser = makeChooser({.warmup_passes = 0, .probe_passes = 6, .hold_passes = 4});
  int inline_passes = 0;
  // One inline pass that also read every serf's maps costs ten times the others.
  run(chooser, 6, [&](Way mode) {
    if (mode == kRing) return 600;
    return ++inline_passes == 2 ? 4000 : 400;
  });
  EXPECT_EQ(chooser.kept(), kInline);
  EXPECT_EQ(chooser.medianNs(kInline), 400);
}

TEST(CostChooserTest, ALaterProbeChangesItsMind) {
  Chooser chooser = makeChooser({.warmup_passes = 0, .probe_passes = 2, .hold_passes = 2});
  run(chooser, 2, [](Way mode) { return mode == kInline ? 100 : 200; });
  EXPECT_EQ(chooser.kept(), kInline);
  run(chooser, 2, [](Way) { return 0; });  // the hold
  run(chooser, 2, [](Way mode) { return mode == kInline ? 300 : 200; });
  EXPECT_EQ(chooser.kept(), kRing);
  EXPECT_EQ(chooser.probes(), 2u);
}

}  // namespace
}  // namespace tidemark::agent
