#include "agent/ships/ship_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using ::testing::HasSubstr;
using tidemark::testing::makeStandinPier;
using tidemark::testing::RecordingSampleWriter;
using tidemark::testing::StandinShip;
using tidemark::testing::TempDir;

// Answers every statfs with a fixed usage and counts the calls.
class CountingStatter final : public FilesystemStatter {
 public:
  int statfs(const std::string& path, FilesystemUsage& out) override {
    ++calls;
    out.avail_bytes = 123'456'789;
    out.type = type;
    return 0;
  }
  int calls = 0;
  int64_t type = 0;  // as statfs(2) names the filesystem
};

void appendText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// The collector on the real /proc, with piers in a temp pier root; assertions name
// this test's piers, since other tests' ships may run meanwhile.
class ShipCollectorTest : public ::testing::Test {
 protected:
  ShipCollectorTest()
      : piers(std::filesystem::canonical(dir.path()).string() + "/piers"),
        bin(dir.str() + "/bin"),
        reader(""),
        side_batch(""),
        batch(""),
        log(clock) {
    std::filesystem::create_directories(piers);
    options.pier_roots = {piers};
    options.maintenance_log_path = dir.str() + "/maintenance.log";
  }

  ShipCollector& collector() {
    if (!collector_)
      collector_ =
          std::make_unique<ShipCollector>(reader, side_batch, log, clock, statter, options);
    return *collector_;
  }

  RecordingSampleWriter pass() {
    RecordingSampleWriter out;
    collector().prepare(batch);
    batch.submit();
    collector().collect(out);
    // Discovery sees every ship on this host, other tests' stand-ins included (ctest
    // runs in parallel): keep the samples of this fixture's piers and the host's own.
    std::erase_if(out.samples, [&](const auto& sample) {
      for (const auto& label : sample.labels) {
        if (label.name == "pier") return !label.value.starts_with(piers + "/");
      }
      return false;
    });
    return out;
  }

  Labels labels(const std::string& name) { return {{"pier", piers + "/" + name}, {"ship", name}}; }

  TempDir dir;
  std::string piers;
  std::string bin;
  PlainFileReader reader;
  PlainReadBatch side_batch;
  PlainReadBatch batch;
  ManualClock clock;
  ThrottledLog log;
  CountingStatter statter;
  ShipCollectorOptions options;
  std::unique_ptr<ShipCollector> collector_;
};

// The tests of what folder changes cause run twice: folders watched through inotify
// (the default), and statted every pass (inotify refused or off).
class ShipCollectorFolderModesTest : public ShipCollectorTest,
                                     public ::testing::WithParamInterface<bool> {
 protected:
  ShipCollectorFolderModesTest() { options.watch_folders = GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(Folders, ShipCollectorFolderModesTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Inotify" : "Statx"; });

TEST_P(ShipCollectorFolderModesTest, RunningShipSeries) {
  makeStandinPier(piers + "/sampel-palnet",
                  {.epochs = 2, .log_bytes = 100'000, .image_bytes = 1 << 20});
  StandinShip ship(bin, piers + "/sampel-palnet",
                   {"--loom", "32", "--http-port", "8081", "--rss-mb", "8"});
  const auto out = pass();
  const Labels l = labels("sampel-palnet");
  EXPECT_EQ(out.value("urbit_ship_up", l), 1);
  EXPECT_GE(out.value("urbit_ship_rss_bytes", l).value_or(0), 8.0 * (1 << 20));
  EXPECT_TRUE(out.value("urbit_ship_cpu_seconds_total", l).has_value());
  EXPECT_EQ(out.value("urbit_ship_loom_bytes", l), std::ldexp(1.0, 32));
  EXPECT_EQ(out.value("urbit_ship_snapshot_bytes", l), 1 << 20);
  EXPECT_DOUBLE_EQ(out.value("urbit_ship_loom_use_ratio", l).value_or(-1),
                   std::ldexp(1.0, 20 - 32));
  EXPECT_EQ(out.value("urbit_ship_event_log_epochs", l), 2);
  EXPECT_EQ(out.value("urbit_ship_event_log_bytes", l), 200'000);
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), 100'000);
  EXPECT_GT(out.value("urbit_ship_pier_bytes", l).value_or(0), 1 << 20);
  EXPECT_GT(out.value("urbit_ship_serf_map_count", l).value_or(0), 5);
  EXPECT_EQ(out.value("urbit_ship_filesystem_avail_bytes", l), 123'456'789);
  Labels public_port = l, loopback_port = l;
  public_port.push_back({"scope", "public"});
  public_port.push_back({"secure", "false"});
  loopback_port.push_back({"scope", "loopback"});
  loopback_port.push_back({"secure", "false"});
  EXPECT_EQ(out.value("urbit_ship_http_port", public_port), 8081);
  EXPECT_EQ(out.value("urbit_ship_http_port", loopback_port), 12321);
  EXPECT_TRUE(out.value("node_vm_max_map_count").has_value());
  // Unknown maintenance and no configured log: those series are absent.
  EXPECT_EQ(out.count("urbit_ship_seconds_since_pack"), 0u);
  EXPECT_EQ(out.count("urbit_ship_memory_failures_total"), 0u);
}

TEST_P(ShipCollectorFolderModesTest, HttpPortsFollowTheFileWithoutReReadingItEveryPass) {
  makeStandinPier(piers + "/ravlup");
  StandinShip ship(bin, piers + "/ravlup", {"--http-port", "8081"});
  Labels public_port = labels("ravlup");
  public_port.push_back({"scope", "public"});
  public_port.push_back({"secure", "false"});
  EXPECT_EQ(pass().value("urbit_ship_http_port", public_port), 8081);

  // A new file (the pier folder changes): seen once a pass has noticed the folder.
  const std::string ports = piers + "/ravlup/.http.ports";
  std::filesystem::remove(ports);
  appendText(ports, "8082 insecure public\n");
  pass();
  EXPECT_EQ(pass().value("urbit_ship_http_port", public_port), 8082);

  // Rewritten in place, the folder unchanged: seen by the next process scan at the latest.
  std::filesystem::resize_file(ports, 0);
  appendText(ports, "8083 insecure public\n");
  clock.advanceMs(options.process_scan_interval_ms);
  pass();
  EXPECT_EQ(pass().value("urbit_ship_http_port", public_port), 8083);

  std::filesystem::remove(ports);
  pass();
  EXPECT_FALSE(pass().value("urbit_ship_http_port", public_port));
}

TEST_F(ShipCollectorTest, DefaultLoomAndDownPiers) {
  makeStandinPier(piers + "/down-ship", {.image_bytes = 1 << 21});
  const auto out = pass();
  const Labels l = labels("down-ship");
  EXPECT_EQ(out.value("urbit_ship_up", l), 0);
  EXPECT_EQ(out.value("urbit_ship_loom_bytes", l), std::ldexp(1.0, 31));
  EXPECT_DOUBLE_EQ(out.value("urbit_ship_loom_use_ratio", l).value_or(-1),
                   std::ldexp(1.0, 21 - 31));
  EXPECT_FALSE(out.value("urbit_ship_rss_bytes", l));
  EXPECT_EQ(out.count("urbit_ship_http_port"), 0u);
}

TEST_F(ShipCollectorTest, ShipStoppedBetweenPassesGoesDownWithoutAFullScanWait) {
  makeStandinPier(piers + "/zod");
  StandinShip ship(bin, piers + "/zod");
  EXPECT_EQ(pass().value("urbit_ship_up", labels("zod")), 1);
  const uint64_t scans = collector().processScans();
  ASSERT_EQ(ship.stop(), 0);
  clock.advanceMs(10'000);  // well inside the 30 s scan cadence
  EXPECT_EQ(pass().value("urbit_ship_up", labels("zod")), 0);
  // The vanished PID asks for a scan at the next pass, which confirms the ship is down.
  clock.advanceMs(10'000);
  EXPECT_EQ(pass().value("urbit_ship_up", labels("zod")), 0);
  EXPECT_EQ(collector().processScans(), scans + 1);
}

TEST_F(ShipCollectorTest, ProcessScansRunOnTheirCadenceOrWhenAPierRootChanges) {
  makeStandinPier(piers + "/one");
  pass();
  EXPECT_EQ(collector().processScans(), 1u);
  clock.advanceMs(10'000);
  pass();
  EXPECT_EQ(collector().processScans(), 1u);
  // A new pier folder changes the root's mtime: the next pass scans at once.
  makeStandinPier(piers + "/two");
  clock.advanceMs(10'000);
  pass();  // notices the change
  clock.advanceMs(1'000);
  const auto out = pass();
  EXPECT_EQ(collector().processScans(), 2u);
  EXPECT_EQ(out.value("urbit_ship_up", labels("two")), 0);
  clock.advanceMs(30'000);
  pass();
  EXPECT_EQ(collector().processScans(), 3u);
}

TEST_P(ShipCollectorFolderModesTest, ScansKeepTheFoldersOfASteadyShipOpen) {
  makeStandinPier(piers + "/marzod");
  StandinShip ship(bin, piers + "/marzod");
  EXPECT_EQ(pass().value("urbit_ship_up", labels("marzod")), 1);
  const uint64_t opens = collector().folderOpens(piers + "/marzod");
  EXPECT_GE(opens, 1u);
  clock.advanceMs(options.process_scan_interval_ms);
  const uint64_t scans = collector().processScans();
  EXPECT_EQ(pass().value("urbit_ship_up", labels("marzod")), 1);
  EXPECT_EQ(collector().processScans(), scans + 1);
  // Watched folders with no event keep their fds; statted ones are opened at each scan.
  EXPECT_EQ(collector().folderOpens(piers + "/marzod"), GetParam() ? opens : opens + 1);

  // An event in the pier folder: the next scan opens the folders again.
  appendText(piers + "/marzod/.urb/put/export", "x");  // not the pier folder itself
  std::filesystem::rename(piers + "/marzod/.urb/put/export", piers + "/marzod/export");
  pass();
  clock.advanceMs(options.process_scan_interval_ms);
  EXPECT_EQ(pass().value("urbit_ship_up", labels("marzod")), 1);
  EXPECT_EQ(collector().folderOpens(piers + "/marzod"), GetParam() ? opens + 1 : opens + 2);
}

TEST_P(ShipCollectorFolderModesTest, TrackedFileReplacedWithoutAFolderEventIsSeenAtOnce) {
  makeStandinPier(piers + "/wes", {.epochs = 1, .log_bytes = 10'000});
  const Labels l = labels("wes");
  EXPECT_EQ(pass().value("urbit_ship_event_log_newest_epoch_bytes", l), 10'000);
  const uint64_t walks = collector().pierWalks();
  // Renamed over inside the epoch folder, which nothing watches: the held file is
  // now unlinked, and its path names another one.
  const std::string epoch = piers + "/wes/.urb/log/0i0";
  appendText(epoch + "/data.mdb.new", std::string(25'000, 'r'));
  std::filesystem::rename(epoch + "/data.mdb.new", epoch + "/data.mdb");
  clock.advanceMs(10'000);
  auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), 25'000);
  EXPECT_EQ(out.value("urbit_ship_event_log_bytes", l), 25'000);
  // The new file is followed from then on, and the pier is walked again.
  appendText(epoch + "/data.mdb", std::string(5'000, 'g'));
  clock.advanceMs(10'000);
  out = pass();
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), 30'000);
  EXPECT_EQ(collector().pierWalks(), walks + 1);
}

TEST_P(ShipCollectorFolderModesTest, PierSizeFollowsGrowthCheaplyAndWalksOnItsCadence) {
  makeStandinPier(piers + "/nec", {.epochs = 1, .log_bytes = 64 * 1024});
  const Labels l = labels("nec");
  const double before = pass().value("urbit_ship_event_log_bytes", l).value_or(0);
  EXPECT_EQ(collector().pierWalks(), 1u);
  appendText(piers + "/nec/.urb/log/0i0/data.mdb", std::string(500'000, 'e'));
  clock.advanceMs(10'000);
  auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_event_log_bytes", l), before + 500'000);
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), before + 500'000);
  EXPECT_EQ(collector().pierWalks(), 1u);  // no walk for growth of a tracked file

  // A file the cheap update does not track shows up only at the next full walk.
  appendText(piers + "/nec/.urb/put/large-export", std::string(400'000, 'p'));
  const double pier_bytes = out.value("urbit_ship_pier_bytes", l).value_or(0);
  clock.advanceMs(10'000);
  EXPECT_EQ(pass().value("urbit_ship_pier_bytes", l), pier_bytes);
  clock.advanceMs(options.pier_walk_interval_ms);
  EXPECT_GE(pass().value("urbit_ship_pier_bytes", l).value_or(0), pier_bytes + 400'000);
  EXPECT_EQ(collector().pierWalks(), 2u);
}

TEST_P(ShipCollectorFolderModesTest, NewEpochTriggersAWalkOfThatPier) {
  makeStandinPier(piers + "/bus", {.epochs = 1, .log_bytes = 10'000});
  const Labels l = labels("bus");
  EXPECT_EQ(pass().value("urbit_ship_event_log_epochs", l), 1);
  std::filesystem::create_directories(piers + "/bus/.urb/log/0i5000");
  appendText(piers + "/bus/.urb/log/0i5000/data.mdb", std::string(20'000, 'n'));
  clock.advanceMs(10'000);
  pass();  // sees .urb/log changed
  clock.advanceMs(10'000);
  const auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_event_log_epochs", l), 2);
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), 20'000);
  EXPECT_EQ(out.value("urbit_ship_event_log_bytes", l), 30'000);
}

TEST_F(ShipCollectorTest, UnchangedTrackedFilesAreStattedOnlyOnTheirCadence) {
  options.tracked_stat_every_passes = 4;
  makeStandinPier(piers + "/ravsyr", {.epochs = 1, .log_bytes = 10'000, .image_bytes = 4096});
  const Labels l = labels("ravsyr");
  EXPECT_EQ(pass().value("urbit_ship_event_log_newest_epoch_bytes", l), 10'000);
  const uint64_t first = collector().trackedStats();
  ASSERT_GE(first, 2u);  // the newest data.mdb and image.bin, statted once after the walk
  auto stats = [&] { return collector().trackedStats() - first; };
  auto step = [&] {
    clock.advanceMs(1'000);
    return pass();
  };
  step();
  step();
  EXPECT_EQ(stats(), 0u);  // nothing written: nothing statted
  EXPECT_EQ(step().value("urbit_ship_event_log_newest_epoch_bytes", l), 10'000);
  EXPECT_EQ(stats(), first);  // the fourth pass stats them all anyway

  // A write is seen the next pass, through the file's own watch: only it is statted.
  appendText(piers + "/ravsyr/.urb/log/0i0/data.mdb", std::string(2'500, 'w'));
  auto out = step();
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), 12'500);
  EXPECT_EQ(out.value("urbit_ship_event_log_bytes", l), 12'500);
  EXPECT_EQ(stats(), first + 1);
  EXPECT_EQ(step().value("urbit_ship_event_log_newest_epoch_bytes", l), 12'500);
  EXPECT_EQ(stats(), first + 1);
  EXPECT_EQ(collector().pierWalks(), 1u);  // growth walks nothing
}

TEST_F(ShipCollectorTest, PiersOnALocalFilesystemSkipTheTimeoutStatterAfterTheFirstPass) {
  statter.type = EXT4_SUPER_MAGIC;
  makeStandinPier(piers + "/daplyd");
  const Labels l = labels("daplyd");
  EXPECT_EQ(pass().value("urbit_ship_filesystem_avail_bytes", l), 123'456'789);
  for (int i = 0; i < 2; ++i) {
    clock.advanceMs(1'000);
    const auto avail = pass().value("urbit_ship_filesystem_avail_bytes", l);
    ASSERT_TRUE(avail.has_value());
    EXPECT_NE(*avail, 123'456'789);  // the real statfs of the temp folder's filesystem
  }
  EXPECT_EQ(statter.calls, 1);
}

TEST_F(ShipCollectorTest, PiersOnANetworkFilesystemKeepTheTimeoutStatter) {
  statter.type = NFS_SUPER_MAGIC;
  makeStandinPier(piers + "/sogryp");
  for (int i = 0; i < 3; ++i) {
    clock.advanceMs(1'000);
    EXPECT_EQ(pass().value("urbit_ship_filesystem_avail_bytes", labels("sogryp")), 123'456'789);
  }
  EXPECT_EQ(statter.calls, 3);
}

TEST_F(ShipCollectorTest, WithoutInotifyTrackedFilesAreStattedEveryPass) {
  options.watch_folders = false;
  makeStandinPier(piers + "/mopsyr", {.epochs = 1, .log_bytes = 10'000, .image_bytes = 4096});
  pass();
  const uint64_t first = collector().trackedStats();
  ASSERT_GE(first, 2u);
  clock.advanceMs(1'000);
  pass();
  EXPECT_EQ(collector().trackedStats(), 2 * first);
}

TEST_F(ShipCollectorTest, PierChangeSeenThroughInotifyWalksAndUpdatesPierSize) {
  makeStandinPier(piers + "/dozzod", {.epochs = 1, .log_bytes = 10'000});
  StandinShip ship(bin, piers + "/dozzod");
  const Labels l = labels("dozzod");
  const double pier_bytes = pass().value("urbit_ship_pier_bytes", l).value_or(0);
  ASSERT_GT(pier_bytes, 0);
  ASSERT_GE(collector().folderWatches(), 3u);  // the pier, .urb/log, .urb/chk
  const uint64_t walks = collector().pierWalks();
  clock.advanceMs(10'000);
  pass();
  EXPECT_EQ(collector().pierWalks(), walks);  // nothing changed: no stat told, no walk

  std::filesystem::create_directories(piers + "/dozzod/.urb/log/0i7000");
  appendText(piers + "/dozzod/.urb/log/0i7000/data.mdb", std::string(300'000, 'n'));
  clock.advanceMs(10'000);
  // The event is read before the pass's walks: the new epoch counts in this very pass.
  const auto out = pass();
  EXPECT_EQ(collector().pierWalks(), walks + 1);
  EXPECT_EQ(out.value("urbit_ship_event_log_epochs", l), 2);
  EXPECT_EQ(out.value("urbit_ship_event_log_newest_epoch_bytes", l), 300'000);
  EXPECT_GE(out.value("urbit_ship_pier_bytes", l).value_or(0), pier_bytes + 300'000);

  // Another snapshot layout in .urb/chk: walked again.
  appendText(piers + "/dozzod/.urb/chk/north.bin", std::string(4096, 'a'));
  clock.advanceMs(10'000);
  pass();
  EXPECT_EQ(collector().pierWalks(), walks + 2);
  clock.advanceMs(10'000);
  pass();
  EXPECT_EQ(collector().pierWalks(), walks + 2);
}

TEST_F(ShipCollectorTest, FoldersPastTheWatchLimitAreStattedInstead) {
  options.max_folder_watches = 1;  // the pier folder only; .urb/log and .urb/chk statted
  makeStandinPier(piers + "/lapsyr", {.epochs = 1, .log_bytes = 10'000});
  const Labels l = labels("lapsyr");
  tidemark::testing::LogCapture capture;
  EXPECT_EQ(pass().value("urbit_ship_event_log_epochs", l), 1);
  EXPECT_EQ(collector().folderWatches(), 1u);
  EXPECT_THAT(capture.text(), HasSubstr("inotify watch limit"));

  std::filesystem::create_directories(piers + "/lapsyr/.urb/log/0i9000");
  appendText(piers + "/lapsyr/.urb/log/0i9000/data.mdb", std::string(20'000, 'n'));
  clock.advanceMs(10'000);
  pass();  // the stat of .urb/log sees its new mtime
  clock.advanceMs(10'000);
  const auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_event_log_epochs", l), 2);
  EXPECT_EQ(out.value("urbit_ship_event_log_bytes", l), 30'000);
}

TEST_F(ShipCollectorTest, WithoutInotifyNoFolderIsWatched) {
  options.watch_folders = false;
  makeStandinPier(piers + "/binzod");
  EXPECT_EQ(pass().value("urbit_ship_up", labels("binzod")), 0);
  EXPECT_EQ(collector().folderWatches(), 0u);
}

TEST_F(ShipCollectorTest, MemoryFailuresCountedAcrossAppendsAndTruncation) {
  makeStandinPier(piers + "/wes");
  const std::string ship_log = dir.str() + "/wes.log";
  options.ship_logs = {{"wes", ship_log}};
  appendText(ship_log, "boot\nbail: meme\nloom: fault mprotect (1): Out of memory\n");
  Labels meme = labels("wes"), mprotect = labels("wes"), mapping = labels("wes");
  meme.push_back({"kind", "meme"});
  mprotect.push_back({"kind", "mprotect"});
  mapping.push_back({"kind", "mapping"});
  auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_memory_failures_total", meme), 1);
  EXPECT_EQ(out.value("urbit_ship_memory_failures_total", mprotect), 1);
  EXPECT_EQ(out.value("urbit_ship_memory_failures_total", mapping), 0);
  appendText(ship_log, "bail: meme\nboot: mapping 4096MB failed\n");
  out = pass();
  EXPECT_EQ(out.value("urbit_ship_memory_failures_total", meme), 2);
  EXPECT_EQ(out.value("urbit_ship_memory_failures_total", mapping), 1);
  std::filesystem::resize_file(ship_log, 0);
  appendText(ship_log, "bail: meme\n");
  out = pass();
  EXPECT_EQ(out.value("urbit_ship_memory_failures_total", meme), 3);  // a counter: never goes back
}

TEST_F(ShipCollectorTest, SecondsSinceOkPackAndMeld) {
  makeStandinPier(piers + "/lur");
  const int64_t now_s = clock.wallMs() / 1000;
  appendText(options.maintenance_log_path,
             std::to_string(now_s - 3600) + " " + piers + "/lur pack ok\n" +
                 std::to_string(now_s - 60) + " " + piers + "/lur pack failed\n" +
                 std::to_string(now_s - 7200) + " " + piers + "/lur meld ok\n");
  const auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_seconds_since_pack", labels("lur")), 3600);
  EXPECT_EQ(out.value("urbit_ship_seconds_since_meld", labels("lur")), 7200);
}

TEST_F(ShipCollectorTest, SnapshotShrinkingClearlyCountsAsAPackAcrossARestart) {
  options.pack_evidence_path = dir.str() + "/pack_evidence.log";
  makeStandinPier(piers + "/rovnys", {.image_bytes = 1 << 20});
  const std::string image = piers + "/rovnys/.urb/chk/image.bin";
  EXPECT_FALSE(pass().value("urbit_ship_seconds_since_pack", labels("rovnys")));
  std::filesystem::resize_file(image, 950'000);  // ordinary churn between saves
  clock.advanceMs(1'000);
  EXPECT_FALSE(pass().value("urbit_ship_seconds_since_pack", labels("rovnys")));
  std::filesystem::resize_file(image, 300'000);
  clock.advanceMs(1'000);
  pass();  // sees the drop and records it
  clock.advanceMs(45'000);
  EXPECT_EQ(pass().value("urbit_ship_seconds_since_pack", labels("rovnys")), 45);
  EXPECT_FALSE(pass().value("urbit_ship_seconds_since_meld", labels("rovnys")));

  collector_.reset();  // an agent restart: the evidence is in the state dir
  clock.advanceMs(15'000);
  EXPECT_EQ(pass().value("urbit_ship_seconds_since_pack", labels("rovnys")), 60);
}

TEST_F(ShipCollectorTest, PackAndMeldLinesInTheShipLogAfterTheAgentStartedCount) {
  options.pack_evidence_path = dir.str() + "/pack_evidence.log";
  makeStandinPier(piers + "/dozzod");
  const std::string ship_log = dir.str() + "/dozzod.log";
  options.ship_logs = {{"dozzod", ship_log}};
  // Printed before the agent watched: no time to give it.
  appendText(ship_log, "pack: gained: 10 MB\n");
  EXPECT_FALSE(pass().value("urbit_ship_seconds_since_pack", labels("dozzod")));
  appendText(ship_log, "~dozzod:dojo> |pack\npack: gained: 112 MB\n");
  pass();
  clock.advanceMs(20'000);
  appendText(ship_log, "urbit: meld: gained: 40 MB\n");
  pass();
  clock.advanceMs(10'000);
  const auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_seconds_since_pack", labels("dozzod")), 30);
  EXPECT_EQ(out.value("urbit_ship_seconds_since_meld", labels("dozzod")), 10);
}

TEST_F(ShipCollectorTest, TheNewestOfMaintenanceLogAndFileEvidenceWins) {
  options.pack_evidence_path = dir.str() + "/pack_evidence.log";
  makeStandinPier(piers + "/lagrev");
  const int64_t now_s = clock.wallMs() / 1000;
  appendText(options.maintenance_log_path, std::to_string(now_s - 600) + " " + piers +
                                               "/lagrev pack ok\n" + std::to_string(now_s - 100) +
                                               " " + piers + "/lagrev meld ok\n");
  appendText(options.pack_evidence_path, std::to_string(now_s - 300) + " " + piers +
                                             "/lagrev pack ok\n" + std::to_string(now_s - 900) +
                                             " " + piers + "/lagrev meld ok\n");
  const auto out = pass();
  EXPECT_EQ(out.value("urbit_ship_seconds_since_pack", labels("lagrev")), 300);
  EXPECT_EQ(out.value("urbit_ship_seconds_since_meld", labels("lagrev")), 100);
}

TEST_P(ShipCollectorFolderModesTest, OneStatfsPerFilesystem) {
  for (const char* name : {"a", "b", "c", "d"}) makeStandinPier(piers + "/" + name);
  const auto out = pass();
  EXPECT_EQ(out.count("urbit_ship_filesystem_avail_bytes"), 4u);
  EXPECT_EQ(statter.calls, 1);
}

TEST_P(ShipCollectorFolderModesTest, JunkPortsAndUnreadableFilesNeverCrash) {
  makeStandinPier(piers + "/marzod");
  StandinShip ship(bin, piers + "/marzod");
  appendText(piers + "/marzod/.http.ports", "junk line\n99999 insecure public\n");
  std::filesystem::permissions(piers + "/marzod/.urb/chk", std::filesystem::perms::none);
  tidemark::testing::LogCapture capture;
  const auto out = pass();
  std::filesystem::permissions(piers + "/marzod/.urb/chk", std::filesystem::perms::owner_all);
  EXPECT_EQ(out.value("urbit_ship_up", labels("marzod")), 1);
  EXPECT_EQ(out.count("urbit_ship_http_port") >= 2, true);
  EXPECT_THAT(capture.text(), HasSubstr("junk line"));
}

TEST_F(ShipCollectorTest, HundredPiersInOnePass) {
  for (int i = 0; i < 100; ++i)
    makeStandinPier(piers + "/ship-" + std::to_string(i), {.log_bytes = 4096, .image_bytes = 4096});
  const auto out = pass();
  size_t mine = 0;
  for (const auto& sample : out.samples)
    if (sample.name == "urbit_ship_up" && sample.labels[0].value.starts_with(piers + "/ship-"))
      ++mine;
  EXPECT_EQ(mine, 100u);
  EXPECT_EQ(statter.calls, 1);
}

// The process series from either source: each process's /proc/PID/stat through the
// batch, or the BPF task iterator (where the kernel allows it: CAP_BPF and CAP_PERFMON).
class ShipCollectorProcessSourceTest : public ShipCollectorTest,
                                       public ::testing::WithParamInterface<ProcessStatsSource> {
 protected:
  ShipCollectorProcessSourceTest() { options.process_stats = GetParam(); }

  // Skips where the kernel refused the iterator (the collector then reads /proc).
  bool iteratorRefused() {
    return GetParam() == ProcessStatsSource::kTaskIterator &&
           collector().lastProcessStatsSource() != ProcessStatsSource::kTaskIterator;
  }
};
INSTANTIATE_TEST_SUITE_P(Sources, ShipCollectorProcessSourceTest,
                         ::testing::Values(ProcessStatsSource::kProc,
                                           ProcessStatsSource::kTaskIterator),
                         [](const auto& info) {
                           return info.param == ProcessStatsSource::kProc ? "Proc"
                                                                          : "TaskIterator";
                         });

TEST_P(ShipCollectorProcessSourceTest, UpRssAndCpuOfARunningShipThenDownWhenItStops) {
  makeStandinPier(piers + "/zod");
  StandinShip ship(bin, piers + "/zod", {"--rss-mb", "8"});
  const auto out = pass();
  if (iteratorRefused()) GTEST_SKIP() << "the kernel refuses the task iterator here";
  EXPECT_EQ(collector().lastProcessStatsSource(), GetParam());
  const Labels l = labels("zod");
  EXPECT_EQ(out.value("urbit_ship_up", l), 1);
  EXPECT_GE(out.value("urbit_ship_rss_bytes", l).value_or(0), 8.0 * (1 << 20));
  EXPECT_GE(out.value("urbit_ship_cpu_seconds_total", l).value_or(-1), 0);
  const bool iterator = GetParam() == ProcessStatsSource::kTaskIterator;
  EXPECT_EQ(out.value("tidemark_agent_process_stats_source",
                      Labels{{"source", iterator ? "bpf" : "proc"}}),
            1);
  EXPECT_FALSE(out.value("tidemark_agent_process_stats_source",
                         Labels{{"source", iterator ? "proc" : "bpf"}}));

  ASSERT_EQ(ship.stop(), 0);
  clock.advanceMs(10'000);
  const auto after = pass();
  EXPECT_EQ(after.value("urbit_ship_up", l), 0);
  EXPECT_FALSE(after.value("urbit_ship_rss_bytes", l));
}

TEST_F(ShipCollectorTest, AnIteratorTheKernelRefusesLeavesTheShipsToProc) {
  options.process_stats = ProcessStatsSource::kTaskIterator;
  options.open_task_sampler = [](std::string& why) -> std::unique_ptr<BpfTaskSampler> {
    why = "refused for the test";
    return nullptr;
  };
  makeStandinPier(piers + "/zod");
  StandinShip ship(bin, piers + "/zod", {"--rss-mb", "8"});
  const auto out = pass();
  EXPECT_EQ(collector().lastProcessStatsSource(), ProcessStatsSource::kProc);
  EXPECT_EQ(out.value("urbit_ship_up", labels("zod")), 1);
  EXPECT_GE(out.value("urbit_ship_rss_bytes", labels("zod")).value_or(0), 8.0 * (1 << 20));
}

TEST_F(ShipCollectorTest, AutoProbesBothSourcesAndTheCpuCounterNeverGoesBack) {
  options.process_stats = ProcessStatsSource::kAuto;
  options.process_stats_probe = {.warmup_passes = 1, .probe_passes = 6, .hold_passes = 3};
  makeStandinPier(piers + "/zod");
  StandinShip ship(bin, piers + "/zod", {"--rss-mb", "8"});
  std::vector<ProcessStatsSource> sources;
  std::vector<double> cpu;
  for (int i = 0; i < 10; ++i) {
    const auto out = pass();
    sources.push_back(collector().lastProcessStatsSource());
    cpu.push_back(out.value("urbit_ship_cpu_seconds_total", labels("zod")).value_or(-1));
    EXPECT_EQ(out.value("urbit_ship_up", labels("zod")), 1) << "pass " << i;
  }
  if (!collector().processStatsChooser().decided())
    GTEST_SKIP() << "the kernel refuses the task iterator here: auto reads /proc only";
  using enum ProcessStatsSource;
  // The warm-up pass, then /proc and the iterator in turn, then the cheaper one held.
  EXPECT_EQ(std::vector<ProcessStatsSource>(sources.begin(), sources.begin() + 7),
            (std::vector<ProcessStatsSource>{kProc, kProc, kTaskIterator, kProc, kTaskIterator,
                                             kProc, kTaskIterator}));
  const ProcessStatsSource kept = collector().processStatsChooser().kept();
  EXPECT_EQ(sources[7], kept);
  EXPECT_GT(collector().processStatsChooser().medianNs(kProc), 0);
  EXPECT_GT(collector().processStatsChooser().medianNs(kTaskIterator), 0);
  // /proc's ticks truncate what the iterator counts in ns: alternating, the counter
  // would step back; it holds instead.
  for (size_t i = 1; i < cpu.size(); ++i) EXPECT_GE(cpu[i], cpu[i - 1]) << "pass " << i;
}

}  // namespace
}  // namespace tidemark::agent
