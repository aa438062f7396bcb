// Who is calling: the principal the authentication middleware attaches to a request after
// verifying its access token. Absent (std::nullopt on Request::principal) when anonymous.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace se::auth {

enum class Role { customer, restaurant_staff, driver, admin };

inline const char* role_name(Role r) {
  switch (r) {
    case Role::customer:
      return "customer";
    case Role::restaurant_staff:
      return "restaurant_staff";
    case Role::driver:
      return "driver";
    case Role::admin:
      return "admin";
  }
  return "unknown";
}

// False for unknown names (a token naming an unknown role is refused).
inline bool parse_role(std::string_view s, Role& out) {
  for (Role r : {Role::customer, Role::restaurant_staff, Role::driver, Role::admin})
    if (s == role_name(r)) {
      out = r;
      return true;
    }
  return false;
}

struct Principal {
  std::string account_id;  // token "sub"
  Role role = Role::customer;
  std::string customer_id;               // "cid", customers only
  std::string driver_id;                 // "did", drivers only
  std::vector<std::string> restaurants;  // "rst", restaurant staff: the restaurants they run

  [[nodiscard]] bool is(Role r) const { return role == r; }
  [[nodiscard]] bool runs_restaurant(std::string_view id) const {
    return role == Role::restaurant_staff &&
           std::find(restaurants.begin(), restaurants.end(), id) != restaurants.end();
  }
};

}  // namespace se::auth
