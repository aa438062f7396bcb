#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <fmt/chrono.h>
#include <chrono>
#include <cstdio>

namespace se::log {

void init(const std::string& level) {
  auto logger = spdlog::stdout_logger_mt("swifteats");
  logger->set_pattern("%v");  // the message is already a complete JSON object
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

namespace {
std::string render(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) {
  if (!fields.is_object()) fields = nlohmann::json::object();
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  fields["ts"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                             fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
  const auto level_name = spdlog::level::to_string_view(level);
  fields["level"] = std::string(level_name.data(), level_name.size());
  fields["msg"] = msg;
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

void write(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", render(level, msg, std::move(fields)));
}

void announce(std::string_view msg, nlohmann::json fields) {
  spdlog::default_logger()->flush();
  const std::string line = render(spdlog::level::info, msg, std::move(fields)) + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace se::log
