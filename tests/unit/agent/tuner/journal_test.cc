#include "agent/tuner/journal.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent::tuner {
namespace {

using testing::TempDir;

JournalEntry sampleEntry() {
  JournalEntry entry;
  entry.change_id = 42;
  entry.knob = "vm.dirty_ratio";
  entry.value = "10";
  entry.previous = "0";
  entry.current = "10";
  entry.saved = {{"vm.dirty_ratio", "0"}, {"vm.dirty_bytes", "268435456"}, {"odd=name", "a\\b\nc"}};
  entry.restore_command = "sysctl -w vm.dirty_bytes=268435456";
  entry.status = ChangeStatus::kApplied;
  entry.reason = "line one\nline two \\ with a backslash";
  entry.created_ms = 1'700'000'000'000;
  entry.updated_ms = 1'700'000'000'500;
  return entry;
}

void expectSame(const JournalEntry& a, const JournalEntry& b) {
  EXPECT_EQ(a.change_id, b.change_id);
  EXPECT_EQ(a.knob, b.knob);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.previous, b.previous);
  EXPECT_EQ(a.current, b.current);
  EXPECT_EQ(a.saved, b.saved);
  EXPECT_EQ(a.restore_command, b.restore_command);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.updated_ms, b.updated_ms);
}

TEST(Journal, TextRoundTripEscapesNewlinesAndBackslashes) {
  const JournalEntry entry = sampleEntry();
  const std::string text = formatJournalEntry(entry);
  EXPECT_NE(text.find("reason=line one\\nline two \\\\ with a backslash\n"), std::string::npos)
      << text;
  expectSame(parseJournalEntry(text), entry);
}

TEST(Journal, SurvivesARestart) {
  TempDir dir;
  {
    Journal journal(dir.str() + "/tuning");
    journal.record(sampleEntry());
  }
  Journal reloaded(dir.str() + "/tuning");
  ASSERT_NE(reloaded.find(42), nullptr);
  expectSame(*reloaded.find(42), sampleEntry());
  EXPECT_EQ(reloaded.appliedFor("vm.dirty_ratio"), reloaded.find(42));
  EXPECT_EQ(reloaded.find(7), nullptr);
}

TEST(Journal, CorruptFileIsLoggedAndSkipped) {
  TempDir dir;
  {
    Journal journal(dir.str());
    journal.record(sampleEntry());
  }
  dir.write("43.change", "change_id=43\nknob=vm.swappiness\nstatus=sideways\n");
  dir.write("44.change", "\x01\x02 binary junk");
  dir.write("45.change.tmp", "half-written");
  testing::LogCapture log;
  Journal journal(dir.str());
  EXPECT_NE(journal.find(42), nullptr);
  EXPECT_EQ(journal.find(43), nullptr);
  EXPECT_EQ(journal.find(44), nullptr);
  EXPECT_EQ(log.count("skipping corrupt entry " + dir.str() + "/43.change: line 3: unknown "
                      "status 'sideways'"),
            1u)
      << log.text();
  EXPECT_EQ(log.count(dir.str() + "/44.change"), 1u) << log.text();
  EXPECT_EQ(log.count("45.change"), 0u) << log.text();
}

TEST(Journal, PendingEntryAtLoadCountsAsAppliedButUnverified) {
  TempDir dir;
  JournalEntry entry = sampleEntry();
  entry.status = ChangeStatus::kPending;
  entry.reason.clear();
  {
    Journal journal(dir.str());
    journal.record(entry);
    EXPECT_EQ(journal.appliedFor("vm.dirty_ratio"), nullptr);
  }
  testing::LogCapture log;
  Journal journal(dir.str());
  const JournalEntry* loaded = journal.find(42);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->status, ChangeStatus::kApplied);
  EXPECT_TRUE(loaded->unverified);
  EXPECT_EQ(loaded->saved, entry.saved);
  EXPECT_EQ(journal.appliedFor("vm.dirty_ratio"), loaded);
  EXPECT_EQ(log.count("change 42 (vm.dirty_ratio = 10) was in progress"), 1u) << log.text();
}

TEST(Journal, AppliedListsTheNewestAppliedChangePerKnob) {
  TempDir dir;
  Journal journal(dir.str());
  JournalEntry first = sampleEntry();
  first.change_id = 1;
  JournalEntry second = sampleEntry();
  second.change_id = 2;
  JournalEntry other = sampleEntry();
  other.change_id = 3;
  other.knob = "vm.swappiness";
  other.status = ChangeStatus::kRefused;
  journal.record(first);
  journal.record(second);
  journal.record(other);
  const auto applied = journal.applied();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0]->change_id, 2u);
}

}  // namespace
}  // namespace tidemark::agent::tuner
