// Small file and text helpers shared by the host knobs: reading and writing one value in
// /proc/sys or /sys, parsing "[active] other" choice lists and strict integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::agent::tuner {

// The file's contents with surrounding whitespace trimmed; nullopt when it cannot be
// read (missing, permission), with the reason in `why` when given.
std::optional<std::string> readKnobFile(const std::string& path, std::string* why = nullptr);

// Writes `value` and a newline to an existing file (never creates it: a missing file is
// an absent knob). Throws TuningError naming the path, the value and the system's reason.
void writeKnobFile(const std::string& path, const std::string& value);

// "none [mq-deadline] bfq" -> active "mq-deadline", choices {none, mq-deadline, bfq}.
struct ChoiceList {
  std::string active;  // empty when nothing is bracketed
  std::vector<std::string> choices;
};
ChoiceList parseChoiceList(std::string_view text);

// The integer spelled exactly as std::to_string would ("10", "-5"; not "010", "+1", " 1").
std::optional<int64_t> parseCanonicalInteger(std::string_view text);

// Splits on spaces and tabs, dropping empty words.
std::vector<std::string> splitWords(std::string_view text);

// Where a file-backed knob lives, and how an operator sets it by hand.
struct KnobFileTarget {
  std::string root;         // "/" in production, a fixture tree in tests
  std::string host_path;    // as on the host: "/proc/sys/vm/swappiness"
  std::string sysctl_name;  // "vm.swappiness" for sysctls, set by hand with `sysctl -w`

  std::string path() const;
  // "sysctl -w vm.swappiness=10" or "echo 4096 > /sys/block/sda/queue/read_ahead_kb".
  std::string commandToSet(const std::string& value) const;
};

// The value `name` has in `saved`, or nullptr.
const std::string* findSaved(const std::vector<std::pair<std::string, std::string>>& saved,
                             const std::string& name);

// "/proc/sys/vm/swappiness" for "vm.swappiness". As with sysctl(8), a '/' in the name
// stands for a '.' inside one component: "net.ipv4.conf.eth0/100.rp_filter".
std::string sysctlHostPath(const std::string& name);

// "" when `name` is a sysctl name whose path stays under /proc/sys (letters, digits,
// '_', '-', '/', dot-separated, no empty, "." or ".." component), else why not.
std::string checkSysctlName(const std::string& name);

// `path` with `root` in front ("/" leaves it alone; "/tmp/x" gives "/tmp/x/proc/...").
std::string underRoot(const std::string& root, const std::string& path);

}  // namespace tidemark::agent::tuner
