// Fuzzes what a tuning command from the controller can do to an agent: the frame is
// decoded as a controller message and, when it is a TuningCommand, executed by a
// real Tuner (built-in policy, host knobs) on a fixture root in a temp dir. Only
// WireError may escape the decoder; the tuner must answer every command with a
// result for that change id, and nothing outside the fixture root is written.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "agent/tuner/tuner.h"
#include "common/errors/error.h"
#include "common/time/clock.h"
#include "common/wire/agent_link_codec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace fs = std::filesystem;
using namespace tidemark;
using namespace tidemark::agent::tuner;

void put(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

struct World {
  World() {
    root = fs::temp_directory_path() / ("tidemark-tuning-fuzz-" + std::to_string(getpid()));
    fs::remove_all(root);
    put(root / "proc/sys/vm/swappiness", "60\n");
    put(root / "proc/sys/vm/dirty_ratio", "20\n");
    put(root / "proc/sys/vm/dirty_bytes", "0\n");
    put(root / "proc/sys/vm/max_map_count", "65530\n");
    put(root / "proc/sys/net/ipv4/tcp_congestion_control", "cubic\n");
    put(root / "proc/sys/net/ipv4/tcp_available_congestion_control", "reno cubic\n");
    put(root / "proc/sys/kernel/osrelease", "6.1.0\n");
    put(root / "sys/block/sda/queue/scheduler", "none [mq-deadline] bfq\n");
    put(root / "sys/block/sda/queue/read_ahead_kb", "128\n");
    put(root / "sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
    put(root / "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1\n");
    TunerOptions options;
    options.root = root.string();
    options.journal_dir = (root / "state/tuning").string();
    options.host_id = "fuzz-host";
    options.remount_command = "true";  // never a real remount
    std::vector<std::unique_ptr<KnobSource>> sources;
    sources.push_back(makeHostKnobSource(options));
    tuner = std::make_unique<Tuner>(options, Policy::defaults(), clock, std::move(sources));
  }
  fs::path root;
  SystemClock clock;
  std::unique_ptr<Tuner> tuner;
};

World& world() {
  static World instance;
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<wire::ControllerMessageData> message;
  try {
    message = wire::decodeControllerMessage(data, size);
  } catch (const WireError&) {
    return 0;
  }
  const auto* command = std::get_if<wire::TuningCommandData>(&*message);
  if (command == nullptr) return 0;
  const wire::TuningResultData result = world().tuner->execute(*command);
  if (result.change_id != command->change_id) fuzz::finding("result for another change id");
  // A rollback may name no knob (the journal knows it); otherwise the result names the
  // command's knob, whatever the journal holds under that change id.
  if (!command->knob.empty() && result.knob != command->knob) {
    fuzz::finding("result for another knob");
  }
  if (result.action != command->action) fuzz::finding("result for another action");
  if (result.outcome == wire::TuningOutcome::kApplied && command->action != wire::TuningAction::kApply) {
    fuzz::finding("a rollback reported as applied");
  }
  return 0;
}
