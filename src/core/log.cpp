#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <fmt/chrono.h>

namespace se::log {

void init(const std::string& level) {
  auto logger = spdlog::stdout_logger_mt("swifteats");
  logger->set_pattern("%v");  // the message is already a complete JSON object
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

void write(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) {
  if (!spdlog::should_log(level)) return;
  if (!fields.is_object()) fields = nlohmann::json::object();
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  fields["ts"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                             fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
  fields["level"] = spdlog::level::to_string_view(level);
  fields["msg"] = msg;
  spdlog::log(level, "{}", fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace se::log
