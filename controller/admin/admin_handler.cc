#include "controller/admin/admin_handler.h"

#include <kj/exception.h>

#include <cstring>
#include <limits>
#include <stdexcept>

#include "common/errors/error.h"
#include "controller/admin/plan_reply.h"
#include "controller/admin/ship_status.h"
#include "controller/remote_write/remote_write_exporter.h"
#include "controller/store/key_codec.h"
#include "controller/admin/trigger_list.h"
#include "controller/admin/tune_reply.h"

namespace tidemark::controller {

namespace {

// Copies a view into a text field that init(size) allocated: capnp's Text::Reader
// wants NUL-terminated bytes, and the catalog's key views are not.
void copyText(capnp::Text::Builder out, std::string_view text) {
  std::memcpy(out.begin(), text.data(), text.size());
}

}  // namespace

void AdminHandler::handle(schema::AdminRequest::Reader request,
                          schema::AdminResponse::Builder response, const AdminPeer& peer) const {
  try {
    switch (request.which()) {
      case schema::AdminRequest::STATUS:
        return status(response);
      case schema::AdminRequest::HOSTS:
        return hosts(response);
      case schema::AdminRequest::QUERY:
        return query(request.getQuery(), response);
      case schema::AdminRequest::AGENTS:
        return agents(request.getAgents(), response);
      case schema::AdminRequest::IMPORT_SAMPLES:
        return importSamples(request.getImportSamples(), response);
      case schema::AdminRequest::COMPACT:
        return compact(response);
      case schema::AdminRequest::SHIPS:
        return ships(request.getShips(), response);
      case schema::AdminRequest::PLAN:
        return plan(request.getPlan(), response);
      case schema::AdminRequest::TRIGGERS:
        return triggers(request.getTriggers(), response);
      case schema::AdminRequest::TUNE:
        return tune(request.getTune(), peer, response);
    }
    response.setError("unknown admin request " + std::to_string(request.which()) +
                      " (is the CLI newer than the controller?)");
  } catch (const std::invalid_argument& e) {
    response.setError(e.what());
  } catch (const kj::Exception& e) {
    response.setError(std::string("malformed admin request: ") + e.getDescription().cStr());
  } catch (const StoreError& e) {
    response.setError(e.what());
  }
}

void AdminHandler::status(schema::AdminResponse::Builder response) const {
  auto reply = response.initStatus();
  const int64_t now = context_.clock.monotonicMs();
  reply.setVersion(TIDEMARK_VERSION);
  reply.setUptimeSeconds(static_cast<double>(now - context_.started_monotonic_ms) / 1000.0);
  reply.setAgentsConnected(static_cast<uint32_t>(context_.presence.connectedCount(now)));
  reply.setAgentsKnown(static_cast<uint32_t>(context_.store.hosts().size()));
  reply.setSeriesStored(context_.store.seriesCount());
  reply.setSamplesStored(context_.store.sampleCount());
  reply.setDataDir(context_.store.path());
  reply.setListen(context_.listen_endpoint);
  if (context_.remote_write != nullptr) {
    const auto stats = context_.remote_write->stats();
    auto remote = reply.initRemoteWrite();
    remote.setUrl(context_.remote_write_url);
    remote.setSamplesSent(stats.samples_sent);
    remote.setSamplesFailed(stats.samples_failed);
    remote.setSamplesDropped(stats.samples_dropped);
    remote.setSamplesPending(stats.samples_pending);
    remote.setQueueBytes(stats.queue_bytes);
    remote.setLagSeconds(stats.lag_seconds);
    remote.setShards(stats.shards);
  }
}

void AdminHandler::hosts(schema::AdminResponse::Builder response) const {
  auto states = context_.store.hosts();
  auto list = response.initHosts(static_cast<unsigned>(states.size()));
  const int64_t now = context_.clock.monotonicMs();
  for (size_t i = 0; i < states.size(); ++i) {
    const auto& state = states[i];
    auto out = list[i];
    out.setHost(state.host);
    out.setConnected(context_.presence.connected(state.host, now));
    out.setLastSeenMs(state.last_seen_ms);
    out.setSeries(state.series);
    out.setSamples(state.samples);
    out.setAgentVersion(state.agent_version);
    out.setLastSequence(state.last_sequence);
  }
}

void AdminHandler::query(schema::QueryRequest::Reader request,
                         schema::AdminResponse::Builder response) const {
  SeriesQuery query;
  query.metric = request.getMetric();
  if (!isValidMetricName(query.metric)) {
    throw std::invalid_argument("\"" + query.metric + "\" is not a metric name");
  }
  query.host = request.getHost();
  query.since_ms = request.getSinceMs();
  query.until_ms = request.getUntilMs();
  query.max_samples_per_series = request.getMaxSamplesPerSeries();
  query.step_ms = request.getStepMs();
  if (query.step_ms < 0) throw std::invalid_argument("step must be positive");
  using Wire = schema::QueryRequest::Aggregation;
  switch (request.getAggregation()) {
    case Wire::MIN: query.aggregation = Aggregation::kMin; break;
    case Wire::MAX: query.aggregation = Aggregation::kMax; break;
    case Wire::AVG: query.aggregation = Aggregation::kAvg; break;
    case Wire::SUM: query.aggregation = Aggregation::kSum; break;
    case Wire::LAST: query.aggregation = Aggregation::kLast; break;
    case Wire::COUNT: query.aggregation = Aggregation::kCount; break;
    default: query.aggregation = Aggregation::kNone; break;
  }
  query.last_only = request.getLastOnly();
  for (auto matcher : request.getMatchers()) {
    LabelMatcher m;
    m.name = matcher.getName();
    m.value = matcher.getValue();
    switch (matcher.getOp()) {
      case schema::LabelMatcher::Op::EQUAL: m.op = LabelMatcher::Op::kEqual; break;
      case schema::LabelMatcher::Op::NOT_EQUAL: m.op = LabelMatcher::Op::kNotEqual; break;
      case schema::LabelMatcher::Op::REGEX_MATCH: m.op = LabelMatcher::Op::kRegexMatch; break;
      case schema::LabelMatcher::Op::REGEX_NO_MATCH: m.op = LabelMatcher::Op::kRegexNoMatch; break;
      default:
        throw std::invalid_argument("label matcher " + m.name + ": unknown operator " +
                                    std::to_string(static_cast<int>(matcher.getOp())) +
                                    " (is the CLI newer than the controller?)");
    }
    query.matchers.push_back(std::move(m));
  }
  if (query.last_only && query.step_ms == 0) {
    // Last values straight from the catalog's keys: no strings or vectors per series.
    const auto lasts = history().lastValues(query);
    auto list = response.initQuery(static_cast<unsigned>(lasts.size()));
    for (size_t i = 0; i < lasts.size(); ++i) {
      const LastValue& last = lasts[i];
      auto out = list[i];
      copyText(out.initHost(static_cast<unsigned>(last.host.size())), last.host);
      copyText(out.initMetric(static_cast<unsigned>(last.metric.size())), last.metric);
      unsigned label_count = 0;
      LabelView label;
      for (std::string_view rest = last.encoded_labels; keys::nextLabel(rest, label);) ++label_count;
      auto labels = out.initLabels(label_count);
      unsigned j = 0;
      for (std::string_view rest = last.encoded_labels; keys::nextLabel(rest, label); ++j) {
        copyText(labels[j].initName(static_cast<unsigned>(label.name.size())), label.name);
        copyText(labels[j].initValue(static_cast<unsigned>(label.value.size())), label.value);
      }
      out.initTimestampsMs(1).set(0, last.timestamp_ms);
      out.initValues(1).set(0, last.value);
    }
    return;
  }
  auto results = history().query(query);
  auto list = response.initQuery(static_cast<unsigned>(results.size()));
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& series = results[i];
    auto out = list[i];
    out.setHost(series.host);
    out.setMetric(series.metric);
    auto labels = out.initLabels(static_cast<unsigned>(series.labels.size()));
    for (size_t j = 0; j < series.labels.size(); ++j) {
      labels[j].setName(series.labels[j].name);
      labels[j].setValue(series.labels[j].value);
    }
    auto timestamps = out.initTimestampsMs(static_cast<unsigned>(series.timestamps_ms.size()));
    auto values = out.initValues(static_cast<unsigned>(series.values.size()));
    for (size_t j = 0; j < series.values.size(); ++j) {
      timestamps.set(j, series.timestamps_ms[j]);
      values.set(j, series.values[j]);
    }
  }
}

void AdminHandler::agents(schema::AgentsRequest::Reader request,
                          schema::AdminResponse::Builder response) const {
  AgentRegistry* registry = context_.registry;
  if (registry == nullptr) {
    response.setError("the controller runs with --insecure: there is no agent allow-list");
    return;
  }
  const std::string host = request.getHost();
  switch (request.getOp()) {
    case schema::AgentsRequest::Op::LIST:
    case schema::AgentsRequest::Op::PENDING: {
      registry->refreshIfChanged();
      auto records = registry->list();
      if (request.getOp() == schema::AgentsRequest::Op::PENDING) {
        std::erase_if(records, [](const auto& r) { return r.state != KeyState::kPending; });
      }
      auto list = response.initAgents(static_cast<unsigned>(records.size()));
      for (size_t i = 0; i < records.size(); ++i) {
        list[i].setHost(records[i].host);
        list[i].setKey(records[i].key);
        list[i].setState(keyStateName(records[i].state));
        list[i].setAddress(records[i].address);
        list[i].setFirstSeenMs(records[i].first_seen_ms);
        list[i].setLastSeenMs(records[i].last_seen_ms);
      }
      return;
    }
    case schema::AgentsRequest::Op::ACCEPT: {
      if (auto error = registry->accept(host, request.getKeyPrefix()); !error.empty()) {
        response.setError(error);
      } else {
        response.setDone("accepted host " + host + "; its agent's data flows on its next retry");
      }
      return;
    }
    case schema::AgentsRequest::Op::REVOKE: {
      if (auto error = registry->revoke(host); !error.empty()) {
        response.setError(error);
      } else {
        response.setDone("revoked host " + host + "; its key is denied and nothing more is stored");
      }
      return;
    }
  }
  response.setError("unknown agents operation");
}

void AdminHandler::compact(schema::AdminResponse::Builder response) const {
  if (context_.writable_store == nullptr) {
    response.setError("this controller does not compact on request");
    return;
  }
  const int64_t started = context_.clock.monotonicMs();
  if (std::string error = context_.writable_store->compact(); !error.empty()) {
    response.setError("compaction of " + context_.store.path() + " failed: " + error);
    return;
  }
  auto reply = response.initCompacted();
  reply.setSeconds(static_cast<double>(context_.clock.monotonicMs() - started) / 1000.0);
  auto usage = context_.writable_store->diskUsage();
  reply.setLiveSstBytes(usage.count("total") ? usage["total"] : 0);
}

void AdminHandler::ships(schema::ShipsRequest::Reader request,
                         schema::AdminResponse::Builder response) const {
  auto statuses = readShipStatuses(history(), request.getHost(), context_.clock.wallMs());
  auto list = response.initShips(static_cast<unsigned>(statuses.size()));
  constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < statuses.size(); ++i) {
    const ShipStatus& ship = statuses[i];
    auto out = list[i];
    out.setHost(ship.host);
    out.setShip(ship.ship);
    out.setPier(ship.pier);
    out.setUp(ship.up);
    out.setUpSampleMs(ship.up_sample_ms);
    out.setStaleAfterMs(ship.stale_after_ms);
    out.setPierBytes(ship.pier_bytes.value_or(kUnknown));
    out.setLoomBytes(ship.loom_bytes.value_or(kUnknown));
    out.setLoomUseRatio(ship.loom_use_ratio.value_or(kUnknown));
    out.setRssBytes(ship.rss_bytes.value_or(kUnknown));
    out.setCpuSeconds(ship.cpu_seconds.value_or(kUnknown));
    out.setCpuRatio(ship.cpu_ratio.value_or(kUnknown));
    out.setLastPackMs(ship.last_pack_ms.value_or(0));
  }
}

void AdminHandler::plan(schema::PlanRequest::Reader request,
                        schema::AdminResponse::Builder response) const {
  planner::PlanOptions options = context_.plan_defaults;
  options.host = request.getHost();
  options.now_ms = context_.clock.wallMs();
  if (request.getWindowMs() < 0) {
    response.setError("plan: window must be positive, got " +
                      std::to_string(request.getWindowMs()) + " ms");
    return;
  }
  if (request.getWindowMs() > 0) options.window_ms = request.getWindowMs();
  options.with_history = request.getWithHistory();
  fillPlanReply(planner::makePlan(history(), options), response.initPlan());
}

void AdminHandler::triggers(schema::TriggersRequest::Reader request,
                            schema::AdminResponse::Builder response) const {
  if (context_.triggers == nullptr) {
    response.setError("this controller evaluates no triggers");
    return;
  }
  fillTriggerList(*context_.triggers, request.getAll(), response);
}

void AdminHandler::importSamples(schema::ImportRequest::Reader request,
                                 schema::AdminResponse::Builder response) const {
  if (context_.importer == nullptr) {
    response.setError("this controller does not accept imports");
    return;
  }
  ImportResult result = context_.importer->apply(request);
  auto reply = response.initImported();
  reply.setSamples(result.samples);
  reply.setSeries(result.series);
  reply.setNewSeries(result.new_series);
}

void AdminHandler::tune(schema::TuneRequest::Reader request, const AdminPeer& peer,
                        schema::AdminResponse::Builder response) const {
  if (context_.tuning == nullptr) {
    response.setError("this controller has no tuning service");
    return;
  }
  answerTune(*context_.tuning, request, peer, response);
}

}  // namespace tidemark::controller
