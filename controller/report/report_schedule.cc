#include "controller/report/report_schedule.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "common/files/durable_file.h"

namespace tidemark::controller {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "tidemark-report-";

// The time in a report's name, or nullopt for another file.
std::optional<int64_t> reportTimeMs(const std::string& name) {
  if (!name.starts_with(kPrefix) || name.size() < kPrefix.size() + 16) return std::nullopt;
  std::tm tm{};
  const std::string stamp = name.substr(kPrefix.size(), 16);
  if (strptime(stamp.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

}  // namespace

std::string reportBaseName(int64_t now_ms) {
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(kPrefix) + buffer;
}

ReportSchedule::ReportSchedule(ReportScheduleOptions options, const Clock& clock,
                               ReportBuildFunction build)
    : options_(std::move(options)), clock_(clock), build_(std::move(build)) {
  std::error_code error;
  fs::create_directories(options_.directory, error);
  if (error) {
    throw std::runtime_error("cannot create the report folder " + options_.directory + ": " +
                             error.message());
  }
  std::optional<int64_t> newest;
  for (const auto& entry : fs::directory_iterator(options_.directory, error)) {
    if (auto written = reportTimeMs(entry.path().filename().string()))
      newest = std::max(newest.value_or(*written), *written);
  }
  next_due_ms_ = newest ? *newest + options_.interval_ms : clock_.wallMs();
}

ReportSchedule::~ReportSchedule() { stop(); }

std::vector<std::string> ReportSchedule::runIfDue(int64_t now_ms) {
  if (options_.interval_ms <= 0 || now_ms < next_due_ms_) return {};
  // The next one is due an interval after this one whether or not it succeeds, so a
  // failing build is retried at the interval, not in a tight loop.
  next_due_ms_ = now_ms + options_.interval_ms;
  try {
    return writeReport(now_ms);
  } catch (const std::exception& error) {
    spdlog::error("scheduled report in {} failed: {}; next try in {} s", options_.directory,
                  error.what(), options_.interval_ms / 1000);
    return {};
  }
}

std::vector<std::string> ReportSchedule::writeReport(int64_t now_ms) {
  const nlohmann::json document = build_(now_ms - options_.history_ms, now_ms);
  const std::string base = (fs::path(options_.directory) / reportBaseName(now_ms)).string();
  std::vector<std::string> written;
  for (const auto format : options_.formats) {
    const std::string path = base + "." + std::string(report::extensionOf(format));
    writeFileDurably(path, report::renderReport(document, format), 0640);
    written.push_back(path);
    prune(format);
  }
  spdlog::info("scheduled report written: {}.{{{}}}", base, written.size());
  return written;
}

void ReportSchedule::prune(report::ReportFormat format) const {
  const std::string extension = "." + std::string(report::extensionOf(format));
  std::vector<std::string> reports;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(options_.directory, error)) {
    const std::string name = entry.path().filename().string();
    if (reportTimeMs(name) && name.ends_with(extension)) reports.push_back(name);
  }
  if (static_cast<int64_t>(reports.size()) <= options_.keep) return;
  // Names carry the time in a fixed-width form, so name order is time order.
  std::sort(reports.begin(), reports.end());
  const size_t remove = reports.size() - static_cast<size_t>(std::max<int64_t>(options_.keep, 0));
  for (size_t i = 0; i < remove; ++i) {
    fs::remove(fs::path(options_.directory) / reports[i], error);
    if (error) spdlog::warn("cannot remove old report {}: {}", reports[i], error.message());
  }
}

void ReportSchedule::start() {
  if (options_.interval_ms <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      const int64_t now_ms = clock_.wallMs();
      if (now_ms >= next_due_ms_) {
        lock.unlock();
        runIfDue(now_ms);
        lock.lock();
        continue;
      }
      // Wake at least once a minute: the wall clock may jump.
      const int64_t wait_ms = std::min<int64_t>(next_due_ms_ - now_ms, 60'000);
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stopping_; });
    }
  });
}

void ReportSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tidemark::controller
