// A dedicated PostgreSQL connection that LISTENs on channels and reports notifications, on the
// io_context of the calling thread. Non-blocking libpq; reconnects with backoff. After every
// (re)connect it reports once with an empty channel, since notifications sent while it was
// away are lost: the listener's owner should then catch up by polling.
#pragma once
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace se::store {

class PgListener {
 public:
  using Callback = std::function<void(const std::string& channel, const std::string& payload)>;
  PgListener(boost::asio::any_io_executor ex, std::string conninfo,
             std::vector<std::string> channels, Callback cb);
  ~PgListener();
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  void start();
  void stop();
  [[nodiscard]] bool listening() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace se::store
