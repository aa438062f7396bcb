// Runs `swifteats serve` as a child process on a free port for end-to-end tests.
#pragma once
#include <sys/types.h>
#include <string>
#include <thread>
#include <vector>

namespace se::test {

class ServerProcess {
 public:
  // Starts `swifteats serve --port 0 <args>` and waits until it logs the port it listens on.
  explicit ServerProcess(std::vector<std::string> args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  // Sends a signal and waits for the exit; returns the exit status (128+signal if killed).
  int stop(int signal);

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::thread drain_;
};

}  // namespace se::test
