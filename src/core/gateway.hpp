// Gateway middlewares every service process installs: bearer-token authentication and CORS.
#pragma once
#include <string>
#include <vector>

#include "core/jwt.hpp"
#include "core/router.hpp"

namespace se::gateway {

// Verifies "Authorization: Bearer <jwt>" and attaches the principal to the request. No header:
// the request goes on anonymous (each route's rule decides). A header that does not verify:
// 401 "invalid_token" with WWW-Authenticate, whatever the route - a client sending a bad token
// should learn so rather than be silently treated as anonymous. `jwt` must outlive the router.
http::Middleware authenticate(const jwt::Config& jwt);

struct CorsOptions {
  std::vector<std::string>
      origins;  // exact origins ("https://app.example"), or "*"; empty = CORS off
  std::string methods = "GET, POST, PUT, PATCH, DELETE";
  std::string headers = "Authorization, Content-Type, If-None-Match, X-Request-Id";
  int max_age_s = 600;
};
// Answers preflights for known paths from allowed origins, and adds Access-Control-* headers to
// responses for allowed origins. Tokens travel in Authorization, not cookies, so credentials
// mode is never enabled.
http::Middleware cors(CorsOptions opts);

// Extra hardening headers on top of the standard ones (HSTS is left to the TLS terminator).
http::Middleware hardening_headers();

}  // namespace se::gateway
