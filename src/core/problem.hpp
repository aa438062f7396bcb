// RFC 9457 problem details. Handlers throw Problem; the error middleware renders it.
#pragma once
#include <stdexcept>
#include <string>

namespace se {

struct Problem : std::runtime_error {
  int status;
  std::string code;    // stable, machine readable, e.g. "invalid_parameter"
  std::string title;   // short human summary
  std::string detail;  // what exactly was wrong with this request

  Problem(int status, std::string code, std::string title, std::string detail = {})
      : std::runtime_error(code + ": " + detail),
        status(status),
        code(std::move(code)),
        title(std::move(title)),
        detail(std::move(detail)) {}
};

inline Problem bad_request(std::string code, std::string detail) {
  return {400, std::move(code), "Bad request", std::move(detail)};
}
inline Problem not_found(std::string code, std::string detail) {
  return {404, std::move(code), "Not found", std::move(detail)};
}
inline Problem unprocessable(std::string code, std::string detail) {
  return {422, std::move(code), "Unprocessable request", std::move(detail)};
}
inline Problem conflict(std::string code, std::string detail) {
  return {409, std::move(code), "Conflict", std::move(detail)};
}
inline Problem unavailable(std::string code, std::string detail) {
  return {503, std::move(code), "Service unavailable", std::move(detail)};
}

}  // namespace se
