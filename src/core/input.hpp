// Strict request-input parsing: every failure is a 400/422 Problem naming the field.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/http.hpp"

namespace se::input {

// Parses a JSON object body; unknown fields are refused (no mass assignment).
nlohmann::json parse_object(const std::string& body,
                            std::initializer_list<std::string_view> allowed);

// Removes the top-level fields that are null: the readers below take null as absent, and code
// that reads the object after them (json::value with a default) must see it the same way.
void drop_nulls(nlohmann::json& obj);

// Field readers; "required" variants fail when the field is missing or null.
std::string require_string(const nlohmann::json& obj, const char* key, std::size_t max_len = 200);
std::optional<std::string> opt_string(const nlohmann::json& obj, const char* key,
                                      std::size_t max_len = 2000);
std::int64_t require_int(const nlohmann::json& obj, const char* key, std::int64_t min,
                         std::int64_t max);
std::optional<std::int64_t> opt_int(const nlohmann::json& obj, const char* key, std::int64_t min,
                                    std::int64_t max);
double require_number(const nlohmann::json& obj, const char* key, double min, double max);
std::optional<bool> opt_bool(const nlohmann::json& obj, const char* key);
bool require_bool(const nlohmann::json& obj, const char* key);

// Canonical lower-case UUID text, or a 400 "invalid_id" Problem naming `what`.
std::string require_uuid(std::string_view text, const char* what);
[[nodiscard]] bool is_uuid(std::string_view text);

// Query parameters.
std::optional<double> query_number(const http::Request& req, const char* name, double min,
                                   double max);
std::optional<std::int64_t> query_int(const http::Request& req, const char* name, std::int64_t min,
                                      std::int64_t max);
std::optional<bool> query_bool(const http::Request& req, const char* name);
// Refuses query parameters outside the allowed set, so typos don't silently do nothing.
void allow_query(const http::Request& req, std::initializer_list<std::string_view> allowed);

}  // namespace se::input
