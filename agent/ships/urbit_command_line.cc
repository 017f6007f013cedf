#include "agent/ships/urbit_command_line.h"

#include <algorithm>
#include <array>
#include <vector>

#include "agent/collectors/parse_util.h"

namespace tidemark::agent {
namespace {

constexpr int kMinLoomBits = 20;
constexpr int kMaxLoomBits = 34;

// The runtime's options that take a value (vere's getopt string and long options),
// so their values are not mistaken for the pier.
constexpr std::array<std::string_view, 22> kShortWithValue = {
    "-A", "-B", "-C", "-F", "-G", "-I", "-J", "-K", "-X", "-Y", "-Z",
    "-b", "-c", "-e", "-i", "-j", "-k", "-n", "-p", "-r", "-u", "-w",
};
constexpr std::array<std::string_view, 19> kLongWithValue = {
    "--loom",          "--http-port",   "--https-port",     "--snap-time",   "--serf-bin",
    "--lmdb-map-size", "--urth-loom",   "--scry-into",      "--scry-format", "--arvo",
    "--bootstrap",     "--pill",        "--key-file",       "--name",        "--port",
    "--ames-port",     "--replay-from", "--cache-val-size", "--cache-size",
};
// Offline subcommands: they take the pier lock for a while but run no ship.
constexpr std::array<std::string_view, 12> kSubcommands = {
    "pack", "meld", "roll", "chop", "info", "cram", "queu", "next", "prep", "play", "dock", "eval",
};

template <size_t N>
bool isOneOf(std::string_view value, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

std::string_view basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::optional<int> parseLoom(std::string_view text) {
  uint64_t bits = 0;
  if (!parseUint64(text, bits) || bits < kMinLoomBits || bits > kMaxLoomBits) return std::nullopt;
  return static_cast<int>(bits);
}

// Finds `--loom N` or `--loom=N` anywhere in the arguments.
std::optional<int> findLoom(const std::vector<std::string_view>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--loom" && i + 1 < args.size()) return parseLoom(args[i + 1]);
    if (args[i].starts_with("--loom=")) return parseLoom(args[i].substr(7));
  }
  return std::nullopt;
}

UrbitCommand parseSerf(const std::vector<std::string_view>& args) {
  UrbitCommand command;
  if (args[1] == "work") {
    for (size_t i = 2; i + 1 < args.size(); ++i)
      if (args[i] == "--snap-dir") command.pier = args[i + 1];
    if (command.pier.empty()) {
      for (size_t i = 2; i < args.size(); ++i)
        if (args[i].starts_with("--snap-dir=")) command.pier = args[i].substr(11);
    }
  } else if (args.size() > 2) {
    command.pier = args[2];  // serf <pier> <key> <flags>...
  }
  if (!command.pier.empty()) command.role = UrbitRole::kSerf;
  command.loom_bits = findLoom(args);
  return command;
}

UrbitCommand parseKing(const std::vector<std::string_view>& args, bool started_as_run) {
  UrbitCommand command;
  std::string_view positional;
  std::string_view created;  // -c <pier> boots a new pier there
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) positional = args[i + 1];
      break;
    }
    if (arg.starts_with("--")) {
      if (arg.find('=') == std::string_view::npos && isOneOf(arg, kLongWithValue)) ++i;
      continue;
    }
    if (arg.starts_with("-") && arg.size() > 1) {
      // "-p 1234" takes the next word; "-p1234" and bundled flags ("-tq") do not.
      if (arg.size() == 2 && isOneOf(arg, kShortWithValue)) {
        if (arg == "-c" && i + 1 < args.size()) created = args[i + 1];
        ++i;
      }
      continue;
    }
    positional = arg;
  }
  if (started_as_run) {
    // <pier>/.run [flags]: the pier is the folder holding the binary.
    const std::string_view argv0 = args[0];
    const size_t slash = argv0.rfind('/');
    command.pier = slash == std::string_view::npos ? "." : std::string(argv0.substr(0, slash));
    if (command.pier.empty()) command.pier = "/";
  } else if (!positional.empty()) {
    command.pier = positional;
  } else {
    command.pier = created;
  }
  if (!command.pier.empty()) command.role = UrbitRole::kKing;
  command.loom_bits = findLoom(args);
  return command;
}

}  // namespace

UrbitCommand parseUrbitCommandLine(std::string_view cmdline) {
  std::vector<std::string_view> args;
  while (!cmdline.empty()) {
    const size_t nul = cmdline.find('\0');
    args.push_back(cmdline.substr(0, nul));
    if (nul == std::string_view::npos) break;
    cmdline.remove_prefix(nul + 1);
  }
  if (args.empty()) return {};
  const std::string_view name = basename(args[0]);
  const bool started_as_run = name == ".run";
  // "urbit", or a versioned copy such as "urbit-v4.1"; not "urbit-standin" helpers' subcommands.
  const bool is_urbit = name == "urbit" || name.starts_with("urbit-v");
  if (!started_as_run && !is_urbit) return {};
  if (args.size() > 1 && (args[1] == "work" || args[1] == "serf")) return parseSerf(args);
  if (args.size() > 1 && isOneOf(args[1], kSubcommands)) return {};
  return parseKing(args, started_as_run);
}

}  // namespace tidemark::agent
