// A small blocking HTTP/1.1 client for integration tests (one connection per request).
#pragma once
#include <map>
#include <string>

namespace se::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  [[nodiscard]] std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::string& body = {},
                          const std::map<std::string, std::string>& headers = {});

// Sends raw bytes and returns everything the server answers before closing (for malformed
// requests that a well-behaved client cannot produce).
std::string raw_exchange(int port, const std::string& bytes);

}  // namespace se::test
