// HTTP for the `promql` history backend: form POSTs to a Prometheus-compatible API
// with libcurl, bearer or basic auth and a CA file, and errors that say which URL,
// which query and what went wrong (connection, timeout, HTTP status, API error).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "controller/history/history_options.h"

namespace tidemark::controller::promql {

using Form = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // Reads the token and password files now, so a wrong path stops the controller at
  // start rather than at the first plan. Throws ConfigError naming the file.
  explicit HttpClient(const HistoryOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `form` (URL-encoded) to base URL + `path` and returns the body of a 2xx
  // answer. Throws StoreError naming the URL, the query and the cause. Thread-safe
  // (one curl handle per request).
  std::string post(const std::string& path, const Form& form) const;

  const std::string& baseUrl() const { return base_url_; }

 private:
  std::string base_url_;
  std::string bearer_token_;
  std::string basic_user_;
  std::string basic_password_;
  std::string ca_file_;
  long timeout_ms_;
};

}  // namespace tidemark::controller::promql
