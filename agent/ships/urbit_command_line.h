// Recognises the Urbit runtime's processes from their command lines: the king
// (`urbit [flags] <pier>` or `<pier>/.run [flags]`) and its serf (4.x
// `urbit work --snap-dir <pier> ...`, 2.x/3.x `urbit serf <pier> <key> ...`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidemark::agent {

enum class UrbitRole { kNone, kKing, kSerf };

struct UrbitCommand {
  UrbitRole role = UrbitRole::kNone;
  // The pier as written on the command line: relative paths are relative to the
  // process's working directory.
  std::string pier;
  std::optional<int> loom_bits;  // --loom N, when given and within 20..34
};

// The runtime's default loom: 2^31 bytes (2 GiB).
inline constexpr int kDefaultLoomBits = 31;

// Parses a /proc/PID/cmdline (arguments separated by NUL bytes). Returns a command
// with role kNone for anything that is not a running king or serf, including the
// offline subcommands (`urbit pack <pier>`), which hold the lock only briefly.
UrbitCommand parseUrbitCommandLine(std::string_view cmdline);

}  // namespace tidemark::agent
