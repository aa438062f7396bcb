#include "core/authz.hpp"

#include <utility>

#include "core/problem.hpp"

namespace se::authz {

namespace {
using auth::Principal;
using auth::Role;
using http::Request;

const std::string* param_of(const Request& req, const std::string& name) {
  auto it = req.params.find(name);
  return it == req.params.end() ? nullptr : &it->second;
}

Decision signed_in_and(const Principal* who, bool ok) {
  if (!who) return Decision::unauthenticated;
  return ok || who->is(Role::admin) ? Decision::allow : Decision::forbidden;
}
}  // namespace

Rule public_route() {
  return {"public", [](const Principal*, const Request&) { return Decision::allow; }};
}

Rule authenticated() {
  return {"authenticated",
          [](const Principal* who, const Request&) { return signed_in_and(who, true); }};
}

Rule roles(std::initializer_list<Role> allowed) {
  std::vector<Role> list(allowed);
  std::string desc = "roles(";
  for (Role r : list) desc += std::string(auth::role_name(r)) + (r == list.back() ? "" : ",");
  desc += ")";
  return {desc, [list](const Principal* who, const Request&) {
            return signed_in_and(
                who, who && std::find(list.begin(), list.end(), who->role) != list.end());
          }};
}

Rule admin_only() { return roles({Role::admin}); }

Rule staff_of(const std::string& param) {
  return {"staff_of(" + param + ")", [param](const Principal* who, const Request& req) {
            const auto* id = param_of(req, param);
            return signed_in_and(who, who && id && who->runs_restaurant(*id));
          }};
}

Rule customer_self(const std::string& param) {
  return {"customer_self(" + param + ")", [param](const Principal* who, const Request& req) {
            const auto* id = param_of(req, param);
            return signed_in_and(who,
                                 who && id && who->is(Role::customer) && who->customer_id == *id);
          }};
}

Rule driver_self(const std::string& param) {
  return {"driver_self(" + param + ")", [param](const Principal* who, const Request& req) {
            const auto* id = param_of(req, param);
            return signed_in_and(who, who && id && who->is(Role::driver) && who->driver_id == *id);
          }};
}

Rule any_of(std::vector<Rule> rules) {
  std::string desc = "any_of(";
  for (std::size_t i = 0; i < rules.size(); ++i) desc += (i ? "," : "") + rules[i].description;
  desc += ")";
  return {desc, [rules = std::move(rules)](const Principal* who, const Request& req) {
            Decision worst = Decision::forbidden;
            for (const auto& r : rules) {
              const auto d = r.decide(who, req);
              if (d == Decision::allow) return d;
              if (d == Decision::unauthenticated) worst = d;
            }
            return worst;
          }};
}

Decision evaluate(const Rule& rule, const Request& req) {
  return rule.decide(req.principal ? &*req.principal : nullptr, req);
}

void enforce(const Rule& rule, const Request& req) {
  switch (evaluate(rule, req)) {
    case Decision::allow:
      return;
    case Decision::unauthenticated:
      throw Problem{401, "unauthenticated", "Unauthorized",
                    "a valid bearer access token is required"};
    case Decision::forbidden:
      throw Problem{403, "forbidden", "Forbidden", "this account may not perform this action"};
  }
}

http::Handler guard(Rule rule, http::Handler handler) {
  return [rule = std::move(rule), handler = std::move(handler)](Request& req) {
    enforce(rule, req);
    return handler(req);
  };
}

const Principal& require_principal(const Request& req) {
  if (!req.principal)
    throw Problem{401, "unauthenticated", "Unauthorized",
                  "a valid bearer access token is required"};
  return *req.principal;
}

void require_restaurant(const Request& req, const std::string& restaurant_id) {
  const auto& who = require_principal(req);
  if (!who.is(Role::admin) && !who.runs_restaurant(restaurant_id))
    throw Problem{403, "forbidden", "Forbidden", "this account may not perform this action"};
}

void require_role(const Request& req, std::initializer_list<Role> allowed) {
  const auto& who = require_principal(req);
  if (who.is(Role::admin)) return;
  for (Role r : allowed)
    if (who.is(r)) return;
  throw Problem{403, "forbidden", "Forbidden", "this account may not perform this action"};
}

}  // namespace se::authz
