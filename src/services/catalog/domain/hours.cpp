#include "services/catalog/domain/hours.hpp"

#include <fmt/format.h>
#include <array>

namespace se::catalog {

namespace {
constexpr std::array<const char*, 7> kDays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<int> parse_hhmm(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

bool in_interval(int open, int close, int minute, bool from_previous_day) {
  if (close > open) return !from_previous_day && minute >= open && minute < close;
  // Runs past midnight: open..24:00 today, 00:00..close tomorrow.
  return from_previous_day ? minute < close : minute >= open;
}
}  // namespace

std::optional<std::string> hours_error(const nlohmann::json& hours) {
  if (!hours.is_object()) return "hours must be an object keyed by mon..sun";
  for (const auto& item : hours.items()) {
    const std::string& day = item.key();
    const nlohmann::json& intervals = item.value();
    if (std::find_if(kDays.begin(), kDays.end(), [&](const char* d) { return day == d; }) ==
        kDays.end())
      return fmt::format("'{}' is not a day; use mon, tue, wed, thu, fri, sat, sun", day);
    if (!intervals.is_array() || intervals.size() > 6)
      return fmt::format("'{}' must be a list of at most 6 [open, close] pairs", day);
    for (const auto& iv : intervals) {
      if (!iv.is_array() || iv.size() != 2 || !parse_hhmm(iv[0]) || !parse_hhmm(iv[1]))
        return fmt::format("'{}' intervals must be [\"HH:MM\", \"HH:MM\"]", day);
    }
  }
  return std::nullopt;
}

bool is_open(const nlohmann::json& hours, int weekday, int minute) {
  const auto check = [&](int day, bool previous) {
    auto it = hours.find(kDays[static_cast<std::size_t>(day)]);
    if (it == hours.end()) return false;
    for (const auto& iv : *it) {
      const auto open = parse_hhmm(iv[0]);
      const auto close = parse_hhmm(iv[1]);
      if (open && close && in_interval(*open, *close, minute, previous)) return true;
    }
    return false;
  };
  return check(weekday, false) || check((weekday + 6) % 7, true);
}

}  // namespace se::catalog
