#include "controller/remote_write/remote_write_options.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/errors/error.h"
#include "common/metrics/host_id.h"

namespace tidemark::controller::remote_write {
namespace {

// A secret file's contents without the trailing newline editors add.
std::string readSecretFile(const std::string& key, const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    throw ConfigError("remote_write." + key + " " + path + ": " + std::strerror(errno));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw ConfigError("remote_write." + key + " " + path + ": cannot read");
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw ConfigError("remote_write." + key + " " + path + ": the file is empty");
  return secret;
}

void requireRange(const char* key, int64_t value, int64_t min, int64_t max, const char* unit) {
  if (value < min || value > max) {
    throw ConfigError("remote_write." + std::string(key) + " " + std::to_string(value) + unit +
                      ": must be between " + std::to_string(min) + unit + " and " +
                      std::to_string(max) + unit);
  }
}

}  // namespace

void validateRemoteWriteOptions(RemoteWriteOptions& options) {
  const bool bearer = !options.bearer_token.empty() || !options.bearer_token_file.empty();
  const bool basic = !options.basic_auth_username.empty() || !options.basic_auth_password.empty() ||
                     !options.basic_auth_password_file.empty();
  if (!options.enabled()) {
    if (bearer || basic || !options.ca_file.empty()) {
      throw ConfigError("remote_write: authentication or ca_file given without remote_write.url");
    }
    return;
  }
  if (!options.url.starts_with("http://") && !options.url.starts_with("https://")) {
    throw ConfigError("remote_write.url " + options.url + ": must start with http:// or https://");
  }
  const std::string_view rest = std::string_view(options.url).substr(options.url.find("://") + 3);
  if (rest.empty() || rest.front() == '/') {
    throw ConfigError("remote_write.url " + options.url + ": no host");
  }
  if (bearer && basic) {
    throw ConfigError(
        "remote_write: bearer_token(_file) and basic_auth_* exclude each other: give one kind of "
        "authentication");
  }
  if (!options.bearer_token.empty() && !options.bearer_token_file.empty()) {
    throw ConfigError("remote_write: give bearer_token or bearer_token_file, not both");
  }
  if (!options.bearer_token_file.empty()) {
    options.bearer_token = readSecretFile("bearer_token_file", options.bearer_token_file);
  }
  if (basic) {
    if (options.basic_auth_username.empty()) {
      throw ConfigError("remote_write.basic_auth_username: required with a basic auth password");
    }
    if (!options.basic_auth_password.empty() && !options.basic_auth_password_file.empty()) {
      throw ConfigError(
          "remote_write: give basic_auth_password or basic_auth_password_file, not both");
    }
    if (options.basic_auth_password.empty() && options.basic_auth_password_file.empty()) {
      throw ConfigError(
          "remote_write.basic_auth_password: required with basic_auth_username (or "
          "basic_auth_password_file)");
    }
    if (!options.basic_auth_password_file.empty()) {
      options.basic_auth_password =
          readSecretFile("basic_auth_password_file", options.basic_auth_password_file);
    }
  }
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    throw ConfigError("remote_write.ca_file " + options.ca_file + ": " + std::strerror(errno));
  }
  requireRange("batch_size", options.batch_size, 1, 100'000, "");
  requireRange("flush_interval", options.flush_interval_ms, 10, 600'000, "ms");
  requireRange("shards", options.shards, 1, 64, "");
  requireRange("queue_max_bytes", options.queue_max_bytes, int64_t{1} << 20, int64_t{1} << 40, "");
  requireRange("timeout", options.timeout_ms, 100, 600'000, "ms");
  if (options.self_metrics_interval_ms != 0) {
    requireRange("self_metrics_interval", options.self_metrics_interval_ms, 1'000, 3'600'000, "ms");
  }
  options.self_host = hostIdOrHostname(options.self_host, "remote_write.self_host");
}

}  // namespace tidemark::controller::remote_write
