// How the ship knobs reach a host: its root, the ship's service config, the agent's
// maintenance log, and the operator's command templates for stopping, starting and
// maintaining a ship. Templates take the placeholders {ship}, {pier} and {loom}.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "agent/ships/ship_discovery.h"

namespace tidemark::agent::tuner {

struct ShipTuningOptions {
  // Host paths (proc, sys, piers, the loom file) are resolved under it; commands get
  // the pier as the agent reaches it (root + pier). Default: "/".
  std::string root = "/";
  // The agent's own record of jobs (STATE_DIR/maintenance.log), which the ship collector
  // reads for the time since the last pack and meld. A plain path, not under root.
  // Empty: jobs run but are not recorded. Default: "".
  std::string maintenance_log_path;
  // The ship's service config, holding `<loom_key>=N`; under root. {ship} only.
  // Default: "/etc/default/urbit-{ship}".
  std::string loom_file = "/etc/default/urbit-{ship}";
  // Default: "LOOM".
  std::string loom_key = "LOOM";
  // Default: "systemctl stop urbit@{ship}".
  std::string stop_command = "systemctl stop urbit@{ship}";
  // Default: "systemctl start urbit@{ship}".
  std::string start_command = "systemctl start urbit@{ship}";
  // The runtime's live pack is a request over <pier>/.urb/conn.sock whose noun the agent
  // does not build, so a live pack needs the operator's own command (a dojo `|pack`
  // wrapper, click...). Empty: ship.pack_live is unavailable. Default: "".
  std::string pack_live_command;
  // Default: "urbit pack {pier}".
  std::string pack_command = "urbit pack {pier}";
  // Default: "urbit meld {pier}".
  std::string meld_command = "urbit meld {pier}";
  // Default: "urbit roll {pier}".
  std::string roll_command = "urbit roll {pier}";
  // Default: "urbit chop {pier}".
  std::string chop_command = "urbit chop {pier}";
  // From the stop command's start until the king is gone and the pier lock free.
  // Default: 120 s.
  std::chrono::milliseconds stop_timeout{std::chrono::seconds(120)};
  // From the start command's start until a live process holds the pier lock again.
  // Default: 120 s.
  std::chrono::milliseconds start_timeout{std::chrono::seconds(120)};
  // Per job command (pack, meld, roll, chop, live pack); GroundSeg allows 2 h a step.
  // Default: 2 h.
  std::chrono::milliseconds job_timeout{std::chrono::hours(2)};
};

// One ship as its knobs see it: what discovery found, and the name in knob ids.
struct ShipTarget {
  std::string name;     // the pier folder's name ("sampel-palnet")
  DiscoveredShip ship;  // pier as seen on the host
};

// The path for `path_template` with {ship} replaced by the ship's name, unquoted
// (a path, not a command). Throws std::invalid_argument on any other placeholder.
std::string expandPathTemplate(const std::string& path_template, const std::string& ship);

}  // namespace tidemark::agent::tuner
