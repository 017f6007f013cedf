#include "agent/sandbox_main.h"

#include <exception>
#include <string>

#include "agent/tuner/sandbox_plan.h"

namespace tidemark::agent {

int printSandbox(const AgentOptions& options, std::FILE* out, std::FILE* err) {
  std::string text;
  try {
    text = tuner::sandboxPlanJson(tuner::planSandbox(options)).dump(2) + "\n";
  } catch (const std::exception& e) {
    std::fprintf(err, "tidemark-agent: --print-sandbox: %s\n", e.what());
    return 2;
  }
  std::fputs(text.c_str(), out);
  return std::fflush(out) == 0 ? 0 : 1;
}

}  // namespace tidemark::agent
