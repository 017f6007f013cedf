#include "controller/history/promql_http.h"

#include <curl/curl.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "common/errors/error.h"
#include "controller/history/promql_json.h"

namespace tidemark::controller::promql {

namespace {

std::string readSecret(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  if (!in) throw ConfigError("history." + key + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  // Files written with `echo` end in a newline that is not part of the secret.
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw ConfigError("history." + key + ": " + path + " is empty");
  return secret;
}

size_t appendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The query of a form, for error messages (the API's own errors rarely repeat it).
std::string describe(const Form& form) {
  std::string out;
  for (const auto& [name, value] : form) {
    if (!out.empty()) out += ' ';
    out += name + "=" + value;
  }
  return out;
}

}  // namespace

HttpClient::HttpClient(const HistoryOptions& options)
    : base_url_(options.url), ca_file_(options.ca_file), timeout_ms_(options.timeout_ms) {
  // libcurl's process-wide set-up; reference-counted, thread-safe since 7.84.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  if (!options.bearer_token_file.empty()) {
    bearer_token_ = readSecret(options.bearer_token_file, "bearer_token_file");
  }
  if (!options.basic_auth_user.empty()) {
    basic_user_ = options.basic_auth_user;
    if (!options.basic_auth_password_file.empty()) {
      basic_password_ = readSecret(options.basic_auth_password_file, "basic_auth_password_file");
    }
  }
}

HttpClient::~HttpClient() { curl_global_cleanup(); }

std::string HttpClient::post(const std::string& path, const Form& form) const {
  const std::string url = base_url_ + path;
  auto fail = [&](const std::string& why) {
    return StoreError("history at " + url + " (" + describe(form) + "): " + why);
  };
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw fail("cannot make a libcurl handle");
  std::string fields;
  for (const auto& [name, value] : form) {
    if (!fields.empty()) fields += '&';
    std::unique_ptr<char, decltype(&curl_free)> escaped(
        curl_easy_escape(curl.get(), value.data(), static_cast<int>(value.size())), curl_free);
    fields += name + "=" + escaped.get();
  }
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  if (!bearer_token_.empty()) {
    const std::string header = "Authorization: Bearer " + bearer_token_;
    headers.reset(curl_slist_append(nullptr, header.c_str()));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  }
  if (!basic_user_.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, basic_user_.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, basic_password_.c_str());
  }
  if (!ca_file_.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, fields.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(fields.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms_);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl.get(), CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  const CURLcode code = curl_easy_perform(curl.get());
  if (code == CURLE_OPERATION_TIMEDOUT) {
    throw fail("no answer within " + std::to_string(timeout_ms_) + " ms (history.timeout)");
  }
  if (code != CURLE_OK) {
    throw fail(std::string(curl_easy_strerror(code)) + (error[0] ? std::string(": ") + error : ""));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    std::string detail = apiErrorOf(body);
    if (detail.empty()) detail = body.substr(0, 200);
    throw fail("HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail));
  }
  return body;
}

}  // namespace tidemark::controller::promql
