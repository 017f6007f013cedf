#include "controller/remote_write/http_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <stdexcept>

namespace tidemark::controller::remote_write {
namespace {

constexpr size_t kBodySnippetBytes = 512;

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* result = static_cast<HttpResult*>(user);
  const size_t bytes = size * count;
  if (result->body.size() < kBodySnippetBytes) {
    result->body.append(data, std::min(bytes, kBodySnippetBytes - result->body.size()));
  }
  return bytes;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* result = static_cast<HttpResult*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == kName) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      result->retry_after_ms = parseRetryAfterMs(value, static_cast<int64_t>(std::time(nullptr)));
    }
  }
  return bytes;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

}  // namespace

int64_t parseRetryAfterMs(std::string_view value, int64_t now_s) {
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size() && seconds >= 0) {
    return seconds * 1000;
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return -1;
  return std::max<int64_t>(0, (static_cast<int64_t>(when) - now_s) * 1000);
}

HttpSender::HttpSender(const RemoteWriteOptions& options, const std::atomic<bool>& stop)
    : curl_(curl_easy_init()), stop_(stop), url_(options.url) {
  if (curl_ == nullptr) throw std::runtime_error("remote write: curl_easy_init failed");
  for (const char* header :
       {"Content-Encoding: snappy", "Content-Type: application/x-protobuf",
        "X-Prometheus-Remote-Write-Version: 0.1.0", "User-Agent: tidemark/" TIDEMARK_VERSION}) {
    headers_ = curl_slist_append(headers_, header);
  }
  if (!options.bearer_token.empty()) {
    headers_ =
        curl_slist_append(headers_, ("Authorization: Bearer " + options.bearer_token).c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(curl_, CURLOPT_POST, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(options.timeout_ms, 10'000)));
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &result_);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &result_);
  curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, &stop_);
  curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
  if (!options.basic_auth_username.empty()) {
    curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl_, CURLOPT_USERNAME, options.basic_auth_username.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, options.basic_auth_password.c_str());
  }
  if (!options.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, options.ca_file.c_str());
}

HttpSender::~HttpSender() {
  curl_easy_cleanup(curl_);
  curl_slist_free_all(headers_);
}

HttpResult HttpSender::post(std::string_view body) {
  result_ = {};
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode code = curl_easy_perform(curl_);
  if (code != CURLE_OK) {
    result_.status = 0;
    result_.error = curl_easy_strerror(code);
    return std::move(result_);
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result_.status);
  return std::move(result_);
}

}  // namespace tidemark::controller::remote_write
