#include "agent/tuner/ship_loom_knob.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "agent/io/file_reader.h"
#include "agent/ships/urbit_command_line.h"
#include "agent/tuner/command_runner.h"
#include "agent/tuner/service_config.h"
#include "common/files/durable_file.h"

namespace tidemark::agent::tuner {
namespace {

bool parseBits(std::string_view text, int& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

// The file's text; "" with `exists` false when it is absent.
std::string readConfig(const std::string& path, bool& exists) {
  exists = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return "";
    throw TuningError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::string text;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0 || (got < 0 && errno == EINTR))
    if (got > 0) text.append(buffer, static_cast<size_t>(got));
  const int error = errno;
  ::close(fd);
  if (got < 0) throw TuningError(fmt::format("cannot read {}: {}", path, std::strerror(error)));
  exists = true;
  return text;
}

std::string savedValue(const SavedState& saved, const std::string& key) {
  for (const auto& [name, value] : saved)
    if (name == key) return value;
  return "";
}

}  // namespace

ShipLoom readShipLoom(const ShipTuningOptions& options, const ShipTarget& target) {
  ShipLoom loom;
  loom.file = expandPathTemplate(options.loom_file, target.name);
  loom.running_bits = target.ship.king ? target.ship.loom_bits : std::nullopt;
  const std::string text =
      readConfig(resolveUnderRoot(normaliseRoot(options.root), loom.file), loom.file_exists);
  const auto in_file = findConfigValue(text, options.loom_key);
  loom.in_file = in_file.has_value();
  if (in_file && parseBits(*in_file, loom.bits)) {
    loom.source = "file";
  } else if (loom.running_bits) {
    loom.bits = *loom.running_bits;
    loom.source = "process";
  } else {
    loom.bits = kDefaultLoomBits;
    loom.source = "default";
  }
  return loom;
}

ShipLoomKnob::ShipLoomKnob(std::shared_ptr<const ShipTuningOptions> options, ShipTarget target)
    : options_(std::move(options)),
      target_(std::move(target)),
      root_(normaliseRoot(options_->root)),
      id_("ship.loom:" + target_.name) {}

std::string ShipLoomKnob::localFile() const {
  return resolveUnderRoot(root_, expandPathTemplate(options_->loom_file, target_.name));
}

KnobProbe ShipLoomKnob::probe() const {
  KnobProbe probe;
  ShipLoom loom;
  try {
    loom = readShipLoom(*options_, target_);
  } catch (const std::exception& error) {
    probe.reason = error.what();
    return probe;
  }
  probe.available = true;
  probe.value = std::to_string(loom.bits);
  probe.facts.emplace_back("applies_at", "restart");
  probe.facts.emplace_back("pier", target_.ship.pier);
  probe.facts.emplace_back("file", loom.file);
  probe.facts.emplace_back("source", loom.source);
  probe.facts.emplace_back("up", target_.ship.king ? "1" : "0");
  if (loom.running_bits)
    probe.facts.emplace_back("running_loom", std::to_string(*loom.running_bits));
  return probe;
}

std::string ShipLoomKnob::validate(const std::string& value) const {
  int bits = 0;
  if (!parseBits(value, bits) || bits < kMinBits || bits > kMaxBits) {
    return fmt::format(
        "{:?} is not a loom size in bits from {} to {} (the runtime refuses more "
        "than 34)",
        value, kMinBits, kMaxBits);
  }
  return "";
}

SavedState ShipLoomKnob::save() const {
  try {
    const ShipLoom loom = readShipLoom(*options_, target_);
    return {{"loom", std::to_string(loom.bits)},
            {"in_file", loom.in_file ? "1" : "0"},
            {"file_existed", loom.file_exists ? "1" : "0"}};
  } catch (const TuningError& error) {
    throw TuningError(fmt::format("{}: {}", id_, error.what()));
  }
}

void ShipLoomKnob::replaceFile(const std::string& text, const char* action) {
  const std::string path = localFile();
  struct stat info {};
  const mode_t mode = ::stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0644;
  try {
    writeFileDurably(path, text, mode);
  } catch (const std::exception& error) {
    throw TuningError(fmt::format("{}: cannot {}: {}", id_, action, error.what()));
  }
}

void ShipLoomKnob::write(const std::string& value) {
  if (const std::string why = validate(value); !why.empty())
    throw TuningError(fmt::format("{}: {}", id_, why));
  bool exists = false;
  std::string text;
  try {
    text = readConfig(localFile(), exists);
  } catch (const TuningError& error) {
    throw TuningError(fmt::format("{}: {}", id_, error.what()));
  }
  replaceFile(setConfigValue(text, options_->loom_key, value), "set the loom");
  spdlog::info("{}: {}={} written to {}; the ship {} gets it at its next restart", id_,
               options_->loom_key, value, localFile(), target_.ship.pier);
}

std::string ShipLoomKnob::read() const {
  try {
    return std::to_string(readShipLoom(*options_, target_).bits);
  } catch (const TuningError& error) {
    throw TuningError(fmt::format("{}: {}", id_, error.what()));
  }
}

void ShipLoomKnob::restore(const SavedState& saved) {
  const std::string loom = savedValue(saved, "loom");
  if (savedValue(saved, "in_file") == "1") return write(loom);
  // The file did not set the loom: take our line out, so the running --loom or the
  // runtime's default applies again, and remove a file we created.
  bool exists = false;
  std::string text;
  try {
    text = readConfig(localFile(), exists);
  } catch (const TuningError& error) {
    throw TuningError(fmt::format("{}: {}", id_, error.what()));
  }
  if (!exists) return;
  const std::string kept = removeConfigKey(text, options_->loom_key);
  if (kept.empty() && savedValue(saved, "file_existed") == "0") {
    if (::unlink(localFile().c_str()) != 0 && errno != ENOENT) {
      throw TuningError(
          fmt::format("{}: cannot remove {}: {}", id_, localFile(), std::strerror(errno)));
    }
    return;
  }
  replaceFile(kept, "restore the loom");
}

std::string ShipLoomKnob::restoreCommand(const SavedState& saved) const {
  const std::string file = shellQuote(expandPathTemplate(options_->loom_file, target_.name));
  const std::string& key = options_->loom_key;
  if (savedValue(saved, "in_file") == "1") {
    return fmt::format("sed -i 's/^{}=.*/{}={}/' {}  # applies at the ship's next restart", key,
                       key, savedValue(saved, "loom"), file);
  }
  return fmt::format("sed -i '/^{}=/d' {}  # applies at the ship's next restart", key, file);
}

}  // namespace tidemark::agent::tuner
