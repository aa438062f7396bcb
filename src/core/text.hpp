// Splitting of comma-separated flag values and query parameters ("a,b,,c" -> a, b, c).
#pragma once
#include <string_view>
#include <vector>

namespace se::text {

// The non-empty items of `s` between separators, as views into `s` (no trimming).
inline std::vector<std::string_view> split_nonempty(std::string_view s, char sep = ',') {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto j = std::min(s.find(sep, i), s.size());
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace se::text
