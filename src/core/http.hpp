// The project's own small HTTP interface. Service code includes this, never Beast.
#pragma once
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/auth_context.hpp"

namespace se::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request;
struct Response;
using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct Request {
  std::string method;                                      // upper case, e.g. "GET"
  std::string path;                                        // percent-decoded path, no query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;                                         // names lower case
  std::string body;
  std::unordered_map<std::string, std::string> params;  // path template captures
  std::string route;  // matched template, e.g. "/restaurants/{id}/menu"
  std::string request_id;
  std::string remote_ip;
  // Filled by the router before middlewares run: the handler to call, or null with the
  // methods this path allows (empty when the path is unknown).
  const Handler* handler = nullptr;
  std::string allowed_methods;
  // Set by the authentication middleware from a verified bearer token; empty when anonymous.
  std::optional<auth::Principal> principal;

  [[nodiscard]] const std::string* header(std::string_view lower_name) const;
  [[nodiscard]] const std::string* query_param(std::string_view name) const;
  [[nodiscard]] const std::string& param(const std::string& name) const { return params.at(name); }
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  void set_header(std::string name, std::string value);
  [[nodiscard]] const std::string* header(std::string_view name) const;
  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string content_type = "text/plain");
};

}  // namespace se::http
