#include "controller/admin/plan_reply.h"

#include <limits>
#include <string>

namespace tidemark::controller {

namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

void fillForecast(const planner::Forecast& forecast, schema::ForecastInfo::Builder out) {
  out.setHost(forecast.host);
  out.setResource(std::string(planner::resourceName(forecast.resource)));
  auto labels = out.initLabels(static_cast<unsigned>(forecast.labels.size()));
  for (size_t i = 0; i < forecast.labels.size(); ++i) {
    labels[i].setName(forecast.labels[i].name);
    labels[i].setValue(forecast.labels[i].value);
  }
  out.setCurrent(forecast.current);
  out.setCapacity(forecast.capacity);
  out.setThreshold(forecast.threshold);
  out.setSlopePerDay(forecast.slope_per_day);
  out.setDaysToThreshold(forecast.days_to_threshold.value_or(kUnknown));
  out.setMonthlyGrowth(forecast.monthly_growth);
  out.setFit(forecast.fit);
  out.setModel(std::string(planner::trendModelName(forecast.model)));
  out.setWindowStartMs(forecast.window_start_ms);
  out.setWindowEndMs(forecast.window_end_ms);
  out.setPoints(static_cast<uint32_t>(forecast.points));
  out.setPacks(static_cast<uint32_t>(forecast.packs));
  out.setGrowthBetweenPacksPerDay(forecast.model == planner::TrendModel::kSawtooth
                                      ? forecast.growth_between_packs_per_day
                                      : kUnknown);
  if (!forecast.history_ms.empty()) {
    auto times = out.initHistoryMs(static_cast<unsigned>(forecast.history_ms.size()));
    auto used = out.initHistoryUsed(static_cast<unsigned>(forecast.history_used.size()));
    for (size_t i = 0; i < forecast.history_ms.size(); ++i) times.set(i, forecast.history_ms[i]);
    for (size_t i = 0; i < forecast.history_used.size(); ++i) used.set(i, forecast.history_used[i]);
  }
}

}  // namespace

void fillPlanReply(const planner::Plan& plan, schema::PlanReply::Builder reply) {
  reply.setSinceMs(plan.since_ms);
  reply.setUntilMs(plan.until_ms);
  auto forecasts = reply.initForecasts(static_cast<unsigned>(plan.forecasts.size()));
  for (size_t i = 0; i < plan.forecasts.size(); ++i) fillForecast(plan.forecasts[i], forecasts[i]);
  reply.setHosts(plan.fleet.hosts);
  reply.setShips(plan.fleet.ships);
  auto fleet = reply.initFleet(static_cast<unsigned>(plan.fleet.resources.size()));
  for (size_t i = 0; i < plan.fleet.resources.size(); ++i) {
    const planner::FleetResource& resource = plan.fleet.resources[i];
    fleet[i].setResource(std::string(planner::resourceName(resource.resource)));
    fleet[i].setUsed(resource.used);
    fleet[i].setCapacity(resource.capacity);
    fleet[i].setThreshold(resource.threshold);
    fleet[i].setMonthlyGrowth(resource.monthly_growth);
    fleet[i].setMonthsOfHeadroom(resource.months_of_headroom.value_or(kUnknown));
  }
}

}  // namespace tidemark::controller
