// tidemark-controller: stores fleet history and serves the CLI.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "common/config/check_config.h"
#include "common/config/option_set.h"
#include "common/errors/error.h"
#include "common/logging/setup.h"
#include "common/process/stop_signal.h"
#include "controller/check_config.h"
#include "controller/controller.h"

int main(int argc, char** argv) {
  using namespace tidemark;
  StopSignal stop_signal;
  controller::ControllerOptions options;
  try {
    options = controller::parseControllerOptions(argc, argv);
    setupLogging("tidemark-controller", options.log_level);
    if (options.check_config) {  // before anything that creates or binds
      controller::checkControllerFiles(options);
      printf("%s\n", checkConfigOkLine("tidemark-controller", options.config_path).c_str());
      return 0;
    }
  } catch (const CommandLineExit& e) {
    return e.code;
  } catch (const std::exception& e) {
    fprintf(stderr, "tidemark-controller: %s\n", e.what());
    return 2;
  }
  try {
    SystemClock clock;
    controller::Controller controller(options, clock);
    if (options.insecure) {
      spdlog::warn("INSECURE: agent link {} is plain TCP without CurveZMQ or an allow-list: anyone "
                   "who can reach it can send data",
                   controller.boundEndpoint());
    }
    spdlog::info("tidemark-controller {} listening on {}, admin socket {}, data in {}",
                 TIDEMARK_VERSION, controller.boundEndpoint(), options.admin_socket,
                 options.data_dir);
    controller.run([&] { return stop_signal.requested(); });
    spdlog::info("tidemark-controller stopped (signal {})", stop_signal.signal());
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
