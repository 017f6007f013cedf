// The promql backend's HTTP errors against a canned one-shot server on loopback:
// each names the URL and the query, and says what went wrong.
#include "controller/history/promql_http.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/errors/error.h"
#include "tests/support/test_support.h"

namespace tidemark::controller::promql {
namespace {

using ::testing::HasSubstr;

// Answers one request with `reply` (after `delay`), and keeps what it was sent.
class CannedServer {
 public:
  CannedServer(std::string reply, std::chrono::milliseconds delay = {})
      : reply_(std::move(reply)), delay_(delay) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 1);
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& request() const { return request_; }

 private:
  void serve() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    char buffer[4096];
    // Headers, then the form body (curl sends both at once for small posts).
    while (request_.find("\r\n\r\n") == std::string::npos ||
           request_.size() - request_.find("\r\n\r\n") - 4 < bodyLength()) {
      const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      request_.append(buffer, static_cast<size_t>(got));
    }
    std::this_thread::sleep_for(delay_);
    ::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    ::close(client);
  }
  size_t bodyLength() const {
    const auto at = request_.find("Content-Length: ");
    return at == std::string::npos ? 0 : std::stoul(request_.substr(at + 16));
  }

  std::string reply_;
  std::chrono::milliseconds delay_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::string request_;
  std::thread thread_;
};

std::string httpReply(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string errorOf(const HttpClient& client, const Form& form) {
  try {
    client.post("/api/v1/query", form);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "no error";
}

TEST(PromqlHttpTest, PostsTheFormWithBearerTokenAndReturnsTheBody) {
  tidemark::testing::TempDir dir;
  dir.write("token", "s3cret\n");
  CannedServer server(httpReply(200, R"({"status":"success","data":[]})"));
  HistoryOptions options;
  options.url = server.url() + "/";
  options.bearer_token_file = dir.str() + "/token";
  HttpClient client(options);
  EXPECT_EQ(client.post("/api/v1/series", {{"match[]", "up{host=\"a b\"}"}}),
            R"({"status":"success","data":[]})");
  EXPECT_THAT(server.request(), HasSubstr("POST /api/v1/series HTTP/1.1"));
  EXPECT_THAT(server.request(), HasSubstr("Authorization: Bearer s3cret\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("match[]=up%7Bhost%3D%22a%20b%22%7D"));
}

TEST(PromqlHttpTest, BasicAuthIsSent) {
  tidemark::testing::TempDir dir;
  dir.write("password", "hunter2");
  CannedServer server(httpReply(200, "{}"));
  HistoryOptions options;
  options.url = server.url();
  options.basic_auth_user = "tidemark";
  options.basic_auth_password_file = dir.str() + "/password";
  HttpClient(options).post("/api/v1/query", {{"query", "up"}});
  EXPECT_THAT(server.request(), HasSubstr("Authorization: Basic dGlkZW1hcms6aHVudGVyMg=="));
}

TEST(PromqlHttpTest, ApiErrorsNameUrlQueryStatusAndReason) {
  CannedServer server(httpReply(
      422,
      R"({"status":"error","errorType":"execution","error":"many-to-many matching not allowed"})"));
  HistoryOptions options;
  options.url = server.url();
  const std::string error = errorOf(HttpClient(options), {{"query", "up or up"}});
  EXPECT_THAT(error, HasSubstr(server.url() + "/api/v1/query"));
  EXPECT_THAT(error, HasSubstr("query=up or up"));
  EXPECT_THAT(error, HasSubstr("HTTP 422: execution: many-to-many matching not allowed"));
}

TEST(PromqlHttpTest, ProxyPagesAreQuoted) {
  CannedServer server(httpReply(502, "<html>bad gateway</html>"));
  HistoryOptions options;
  options.url = server.url();
  EXPECT_THAT(errorOf(HttpClient(options), {{"query", "up"}}),
              HasSubstr("HTTP 502: <html>bad gateway</html>"));
}

TEST(PromqlHttpTest, SlowServersTimeOut) {
  CannedServer server(httpReply(200, "{}"), std::chrono::milliseconds(1500));
  HistoryOptions options;
  options.url = server.url();
  options.timeout_ms = 200;
  const auto started = std::chrono::steady_clock::now();
  const std::string error = errorOf(HttpClient(options), {{"query", "up"}});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1200));
  EXPECT_THAT(error, HasSubstr("no answer within 200 ms (history.timeout)"));
  EXPECT_THAT(error, HasSubstr(server.url()));
}

TEST(PromqlHttpTest, RefusedConnectionsNameTheUrl) {
  std::string url;
  {
    CannedServer closed(httpReply(200, "{}"));  // a port that was free a moment ago
    url = closed.url();
    HistoryOptions warmup;
    warmup.url = url;
    HttpClient(warmup).post("/api/v1/query", {{"query", "up"}});
  }
  HistoryOptions options;
  options.url = url;
  const std::string error = errorOf(HttpClient(options), {{"query", "up"}});
  EXPECT_THAT(error, HasSubstr(url + "/api/v1/query (query=up)"));
  EXPECT_THAT(error, HasSubstr("connect"));
}

TEST(PromqlHttpTest, MissingCredentialFilesStopAtStart) {
  HistoryOptions options;
  options.url = "http://127.0.0.1:1";
  options.bearer_token_file = "/nonexistent/token";
  EXPECT_THROW(HttpClient{options}, ConfigError);
}

}  // namespace
}  // namespace tidemark::controller::promql
