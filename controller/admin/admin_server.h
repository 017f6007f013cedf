// Serves the admin protocol on a Unix socket (file mode 0660: the socket's group
// may administer the controller) on its own thread, so a slow query never delays
// ingest.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "controller/admin/admin_handler.h"

namespace tidemark::controller {

class AdminServer {
 public:
  // Binds `socket_path` (replacing a stale socket file) and starts serving.
  // Throws std::runtime_error naming the path when it cannot.
  AdminServer(zmq::context_t& context, std::string socket_path, AdminHandler handler);
  ~AdminServer();  // stops the thread and removes the socket file

 private:
  void run();

  std::string socket_path_;
  AdminHandler handler_;
  zmq::socket_t socket_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tidemark::controller
