// The CLI's side of the admin protocol: one request, one response, over the
// controller's admin Unix socket, with a bounded wait.
#pragma once

#include <capnp/message.h>

#include <chrono>
#include <functional>
#include <string>

#include "common/wire/frame.h"
#include "schemas/admin.capnp.h"

namespace tidemark {

class AdminClient {
 public:
  // Throws std::runtime_error with a one-line, user-facing message when the socket
  // does not exist or nobody listens on it.
  AdminClient(const std::string& socket_path, std::chrono::milliseconds timeout);
  ~AdminClient();

  // Sends the request built by `fill` and calls `read` with the response. Throws
  // std::runtime_error on timeout, a malformed reply, or an `error` reply.
  void call(const std::function<void(schema::AdminRequest::Builder)>& fill,
            const std::function<void(schema::AdminResponse::Reader)>& read);
  // The same for a request built already (its root an AdminRequest), e.g. on another
  // thread while the previous call waited.
  void call(capnp::MessageBuilder& request,
            const std::function<void(schema::AdminResponse::Reader)>& read);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark
