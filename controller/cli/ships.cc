#include "controller/cli/ships.h"

#include <cmath>

#include "common/config/duration.h"
#include "controller/cli/table.h"

namespace tidemark::cli {

namespace {

nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json time(int64_t ms) {
  return ms != 0 ? nlohmann::json(formatTimeMs(ms)) : nlohmann::json(nullptr);
}

std::string loomUse(schema::ShipInfo::Reader ship) {
  if (std::isnan(ship.getLoomUseRatio())) return "-";
  std::string use = formatPercent(ship.getLoomUseRatio());
  if (!std::isnan(ship.getLoomBytes())) use += " of " + formatBytes(ship.getLoomBytes());
  return use;
}

}  // namespace

nlohmann::json shipsJson(capnp::List<schema::ShipInfo>::Reader ships) {
  nlohmann::json list = nlohmann::json::array();
  for (auto ship : ships) {
    list.push_back({{"host", ship.getHost().cStr()},
                    {"ship", ship.getShip().cStr()},
                    {"pier", ship.getPier().cStr()},
                    {"status", ship.getUp() ? "up" : "down"},
                    {"last_seen", time(ship.getUpSampleMs())},
                    {"stale_after_seconds", static_cast<double>(ship.getStaleAfterMs()) / 1000.0},
                    {"pier_bytes", number(ship.getPierBytes())},
                    {"loom_bytes", number(ship.getLoomBytes())},
                    {"loom_use_ratio", number(ship.getLoomUseRatio())},
                    {"rss_bytes", number(ship.getRssBytes())},
                    {"cpu_seconds", number(ship.getCpuSeconds())},
                    {"cpu_ratio", number(ship.getCpuRatio())},
                    {"last_pack", time(ship.getLastPackMs())}});
  }
  return {{"ships", list}};
}

std::string shipsText(capnp::List<schema::ShipInfo>::Reader ships, int64_t now_ms) {
  if (ships.size() == 0) return "no ships have reported yet\n";
  Table table({"HOST", "SHIP", "STATUS", "PIER SIZE", "LOOM USE", "RSS", "CPU", "LAST PACK"},
              {false, false, false, true, true, true, true, false});
  for (auto ship : ships) {
    table.addRow({ship.getHost().cStr(), ship.getShip().cStr(), ship.getUp() ? "up" : "down",
                  formatBytes(ship.getPierBytes()), loomUse(ship), formatBytes(ship.getRssBytes()),
                  formatPercent(ship.getCpuRatio()),
                  ship.getLastPackMs() != 0 ? formatAgo(ship.getLastPackMs(), now_ms) : "unknown"});
  }
  return table.render();
}

}  // namespace tidemark::cli
