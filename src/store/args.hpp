// Builders for query parameters and Redis arguments. GCC 12 miscompiles braced initializer
// lists inside co_await expressions ("array used as initializer"), so coroutine code passes
// pg_params(...) / redis_args(...) instead of {a, b, c}.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace se::store {

inline Param to_param(std::nullopt_t) { return std::nullopt; }
inline Param to_param(const std::optional<std::string>& v) { return v; }
inline Param to_param(std::string v) { return Param{std::move(v)}; }
inline Param to_param(const char* v) { return Param{std::string(v)}; }

template <typename... A>
Params pg_params(A&&... a) {
  Params p;
  p.reserve(sizeof...(A));
  (p.push_back(to_param(std::forward<A>(a))), ...);
  return p;
}

// A PostgreSQL array literal ("{"a","b"}") for a $n::uuid[] / text[] / bigint[] / timestamptz[]
// parameter. Every element is quoted, so values with spaces, commas or braces stay whole.
inline std::string pg_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

template <typename... A>
std::vector<std::string> redis_args(A&&... a) {
  std::vector<std::string> v;
  v.reserve(sizeof...(A));
  (v.emplace_back(std::forward<A>(a)), ...);
  return v;
}

}  // namespace se::store
