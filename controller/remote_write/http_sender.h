// POSTs one snappy-compressed WriteRequest with libcurl, the remote-write 1.0 way
// (Content-Encoding: snappy, Content-Type: application/x-protobuf,
// X-Prometheus-Remote-Write-Version: 0.1.0). One per shard: the easy handle keeps its
// connection alive from request to request. Not thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "controller/remote_write/remote_write_options.h"

typedef void CURL;
struct curl_slist;

namespace tidemark::controller::remote_write {

struct HttpResult {
  long status = 0;              // 0: no HTTP answer (see error)
  std::string error;            // curl's reason when there was no answer
  std::string body;             // the first bytes of the answer's body
  int64_t retry_after_ms = -1;  // from a Retry-After header; -1 when absent
};

class HttpSender {
 public:
  // `stop` aborts a request in flight when it turns true (controller shutdown).
  HttpSender(const RemoteWriteOptions& options, const std::atomic<bool>& stop);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  HttpResult post(std::string_view body);

 private:
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  const std::atomic<bool>& stop_;
  std::string url_;
  HttpResult result_;  // filled by curl's callbacks
};

// Retry-After: delay-seconds or an HTTP date; -1 when neither. `now_s` (unix seconds)
// turns a date into a delay.
int64_t parseRetryAfterMs(std::string_view value, int64_t now_s);

}  // namespace tidemark::controller::remote_write
