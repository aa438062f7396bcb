// Splitting of comma-separated flag values and query parameters ("a,b,,c" -> a, b, c), and the
// UTF-8 check for text taken from raw request bytes.
#pragma once
#include <boost/locale/utf.hpp>  // header-only: the decoder, no Boost.Locale library
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

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
// Bytes a client percent-encodes into a path or query reach the handlers unchecked otherwise
// (JSON bodies are checked by their parser): PostgreSQL refuses them in text, and JSON cannot
// carry them.
inline bool is_valid_utf8(std::string_view s) {
  namespace utf = boost::locale::utf;
  auto p = s.begin();
  while (p != s.end()) {
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    const utf::code_point c = utf::utf_traits<char>::decode(p, s.end());
    if (c == utf::illegal || c == utf::incomplete) return false;
  }
  return true;
}

}  // namespace se::text
