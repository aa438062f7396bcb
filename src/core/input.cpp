#include "core/input.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/problem.hpp"

namespace se::input {

using nlohmann::json;

namespace {
Problem invalid_field(const char* key, const std::string& why) {
  return Problem{400, "invalid_field", "Invalid field", fmt::format("'{}' {}", key, why)};
}
const json* field(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}
const json& required(const json& obj, const char* key) {
  const json* v = field(obj, key);
  if (!v)
    throw Problem{400, "missing_field", "Missing field", fmt::format("'{}' is required", key)};
  return *v;
}
std::int64_t as_int(const json& v, const char* key, std::int64_t min, std::int64_t max) {
  if (!v.is_number_integer()) throw invalid_field(key, "must be an integer");
  const bool is_unsigned = v.is_number_unsigned();
  if (is_unsigned && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    throw invalid_field(key, fmt::format("must be between {} and {}", min, max));
  const auto n = v.get<std::int64_t>();
  if (n < min || n > max)
    throw invalid_field(key, fmt::format("must be between {} and {}", min, max));
  return n;
}
std::string as_string(const json& v, const char* key, std::size_t max_len) {
  if (!v.is_string()) throw invalid_field(key, "must be a string");
  auto s = v.get<std::string>();
  if (s.size() > max_len)
    throw invalid_field(key, fmt::format("must be at most {} bytes", max_len));
  // "\u0000" is valid JSON but no PostgreSQL text can hold it: refused here, not by the database.
  if (s.find('\0') != std::string::npos)
    throw invalid_field(key, "must not contain NUL characters");
  return s;
}
}  // namespace

void drop_nulls(json& obj) {
  for (auto it = obj.begin(); it != obj.end();) it = it->is_null() ? obj.erase(it) : std::next(it);
}

json parse_object(const std::string& body, std::initializer_list<std::string_view> allowed) {
  json obj = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded())
    throw Problem{400, "malformed_json", "Malformed JSON", "request body is not valid JSON"};
  if (!obj.is_object())
    throw Problem{400, "malformed_json", "Malformed JSON", "request body must be a JSON object"};
  for (const auto& [k, _] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      throw Problem{400, "unknown_field", "Unknown field",
                    fmt::format("field '{}' is not accepted here", k)};
  }
  return obj;
}

std::string require_string(const json& obj, const char* key, std::size_t max_len) {
  auto s = as_string(required(obj, key), key, max_len);
  if (s.empty()) throw invalid_field(key, "must not be empty");
  return s;
}

std::optional<std::string> opt_string(const json& obj, const char* key, std::size_t max_len) {
  const json* v = field(obj, key);
  if (!v) return std::nullopt;
  return as_string(*v, key, max_len);
}

std::int64_t require_int(const json& obj, const char* key, std::int64_t min, std::int64_t max) {
  return as_int(required(obj, key), key, min, max);
}

std::optional<std::int64_t> opt_int(const json& obj, const char* key, std::int64_t min,
                                    std::int64_t max) {
  const json* v = field(obj, key);
  if (!v) return std::nullopt;
  return as_int(*v, key, min, max);
}

double require_number(const json& obj, const char* key, double min, double max) {
  const json& v = required(obj, key);
  if (!v.is_number()) throw invalid_field(key, "must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max)
    throw invalid_field(key, fmt::format("must be between {} and {}", min, max));
  return d;
}

std::optional<bool> opt_bool(const json& obj, const char* key) {
  const json* v = field(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw invalid_field(key, "must be true or false");
  return v->get<bool>();
}

bool require_bool(const json& obj, const char* key) {
  const json& v = required(obj, key);
  if (!v.is_boolean()) throw invalid_field(key, "must be true or false");
  return v.get<bool>();
}

bool is_uuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::string require_uuid(std::string_view text, const char* what) {
  if (!is_uuid(text))
    throw Problem{400, "invalid_id", "Invalid identifier",
                  fmt::format("{} must be a UUID like 3f2b8c9e-1d2a-4c3b-9a8e-7f6d5c4b3a21", what)};
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

namespace {
Problem invalid_query(const char* name, const std::string& why) {
  return Problem{400, "invalid_parameter", "Invalid query parameter",
                 fmt::format("'{}' {}", name, why)};
}
}  // namespace

std::optional<double> query_number(const http::Request& req, const char* name, double min,
                                   double max) {
  const std::string* v = req.query_param(name);
  if (!v) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc{} || p != v->data() + v->size() || !std::isfinite(d))
    throw invalid_query(name, "must be a number");
  if (d < min || d > max)
    throw invalid_query(name, fmt::format("must be between {} and {}", min, max));
  return d;
}

std::optional<std::int64_t> query_int(const http::Request& req, const char* name, std::int64_t min,
                                      std::int64_t max) {
  const std::string* v = req.query_param(name);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || p != v->data() + v->size())
    throw invalid_query(name, "must be an integer");
  if (n < min || n > max)
    throw invalid_query(name, fmt::format("must be between {} and {}", min, max));
  return n;
}

std::optional<bool> query_bool(const http::Request& req, const char* name) {
  const std::string* v = req.query_param(name);
  if (!v) return std::nullopt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  throw invalid_query(name, "must be true or false");
}

void allow_query(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  for (auto it = req.query.begin(); it != req.query.end(); ++it) {
    const std::string& k = it->first;
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      throw invalid_query(k.c_str(), "is not a known parameter here");
    // Every parameter has one value (lists are comma-separated): a second one would be ignored.
    if (std::any_of(req.query.begin(), it, [&](const auto& earlier) { return earlier.first == k; }))
      throw invalid_query(k.c_str(), "is given more than once");
  }
}

}  // namespace se::input
