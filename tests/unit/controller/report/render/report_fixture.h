// A small report document with every section filled, shared by the renderer tests.
#pragma once

#include <nlohmann/json.hpp>

namespace tidemark::report {

inline nlohmann::json sampleReport() {
  constexpr int64_t kNow = 1'700'000'000'000;
  constexpr int64_t kDay = 86'400'000;
  nlohmann::json history = nlohmann::json::array();
  for (int day = 0; day < 10; ++day) history.push_back({kNow - (10 - day) * kDay, 100e9 + day * 5e9});
  return {
      {"title", "Tidemark fleet report"},
      {"generated_at", "2023-11-14T22:13:20Z"},
      {"generated_at_ms", kNow},
      {"since", "2023-10-15T22:13:20Z"},
      {"fleet", {{"hosts", 2}, {"ships", 3}, {"disk_used_bytes", 150e9}, {"months_of_headroom", 2.5}}},
      {"forecasts",
       {{{"host", "web-01"}, {"resource", "memory"}, {"labels", nlohmann::json::object()},
         {"current", 6e9}, {"capacity", 8e9}, {"threshold", 0.8}, {"slope_per_day", 0.0},
         {"days_to_threshold", nullptr}, {"fit", 0.1}},
        {{"host", "db-01"}, {"resource", "disk"}, {"labels", {{"mountpoint", "/var"}}},
         {"current", 145e9}, {"capacity", 200e9}, {"threshold", 0.85}, {"slope_per_day", 5e9},
         {"days_to_threshold", 5.0}, {"fit", 0.98}, {"history", history}},
        {{"host", "web-01"}, {"resource", "cpu"}, {"labels", nlohmann::json::object()},
         {"current", 0.5}, {"capacity", 1.0}, {"threshold", 0.8}, {"slope_per_day", 0.01},
         {"days_to_threshold", 30.0}, {"fit", 0.4}}}},
      {"triggers",
       {{{"rule", "disk_over_85_percent"}, {"host", "db-01"}, {"labels", {{"mountpoint", "/var"}}},
         {"action", "scale_up"}, {"severity", "warning"}, {"since", "2023-11-14T20:00:00Z"},
         {"value", 0.87}}}},
      {"ships",
       {{{"host", "web-01"}, {"ship", "sampel-palnet"}, {"status", "up"}, {"pier_bytes", 20e9},
         {"pier_growth_bytes_per_day", 1e9}, {"loom_use_ratio", 0.91}, {"loom_bytes", 2147483648.0},
         {"last_pack", nullptr}},
        {{"host", "web-01"}, {"ship", "zod"}, {"status", "down"}, {"pier_bytes", 5e9},
         {"pier_growth_bytes_per_day", nullptr}, {"loom_use_ratio", 0.2}, {"loom_bytes", 2147483648.0},
         {"last_pack", "2023-11-10T00:00:00Z"}},
        {{"host", "db-01"}, {"ship", "nec"}, {"status", "up"}, {"pier_bytes", 8e9},
         {"pier_growth_bytes_per_day", 3e9}, {"loom_use_ratio", 0.5}, {"loom_bytes", 4294967296.0},
         {"last_pack", nullptr}}}},
      {"proposals", nlohmann::json::array()}};
}

}  // namespace tidemark::report
