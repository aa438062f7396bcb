// Authorization, declared per route. A service wraps each handler with the rule that guards it:
//
//   r.get("/customers/{id}", authz::guard(authz::customer_self("id"), handler));
//   r.post("/restaurants/{id}/items", authz::guard(authz::staff_of("id"), handler));
//
// Rules are pure functions of (principal, request): unit-testable, and the same rule object is
// the documentation of who may call the route. Admins pass every rule except `anonymous_only`.
// No principal -> 401 "unauthenticated"; a principal the rule refuses -> 403 "forbidden" (the
// detail never says which object exists).
#pragma once
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/auth_context.hpp"
#include "core/http.hpp"

namespace se::authz {

enum class Decision { allow, unauthenticated, forbidden };

struct Rule {
  std::string description;  // e.g. "staff_of(id)", for docs and logs
  std::function<Decision(const auth::Principal* who, const http::Request& req)> decide;
};

Rule public_route();                                    // anyone, signed in or not
Rule authenticated();                                   // any signed-in principal
Rule roles(std::initializer_list<auth::Role> allowed);  // one of these roles (admin always)
Rule admin_only();
Rule staff_of(const std::string& param);  // restaurant staff bound to restaurant {param}, or admin
Rule customer_self(const std::string& param);  // the customer {param} themself, or admin
Rule driver_self(const std::string& param);    // the driver {param} themself, or admin
Rule any_of(std::vector<Rule> rules);

Decision evaluate(const Rule& rule, const http::Request& req);
// Throws the 401/403 Problem when the rule refuses.
void enforce(const Rule& rule, const http::Request& req);
http::Handler guard(Rule rule, http::Handler handler);

// Imperative forms for code that decides on an object it loaded itself.
const auth::Principal& require_principal(const http::Request& req);  // 401 when anonymous
void require_restaurant(const http::Request& req, const std::string& restaurant_id);
void require_role(const http::Request& req, std::initializer_list<auth::Role> allowed);

}  // namespace se::authz
