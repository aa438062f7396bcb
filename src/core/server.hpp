// HTTP/1.1 server: one io_context per worker thread, SO_REUSEPORT acceptors, keep-alive,
// size limits, timeouts, graceful drain on SIGINT/SIGTERM. The only Beast user besides tests.
#pragma once
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/router.hpp"

namespace se::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;  // 0 picks a free port (see Server::port())
  int threads = 0;  // 0 = one per core
  std::size_t body_limit = std::size_t{1} << 20;
  std::size_t header_limit = std::size_t{16} * 1024;
  std::chrono::milliseconds read_timeout{30000};  // whole request, and idle keep-alive
  std::chrono::milliseconds write_timeout{30000};
  std::chrono::milliseconds drain_timeout{10000};  // in-flight requests get this long on stop
};

// What a worker thread owns besides its router: pools, clients, services. It is created on
// the worker thread and shut down there after the last in-flight request finished.
class WorkerScope {
 public:
  virtual ~WorkerScope() = default;
  virtual boost::asio::awaitable<void> shutdown() { co_return; }
};

using WorkerInit = std::function<std::unique_ptr<WorkerScope>(boost::asio::io_context& io,
                                                              int index, Router& router)>;

class Server {
 public:
  Server(ServerOptions opts, WorkerInit init);
  ~Server();

  // Binds, starts the workers and blocks until stop() or SIGINT/SIGTERM has drained them.
  // on_listening is called once with the bound port, before serving.
  void run(const std::function<void(int port)>& on_listening = {});
  // Thread-safe: begins a graceful stop.
  void stop();

  struct Impl;  // public only so the implementation's helpers can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace se::http
