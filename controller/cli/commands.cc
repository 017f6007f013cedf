#include "controller/cli/commands.h"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "common/config/duration.h"
#include "common/metrics/series.h"
#include "controller/cli/table.h"

namespace tidemark::cli {

namespace {

void parseMatcher(const std::string& text, schema::LabelMatcher::Builder out) {
  // The operator is the first one in the text (a label name has none of its characters,
  // the value may); at the same position the longer wins: "=~" over "=".
  struct Operator {
    const char* token;
    schema::LabelMatcher::Op op;
  };
  static constexpr Operator kOps[] = {{"!~", schema::LabelMatcher::Op::REGEX_NO_MATCH},
                                      {"=~", schema::LabelMatcher::Op::REGEX_MATCH},
                                      {"!=", schema::LabelMatcher::Op::NOT_EQUAL},
                                      {"=", schema::LabelMatcher::Op::EQUAL}};
  const Operator* found = nullptr;
  size_t at = std::string::npos;
  for (const auto& candidate : kOps) {
    auto position = text.find(candidate.token);
    if (position < at) {
      at = position;
      found = &candidate;
    }
  }
  if (found == nullptr) {
    throw std::invalid_argument("--label " + text + ": expected NAME=VALUE (or !=, =~, !~)");
  }
  std::string name = text.substr(0, at);
  if (!isValidLabelName(name)) {
    throw std::invalid_argument("--label " + text + ": \"" + name + "\" is not a label name");
  }
  out.setName(name);
  out.setValue(text.substr(at + std::char_traits<char>::length(found->token)));
  out.setOp(found->op);
}

}  // namespace

void buildQueryRequest(const QueryArguments& arguments, int64_t now_ms,
                       schema::QueryRequest::Builder request) {
  if (!isValidMetricName(arguments.metric)) {
    throw std::invalid_argument("\"" + arguments.metric + "\" is not a metric name");
  }
  auto since = parseTimeMs(arguments.since, now_ms);
  if (!since) {
    throw std::invalid_argument("--since " + arguments.since +
                                ": expected a duration (1h, 30m), RFC 3339 time or Unix seconds");
  }
  auto until = parseTimeMs(arguments.until, now_ms);
  if (!until) {
    throw std::invalid_argument("--until " + arguments.until +
                                ": expected a duration ago, RFC 3339 time, Unix seconds or now");
  }
  if (*until < *since) throw std::invalid_argument("--until is before --since");
  request.setMetric(arguments.metric);
  request.setHost(arguments.host);
  request.setSinceMs(*since);
  request.setUntilMs(*until);
  request.setMaxSamplesPerSeries(arguments.limit);
  if (!arguments.step.empty()) {
    auto step = parseDurationMs(arguments.step);
    if (!step || *step <= 0) {
      throw std::invalid_argument("--step " + arguments.step + ": expected a duration (1m, 5m, 1h)");
    }
    request.setStepMs(*step);
  }
  if (!arguments.aggregation.empty()) {
    static const std::map<std::string, schema::QueryRequest::Aggregation> kAggregations{
        {"min", schema::QueryRequest::Aggregation::MIN},   {"max", schema::QueryRequest::Aggregation::MAX},
        {"avg", schema::QueryRequest::Aggregation::AVG},   {"sum", schema::QueryRequest::Aggregation::SUM},
        {"last", schema::QueryRequest::Aggregation::LAST}, {"count", schema::QueryRequest::Aggregation::COUNT}};
    auto it = kAggregations.find(arguments.aggregation);
    if (it == kAggregations.end()) {
      throw std::invalid_argument("--agg " + arguments.aggregation +
                                  ": expected min, max, avg, sum, last or count");
    }
    if (arguments.step.empty()) throw std::invalid_argument("--agg needs --step");
    request.setAggregation(it->second);
  }
  request.setLastOnly(arguments.last);
  auto matchers = request.initMatchers(static_cast<unsigned>(arguments.labels.size()));
  for (size_t i = 0; i < arguments.labels.size(); ++i) parseMatcher(arguments.labels[i], matchers[i]);
}

nlohmann::json statusJson(schema::StatusReply::Reader status) {
  nlohmann::json json = {{"version", status.getVersion().cStr()},
                         {"uptime_seconds", status.getUptimeSeconds()},
                         {"agents_connected", status.getAgentsConnected()},
                         {"agents_known", status.getAgentsKnown()},
                         {"series", status.getSeriesStored()},
                         {"samples", status.getSamplesStored()},
                         {"data_dir", status.getDataDir().cStr()},
                         {"listen", status.getListen().cStr()}};
  if (status.hasRemoteWrite()) {
    auto remote = status.getRemoteWrite();
    json["remote_write"] = {{"url", remote.getUrl().cStr()},
                            {"samples_sent", remote.getSamplesSent()},
                            {"samples_failed", remote.getSamplesFailed()},
                            {"samples_dropped", remote.getSamplesDropped()},
                            {"samples_pending", remote.getSamplesPending()},
                            {"queue_bytes", remote.getQueueBytes()},
                            {"lag_seconds", remote.getLagSeconds()},
                            {"shards", remote.getShards()}};
  }
  return json;
}

std::string statusText(schema::StatusReply::Reader status) {
  std::string text = fmt::format(
      "controller        tidemark-controller {}\n"
      "uptime            {}\n"
      "listening on      {}\n"
      "data dir          {}\n"
      "agents connected  {} of {} known\n"
      "series stored     {}\n"
      "samples stored    {}\n",
      status.getVersion().cStr(),
      formatDurationMs(static_cast<int64_t>(status.getUptimeSeconds()) * 1000),
      status.getListen().cStr(), status.getDataDir().cStr(), status.getAgentsConnected(),
      status.getAgentsKnown(), groupDigits(status.getSeriesStored()),
      groupDigits(status.getSamplesStored()));
  if (status.hasRemoteWrite()) {
    auto remote = status.getRemoteWrite();
    text += fmt::format(
        "remote write      {}\n"
        "  sent            {} samples\n"
        "  pending         {} samples, {} bytes queued, oldest {:.1f} s\n"
        "  retried         {} samples\n"
        "  dropped         {} samples\n",
        remote.getUrl().cStr(), groupDigits(remote.getSamplesSent()),
        groupDigits(remote.getSamplesPending()), groupDigits(remote.getQueueBytes()),
        remote.getLagSeconds(), groupDigits(remote.getSamplesFailed()),
        groupDigits(remote.getSamplesDropped()));
  }
  return text;
}

nlohmann::json hostsJson(capnp::List<schema::HostInfo>::Reader hosts) {
  nlohmann::json list = nlohmann::json::array();
  for (auto host : hosts) {
    list.push_back({{"host", host.getHost().cStr()},
                    {"connected", host.getConnected()},
                    {"last_seen", host.getLastSeenMs() > 0
                                      ? nlohmann::json(formatTimeMs(host.getLastSeenMs()))
                                      : nlohmann::json(nullptr)},
                    {"last_seen_ms", host.getLastSeenMs()},
                    {"series", host.getSeries()},
                    {"samples", host.getSamples()},
                    {"agent_version", host.getAgentVersion().cStr()},
                    {"last_sequence", host.getLastSequence()}});
  }
  return {{"hosts", list}};
}

std::string hostsText(capnp::List<schema::HostInfo>::Reader hosts, int64_t now_ms) {
  if (hosts.size() == 0) return "no hosts have reported yet\n";
  Table table({"HOST", "CONNECTED", "LAST SEEN", "SERIES", "SAMPLES", "AGENT"},
              {false, false, false, true, true, false});
  for (auto host : hosts) {
    table.addRow({host.getHost().cStr(), host.getConnected() ? "yes" : "no",
                  formatAgo(host.getLastSeenMs(), now_ms), groupDigits(host.getSeries()),
                  groupDigits(host.getSamples()), host.getAgentVersion().cStr()});
  }
  return table.render();
}

nlohmann::json queryJson(capnp::List<schema::SeriesData>::Reader series) {
  nlohmann::json list = nlohmann::json::array();
  for (auto one : series) {
    nlohmann::json labels = nlohmann::json::object();
    for (auto label : one.getLabels()) labels[label.getName().cStr()] = label.getValue().cStr();
    nlohmann::json samples = nlohmann::json::array();
    auto timestamps = one.getTimestampsMs();
    auto values = one.getValues();
    for (unsigned i = 0; i < values.size(); ++i) samples.push_back({timestamps[i], values[i]});
    list.push_back({{"host", one.getHost().cStr()},
                    {"metric", one.getMetric().cStr()},
                    {"labels", labels},
                    {"samples", samples}});
  }
  return {{"series", list}};
}

std::string queryText(capnp::List<schema::SeriesData>::Reader series) {
  if (series.size() == 0) return "no samples match\n";
  Table table({"HOST", "SERIES", "TIME", "VALUE"}, {false, false, false, true});
  for (auto one : series) {
    Labels labels;
    for (auto label : one.getLabels()) labels.push_back({label.getName(), label.getValue()});
    std::string name = formatSeries(one.getMetric().cStr(), labels);
    auto timestamps = one.getTimestampsMs();
    auto values = one.getValues();
    for (unsigned i = 0; i < values.size(); ++i) {
      table.addRow({one.getHost().cStr(), name, formatTimeMs(timestamps[i]), formatValue(values[i])});
    }
  }
  return table.render();
}

nlohmann::json agentsJson(capnp::List<schema::AgentKeyInfo>::Reader agents) {
  nlohmann::json list = nlohmann::json::array();
  auto time = [](int64_t ms) {
    return ms > 0 ? nlohmann::json(formatTimeMs(ms)) : nlohmann::json(nullptr);
  };
  for (auto agent : agents) {
    list.push_back({{"host", agent.getHost().cStr()},
                    {"key", agent.getKey().cStr()},
                    {"state", agent.getState().cStr()},
                    {"address", agent.getAddress().cStr()},
                    {"first_seen", time(agent.getFirstSeenMs())},
                    {"last_seen", time(agent.getLastSeenMs())}});
  }
  return {{"agents", list}};
}

std::string agentsText(capnp::List<schema::AgentKeyInfo>::Reader agents, int64_t now_ms) {
  if (agents.size() == 0) return "no agent keys\n";
  Table table({"HOST", "STATE", "KEY", "FROM", "LAST SEEN"});
  for (auto agent : agents) {
    std::string address = agent.getAddress().cStr();
    table.addRow({agent.getHost().cStr(), agent.getState().cStr(), agent.getKey().cStr(),
                  address.empty() || address == "-" ? "" : address,
                  agent.getLastSeenMs() > 0 ? formatAgo(agent.getLastSeenMs(), now_ms) : ""});
  }
  return table.render();
}

}  // namespace tidemark::cli
