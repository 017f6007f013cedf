#include "common/config/option_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "tests/support/test_support.h"

namespace tidemark {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tidemark::testing::TempDir;

struct Values {
  std::string state_dir;
  bool verbose = false;
  int64_t interval_ms = 10'000;
  int64_t workers = 4;
  std::vector<std::string> tags;
  int64_t reports_interval_ms = 60'000;
  std::string reports_path = "default-path";
};

// An app with one option of each kind, as a daemon declares them.
class OptionSetTest : public ::testing::Test {
 protected:
  OptionSetTest() : options(app) {
    options.addString("state_dir", &values.state_dir, "state folder");
    options.addFlag("verbose", &values.verbose, "more logging");
    options.addDurationMs("interval", &values.interval_ms, "collection interval");
    options.addInteger("workers", &values.workers, 1, 64, "worker threads");
    options.addStringList("tags", &values.tags, "tags");
    options.addDurationMs("reports.interval", &values.reports_interval_ms, "report interval");
    options.addString("reports.path", &values.reports_path, "report path");
  }

  // CLI11 consumes a vector from the back, so hand it the arguments reversed.
  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());
    app.parse(args);
  }

  void parseAndResolve(std::vector<std::string> args) {
    parse(std::move(args));
    options.resolve();
  }

  // Writes a config file and returns its path.
  std::string configFile(const std::string& content) {
    dir.write("agent.toml", content);
    return (dir.path() / "agent.toml").string();
  }

  // The message of the ConfigError that resolving `args` throws ("" when none).
  std::string resolveError(std::vector<std::string> args) {
    try {
      parseAndResolve(std::move(args));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  TempDir dir;
  CLI::App app{"test"};
  Values values;
  OptionSet options;
};

TEST(FlagForKeyTest, DerivesFlagNames) {
  EXPECT_EQ(flagForKey("state_dir"), "--state-dir");
  EXPECT_EQ(flagForKey("reports.interval"), "--reports-interval");
  EXPECT_EQ(flagForKey("a.b_c"), "--a-b-c");
  EXPECT_EQ(flagForKey("x"), "--x");
}

TEST_F(OptionSetTest, DefaultsStayWhenNothingGiven) {
  parseAndResolve({});
  EXPECT_EQ(values.state_dir, "");
  EXPECT_FALSE(values.verbose);
  EXPECT_EQ(values.interval_ms, 10'000);
  EXPECT_EQ(values.workers, 4);
  EXPECT_TRUE(values.tags.empty());
  EXPECT_EQ(values.reports_interval_ms, 60'000);
  EXPECT_EQ(values.reports_path, "default-path");
  EXPECT_EQ(options.configPath(), "");
}

TEST_F(OptionSetTest, FlagsParse) {
  parseAndResolve({"--state-dir", "/var/lib/x", "--verbose", "--interval", "1m30s", "--workers",
                   "8", "--tags", "a", "--tags", "b", "--reports-interval", "5s",
                   "--reports-path=/tmp/r"});
  EXPECT_EQ(values.state_dir, "/var/lib/x");
  EXPECT_TRUE(values.verbose);
  EXPECT_EQ(values.interval_ms, 90'000);
  EXPECT_EQ(values.workers, 8);
  EXPECT_THAT(values.tags, ElementsAre("a", "b"));
  EXPECT_EQ(values.reports_interval_ms, 5'000);
  EXPECT_EQ(values.reports_path, "/tmp/r");
}

TEST_F(OptionSetTest, FlagGivenFalseExplicitlyIsFalse) {
  std::string path = configFile("verbose = true\n");
  parseAndResolve({"--config", path, "--verbose=false"});
  EXPECT_FALSE(values.verbose);
}

TEST_F(OptionSetTest, FileValuesApply) {
  std::string path = configFile(R"(
state_dir = "/srv/state"
verbose = true
interval = "15s"
workers = 12
tags = ["x", "y", "z"]

[reports]
interval = "2m"
path = "/srv/reports"
)");
  parseAndResolve({"--config", path});
  EXPECT_EQ(options.configPath(), path);
  EXPECT_EQ(values.state_dir, "/srv/state");
  EXPECT_TRUE(values.verbose);
  EXPECT_EQ(values.interval_ms, 15'000);
  EXPECT_EQ(values.workers, 12);
  EXPECT_THAT(values.tags, ElementsAre("x", "y", "z"));
  EXPECT_EQ(values.reports_interval_ms, 120'000);
  EXPECT_EQ(values.reports_path, "/srv/reports");
}

TEST_F(OptionSetTest, DottedKeysInFileApply) {
  std::string path = configFile("reports.interval = \"3s\"\n");
  parseAndResolve({"--config", path});
  EXPECT_EQ(values.reports_interval_ms, 3'000);
}

TEST_F(OptionSetTest, FlagsOverrideFile) {
  std::string path = configFile(R"(
state_dir = "/from/file"
interval = "15s"
workers = 12
tags = ["file"]
verbose = false
[reports]
interval = "2m"
)");
  parseAndResolve({"--config", path, "--state-dir", "/from/flag", "--interval", "1s", "--workers",
                   "2", "--tags", "flag", "--verbose", "--reports-interval", "7s"});
  EXPECT_EQ(values.state_dir, "/from/flag");
  EXPECT_EQ(values.interval_ms, 1'000);
  EXPECT_EQ(values.workers, 2);
  EXPECT_THAT(values.tags, ElementsAre("flag"));
  EXPECT_TRUE(values.verbose);
  EXPECT_EQ(values.reports_interval_ms, 7'000);
}

TEST_F(OptionSetTest, FileFlagFalseApplies) {
  values.verbose = true;
  std::string path = configFile("verbose = false\n");
  parseAndResolve({"--config", path});
  EXPECT_FALSE(values.verbose);
}

TEST_F(OptionSetTest, UnknownKeyNamesFileAndKey) {
  std::string path = configFile("state_dir = \"/x\"\nintervall = \"10s\"\n");
  EXPECT_THAT(resolveError({"--config", path}),
              AllOf(HasSubstr(path), HasSubstr("unknown key 'intervall'"), HasSubstr("interval")));
}

TEST_F(OptionSetTest, UnknownKeyInTableNamesDottedKey) {
  std::string path = configFile("[reports]\nevery = \"10s\"\n");
  EXPECT_THAT(resolveError({"--config", path}),
              AllOf(HasSubstr(path), HasSubstr("unknown key 'reports.every'")));
}

TEST_F(OptionSetTest, UnknownKeyRejectedEvenWhenFlagsGiven) {
  std::string path = configFile("bogus = 1\n");
  EXPECT_THAT(resolveError({"--config", path, "--state-dir", "/x"}),
              AllOf(HasSubstr(path), HasSubstr("'bogus'")));
}

TEST_F(OptionSetTest, WrongTypeDurationNamesFileKeyAndReason) {
  std::string path = configFile("interval = 10\n");
  EXPECT_THAT(resolveError({"--config", path}),
              AllOf(HasSubstr(path), HasSubstr("key 'interval'"),
                    HasSubstr("must be a duration string")));
}

TEST_F(OptionSetTest, WrongTypesOfOtherKinds) {
  {
    std::string path = configFile("state_dir = 5\n");
    EXPECT_THAT(resolveError({"--config", path}),
                AllOf(HasSubstr(path), HasSubstr("key 'state_dir'"), HasSubstr("must be a string")));
  }
  {
    std::string path = configFile("workers = \"8\"\n");
    EXPECT_THAT(resolveError({"--config", path}),
                AllOf(HasSubstr("key 'workers'"), HasSubstr("must be an integer")));
  }
  {
    std::string path = configFile("workers = 8.0\n");
    EXPECT_THAT(resolveError({"--config", path}), HasSubstr("must be an integer"));
  }
  {
    std::string path = configFile("verbose = \"yes\"\n");
    EXPECT_THAT(resolveError({"--config", path}),
                AllOf(HasSubstr("key 'verbose'"), HasSubstr("must be true or false")));
  }
  {
    std::string path = configFile("tags = \"a\"\n");
    EXPECT_THAT(resolveError({"--config", path}),
                AllOf(HasSubstr("key 'tags'"), HasSubstr("must be an array of strings")));
  }
  {
    std::string path = configFile("tags = [\"a\", 2]\n");
    EXPECT_THAT(resolveError({"--config", path}), HasSubstr("must be an array of strings"));
  }
}

TEST_F(OptionSetTest, BadDurationInFileNamesValue) {
  std::string path = configFile("[reports]\ninterval = \"soon\"\n");
  EXPECT_THAT(resolveError({"--config", path}),
              AllOf(HasSubstr(path), HasSubstr("key 'reports.interval'"), HasSubstr("\"soon\""),
                    HasSubstr("is not a duration")));
}

TEST_F(OptionSetTest, BadDurationViaFlagNamesFlag) {
  std::string message = resolveError({"--interval", "10"});
  EXPECT_THAT(message, AllOf(HasSubstr("--interval"), HasSubstr("\"10\""),
                             HasSubstr("is not a duration")));
  EXPECT_EQ(values.interval_ms, 10'000);  // untouched
  EXPECT_THAT(resolveError({"--reports-interval", "-1s"}),
              AllOf(HasSubstr("--reports-interval"), HasSubstr("is not a duration")));
}

TEST_F(OptionSetTest, IntegerFlagValidation) {
  EXPECT_THAT(resolveError({"--workers", "eight"}),
              AllOf(HasSubstr("--workers"), HasSubstr("\"eight\""), HasSubstr("is not an integer")));
  EXPECT_THAT(resolveError({"--workers", "8x"}), HasSubstr("is not an integer"));
  EXPECT_THAT(resolveError({"--workers", "0"}),
              AllOf(HasSubstr("--workers"), HasSubstr("out of range [1, 64]")));
  EXPECT_THAT(resolveError({"--workers", "65"}), HasSubstr("out of range [1, 64]"));
  EXPECT_THAT(resolveError({"--workers", "99999999999999999999"}), HasSubstr("is not an integer"));
}

TEST_F(OptionSetTest, IntegerRangeCheckedForFileValues) {
  std::string path = configFile("workers = 100\n");
  EXPECT_THAT(resolveError({"--config", path}),
              AllOf(HasSubstr(path), HasSubstr("key 'workers'"), HasSubstr("\"100\""),
                    HasSubstr("out of range")));
}

TEST_F(OptionSetTest, IntegerBoundsAreInclusive) {
  parseAndResolve({"--workers", "64"});
  EXPECT_EQ(values.workers, 64);
}

TEST_F(OptionSetTest, EmptyStringRejected) {
  EXPECT_THAT(resolveError({"--state-dir", ""}),
              AllOf(HasSubstr("--state-dir"), HasSubstr("must not be empty")));
}

TEST_F(OptionSetTest, MissingRequiredOption) {
  options.require("state_dir");
  EXPECT_THAT(resolveError({}), AllOf(HasSubstr("missing required option --state-dir"),
                                      HasSubstr("'state_dir'")));
}

TEST_F(OptionSetTest, RequiredOptionSatisfiedByFlagOrFile) {
  options.require("reports.path");
  parseAndResolve({"--reports-path", "/p"});
  EXPECT_EQ(values.reports_path, "/p");
}

TEST_F(OptionSetTest, RequiredOptionSatisfiedByFile) {
  options.require("state_dir");
  std::string path = configFile("state_dir = \"/from/file\"\n");
  parseAndResolve({"--config", path});
  EXPECT_EQ(values.state_dir, "/from/file");
}

TEST_F(OptionSetTest, TomlSyntaxErrorReportsLineAndColumn) {
  std::string path = configFile("state_dir = \"/x\"\ninterval = = \"10s\"\n");
  std::string message = resolveError({"--config", path});
  EXPECT_THAT(message, HasSubstr(path + ":2:"));
  // The column is a positive number after the line.
  auto rest = message.substr(message.find(path + ":2:") + path.size() + 3);
  ASSERT_FALSE(rest.empty());
  EXPECT_TRUE(rest[0] >= '1' && rest[0] <= '9') << message;
}

TEST_F(OptionSetTest, MissingConfigFileIsConfigError) {
  std::string path = (dir.path() / "absent.toml").string();
  EXPECT_THAT(resolveError({"--config", path}), HasSubstr(path));
}

TEST_F(OptionSetTest, UnknownFlagIsRejectedByCli11) {
  EXPECT_THROW(parse({"--no-such-flag"}), CLI::ParseError);
}

}  // namespace
}  // namespace tidemark

namespace tidemark {
namespace {

// A plural key with a singular repeated flag, and a map option, as the agent's ship options.
class OptionSetMapTest : public ::testing::Test {
 protected:
  OptionSetMapTest() : options(app) {
    options.addStringList("roots", &roots, "roots", "--root");
    options.addStringMap("logs", &logs, "logs", "--log");
  }
  void parseAndResolve(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());
    app.parse(args);
    options.resolve();
  }
  std::string resolveError(std::vector<std::string> args) {
    try {
      parseAndResolve(std::move(args));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  TempDir dir;
  CLI::App app{"test"};
  std::vector<std::string> roots;
  std::map<std::string, std::string> logs;
  OptionSet options;
};

TEST_F(OptionSetMapTest, RepeatedFlagsFillListAndMap) {
  parseAndResolve({"--root", "/a", "--root", "/b", "--log", "/srv/x=/var/log/x", "--log",
                   "zod=/var/log/z=1"});
  EXPECT_THAT(roots, ElementsAre("/a", "/b"));
  EXPECT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs["/srv/x"], "/var/log/x");
  EXPECT_EQ(logs["zod"], "/var/log/z=1");  // split at the first '='
}

TEST_F(OptionSetMapTest, FileTableKeysMayHoldSlashesAndDots) {
  dir.write("a.toml", "roots = [\"/r\"]\n[logs]\n\"/srv/x.y\" = \"/var/log/x\"\nzod = \"/l/z\"\n");
  parseAndResolve({"--config", (dir.path() / "a.toml").string()});
  EXPECT_THAT(roots, ElementsAre("/r"));
  EXPECT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs["/srv/x.y"], "/var/log/x");
  EXPECT_EQ(logs["zod"], "/l/z");
}

TEST_F(OptionSetMapTest, MalformedMapValuesAreRejectedWithContext) {
  EXPECT_THAT(resolveError({"--log", "no-equals"}), AllOf(HasSubstr("--log"), HasSubstr("NAME=VALUE")));
  EXPECT_THAT(resolveError({"--log", "=x"}), HasSubstr("NAME=VALUE"));
  dir.write("b.toml", "[logs]\nzod = 3\n");
  EXPECT_THAT(resolveError({"--config", (dir.path() / "b.toml").string()}),
              AllOf(HasSubstr("logs"), HasSubstr("zod"), HasSubstr("non-empty string")));
  dir.write("c.toml", "logs = \"x\"\n");
  EXPECT_THAT(resolveError({"--config", (dir.path() / "c.toml").string()}),
              HasSubstr("table of strings"));
}

}  // namespace
}  // namespace tidemark
