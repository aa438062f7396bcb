#include <gtest/gtest.h>

#include "services/orders/domain/lifecycle.hpp"

using namespace se::orders;

namespace {
const std::vector<Status> kAll{Status::pending_payment, Status::confirmed,        Status::accepted,
                               Status::preparing,       Status::ready_for_pickup, Status::picked_up,
                               Status::delivered,       Status::cancelled,        Status::failed};
const std::vector<Actor> kActors{Actor::customer, Actor::restaurant, Actor::driver, Actor::system};
}  // namespace

TEST(OrderLifecycle, HappyPathByTheRoleThatOwnsEachStep) {
  EXPECT_EQ(check_transition(Status::pending_payment, Status::confirmed, Actor::system),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::confirmed, Status::accepted, Actor::restaurant),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::accepted, Status::preparing, Actor::restaurant),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::preparing, Status::ready_for_pickup, Actor::restaurant),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::ready_for_pickup, Status::picked_up, Actor::driver),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::picked_up, Status::delivered, Actor::driver),
            Verdict::allowed);
}

TEST(OrderLifecycle, WrongRoleIsForbiddenNotIllegal) {
  EXPECT_EQ(check_transition(Status::confirmed, Status::accepted, Actor::customer),
            Verdict::forbidden);
  EXPECT_EQ(check_transition(Status::confirmed, Status::accepted, Actor::driver),
            Verdict::forbidden);
  EXPECT_EQ(check_transition(Status::ready_for_pickup, Status::picked_up, Actor::restaurant),
            Verdict::forbidden);
  EXPECT_EQ(check_transition(Status::pending_payment, Status::confirmed, Actor::customer),
            Verdict::forbidden);
  EXPECT_EQ(check_transition(Status::picked_up, Status::delivered, Actor::customer),
            Verdict::forbidden);
}

TEST(OrderLifecycle, CancellationWindowsPerRole) {
  // Customer: only before preparation.
  EXPECT_EQ(check_transition(Status::confirmed, Status::cancelled, Actor::customer),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::accepted, Status::cancelled, Actor::customer),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::preparing, Status::cancelled, Actor::customer),
            Verdict::forbidden);
  EXPECT_EQ(check_transition(Status::pending_payment, Status::cancelled, Actor::customer),
            Verdict::forbidden);
  // Restaurant: until the food leaves.
  EXPECT_EQ(check_transition(Status::ready_for_pickup, Status::cancelled, Actor::restaurant),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::picked_up, Status::cancelled, Actor::restaurant),
            Verdict::forbidden);
  // System: until delivery.
  EXPECT_EQ(check_transition(Status::picked_up, Status::cancelled, Actor::system),
            Verdict::allowed);
  EXPECT_EQ(check_transition(Status::delivered, Status::cancelled, Actor::system),
            Verdict::illegal);
}

TEST(OrderLifecycle, TerminalStatesHaveNoExitAndNothingSkipsOrGoesBack) {
  for (Status from : kAll)
    for (Status to : kAll)
      for (Actor a : kActors) {
        const auto v = check_transition(from, to, a);
        if (is_terminal(from)) {
          EXPECT_EQ(v, Verdict::illegal) << status_name(from) << "->" << status_name(to);
        }
        if (from == to) {
          EXPECT_EQ(v, Verdict::illegal);
        }
        // Forward moves (not cancel/fail) advance exactly one step.
        if (v == Verdict::allowed && to != Status::cancelled && to != Status::failed) {
          EXPECT_EQ(static_cast<int>(to), static_cast<int>(from) + 1)
              << status_name(from) << "->" << status_name(to);
        }
      }
  EXPECT_EQ(check_transition(Status::preparing, Status::accepted, Actor::system), Verdict::illegal);
  EXPECT_EQ(check_transition(Status::confirmed, Status::preparing, Actor::restaurant),
            Verdict::illegal);
  EXPECT_EQ(check_transition(Status::confirmed, Status::failed, Actor::system), Verdict::illegal);
}

TEST(OrderLifecycle, EveryNonTerminalStatusReachesATerminalOne) {
  for (Status s : kAll) {
    if (is_terminal(s)) {
      EXPECT_TRUE(next_statuses(s, Actor::system).empty());
      continue;
    }
    EXPECT_FALSE(next_statuses(s, Actor::system).empty()) << status_name(s);
  }
}

TEST(OrderLifecycle, StockComesBackOnlyBeforeTheFoodLeaves) {
  EXPECT_TRUE(restores_stock(Status::pending_payment, Status::failed));
  EXPECT_TRUE(restores_stock(Status::confirmed, Status::cancelled));
  EXPECT_TRUE(restores_stock(Status::ready_for_pickup, Status::cancelled));
  EXPECT_FALSE(restores_stock(Status::picked_up, Status::cancelled));
  EXPECT_FALSE(restores_stock(Status::confirmed, Status::accepted));
}

TEST(OrderLifecycle, NamesRoundTrip) {
  for (Status s : kAll) EXPECT_EQ(parse_status(status_name(s)), s);
  EXPECT_FALSE(parse_status("shipped").has_value());
  EXPECT_STREQ(event_type_for(Status::confirmed), "OrderConfirmed");
}
