// tidemark: the operator's CLI. Talks to a controller over its admin socket.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "common/config/duration.h"
#include "common/time/clock.h"
#include "common/transport/admin_client.h"
#include "common/transport/curve_keys.h"
#include "controller/cli/commands.h"
#include "controller/cli/import_command.h"
#include "controller/cli/plan.h"
#include "controller/cli/report.h"
#include "controller/report/render/report_render.h"
#include "common/files/durable_file.h"
#include "controller/cli/ships.h"
#include "controller/cli/triggers.h"
#include "controller/cli/tune.h"

namespace {

std::string defaultSocket() {
  const char* env = std::getenv("TIDEMARK_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/tidemark/controller.sock";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tidemark;
  CLI::App app("tidemark: query and manage a Tidemark fleet controller", "tidemark");
  app.require_subcommand(1);
  std::string socket_path = defaultSocket();
  bool json = false;
  double timeout_s = 10;
  app.add_option("--socket", socket_path,
                 "controller admin socket (default $TIDEMARK_SOCKET or /run/tidemark/controller.sock)");
  app.add_option("--timeout", timeout_s, "seconds to wait for the controller (default 10)");
  app.add_flag("--json", json, "print JSON for scripts");

  auto* status = app.add_subcommand("status", "controller uptime, agents connected, samples stored");
  auto* hosts = app.add_subcommand("hosts", "every host that has reported, and whether it is connected");
  std::string ships_host;
  auto* ships = app.add_subcommand(
      "ships", "every Urbit ship: up or down, pier size, loom use, RSS, CPU, last pack");
  ships->add_option("--host", ships_host, "only the ships of this host");
  std::string plan_host;
  std::string plan_window;
  auto* plan = app.add_subcommand(
      "plan", "capacity forecasts: what runs out when, nearest exhaustion first, and fleet totals");
  plan->add_option("--host", plan_host, "only this host");
  plan->add_option("--window", plan_window,
                   "history to fit the trends to, e.g. 14d (default: the controller's, 30d)");
  bool triggers_all = false;
  auto* triggers = app.add_subcommand(
      "triggers", "scaling triggers firing or pending: what to scale up or out, and why");
  triggers->add_flag("--all", triggers_all, "also the resolved ones (kept 30 days)");
  cli::QueryArguments query_arguments;
  auto* query = app.add_subcommand("query", "samples of one metric");
  query->add_option("METRIC", query_arguments.metric, "metric name")->required();
  query->add_option("--host", query_arguments.host, "only this host");
  query->add_option("--label", query_arguments.labels, "label matcher NAME=VALUE (!=, =~, !~); repeatable");
  query->add_option("--since", query_arguments.since, "start: duration ago (1h), RFC 3339 or Unix seconds (default 1h)");
  query->add_option("--until", query_arguments.until, "end: as --since, or now (default now)");
  query->add_option("--limit", query_arguments.limit, "newest N samples per series (default all)");
  query->add_option("--step", query_arguments.step,
                    "aggregate into buckets of this duration (5m and 1h multiples read the rollups)");
  query->add_option("--agg", query_arguments.aggregation,
                    "with --step: min, max, avg, sum, last or count (default avg)");
  query->add_flag("--last", query_arguments.last, "only the newest sample of each series");
  std::string report_format = "html";
  std::string report_out;
  std::string report_since = "30d";
  auto* report_command = app.add_subcommand(
      "report", "write a fleet report: exhaustion forecasts, firing triggers, ships, charts");
  report_command->add_option("--format", report_format, "md, html or json (default html)");
  report_command->add_option("--out", report_out, "the file to write")->required();
  report_command->add_option("--since", report_since, "history to look at, a duration (default 30d)");
  auto* agents = app.add_subcommand("agents", "the allow-list of agent keys (enrolment)");
  agents->require_subcommand(1);
  auto* agents_list = agents->add_subcommand("list", "every agent key: accepted, pending, denied");
  auto* agents_pending = agents->add_subcommand("pending", "keys waiting for an operator");
  std::string agent_host;
  std::string key_prefix;
  auto* agents_accept = agents->add_subcommand("accept", "accept the pending key of HOST");
  agents_accept->add_option("HOST", agent_host, "host id")->required();
  agents_accept->add_option("--key", key_prefix, "the pending key to accept (a prefix), when several are pending");
  auto* agents_revoke = agents->add_subcommand("revoke", "remove HOST from the allow-list and deny its key");
  agents_revoke->add_option("HOST", agent_host, "host id")->required();

  auto* keys = app.add_subcommand("keys", "CurveZMQ key pairs");
  keys->require_subcommand(1);
  std::string key_prefix_out;
  auto* keys_generate = keys->add_subcommand("generate", "write PREFIX.key (secret, 0600) and PREFIX.pub");
  keys_generate->add_option("--out", key_prefix_out, "path prefix of the two files")->required();

  cli::TuneCommand tune_command;
  cli::addTuneCommand(app, tune_command, json);

  auto* compact = app.add_subcommand(
      "compact", "seal every series' head and compact the store (after a bulk import)");
  auto* import = app.add_subcommand("import", "backfill history from another system");
  import->require_subcommand(1);
  std::string import_file;
  bool import_dry_run = false;
  cli::ImportOptions import_options;
  auto* import_openmetrics = import->add_subcommand(
      "openmetrics",
      "import Prometheus/OpenMetrics text with timestamps (promtool tsdb dump-openmetrics); "
      "the whole file is checked before anything is sent");
  import_openmetrics->add_option("FILE", import_file, "the exposition file")->required();
  import_openmetrics->add_option("--host", import_options.default_host,
                                 "host of series without a host or instance label");
  import_openmetrics->add_flag("--dry-run", import_dry_run, "check the file, send nothing");

  for (auto* sub : {status, hosts, ships, plan, triggers, compact, query, agents_list, agents_pending, agents_accept, agents_revoke}) {
    sub->add_flag("--json", json, "print JSON for scripts");
  }

  CLI11_PARSE(app, argc, argv);

  SystemClock clock;
  if (keys_generate->parsed()) {
    try {
      CurveKeyPair pair = generateCurveKeyPair();
      writeCurveKeyPair(key_prefix_out, pair);
      std::cout << "wrote " << key_prefix_out << ".key (secret, mode 0600) and " << key_prefix_out
                << ".pub\npublic key " << pair.public_key << "\n";
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tidemark: %s\n", e.what());
      return 1;
    }
  }
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  if (import_openmetrics->parsed()) {
    return cli::runImportOpenMetrics(import_file, import_options, socket_path, timeout,
                                     import_dry_run, std::cout, std::cerr);
  }
  try {
    AdminClient client(socket_path, timeout);
    if (status->parsed()) {
      client.call([](auto request) { request.setStatus(); },
                  [&](auto response) {
                    if (json) std::cout << cli::statusJson(response.getStatus()).dump(2) << "\n";
                    else std::cout << cli::statusText(response.getStatus());
                  });
    } else if (hosts->parsed()) {
      client.call([](auto request) { request.setHosts(); },
                  [&](auto response) {
                    if (json) std::cout << cli::hostsJson(response.getHosts()).dump(2) << "\n";
                    else std::cout << cli::hostsText(response.getHosts(), clock.wallMs());
                  });
    } else if (ships->parsed()) {
      client.call([&](auto request) { request.initShips().setHost(ships_host); },
                  [&](auto response) {
                    if (json) std::cout << cli::shipsJson(response.getShips()).dump(2) << "\n";
                    else std::cout << cli::shipsText(response.getShips(), clock.wallMs());
                  });
    } else if (plan->parsed()) {
      int64_t window_ms = 0;
      if (!plan_window.empty()) {
        const auto parsed = parseDurationMs(plan_window);
        if (!parsed || *parsed <= 0) {
          throw std::invalid_argument("--window " + plan_window +
                                      ": expected a duration such as 14d or 12h");
        }
        window_ms = *parsed;
      }
      client.call(
          [&](auto request) {
            auto plan_request = request.initPlan();
            plan_request.setHost(plan_host);
            plan_request.setWindowMs(window_ms);
          },
          [&](auto response) {
            if (json) std::cout << cli::planJson(response.getPlan()).dump(2) << "\n";
            else std::cout << cli::planText(response.getPlan());
          });
    } else if (report_command->parsed()) {
      const auto format = report::parseReportFormat(report_format);
      const auto since = parseDurationMs(report_since);
      if (!since || *since <= 0) {
        throw std::invalid_argument("--since " + report_since +
                                    ": expected a duration such as 30d or 12h");
      }
      const int64_t now_ms = clock.wallMs();
      cli::Progress progress(stderr);
      const auto document = cli::collectReport(
          [&](const auto& fill, const auto& read) { client.call(fill, read); }, now_ms - *since,
          now_ms, &progress);
      writeFileDurably(report_out, report::renderReport(document, format), 0644);
      std::cerr << "wrote " << report_out << " (" << document["forecasts"].size()
                << " forecasts, " << document["triggers"].size() << " firing triggers, "
                << document["ships"].size() << " ships)\n";
    } else if (triggers->parsed()) {
      client.call([&](auto request) { request.initTriggers().setAll(triggers_all); },
                  [&](auto response) {
                    if (json) std::cout << cli::triggersJson(response.getTriggers()).dump(2) << "\n";
                    else std::cout << cli::triggersText(response.getTriggers(), clock.wallMs());
                  });
    } else if (tune_command.tune->parsed()) {
      cli::runTuneCommand(
          tune_command, [&](const auto& fill, const auto& read) { client.call(fill, read); }, json,
          clock.wallMs(), std::cout);
    } else if (agents->parsed()) {
      using Op = schema::AgentsRequest::Op;
      Op op = agents_list->parsed()      ? Op::LIST
              : agents_pending->parsed() ? Op::PENDING
              : agents_accept->parsed()  ? Op::ACCEPT
                                         : Op::REVOKE;
      client.call(
          [&](auto request) {
            auto agents_request = request.initAgents();
            agents_request.setOp(op);
            agents_request.setHost(agent_host);
            agents_request.setKeyPrefix(key_prefix);
          },
          [&](auto response) {
            if (response.isDone()) {
              if (json) std::cout << nlohmann::json{{"done", response.getDone().cStr()}}.dump(2) << "\n";
              else std::cout << response.getDone().cStr() << "\n";
            } else if (json) {
              std::cout << cli::agentsJson(response.getAgents()).dump(2) << "\n";
            } else {
              std::cout << cli::agentsText(response.getAgents(), clock.wallMs());
            }
          });
    } else if (compact->parsed()) {
      client.call([](auto request) { request.setCompact(); },
                  [&](auto response) {
                    auto reply = response.getCompacted();
                    if (json) {
                      std::cout << nlohmann::json{{"seconds", reply.getSeconds()},
                                                  {"live_sst_bytes", reply.getLiveSstBytes()}}
                                       .dump(2)
                                << "\n";
                    } else {
                      std::cout << "compacted in " << reply.getSeconds() << " s; live SST bytes "
                                << reply.getLiveSstBytes() << "\n";
                    }
                  });
    } else if (query->parsed()) {
      client.call(
          [&](auto request) { cli::buildQueryRequest(query_arguments, clock.wallMs(), request.initQuery()); },
          [&](auto response) {
            if (json) std::cout << cli::queryJson(response.getQuery()).dump(2) << "\n";
            else std::cout << cli::queryText(response.getQuery());
          });
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tidemark: %s\n", e.what());
    return 1;
  }
  return 0;
}
