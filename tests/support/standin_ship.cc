#include "tests/support/standin_ship.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tidemark::testing {
namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parent PID from /proc/PID/stat; the command name may hold spaces and ')'.
pid_t parentOf(const std::string& pid) {
  const std::string stat = readAll("/proc/" + pid + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  pid_t ppid = -1;
  fields >> state >> ppid;
  return ppid;
}

}  // namespace

void makeStandinPier(const std::string& pier, const StandinPierOptions& options) {
  std::vector<std::string> argv = {binary("urbit-standin"),
                                   "make-pier",
                                   pier,
                                   "--epochs",
                                   std::to_string(options.epochs),
                                   "--log-bytes",
                                   std::to_string(options.log_bytes),
                                   "--image-bytes",
                                   std::to_string(options.image_bytes)};
  if (options.old_style) argv.push_back("--old-style");
  const CommandResult result = runCommand(argv);
  if (result.exit_code != 0) {
    throw std::runtime_error("urbit-standin make-pier " + pier + " failed (exit " +
                             std::to_string(result.exit_code) + "): " + result.err);
  }
}

pid_t findSerfOf(pid_t parent) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (parentOf(pid) != parent) continue;
    // Before exec the child still shows the king's command line.
    const std::string cmdline = readAll("/proc/" + pid + "/cmdline");
    const size_t first_nul = cmdline.find('\0');
    if (first_nul == std::string::npos) continue;
    const std::string second =
        cmdline.substr(first_nul + 1, cmdline.find('\0', first_nul + 1) - first_nul - 1);
    if (second == "work" || second == "serf") return static_cast<pid_t>(std::stol(pid));
  }
  return -1;
}

StandinShip::StandinShip(const std::string& bin_dir, const std::string& pier_argument,
                         std::vector<std::string> flags, const std::string& cwd,
                         const std::string& link_name) {
  const std::string link = bin_dir + "/" + link_name;
  std::error_code error;
  std::filesystem::create_directories(bin_dir, error);
  if (!std::filesystem::is_symlink(link, error)) {
    std::filesystem::create_symlink(binary("urbit-standin"), link, error);
    if (error) throw std::runtime_error("cannot link " + link + ": " + error.message());
  }
  std::vector<std::string> argv = {link};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(pier_argument);
  king_ = std::make_unique<ChildProcess>(argv, bin_dir + "/standin.log", cwd);
  const bool found = eventually(
      [&] {
        serf_pid_ = findSerfOf(king_->pid());
        return serf_pid_ > 0 || !king_->running();
      },
      std::chrono::seconds(10));
  if (!found || serf_pid_ <= 0) {
    throw std::runtime_error("stand-in ship " + pier_argument +
                             " has no serf; its log: " + king_->log());
  }
  // With --rss-mb the serf touches its memory after exec: wait until it has, so
  // tests see the RSS they asked for.
  for (size_t i = 0; i + 1 < flags.size(); ++i) {
    if (flags[i] != "--rss-mb") continue;
    const long wanted_pages = std::stol(flags[i + 1]) * (1 << 20) / ::sysconf(_SC_PAGESIZE);
    const bool touched = eventually(
        [&] {
          std::istringstream statm(readAll("/proc/" + std::to_string(serf_pid_) + "/statm"));
          long size = 0, resident = 0;
          statm >> size >> resident;
          return resident >= wanted_pages;
        },
        std::chrono::seconds(10));
    if (!touched)
      throw std::runtime_error("stand-in serf of " + pier_argument + " never reached its RSS");
  }
}

StandinShip::~StandinShip() {
  if (!stopped_) stop();
}

int StandinShip::stop() {
  stopped_ = true;
  return king_->stop(SIGTERM, std::chrono::seconds(10));
}

}  // namespace tidemark::testing
