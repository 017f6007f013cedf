// Writes the binary seed corpora of the fuzz targets: valid frames of every message
// kind, as the agent, the controller and the CLI send them. The output is checked in
// under tests/fuzz/corpus/<target>/ (the TOML seeds of config_file_fuzz are written
// by hand). Regenerate with:
//   build-fuzz/bin/tidemark_fuzz_make_seeds tests/fuzz/corpus
// Deterministic: the same program writes the same bytes.
#include <capnp/message.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "common/wire/agent_link_codec.h"
#include "common/wire/frame.h"
#include "schemas/admin.capnp.h"

namespace {

using namespace tidemark;
using namespace tidemark::wire;
namespace fs = std::filesystem;

constexpr int64_t kStart = 1'700'000'000'000;

void write(const fs::path& dir, const std::string& name, const zmq::message_t& frame) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(frame.data()), static_cast<std::streamsize>(frame.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

HelloData hello() {
  HelloData h;
  h.host_id = "web-1";
  h.agent_version = "0.1.0";
  h.boot_id = "3f1c9a52-6d0e-4c1b-9a7e-2b8d5f0e1c44";
  h.epoch = 0x5eed;
  h.interval_ms = 10'000;
  h.facts = {{"kernel", "6.1.0-13-amd64"}, {"cpu_count", "8"}, {"os", "Debian 12"}};
  return h;
}

MetricBatchData batch(uint64_t sequence, bool announce) {
  MetricBatchData b;
  b.host_id = "web-1";
  b.epoch = 0x5eed;
  b.sequence = sequence;
  b.oldest_pending = sequence;
  if (announce) {
    b.announcements = {{1, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}},
                       {2, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}},
                       {3, "node_load1", {}},
                       {4, "node_network_receive_bytes_total", {{"device", "eth0"}}}};
  }
  const int64_t t = kStart + static_cast<int64_t>(sequence) * 10'000;
  b.series_ids = {1, 2, 3, 4};
  b.timestamps_ms = {t, t, t, t};
  b.values = {6103.24, 12.5, 0.42, 1.5e9};
  return b;
}

zmq::message_t adminFrame(const std::function<void(schema::AdminRequest::Builder)>& fill) {
  capnp::MallocMessageBuilder builder;
  fill(builder.initRoot<schema::AdminRequest>());
  return toFrame(builder);
}

void query(schema::AdminRequest::Builder request, const std::string& metric,
           const std::vector<std::tuple<std::string, std::string, schema::LabelMatcher::Op>>&
               matchers,
           uint32_t max_samples) {
  auto q = request.initQuery();
  q.setMetric(metric);
  q.setHost(matchers.empty() ? "" : "web-1");
  q.setSinceMs(kStart - 3'600'000);
  q.setUntilMs(kStart + 3'600'000);
  q.setMaxSamplesPerSeries(max_samples);
  auto list = q.initMatchers(static_cast<unsigned>(matchers.size()));
  for (size_t i = 0; i < matchers.size(); ++i) {
    list[i].setName(std::get<0>(matchers[i]));
    list[i].setValue(std::get<1>(matchers[i]));
    list[i].setOp(std::get<2>(matchers[i]));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (e.g. tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];

  // Agent -> controller: both decoders' targets get the same frames.
  MetricBatchData announce_only = batch(0, true);
  announce_only.series_ids.clear();
  announce_only.timestamps_ms.clear();
  announce_only.values.clear();
  MetricBatchData after_drop = batch(9, false);
  after_drop.oldest_pending = 9;
  const std::vector<std::pair<std::string, zmq::message_t>> agent = [&] {
    std::vector<std::pair<std::string, zmq::message_t>> v;
    v.emplace_back("hello", encodeAgentMessage(hello()));
    v.emplace_back("batch_seq1_announcements", encodeAgentMessage(batch(1, true)));
    v.emplace_back("batch_seq2_ids_only", encodeAgentMessage(batch(2, false)));
    v.emplace_back("batch_seq0_announce_only", encodeAgentMessage(announce_only));
    v.emplace_back("batch_seq9_oldest_pending", encodeAgentMessage(after_drop));
    TuningResultData result;
    result.host_id = "web-1";
    result.change_id = 12;
    result.outcome = TuningOutcome::kApplied;
    result.knob = "vm.swappiness";
    result.previous = "60";
    result.current = "10";
    result.restore_command = "sysctl -w vm.swappiness=60";
    result.at_ms = 1'763'900'000'000;
    v.emplace_back("tuning_result_applied", encodeAgentMessage(result));
    KnobReportData report;
    report.host_id = "web-1";
    report.at_ms = 1'763'900'000'000;
    KnobStateData scheduler;
    scheduler.knob = "block.scheduler:nvme0n1";
    scheduler.value = "mq-deadline";
    scheduler.available = true;
    scheduler.choices = {"none", "mq-deadline", "kyber"};
    scheduler.facts = {{"rotational", "0"}, {"transport", "nvme"}};
    KnobStateData swappiness;
    swappiness.knob = "vm.swappiness";
    swappiness.value = "30";
    swappiness.available = true;
    swappiness.applied_change_id = 12;
    swappiness.applied_value = "10";
    swappiness.drift = true;
    report.knobs = {scheduler, swappiness};
    v.emplace_back("knob_report_drift", encodeAgentMessage(report));
    return v;
  }();
  // Regression: host ids are file names in the controller's pki dir ("." and ".."
  // once made AgentRegistry::claim throw out of the ingest thread).
  HelloData dot_dot = hello();
  dot_dot.host_id = "..";
  write(root / "batch_ingest_fuzz", "regression_hello_host_dotdot", encodeAgentMessage(dot_dot));

  for (const auto& [name, frame] : agent) {
    write(root / "agent_message_fuzz", name, frame);
    write(root / "batch_ingest_fuzz", name, frame);
  }

  // Controller -> agent.
  const fs::path controller = root / "controller_message_fuzz";
  write(controller, "ack_stored", encodeControllerMessage(AckData{1, AckStatus::kStored, 0, ""}));
  write(controller, "ack_duplicate",
        encodeControllerMessage(AckData{1, AckStatus::kDuplicate, 0, ""}));
  write(controller, "ack_resync",
        encodeControllerMessage(AckData{3, AckStatus::kResync, 0, "series id 5 was never announced"}));
  write(controller, "ack_gap", encodeControllerMessage(AckData{5, AckStatus::kGap, 3, ""}));
  write(controller, "ack_rejected",
        encodeControllerMessage(AckData{4, AckStatus::kRejected, 0, "invalid metric name"}));
  write(controller, "ack_unauthorized",
        encodeControllerMessage(AckData{0, AckStatus::kUnauthorized, 0,
                                        "this agent's key is pending approval for host web-1"}));
  write(controller, "welcome", encodeControllerMessage(WelcomeData{"0.1.0", 41}));
  // Tuning commands: the controller message target and the tuner behind it.
  const fs::path tuning = root / "tuning_command_fuzz";
  const std::vector<std::pair<std::string, TuningCommandData>> commands = {
      {"apply_swappiness", {12, TuningAction::kApply, "vm.swappiness", "10", 0}},
      {"apply_scheduler", {13, TuningAction::kApply, "block.scheduler:sda", "mq-deadline", 0}},
      {"apply_refused", {14, TuningAction::kApply, "vm.swappiness", "150", 0}},
      {"apply_unknown_knob", {15, TuningAction::kApply, "kernel.panic", "1", 0}},
      {"rollback", {12, TuningAction::kRollback, "vm.swappiness", "", 0}},
  };
  for (const auto& [name, command] : commands) {
    write(controller, "tuning_" + name, encodeControllerMessage(command));
    write(tuning, name, encodeControllerMessage(command));
  }

  // CLI -> controller admin socket.
  using Op = schema::LabelMatcher::Op;
  const fs::path admin = root / "admin_request_fuzz";
  write(admin, "status", adminFrame([](auto r) { r.setStatus(); }));
  write(admin, "hosts", adminFrame([](auto r) { r.setHosts(); }));
  write(admin, "query_metric", adminFrame([](auto r) { query(r, "node_load1", {}, 0); }));
  write(admin, "query_matchers", adminFrame([](auto r) {
          query(r, "node_cpu_seconds_total",
                {{"cpu", "0", Op::EQUAL}, {"mode", "user", Op::NOT_EQUAL}}, 0);
        }));
  write(admin, "query_regex", adminFrame([](auto r) {
          query(r, "node_cpu_seconds_total",
                {{"mode", "idle|us.*", Op::REGEX_MATCH}, {"cpu", "[1-9][0-9]*", Op::REGEX_NO_MATCH}},
                1);
        }));
  using AgentsOp = schema::AgentsRequest::Op;
  auto agents = [](AgentsOp op, const std::string& host, const std::string& prefix) {
    return adminFrame([&](auto r) {
      auto a = r.initAgents();
      a.setOp(op);
      a.setHost(host);
      a.setKeyPrefix(prefix);
    });
  };
  write(admin, "agents_list", agents(AgentsOp::LIST, "", ""));
  write(admin, "agents_pending", agents(AgentsOp::PENDING, "", ""));
  write(admin, "agents_accept", agents(AgentsOp::ACCEPT, "spare", ""));
  write(admin, "agents_accept_prefix", agents(AgentsOp::ACCEPT, "new-host", "0%nSc"));  // fixedCurveKey(3)
  write(admin, "agents_revoke", agents(AgentsOp::REVOKE, "db.example", ""));

  std::printf("seeds written under %s\n", root.c_str());
  return 0;
}
