// tools/api_probe.py against a real server: hostile text, numbers and header bytes on every route
// of the index, as admin, staff and customer, and no answer may be a 5xx or a bare error.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "integration/auth_helpers.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace ta = se::test::auth;

namespace {

// Runs `cmd` through the shell; its exit status and everything it printed.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(ApiProbe, NoRouteAnswersHostileInputWithA5xxOrABareError) {
  auto& env = se::test::TestEnv::get();
  se::test::ServerProcess server(ta::security_flags(
      std::vector<std::string>{"--pg", env.fresh_database("api_probe_it"), "--redis",
                               "127.0.0.1:" + std::to_string(env.redis_port()), "--threads", "2",
                               "--log-level", "error", "--rate-limits", "off"}));
  const std::string admin = ta::admin_token(server.port());
  ASSERT_FALSE(admin.empty());
  const auto [status, output] =
      run("python3 " + se::test::source_dir() + "/tools/api_probe.py --base http://127.0.0.1:" +
          std::to_string(server.port()) + " --admin-token " + admin);
  EXPECT_EQ(status, 0) << output;
  // The probe got past its fixtures to the routes and printed its summary.
  EXPECT_NE(output.find(" requests over "), std::string::npos) << output;
}

}  // namespace
