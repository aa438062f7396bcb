// JSON-lines logging on spdlog: one object per line with ts, level, msg and fields.
#pragma once
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace se::log {

// level: trace, debug, info, warn, error, off.
void init(const std::string& level);

void write(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields = {});

// Written whatever the level: start-up facts operators and supervisors rely on (the port).
void announce(std::string_view msg, nlohmann::json fields = {});

inline bool enabled(spdlog::level::level_enum level) { return spdlog::should_log(level); }
inline void info(std::string_view msg, nlohmann::json f = {}) {
  write(spdlog::level::info, msg, std::move(f));
}
inline void warn(std::string_view msg, nlohmann::json f = {}) {
  write(spdlog::level::warn, msg, std::move(f));
}
inline void error(std::string_view msg, nlohmann::json f = {}) {
  write(spdlog::level::err, msg, std::move(f));
}
inline void debug(std::string_view msg, nlohmann::json f = {}) {
  write(spdlog::level::debug, msg, std::move(f));
}

}  // namespace se::log
