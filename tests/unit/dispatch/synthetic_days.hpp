// Synthetic days shared by the dispatch tests.
#pragma once

#include "services/dispatch/synthetic.hpp"

namespace se::dispatch::testing_days {

// A synthetic day with couriers enough for every order.
inline Instance easy_day() {
  SyntheticSpec spec;
  spec.seed = 3;
  return make_synthetic_instance(spec);
}

}  // namespace se::dispatch::testing_days
