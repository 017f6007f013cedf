// Incremental process scans over a fixture /proc: what a scan learnt of each process
// is kept by PID and /proc/PID inode, and only new or changed processes are read.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/ships/ship_discovery.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

class ShipDiscoveryIncrementalTest : public ::testing::Test {
 protected:
  ShipDiscoveryIncrementalTest()
      : root(std::filesystem::canonical(dir.path()).string()),
        reader(root),
        batch(root),
        log(clock) {
    std::filesystem::create_directories(root + "/proc");
    std::filesystem::create_directories(root + "/piers");
  }

  // Writes /proc/PID/{cmdline,stat,cwd} for a process running `arguments`.
  void writeProcess(const std::string& folder, int64_t pid,
                    const std::vector<std::string>& arguments, int64_t ppid = 1,
                    uint64_t start_ticks = 1000) {
    std::filesystem::create_directories(folder);
    std::string cmdline;
    for (const auto& argument : arguments) cmdline += argument + '\0';
    { std::ofstream(folder + "/cmdline", std::ios::trunc | std::ios::binary) << cmdline; }
    {
      std::ofstream(folder + "/stat", std::ios::trunc)
          << pid << " (" << (arguments.empty() ? "kthreadd" : arguments.front()) << ") S " << ppid
          << " 1 1 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 " << start_ticks
          << " 1000 300 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    }
  }
  void addProcess(int64_t pid, const std::vector<std::string>& arguments, int64_t ppid = 1,
                  uint64_t start_ticks = 1000) {
    writeProcess(procFolder(pid), pid, arguments, ppid, start_ticks);
  }
  // A new process on a reused PID: its folder is made before the old one goes, so the
  // filesystem cannot hand it the old inode number (procfs never does).
  void replaceProcess(int64_t pid, const std::vector<std::string>& arguments,
                      uint64_t start_ticks) {
    const std::string fresh = root + "/proc/fresh";
    writeProcess(fresh, pid, arguments, 1, start_ticks);
    std::filesystem::remove_all(procFolder(pid));
    std::filesystem::rename(fresh, procFolder(pid));
  }
  std::string procFolder(int64_t pid) const { return root + "/proc/" + std::to_string(pid); }
  // A pier whose .vere.lock names `king`.
  std::string makePier(const std::string& name, int64_t king) {
    const std::string pier = "/piers/" + name;
    std::filesystem::create_directories(root + pier + "/.urb/log");
    std::ofstream(root + pier + "/.vere.lock", std::ios::trunc) << king << "\n";
    return pier;
  }
  void addShip(const std::string& pier, int64_t king, int64_t serf, uint64_t start_ticks = 1000) {
    addProcess(king, {"urbit", "--loom", "32", pier}, 1, start_ticks);
    addProcess(serf, {"urbit", "work", "--snap-dir", pier, "--loom", "32"}, king, start_ticks + 1);
  }

  static const DiscoveredShip* find(const std::vector<DiscoveredShip>& ships,
                                    const std::string& pier) {
    for (const auto& ship : ships)
      if (ship.pier == pier) return &ship;
    return nullptr;
  }

  TempDir dir;
  std::string root;
  PlainFileReader reader;
  PlainReadBatch batch;
  ManualClock clock;
  ThrottledLog log;
};

TEST_F(ShipDiscoveryIncrementalTest, SteadyScanReadsNoCmdlineNorLock) {
  const std::string pier = makePier("zod", 100);
  addShip(pier, 100, 101);
  addProcess(50, {"/usr/sbin/sshd", "-D"});
  addProcess(2, {});  // a kernel thread: empty cmdline
  ShipDiscovery discovery(reader, batch, log, {});
  const auto first = discovery.scan();
  EXPECT_TRUE(discovery.lastScanFull());
  EXPECT_EQ(discovery.lastScanProcesses(), 4u);
  EXPECT_EQ(discovery.lastScanLockReads(), 1u);

  // New processes are read once more, in case they were caught before their exec.
  discovery.scan();
  EXPECT_FALSE(discovery.lastScanFull());
  EXPECT_EQ(discovery.lastScanProcesses(), 4u);
  EXPECT_EQ(discovery.lastScanLockReads(), 0u);  // the same single king as last scan

  const auto third = discovery.scan();
  EXPECT_FALSE(discovery.lastScanFull());
  EXPECT_EQ(discovery.lastScanProcesses(), 0u);
  EXPECT_EQ(discovery.lastScanLockReads(), 0u);
  const DiscoveredShip* found = find(third, pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(*found->king, (ShipProcess{100, 1000}));
  ASSERT_TRUE(found->serf);
  EXPECT_EQ(*found->serf, (ShipProcess{101, 1001}));
  EXPECT_EQ(found->loom_bits, 32);
}

TEST_F(ShipDiscoveryIncrementalTest, NewProcessIsFoundAtTheNextScan) {
  addProcess(50, {"bash"});
  ShipDiscovery discovery(reader, batch, log, {});
  EXPECT_TRUE(discovery.scan().empty());
  EXPECT_TRUE(discovery.scan().empty());
  const std::string pier = makePier("bus", 200);
  addShip(pier, 200, 201);
  const auto ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanProcesses(), 2u);  // only the two new ones
  EXPECT_EQ(discovery.lastScanLockReads(), 1u);  // a king not seen before
  const DiscoveredShip* found = find(ships, pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->pid, 200);
  ASSERT_TRUE(found->serf);
  EXPECT_EQ(found->serf->pid, 201);
}

TEST_F(ShipDiscoveryIncrementalTest, ReusedPidIsReadAgain) {
  const std::string pier = makePier("nec", 300);
  addShip(pier, 300, 301);
  ShipDiscovery discovery(reader, batch, log, {});
  ASSERT_TRUE(find(discovery.scan(), pier)->king);
  // The ship stops and an unrelated process gets the king's PID.
  replaceProcess(300, {"vim", "notes"}, 5000);
  std::filesystem::remove_all(procFolder(301));
  auto ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanProcesses(), 1u);
  EXPECT_EQ(find(ships, pier), nullptr);

  // And the other way round: a ship starts on a PID that ran something else.
  replaceProcess(300, {"urbit", pier}, 6000);
  ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanProcesses(), 1u);
  const DiscoveredShip* found = find(ships, pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(*found->king, (ShipProcess{300, 6000}));
}

TEST_F(ShipDiscoveryIncrementalTest, ExecIntoUrbitIsFoundAtTheNextFullScanAndNotBefore) {
  addProcess(400, {"sh", "/usr/local/bin/start-ship"});
  const std::string pier = makePier("wes", 400);
  ShipDiscovery discovery(reader, batch, log, {}, 4);
  EXPECT_EQ(find(discovery.scan(), pier), nullptr);  // scan 1: full
  EXPECT_EQ(find(discovery.scan(), pier), nullptr);  // scan 2: read again, same cmdline
  // The wrapper exec's urbit: same process, same /proc folder, new command line.
  addProcess(400, {"urbit", pier});
  EXPECT_EQ(find(discovery.scan(), pier), nullptr);  // scan 3
  EXPECT_FALSE(discovery.lastScanFull());
  EXPECT_EQ(discovery.lastScanProcesses(), 0u);
  EXPECT_EQ(find(discovery.scan(), pier), nullptr);  // scan 4
  EXPECT_FALSE(discovery.lastScanFull());
  const auto ships = discovery.scan();  // scan 5: full
  EXPECT_TRUE(discovery.lastScanFull());
  EXPECT_EQ(discovery.lastScanProcesses(), 1u);
  const DiscoveredShip* found = find(ships, pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->pid, 400);
}

TEST_F(ShipDiscoveryIncrementalTest, FullScanReadsEverythingAgain) {
  const std::string pier = makePier("lur", 500);
  addShip(pier, 500, 501);
  addProcess(60, {"cron"});
  ShipDiscovery discovery(reader, batch, log, {}, 3);
  discovery.scan();
  discovery.scan();
  discovery.scan();
  EXPECT_EQ(discovery.lastScanProcesses(), 0u);
  const auto ships = discovery.scan();
  EXPECT_TRUE(discovery.lastScanFull());
  EXPECT_EQ(discovery.lastScanProcesses(), 3u);
  EXPECT_EQ(discovery.lastScanLockReads(), 1u);
  ASSERT_NE(find(ships, pier), nullptr);
  EXPECT_TRUE(find(ships, pier)->serf);
}

TEST_F(ShipDiscoveryIncrementalTest, ProcessCaughtBetweenForkAndExecIsReadAgain) {
  const std::string pier = makePier("pem", 900);
  addProcess(900, {"urbit", pier}, 1, 1000);
  // The king's child before its exec into the serf: the king's command line.
  addProcess(901, {"urbit", pier}, 900, 1001);
  ShipDiscovery discovery(reader, batch, log, {});
  auto ships = discovery.scan();
  ASSERT_TRUE(find(ships, pier)->king);
  EXPECT_EQ(find(ships, pier)->king->pid, 900);  // the lock holder
  EXPECT_FALSE(find(ships, pier)->serf);
  addProcess(901, {"urbit", "work", "--snap-dir", pier, "--loom", "31"}, 900, 1001);
  ships = discovery.scan();
  ASSERT_TRUE(find(ships, pier)->serf);
  EXPECT_EQ(*find(ships, pier)->serf, (ShipProcess{901, 1001}));
  EXPECT_EQ(find(ships, pier)->loom_bits, 31);
  discovery.scan();  // the serf's new command line, read once more
  EXPECT_EQ(discovery.lastScanProcesses(), 1u);
  ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanProcesses(), 0u);
  EXPECT_TRUE(find(ships, pier)->serf);
}

TEST_F(ShipDiscoveryIncrementalTest, VanishedProcessesAreForgotten) {
  const std::string pier = makePier("pen", 600);
  addShip(pier, 600, 601);
  ShipDiscovery discovery(reader, batch, log, {});
  ASSERT_TRUE(find(discovery.scan(), pier)->king);
  std::filesystem::remove_all(procFolder(600));
  std::filesystem::remove_all(procFolder(601));
  EXPECT_EQ(find(discovery.scan(), pier), nullptr);
  // Back on the same PIDs, in folders made anew: read again, not taken from memory.
  addShip(pier, 600, 601, 9000);
  const auto ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanProcesses(), 2u);
  const DiscoveredShip* found = find(ships, pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->start_ticks, 9000u);
}

TEST_F(ShipDiscoveryIncrementalTest, SecondKingOnAPierChecksTheLockAgain) {
  const std::string pier = makePier("bud", 700);
  addShip(pier, 700, 701, 1000);
  ShipDiscovery discovery(reader, batch, log, {});
  discovery.scan();
  // A second `urbit <pier>`, younger, refused by the lock: the lock decides again.
  addProcess(710, {"urbit", pier}, 1, 2000);
  const auto ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanLockReads(), 1u);
  ASSERT_TRUE(find(ships, pier)->king);
  EXPECT_EQ(find(ships, pier)->king->pid, 700);
}

TEST_F(ShipDiscoveryIncrementalTest, PierRootIsListedAgainOnlyWhenItChanged) {
  makePier("stopped-1", 1);
  makePier("stopped-2", 1);
  std::filesystem::create_directories(root + "/piers/not-yet");
  // An hour back: the changes below move the mtime however fast the test runs.
  const std::string piers = root + "/piers";
  std::filesystem::last_write_time(piers,
                                   std::filesystem::last_write_time(piers) - std::chrono::hours(1));
  ShipDiscovery discovery(reader, batch, log, {"/piers"});
  auto ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanPierRootStats(), 3u);
  EXPECT_NE(find(ships, "/piers/stopped-1"), nullptr);
  EXPECT_EQ(find(ships, "/piers/not-yet"), nullptr);

  // Unchanged root: only the entry that was not a pier is statted again, and it may
  // have become one in place (which leaves the root's mtime alone).
  std::filesystem::create_directories(root + "/piers/not-yet/.urb");
  ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanPierRootStats(), 1u);
  EXPECT_NE(find(ships, "/piers/not-yet"), nullptr);
  EXPECT_NE(find(ships, "/piers/stopped-2"), nullptr);
  ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanPierRootStats(), 0u);
  EXPECT_EQ(ships.size(), 3u);

  // A folder added or removed moves the root's mtime: listed and statted anew.
  std::filesystem::remove_all(root + "/piers/stopped-1");
  makePier("new", 1);
  ships = discovery.scan();
  EXPECT_EQ(discovery.lastScanPierRootStats(), 3u);
  EXPECT_EQ(find(ships, "/piers/stopped-1"), nullptr);
  EXPECT_NE(find(ships, "/piers/new"), nullptr);
}

TEST_F(ShipDiscoveryIncrementalTest, PierThatLostItsUrbInPlaceGoesAtTheFullScan) {
  makePier("gone", 1);
  ShipDiscovery discovery(reader, batch, log, {"/piers"}, 2);
  ASSERT_NE(find(discovery.scan(), "/piers/gone"), nullptr);
  std::filesystem::remove_all(root + "/piers/gone/.urb");
  EXPECT_NE(find(discovery.scan(), "/piers/gone"), nullptr);  // not statted again yet
  EXPECT_EQ(find(discovery.scan(), "/piers/gone"), nullptr);  // full scan
}

}  // namespace
}  // namespace tidemark::agent
