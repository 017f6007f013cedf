#include "agent/agent.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "agent/memory/program_pages.h"
#include "common/errors/error.h"
#include "common/process/wake_set.h"

namespace tidemark::agent {

Agent::Agent(AgentConfig config, const Clock& clock, StateDir& state, SeriesRegistry& registry,
             ControllerLink& link, ReadBatch& batch, std::vector<CollectorPtr> collectors)
    : config_(std::move(config)),
      clock_(clock),
      state_(state),
      registry_(registry),
      link_(link),
      batch_(batch),
      collectors_(std::move(collectors)),
      builder_(registry),
      outbox_(state_.outboxPath(), state_.countersPath(), config_.outbox) {
  if (config_.ack_timeout_ms <= 0) {
    config_.ack_timeout_ms = std::max<int64_t>(3 * config_.interval_ms, 10'000);
  }
  config_.hello.host_id = config_.host_id;
  config_.hello.epoch = state_.epoch();
  config_.hello.interval_ms = static_cast<uint32_t>(config_.interval_ms);
  last_ack_ms_ = clock_.monotonicMs();
  syncCounts();
}

void Agent::syncCounts() {
  const OutboxCounters& counts = outbox_.counters();
  stats_.samples_collected = counts.samples_collected;
  stats_.samples_acked = counts.samples_acked;
  stats_.samples_dropped = counts.samples_dropped;
  stats_.batches_acked = counts.batches_acked;
  stats_.batches_dropped = counts.batches_dropped;
}

void Agent::writeSelfMetrics(SampleWriter& out) {
  out.add("tidemark_agent_samples_collected_total", static_cast<double>(stats_.samples_collected));
  out.add("tidemark_agent_samples_acked_total", static_cast<double>(stats_.samples_acked));
  out.add("tidemark_agent_samples_dropped_total", static_cast<double>(stats_.samples_dropped));
  out.add("tidemark_agent_batches_sent_total", static_cast<double>(stats_.batches_sent));
  out.add("tidemark_agent_batches_acked_total", static_cast<double>(stats_.batches_acked));
  out.add("tidemark_agent_batches_dropped_total", static_cast<double>(stats_.batches_dropped));
  out.add("tidemark_agent_outbox_batches", static_cast<double>(outbox_.size()));
  out.add("tidemark_agent_outbox_bytes", static_cast<double>(outbox_.bytes()));
  out.add("tidemark_agent_outbox_unwritten_batches", static_cast<double>(outbox_.unwritten()));
  out.add("tidemark_agent_series", static_cast<double>(registry_.size()));
  out.add("tidemark_agent_unjournalled_samples_total",
          static_cast<double>(builder_.unjournalledSamples()));
  out.add("tidemark_agent_collection_duration_seconds", stats_.last_collection_seconds);
  out.add("tidemark_agent_io_backend", 1, {{"backend", batch_.backend()}});
  for (const auto& [name, seconds] : stats_.collector_seconds) {
    out.add("tidemark_agent_collector_duration_seconds", seconds, {{"collector", name}});
  }
}

void Agent::collectOnce() {
  const int64_t started = clock_.monotonicMs();
  builder_.begin(clock_.wallMs());
  stats_.collector_seconds.resize(collectors_.size());
  prepare_failed_.assign(collectors_.size(), 0);
  std::vector<int64_t>& spent_ms = collector_ms_scratch_;
  spent_ms.assign(collectors_.size(), 0);
  // Every collector queues its reads, then one submission runs them all.
  for (size_t i = 0; i < collectors_.size(); ++i) {
    const int64_t prepare_started = clock_.monotonicMs();
    try {
      collectors_[i]->prepare(batch_);
    } catch (const std::exception& e) {
      // Its slots may be half queued: collect() would read stale data, so it sits
      // this interval out. The reads it did queue still land in its own slots.
      prepare_failed_[i] = 1;
      spdlog::error("collector {} failed to prepare its reads: {}; skipped this interval",
                    collectors_[i]->name(), e.what());
    }
    spent_ms[i] = clock_.monotonicMs() - prepare_started;
  }
  batch_.submit();
  for (size_t i = 0; i < collectors_.size(); ++i) {
    const int64_t collector_started = clock_.monotonicMs();
    if (!prepare_failed_[i]) {
      try {
        collectors_[i]->collect(builder_);
      } catch (const std::exception& e) {
        // Collectors are written not to throw; one that does loses its interval, not the agent.
        spdlog::error("collector {} failed: {}", collectors_[i]->name(), e.what());
      }
    }
    spent_ms[i] += clock_.monotonicMs() - collector_started;
    auto& [name, seconds] = stats_.collector_seconds[i];
    if (name.empty()) name = collectors_[i]->name();  // set once: no string per collection
    seconds = spent_ms[i] / 1000.0;
  }
  stats_.last_collection_seconds = (clock_.monotonicMs() - started) / 1000.0;
  if (tuning_ != nullptr) {
    // Applied values are re-checked every interval; the full survey is slower.
    if (clock_.monotonicMs() >= next_survey_ms_) {
      tuning_->requestSurvey();
      next_survey_ms_ = clock_.monotonicMs() + survey_interval_ms_;
    } else {
      tuning_->requestDriftCheck();
    }
  }
  writeSelfMetrics(builder_);
  ++stats_.collections;
  if (builder_.unjournalledSamples() != logged_unjournalled_) {
    // Once per collection at most, and only while it keeps happening.
    spdlog::warn("{}; {} samples of new series skipped so far (retried every collection)",
                 registry_.journalError(), builder_.unjournalledSamples());
    logged_unjournalled_ = builder_.unjournalledSamples();
  }

  wire::MetricBatchData batch = builder_.take();
  batch.host_id = config_.host_id;
  batch.epoch = state_.epoch();
  batch.sequence = state_.nextSequence();
  if (size_t dropped = outbox_.push(std::move(batch)); dropped > 0) {
    spdlog::warn("outbox full: dropped the {} oldest unacknowledged batches ({} dropped in all)",
                 dropped, outbox_.droppedBatches());
  }
  syncCounts();
}

void Agent::attachTuning(tuner::TuningWorker& worker, int64_t survey_interval_ms) {
  tuning_ = &worker;
  survey_interval_ms_ = survey_interval_ms;
  next_survey_ms_ = clock_.monotonicMs() + survey_interval_ms_;
}

void Agent::sendHello() {
  if (!link_.send(config_.hello)) return;
  hello_pending_ = false;
  // The controller's recommender and roll-outs work from the knobs' current values.
  if (tuning_ != nullptr) tuning_->requestSurvey();
}

void Agent::handleTuningCommand(const wire::TuningCommandData& command) {
  if (tuning_ != nullptr) {
    spdlog::info("tuning: {} {} = {} (change {})", wire::tuningActionName(command.action),
                 command.knob, command.value, command.change_id);
    tuning_->submit(command);
    return;
  }
  wire::TuningResultData refused;
  refused.host_id = config_.host_id;
  refused.change_id = command.change_id;
  refused.action = command.action;
  refused.outcome = wire::TuningOutcome::kRefused;
  refused.knob = command.knob;
  refused.reason = "tuning is off on this agent";
  refused.at_ms = clock_.wallMs();
  tuning_up_.push_back(std::move(refused));
}

void Agent::sendTuningOutputs() {
  if (tuning_ != nullptr) {
    for (tuner::TuningOutput& output : tuning_->take()) {
      if (output.result) {
        spdlog::info("tuning: change {} {}: {}", output.result->change_id,
                     wire::tuningOutcomeName(output.result->outcome), output.result->reason);
        tuning_up_.push_back(std::move(*output.result));
      }
      if (output.knobs) {
        // Only the newest survey matters: drop an older one still waiting.
        std::erase_if(tuning_up_, [](const wire::AgentMessageData& message) {
          return std::holds_alternative<wire::KnobReportData>(message);
        });
        wire::KnobReportData report;
        report.host_id = config_.host_id;
        report.at_ms = clock_.wallMs();
        report.knobs = std::move(*output.knobs);
        tuning_up_.push_back(std::move(report));
      }
    }
  }
  if (hello_pending_) return;  // the controller hears who we are first
  while (!tuning_up_.empty() && link_.send(tuning_up_.front())) tuning_up_.pop_front();
}

void Agent::sendPending() {
  if (hello_pending_) {
    sendHello();
    if (hello_pending_) return;  // batches only ever follow the Hello
  }
  const int64_t now = clock_.monotonicMs();
  const uint64_t oldest = outbox_.oldestSequence(state_.peekSequence());
  for (auto& pending : outbox_.pending()) {
    if (pending.sent_at_ms >= 0) continue;
    wire::MetricBatchData& batch = pending.batch;
    // Announce every series the controller has not confirmed; once per batch.
    batch.announcements.clear();
    announced_scratch_.assign(registry_.size(), 0);
    for (uint32_t id : batch.series_ids) {
      if (registry_.acknowledged(id) || announced_scratch_[id]) continue;
      announced_scratch_[id] = 1;
      const auto& definition = registry_.definition(id);
      batch.announcements.push_back({id, definition.name, definition.labels});
    }
    batch.oldest_pending = oldest;
    const bool sent = link_.send(batch, encode_options_);
    batch.announcements.clear();
    batch.announcements.shrink_to_fit();
    if (!sent) break;  // not connected: the rest wait in the outbox
    pending.sent_at_ms = now;
    ++stats_.batches_sent;
  }
}

void Agent::handleAck(const wire::AckData& ack) {
  last_ack_ms_ = clock_.monotonicMs();
  if (warned_unreachable_) {
    spdlog::info("controller acknowledges again; {} batches pending", outbox_.size());
    warned_unreachable_ = false;
  }
  switch (ack.status) {
    case wire::AckStatus::kStored:
    case wire::AckStatus::kDuplicate:
      if (!last_refusal_.empty()) {
        spdlog::info("controller accepts this agent now");
        last_refusal_.clear();
        // The Hello was refused with the rest: send it again so the controller has our facts.
        hello_pending_ = true;
      }
      outbox_.acknowledgeThrough(ack.sequence, [&](const auto& batch) {
        for (uint32_t id : batch.series_ids) registry_.markAcknowledged(id);
      });
      break;
    case wire::AckStatus::kGap:
      if (ack.expected_sequence == 0) break;  // malformed: 0 is never a batch sequence
      // Everything before the expected sequence that we still hold was stored.
      outbox_.acknowledgeThrough(ack.expected_sequence - 1, [&](const auto& batch) {
        for (uint32_t id : batch.series_ids) registry_.markAcknowledged(id);
      });
      outbox_.resendFrom(ack.expected_sequence);
      break;
    case wire::AckStatus::kResync:
      spdlog::info("controller asked to resynchronise ({}): announcing every series again",
                   ack.reason);
      registry_.forgetAcknowledgements();
      hello_pending_ = true;
      outbox_.resendFrom(0);
      break;
    case wire::AckStatus::kUnauthorized:
      // Keep every batch: they go out once an operator accepts this agent's key.
      if (ack.reason != last_refusal_) {
        spdlog::warn("controller refused this agent: {}; batches are kept and retried", ack.reason);
        last_refusal_ = ack.reason;
      }
      break;
    case wire::AckStatus::kRejected:
      spdlog::error("controller rejected batch {}: {}; the batch is dropped", ack.sequence,
                    ack.reason);
      outbox_.drop(ack.sequence);
      ++stats_.batches_rejected;
      break;
  }
  syncCounts();
}

void Agent::handle(const wire::ControllerMessageData& message) {
  if (const auto* ack = std::get_if<wire::AckData>(&message)) {
    handleAck(*ack);
    return;
  }
  if (const auto* command = std::get_if<wire::TuningCommandData>(&message)) {
    handleTuningCommand(*command);
    return;
  }
  const auto& welcome = std::get<wire::WelcomeData>(message);
  encode_options_.uniform_timestamps = welcome.reads_uniform_timestamps;
  spdlog::info("connected to tidemark-controller {} (it holds batches through sequence {})",
               welcome.controller_version, welcome.last_sequence);
}

void Agent::exchange(int timeout_ms, int wake_fd) {
  const int64_t now = clock_.monotonicMs();
  if (link_.connections() != link_connections_) {
    // A new connection (after the first): what was in flight on the old one may
    // be lost, so say Hello and send everything unacknowledged again, now rather
    // than after the ack timeout. Repeats are acked as duplicates.
    if (link_connections_ > 0 || link_.connections() > 1) {
      outbox_.resendFrom(0);
      hello_pending_ = true;
    }
    link_connections_ = link_.connections();
    // Maybe another controller, maybe an older one: what it reads, its Welcome says.
    encode_options_ = {};
  }
  if (!outbox_.empty()) {
    const auto& oldest = outbox_.pending().front();
    if (oldest.sent_at_ms >= 0 && now - oldest.sent_at_ms >= config_.ack_timeout_ms) {
      // The controller restarted, the connection dropped, or acks were lost: resend in order.
      outbox_.resendFrom(0);
      hello_pending_ = true;
    }
    if (!warned_unreachable_ && now - last_ack_ms_ >= config_.ack_timeout_ms) {
      spdlog::warn("no acknowledgement from the controller for {} s; {} batches kept in the outbox",
                   (now - last_ack_ms_) / 1000, outbox_.size());
      warned_unreachable_ = true;
    }
  }
  sendPending();
  try {
    auto message = link_.receive(timeout_ms, wake_fd);
    while (message) {
      handle(*message);
      message = link_.receive(0);
    }
  } catch (const WireError& e) {
    spdlog::warn("dropped a malformed message from the controller: {}", e.what());
  }
  sendPending();
  sendTuningOutputs();
}

void Agent::run(const std::function<bool()>& stop, int stop_fd) {
  // Without a stop fd, stop() is asked at least this often.
  constexpr int64_t kStopCheckMs = 200;
  // One fd to wake the link's poll: readable when the stop fd or the tuning worker's is.
  WakeSet wake;
  wake.add(stop_fd);
  if (tuning_ != nullptr) wake.add(tuning_->wakeFd());
  const int wake_fd = wake.fd();
  int64_t next_collection = clock_.monotonicMs();
  int64_t next_trim = next_collection + config_.memory_trim_interval_ms;
  while (!stop()) {
    int64_t now = clock_.monotonicMs();
    if (now >= next_collection) {
      collectOnce();
      next_collection += config_.interval_ms;
      // After a stall (suspend, overload) skip the missed intervals instead of bursting.
      if (next_collection <= now) next_collection = now + config_.interval_ms;
      if (config_.memory_trim_interval_ms > 0 && now >= next_trim) {
        ::malloc_trim(0);
        if (!program_pages_released_ && stats_.collections >= kStartUpCollections) {
          // By now every pass kind has run (scan, walk, send, ack) and the start-up
          // probes have decided (the io_uring hand-off by pass 19, where ship processes'
          // CPU comes from by pass 36): what start-up alone touched in the program file,
          // the way a probe did not choose included, can go.
          program_pages_released_ = true;
          const PageOutResult released = pageOutMappingsOf();
          if (released.error != 0) {
            spdlog::debug("MADV_PAGEOUT of the program's pages: {} (errno {})",
                          std::strerror(released.error), released.error);
          }
        }
        next_trim = now + config_.memory_trim_interval_ms;
      }
    }
    now = clock_.monotonicMs();
    const int64_t until_next = std::max<int64_t>(next_collection - now, 0);
    exchange(static_cast<int>(stop_fd >= 0 ? until_next : std::min(until_next, kStopCheckMs)),
             wake_fd);
  }
  const int64_t deadline = clock_.monotonicMs() + config_.flush_timeout_ms;
  while (!outbox_.empty() && clock_.monotonicMs() < deadline) exchange(50);
}

}  // namespace tidemark::agent
