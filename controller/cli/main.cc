// tidemark: the operator's CLI. Talks to a controller over its admin socket.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "common/time/clock.h"
#include "common/transport/admin_client.h"
#include "controller/cli/commands.h"

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
  cli::QueryArguments query_arguments;
  auto* query = app.add_subcommand("query", "samples of one metric");
  query->add_option("METRIC", query_arguments.metric, "metric name")->required();
  query->add_option("--host", query_arguments.host, "only this host");
  query->add_option("--label", query_arguments.labels, "label matcher NAME=VALUE (!=, =~, !~); repeatable");
  query->add_option("--since", query_arguments.since, "start: duration ago (1h), RFC 3339 or Unix seconds (default 1h)");
  query->add_option("--until", query_arguments.until, "end: as --since, or now (default now)");
  query->add_option("--limit", query_arguments.limit, "newest N samples per series (default all)");
  for (auto* sub : {status, hosts, query}) sub->add_flag("--json", json, "print JSON for scripts");

  CLI11_PARSE(app, argc, argv);

  SystemClock clock;
  try {
    AdminClient client(socket_path, std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000)));
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
