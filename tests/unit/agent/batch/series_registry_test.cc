#include "agent/batch/series_registry.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The what() of the std::runtime_error `f` throws; a marker when it throws
// something else or nothing, so the assertion shows what went wrong.
std::string runtimeErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not a std::runtime_error: ") + e.what() + ">";
  } catch (...) {
    return "<unknown exception>";
  }
  return "<no exception>";
}

TEST(SeriesRegistryTest, AssignsDenseIdsInOrderOfFirstUse) {
  SeriesRegistry registry;
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.idFor("a", {}), 0u);
  EXPECT_EQ(registry.idFor("b", {}), 1u);
  EXPECT_EQ(registry.idFor("a", {}), 0u);
  EXPECT_EQ(registry.idFor("c", {}), 2u);
  EXPECT_EQ(registry.size(), 3u);
}

TEST(SeriesRegistryTest, SameNameAndLabelsInAnyOrderGiveTheSameId) {
  SeriesRegistry registry;
  const LabelView abc[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  const LabelView cab[] = {{"c", "3"}, {"a", "1"}, {"b", "2"}};
  const LabelView bca[] = {{"b", "2"}, {"c", "3"}, {"a", "1"}};
  const uint32_t id = registry.idFor("m", abc);
  EXPECT_EQ(registry.idFor("m", cab), id);
  EXPECT_EQ(registry.idFor("m", bca), id);
  EXPECT_EQ(registry.size(), 1u);
}

TEST(SeriesRegistryTest, MatchesTakesLabelsInAnyOrderAndOnlyTheExactSeries) {
  SeriesRegistry registry;
  const LabelView ship_first[] = {{"ship", "zod"}, {"pier", "/srv/zod"}};
  const LabelView pier_first[] = {{"pier", "/srv/zod"}, {"ship", "zod"}};
  const uint32_t id = registry.idFor("urbit_ship_up", ship_first);
  EXPECT_TRUE(registry.matches(id, "urbit_ship_up", ship_first));
  EXPECT_TRUE(registry.matches(id, "urbit_ship_up", pier_first));

  const LabelView other_value[] = {{"ship", "nec"}, {"pier", "/srv/zod"}};
  const LabelView other_label[] = {{"ship", "zod"}, {"path", "/srv/zod"}};
  const LabelView fewer[] = {{"ship", "zod"}};
  const LabelView more[] = {{"ship", "zod"}, {"pier", "/srv/zod"}, {"port", "80"}};
  const LabelView repeated[] = {{"ship", "zod"}, {"ship", "zod"}};
  EXPECT_FALSE(registry.matches(id, "urbit_ship_rss_bytes", ship_first));
  EXPECT_FALSE(registry.matches(id, "urbit_ship_up", other_value));
  EXPECT_FALSE(registry.matches(id, "urbit_ship_up", other_label));
  EXPECT_FALSE(registry.matches(id, "urbit_ship_up", fewer));
  EXPECT_FALSE(registry.matches(id, "urbit_ship_up", more));
  EXPECT_FALSE(registry.matches(id, "urbit_ship_up", repeated));

  // Past the stack copy's size matches() declines and idFor() still answers.
  std::vector<std::string> names;
  for (int i = 0; i < 9; ++i) names.push_back("l" + std::to_string(8 - i));
  std::vector<LabelView> nine;
  for (const auto& name : names) nine.push_back({name, "v"});
  const uint32_t wide = registry.idFor("wide", nine);
  EXPECT_FALSE(registry.matches(wide, "wide", nine));
  EXPECT_EQ(registry.idFor("wide", nine), wide);
}

TEST(SeriesRegistryTest, DifferentNamesOrLabelsGiveDifferentIds) {
  SeriesRegistry registry;
  const LabelView sda[] = {{"device", "sda"}};
  const LabelView sdb[] = {{"device", "sdb"}};
  const LabelView other_name[] = {{"disk", "sda"}};
  const LabelView two[] = {{"device", "sda"}, {"mode", "read"}};
  const uint32_t ids[] = {
      registry.idFor("m", {}),         registry.idFor("m", sda), registry.idFor("m", sdb),
      registry.idFor("m", other_name), registry.idFor("m", two), registry.idFor("n", sda),
  };
  EXPECT_EQ(registry.size(), std::size(ids));
  for (size_t i = 0; i < std::size(ids); ++i) {
    for (size_t j = i + 1; j < std::size(ids); ++j) EXPECT_NE(ids[i], ids[j]) << i << " vs " << j;
  }
}

TEST(SeriesRegistryTest, KeyDoesNotConfuseNameAndLabelBoundaries) {
  // "ab" with label b=c must not collide with "a" with label "bb"="c" and the like.
  SeriesRegistry registry;
  const LabelView l1[] = {{"b", "c"}};
  const LabelView l2[] = {{"bb", "c"}};
  const LabelView l3[] = {{"b", "cc"}};
  const uint32_t a = registry.idFor("ab", l1);
  const uint32_t b = registry.idFor("a", l2);
  const uint32_t c = registry.idFor("a", l3);
  const uint32_t d = registry.idFor("abb", {});
  EXPECT_EQ(registry.size(), 4u);
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(a, d);
}

TEST(SeriesRegistryTest, DefinitionsKeepTheNameAndSortTheLabels) {
  SeriesRegistry registry;
  const LabelView labels[] = {{"zone", "eu"}, {"device", "sda"}, {"mode", "read"}};
  const uint32_t id = registry.idFor("node_disk_reads_total", labels);
  const SeriesDefinition& definition = registry.definition(id);
  EXPECT_EQ(definition.name, "node_disk_reads_total");
  const Labels expected = {{"device", "sda"}, {"mode", "read"}, {"zone", "eu"}};
  EXPECT_EQ(definition.labels, expected);
  EXPECT_TRUE(registry.definition(registry.idFor("bare", {})).labels.empty());
}

TEST(SeriesRegistryTest, AcknowledgementsAreTrackedPerSeriesAndCanBeForgotten) {
  SeriesRegistry registry;
  const uint32_t a = registry.idFor("a", {});
  const uint32_t b = registry.idFor("b", {});
  EXPECT_FALSE(registry.acknowledged(a));
  EXPECT_FALSE(registry.acknowledged(b));

  registry.markAcknowledged(b);
  EXPECT_FALSE(registry.acknowledged(a));
  EXPECT_TRUE(registry.acknowledged(b));
  // Looking a series up again does not change its state.
  EXPECT_EQ(registry.idFor("b", {}), b);
  EXPECT_TRUE(registry.acknowledged(b));

  const uint32_t c = registry.idFor("c", {});
  EXPECT_FALSE(registry.acknowledged(c));

  registry.markAcknowledged(a);
  registry.markAcknowledged(c);
  registry.forgetAcknowledgements();
  EXPECT_FALSE(registry.acknowledged(a));
  EXPECT_FALSE(registry.acknowledged(b));
  EXPECT_FALSE(registry.acknowledged(c));
  registry.markAcknowledged(a);
  EXPECT_TRUE(registry.acknowledged(a));
}

TEST(SeriesRegistryTest, MissingJournalStartsEmptyAndCreatesTheFile) {
  TempDir dir;
  const std::string path = dir.str() + "/series.tsv";
  SeriesRegistry registry(path);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(SeriesRegistryTest, JournalRestoresIdsAndDefinitions) {
  TempDir dir;
  const std::string path = dir.str() + "/series.tsv";
  const LabelView sda[] = {{"mode", "read"}, {"device", "sda"}};
  const LabelView eth0[] = {{"device", "eth0"}};
  uint32_t id_plain, id_sda, id_eth0;
  {
    SeriesRegistry registry(path);
    id_plain = registry.idFor("node_load1", {});
    id_sda = registry.idFor("node_disk_reads_total", sda);
    id_eth0 = registry.idFor("node_network_receive_bytes_total", eth0);
    registry.markAcknowledged(id_sda);
  }
  const std::string journal = readFile(path);

  SeriesRegistry restored(path);
  ASSERT_EQ(restored.size(), 3u);
  EXPECT_EQ(restored.definition(id_plain).name, "node_load1");
  EXPECT_TRUE(restored.definition(id_plain).labels.empty());
  EXPECT_EQ(restored.definition(id_sda).name, "node_disk_reads_total");
  EXPECT_EQ(restored.definition(id_sda).labels, (Labels{{"device", "sda"}, {"mode", "read"}}));
  EXPECT_EQ(restored.definition(id_eth0).labels, (Labels{{"device", "eth0"}}));
  // Acknowledgements belong to one connection, not to the journal.
  EXPECT_FALSE(restored.acknowledged(id_sda));

  // Known series keep their ids and are not journalled again; label order is irrelevant.
  const LabelView sda_reordered[] = {{"device", "sda"}, {"mode", "read"}};
  EXPECT_EQ(restored.idFor("node_disk_reads_total", sda_reordered), id_sda);
  EXPECT_EQ(restored.idFor("node_load1", {}), id_plain);
  EXPECT_EQ(restored.idFor("node_network_receive_bytes_total", eth0), id_eth0);
  EXPECT_EQ(readFile(path), journal);

  // A new series continues after the restored ones.
  EXPECT_EQ(restored.idFor("node_load5", {}), 3u);
}

TEST(SeriesRegistryTest, JournalRoundTripsAwkwardValues) {
  TempDir dir;
  const std::string path = dir.str() + "/series.tsv";
  const std::string values[] = {
      "tab\there", "new\nline",      "back\\slash",      "k=v=w",
      "=",         "trailing\\",     "\\t literally",    "\\n\\\\",
      "",          "mixed\t\\\n=\t", "unicode \xc3\xa9",
  };
  std::vector<uint32_t> ids;
  {
    SeriesRegistry registry(path);
    for (const auto& value : values) {
      const LabelView labels[] = {{"path", value}, {"a", value}};
      ids.push_back(registry.idFor("awkward", labels));
    }
    ids.push_back(registry.idFor("name\twith\\odd\nbytes", {}));
    ASSERT_EQ(registry.size(), std::size(values) + 1);
  }
  // One line per definition: nothing unescaped leaked a newline.
  const std::string journal = readFile(path);
  EXPECT_EQ(std::count(journal.begin(), journal.end(), '\n'),
            static_cast<std::ptrdiff_t>(std::size(values) + 1));

  SeriesRegistry restored(path);
  ASSERT_EQ(restored.size(), std::size(values) + 1);
  for (size_t i = 0; i < std::size(values); ++i) {
    SCOPED_TRACE(i);
    const SeriesDefinition& definition = restored.definition(ids[i]);
    EXPECT_EQ(definition.name, "awkward");
    EXPECT_EQ(definition.labels, (Labels{{"a", values[i]}, {"path", values[i]}}));
    const LabelView labels[] = {{"a", values[i]}, {"path", values[i]}};
    EXPECT_EQ(restored.idFor("awkward", labels), ids[i]);
  }
  EXPECT_EQ(restored.definition(ids.back()).name, "name\twith\\odd\nbytes");
  EXPECT_EQ(restored.idFor("name\twith\\odd\nbytes", {}), ids.back());
  EXPECT_EQ(restored.size(), std::size(values) + 1);
}

// A full disk (here: a file size limit in a child process) refuses new series
// without throwing and without leaving a torn line; known series keep working and
// the refused ones are assigned once the disk takes them again.
TEST(SeriesRegistryTest, AFullDiskRefusesNewSeriesAndLeavesTheJournalWhole) {
  TempDir dir;
  const std::string path = dir.str() + "/series.tsv";
  const std::string long_value(300, 'v');
  const std::vector<LabelView> small = {{"a", "b"}};
  const std::vector<LabelView> big = {{"v", long_value}};
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SeriesRegistry registry(path);
    const uint32_t first = registry.idFor("fits", small);
    std::signal(SIGXFSZ, SIG_IGN);  // EFBIG from write() instead of the signal
    const rlimit limit{200, 200};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int code = 0;
    if (first != 0) code = 1;
    if (registry.idFor("too_long", big) != SeriesRegistry::kUnjournalled) code = 2;
    if (registry.journalError().find(path) == std::string::npos) code = 3;
    if (registry.idFor("fits", small) != 0) code = 4;  // known: no write needed
    if (registry.size() != 1) code = 5;
    std::_Exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "check " << WEXITSTATUS(status) << " failed in the child";
  // Only the complete first line: the partial write was cut off.
  const std::string journal = readFile(path);
  EXPECT_EQ(journal, "0\tfits\ta=b\n");
  SeriesRegistry reopened(path);
  EXPECT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened.idFor("too_long", big), 1u);
}

TEST(SeriesRegistryTest, TornLastLineIsIgnoredAndTheIdReassignedConsistently) {
  TempDir dir;
  const std::string path = dir.str() + "/series.tsv";
  const LabelView sda[] = {{"device", "sda"}};
  const LabelView sdb[] = {{"device", "sdb"}};
  {
    SeriesRegistry registry(path);
    EXPECT_EQ(registry.idFor("a", {}), 0u);
    EXPECT_EQ(registry.idFor("b", sda), 1u);
    EXPECT_EQ(registry.idFor("c", sdb), 2u);
  }
  // A crash in the middle of appending the third definition.
  std::string journal = readFile(path);
  ASSERT_EQ(journal.back(), '\n');
  journal.resize(journal.size() - 3);
  dir.write("series.tsv", journal);

  {
    SeriesRegistry registry(path);
    ASSERT_EQ(registry.size(), 2u);
    EXPECT_EQ(registry.idFor("a", {}), 0u);
    EXPECT_EQ(registry.idFor("b", sda), 1u);
    // The torn series is new again and gets the next id, then one more after it.
    EXPECT_EQ(registry.idFor("c", sdb), 2u);
    EXPECT_EQ(registry.idFor("d", {}), 3u);
  }

  // The re-assigned definitions survive another restart intact.
  SeriesRegistry restored(path);
  ASSERT_EQ(restored.size(), 4u);
  EXPECT_EQ(restored.definition(2).name, "c");
  EXPECT_EQ(restored.definition(2).labels, (Labels{{"device", "sdb"}}));
  EXPECT_EQ(restored.definition(3).name, "d");
  EXPECT_TRUE(restored.definition(3).labels.empty());
  EXPECT_EQ(restored.idFor("c", sdb), 2u);
  EXPECT_EQ(restored.idFor("d", {}), 3u);
  EXPECT_EQ(restored.size(), 4u);
}

TEST(SeriesRegistryTest, TornLineWithOnlyAnIdIsIgnored) {
  TempDir dir;
  dir.write("series.tsv", "0\talpha\n1");
  const std::string path = dir.str() + "/series.tsv";
  {
    SeriesRegistry registry(path);
    ASSERT_EQ(registry.size(), 1u);
    EXPECT_EQ(registry.idFor("beta", {}), 1u);
  }
  SeriesRegistry restored(path);
  ASSERT_EQ(restored.size(), 2u);
  EXPECT_EQ(restored.definition(0).name, "alpha");
  EXPECT_EQ(restored.definition(1).name, "beta");
}

struct CorruptJournal {
  const char* what;
  const char* text;
  const char* line;  // the line the error must name
};

void PrintTo(const CorruptJournal& journal, std::ostream* out) { *out << journal.what; }

class SeriesRegistryCorruptJournalTest : public ::testing::TestWithParam<CorruptJournal> {};

TEST_P(SeriesRegistryCorruptJournalTest, ThrowsRuntimeErrorNamingThePathAndLine) {
  TempDir dir;
  dir.write("series.tsv", GetParam().text);
  const std::string path = dir.str() + "/series.tsv";
  const std::string error = runtimeErrorOf([&] { SeriesRegistry registry(path); });
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find(GetParam().line), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Journals, SeriesRegistryCorruptJournalTest,
    ::testing::Values(CorruptJournal{"skipped id", "0\ta\n2\tb\n", "line 2"},
                      CorruptJournal{"repeated id", "0\ta\n0\tb\n", "line 2"},
                      CorruptJournal{"first id not zero", "1\ta\n", "line 1"},
                      CorruptJournal{"non-numeric id", "0\ta\nx\tb\n", "line 2"},
                      CorruptJournal{"id with trailing junk", "0\ta\n1x\tb\n", "line 2"},
                      CorruptJournal{"negative id", "0\ta\n-1\tb\n", "line 2"},
                      CorruptJournal{"id out of range", "99999999999999999999999\ta\n", "line 1"},
                      CorruptJournal{"empty id", "\ta\n", "line 1"},
                      CorruptJournal{"no name field", "0\ta\n1\n", "line 2"},
                      CorruptJournal{"empty line", "0\ta\n\n1\tb\n", "line 2"}),
    [](const ::testing::TestParamInfo<CorruptJournal>& info) {
      std::string name = info.param.what;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(SeriesRegistryTest, UnopenableJournalThrowsNamingThePath) {
  TempDir dir;
  const std::string path = dir.str() + "/no/such/dir/series.tsv";
  const std::string error = runtimeErrorOf([&] { SeriesRegistry registry(path); });
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

}  // namespace
}  // namespace tidemark::agent
