// The standard middleware chain: request id, access log, metrics, error mapping, headers.
#pragma once
#include <exception>
#include <optional>

#include "core/problem.hpp"
#include "core/router.hpp"

namespace se::http {

// Maps an exception a lower layer (e.g. the store) throws to a Problem; nullopt = unknown.
using ErrorTranslator = std::function<std::optional<Problem>(const std::exception&)>;

Middleware request_id();
Middleware access_log();
Middleware request_metrics();
Middleware error_mapping(ErrorTranslator translate);
Middleware security_headers();

Response problem_response(const Problem& p, const Request& req);

// Installs the chain above in its standard order on a router.
void use_standard_middlewares(Router& router, ErrorTranslator translate);

}  // namespace se::http
