// --check-config on the agent: a command-line flag only, and the files it checks
// (policy, curve keys) fail with the file's name and why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/agent_options.h"
#include "agent/check_config.h"
#include "common/config/check_config.h"
#include "common/errors/error.h"
#include "common/transport/curve_keys.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using ::testing::HasSubstr;

AgentOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"tidemark-agent", "--controller", "tcp://127.0.0.1:5555",
                             "--host-id", "web-01"});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parseAgentOptions(static_cast<int>(argv.size()), argv.data());
}

// A key pair for the agent and one for the controller, written as `tidemark keys
// generate` writes them (PREFIX.key 0600, PREFIX.pub).
struct Keys {
  testing::TempDir dir;
  Keys() {
    writeCurveKeyPair(dir.str() + "/agent", generateCurveKeyPair());
    writeCurveKeyPair(dir.str() + "/controller", generateCurveKeyPair());
  }
  std::vector<std::string> flags() const {
    return {"--curve-key", dir.str() + "/agent.key", "--controller-pub",
            dir.str() + "/controller.pub"};
  }
};

TEST(AgentOptionsCheckConfigTest, OffByDefaultOnWithTheFlagAndTheFileIsNamed) {
  EXPECT_FALSE(parse({"--insecure"}).check_config);
  EXPECT_TRUE(parse({"--insecure"}).config_path.empty());
  testing::TempDir dir;
  dir.write("agent.toml", "interval = \"20s\"\n");
  const AgentOptions options =
      parse({"--insecure", "--check-config", "--config", dir.str() + "/agent.toml"});
  EXPECT_TRUE(options.check_config);
  EXPECT_EQ(options.config_path, dir.str() + "/agent.toml");
  EXPECT_EQ(checkConfigOkLine("tidemark-agent", options.config_path),
            "tidemark-agent: configuration OK (" + dir.str() + "/agent.toml)");
  EXPECT_EQ(checkConfigOkLine("tidemark-agent", ""),
            "tidemark-agent: configuration OK (command line only)");
}

// A file that turned it on would keep the daemon from ever starting.
TEST(AgentOptionsCheckConfigTest, IsNotAFileKey) {
  testing::TempDir dir;
  dir.write("agent.toml", "check_config = true\n");
  try {
    parse({"--insecure", "--config", dir.str() + "/agent.toml"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown key 'check_config'"));
  }
}

// The existing validation still runs first: --check-config is no way around it.
TEST(AgentOptionsCheckConfigTest, BadValuesStillFailTheParse) {
  testing::TempDir dir;
  dir.write("agent.toml", "interval = \"ten\"\n");
  EXPECT_THROW(parse({"--insecure", "--check-config", "--config", dir.str() + "/agent.toml"}),
               ConfigError);
}

TEST(AgentOptionsCheckConfigTest, GoodKeysAndPolicyPass) {
  Keys keys;
  keys.dir.write("policy.toml", "[[allow]]\nknob = \"vm.swappiness\"\nmin = 1\nmax = 60\n");
  auto args = keys.flags();
  args.insert(args.end(), {"--check-config", "--policy", keys.dir.str() + "/policy.toml"});
  EXPECT_NO_THROW(checkAgentFiles(parse(args)));
  EXPECT_NO_THROW(checkAgentFiles(parse({"--insecure"})));  // no keys to read, built-in policy
}

TEST(AgentOptionsCheckConfigTest, ABadOrMissingPolicyIsNamed) {
  Keys keys;
  keys.dir.write("policy.toml", "[[allow]]\nknob = \"vm.swappiness\"\nmin = 60\nmax = 1\n");
  const std::string path = keys.dir.str() + "/policy.toml";
  for (bool disabled : {false, true}) {
    std::vector<std::string> args = {"--insecure", "--policy", path};
    if (disabled) args.push_back("--tuning-disabled");
    try {
      checkAgentFiles(parse(args));
      FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr("--policy: "));
      EXPECT_THAT(e.what(), HasSubstr(path));
    }
  }
  try {
    checkAgentFiles(parse({"--insecure", "--policy", keys.dir.str() + "/missing.toml"}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.toml"));
  }
}

TEST(AgentOptionsCheckConfigTest, MissingOrMalformedKeysAreNamed) {
  Keys keys;
  keys.dir.write("bad.pub", "not a key\n");
  try {
    checkAgentFiles(parse({"--curve-key", keys.dir.str() + "/nope.key", "--controller-pub",
                           keys.dir.str() + "/controller.pub"}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nope.key"));
  }
  try {
    checkAgentFiles(parse({"--curve-key", keys.dir.str() + "/agent.key", "--controller-pub",
                           keys.dir.str() + "/bad.pub"}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.pub"));
  }
}

}  // namespace
}  // namespace tidemark::agent
