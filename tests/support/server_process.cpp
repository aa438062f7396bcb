#include "support/server_process.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "support/test_env.hpp"

namespace se::test {

ServerProcess::ServerProcess(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s{swifteats_binary(), "serve",    "--port", "0",
                                  "--host",           "127.0.0.1"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test process
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  out_fd_ = fds[0];
  // The server logs one JSON line {"msg":"listening","port":N} once it accepts connections.
  std::string line;
  char c;
  while (port_ == 0) {
    const auto n = read(out_fd_, &c, 1);
    if (n <= 0) throw std::runtime_error("swifteats serve exited before listening");
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("msg", "") == "listening") port_ = j.value("port", 0);
    line.clear();
  }
  // Keep reading so the child never blocks on a full pipe; its log goes to our stderr so a
  // failing test shows what the server said.
  drain_ = std::thread([fd = out_fd_] {
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
      if (write(STDERR_FILENO, buf, static_cast<std::size_t>(n)) < 0) break;
    }
  });
}

int ServerProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (drain_.joinable()) drain_.join();
  close(out_fd_);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

}  // namespace se::test
