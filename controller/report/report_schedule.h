// The controller's scheduled reports: every `interval` it builds the fleet report and
// writes it into a folder in each configured format, keeping the newest `keep` of
// each. Runs on its own thread so a report over a large fleet never delays ingest.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/time/clock.h"
#include "controller/report/render/report_render.h"

namespace tidemark::controller {

struct ReportScheduleOptions {
  int64_t interval_ms = 0;  // 0: no scheduled reports
  std::string directory;
  int64_t keep = 30;        // reports kept per format
  std::vector<report::ReportFormat> formats = {report::ReportFormat::kHtml,
                                               report::ReportFormat::kJson};
  int64_t history_ms = 30LL * 86'400'000;  // how far back each report looks
};

// Builds the report document for the window ending at `now_ms` (report_builder.h).
using ReportBuildFunction = std::function<nlohmann::json(int64_t since_ms, int64_t now_ms)>;

// "tidemark-report-20261123T174600Z" for 2026-11-23 17:46:00 UTC.
std::string reportBaseName(int64_t now_ms);

class ReportSchedule {
 public:
  // Creates the folder; throws std::runtime_error naming it when it cannot.
  ReportSchedule(ReportScheduleOptions options, const Clock& clock, ReportBuildFunction build);
  ~ReportSchedule();

  // When the next report is due: one interval after the newest report in the folder
  // (so a restart does not write a duplicate), or now when there is none.
  int64_t nextDueMs() const { return next_due_ms_; }

  // Writes a report when one is due at `now_ms`; returns the files written. Errors
  // (a full disk, a failed build) are logged and retried at the next interval.
  std::vector<std::string> runIfDue(int64_t now_ms);

  // Runs runIfDue on a thread of its own until stop() or destruction.
  void start();
  void stop();

 private:
  std::vector<std::string> writeReport(int64_t now_ms);
  void prune(report::ReportFormat format) const;

  ReportScheduleOptions options_;
  const Clock& clock_;
  ReportBuildFunction build_;
  int64_t next_due_ms_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tidemark::controller
