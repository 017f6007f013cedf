#include "controller/cli/plan.h"

#include <cmath>
#include <cstdio>
#include <string_view>

#include "common/config/duration.h"
#include "controller/cli/table.h"

namespace tidemark::cli {

namespace {

nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

bool isFraction(std::string_view resource) { return resource == "cpu" || resource == "io"; }

// A value in the resource's unit: a share for cpu and io, bytes/s for network, else bytes.
std::string amount(std::string_view resource, double value) {
  if (isFraction(resource)) return formatPercent(value);
  if (resource == "network") return formatBytes(value) + "/s";
  if (value < 0) return "-" + formatBytes(-value);
  return formatBytes(value);
}

// What tells the series apart on its host: a mountpoint, a ship, a device.
std::string subject(schema::ForecastInfo::Reader forecast) {
  std::string device;
  for (auto label : forecast.getLabels()) {
    const std::string_view name = label.getName().cStr();
    if (name == "mountpoint" || name == "ship") return label.getValue().cStr();
    if (name == "device") device = label.getValue().cStr();
  }
  return device.empty() ? "-" : device;
}

std::string days(double value) {
  if (std::isnan(value)) return "not growing";
  if (value == 0) return "now";
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f d" : "%.0f d", value);
  return text;
}

std::string fixed(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

nlohmann::json planJson(schema::PlanReply::Reader plan) {
  nlohmann::json forecasts = nlohmann::json::array();
  for (auto forecast : plan.getForecasts()) {
    nlohmann::json labels = nlohmann::json::object();
    for (auto label : forecast.getLabels()) labels[label.getName().cStr()] = label.getValue().cStr();
    forecasts.push_back(
        {{"host", forecast.getHost().cStr()},
         {"resource", forecast.getResource().cStr()},
         {"labels", labels},
         {"current", number(forecast.getCurrent())},
         {"capacity", number(forecast.getCapacity())},
         {"threshold", number(forecast.getThreshold())},
         {"slope_per_day", number(forecast.getSlopePerDay())},
         {"days_to_threshold", number(forecast.getDaysToThreshold())},
         {"fit", number(forecast.getFit())},
         {"monthly_growth", number(forecast.getMonthlyGrowth())},
         {"model", forecast.getModel().cStr()},
         {"window", {{"since", formatTimeMs(forecast.getWindowStartMs())},
                     {"until", formatTimeMs(forecast.getWindowEndMs())},
                     {"points", forecast.getPoints()}}},
         {"packs", forecast.getPacks()},
         {"growth_between_packs_per_day", number(forecast.getGrowthBetweenPacksPerDay())}});
    const auto times = forecast.getHistoryMs();
    const auto used = forecast.getHistoryUsed();
    if (times.size() > 0 && times.size() == used.size()) {
      nlohmann::json history = nlohmann::json::array();
      for (unsigned i = 0; i < times.size(); ++i) history.push_back({times[i], number(used[i])});
      forecasts.back()["history"] = std::move(history);
    }
  }
  nlohmann::json resources = nlohmann::json::array();
  for (auto resource : plan.getFleet()) {
    resources.push_back({{"resource", resource.getResource().cStr()},
                         {"used", number(resource.getUsed())},
                         {"capacity", number(resource.getCapacity())},
                         {"free", number(resource.getCapacity() - resource.getUsed())},
                         {"threshold", number(resource.getThreshold())},
                         {"monthly_growth", number(resource.getMonthlyGrowth())},
                         {"months_of_headroom", number(resource.getMonthsOfHeadroom())}});
  }
  return {{"since", formatTimeMs(plan.getSinceMs())},
          {"until", formatTimeMs(plan.getUntilMs())},
          {"forecasts", forecasts},
          {"fleet", {{"hosts", plan.getHosts()}, {"ships", plan.getShips()}, {"resources", resources}}}};
}

std::string planText(schema::PlanReply::Reader plan) {
  if (plan.getForecasts().size() == 0) return "no history in the planning window yet\n";
  Table table({"HOST", "RESOURCE", "OF", "USED", "CAPACITY", "THRESHOLD", "GROWTH/MONTH",
               "TO THRESHOLD", "FIT", "MODEL"},
              {false, false, false, true, true, true, true, true, true, false});
  for (auto forecast : plan.getForecasts()) {
    const std::string_view resource = forecast.getResource().cStr();
    const double capacity = forecast.getCapacity();
    std::string used = amount(resource, forecast.getCurrent());
    if (capacity > 0 && !isFraction(resource)) {
      used += " (" + formatPercent(forecast.getCurrent() / capacity) + ")";
    }
    table.addRow({forecast.getHost().cStr(), std::string(resource), subject(forecast), used,
                  capacity > 0 ? amount(resource, capacity) : "unknown",
                  capacity > 0 ? formatPercent(forecast.getThreshold()) : "-",
                  amount(resource, forecast.getMonthlyGrowth()),
                  capacity > 0 ? days(forecast.getDaysToThreshold()) : "-",
                  fixed(forecast.getFit(), "%.2f"), forecast.getModel().cStr()});
  }
  std::string text = table.render();
  text += "\nfleet: " + std::to_string(plan.getHosts()) + " hosts, " +
          std::to_string(plan.getShips()) + " ships\n";
  for (auto resource : plan.getFleet()) {
    const double months = resource.getMonthsOfHeadroom();
    text += "  " + std::string(resource.getResource().cStr()) + ": " +
            formatBytes(resource.getUsed()) + " used of " + formatBytes(resource.getCapacity()) +
            ", " + formatBytes(resource.getCapacity() - resource.getUsed()) + " free; " +
            (std::isnan(months) ? std::string("not growing")
                                : fixed(months, "%.1f") + " months of headroom to " +
                                      formatPercent(resource.getThreshold())) +
            "\n";
  }
  return text;
}

}  // namespace tidemark::cli
