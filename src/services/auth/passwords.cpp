#include "services/auth/passwords.hpp"

#include <sodium.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <stdexcept>

namespace se::auth {

namespace asio = boost::asio;

namespace {
// Runs f() on `pool` and resumes the calling coroutine on its own executor with the result.
template <typename R, typename F>
asio::awaitable<R> offload(asio::thread_pool& pool, F f) {
  auto ex = co_await asio::this_coro::executor;
  auto initiate = [&pool, ex, f = std::move(f)](auto handler) mutable {
    asio::post(pool, [handler = std::move(handler), ex, f = std::move(f)]() mutable {
      std::exception_ptr err;
      R result{};
      try {
        result = f();
      } catch (...) {
        err = std::current_exception();
      }
      asio::post(ex, [handler = std::move(handler), err, result = std::move(result)]() mutable {
        handler(err, std::move(result));
      });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>,
                                          void(std::exception_ptr, R)>(std::move(initiate),
                                                                       asio::use_awaitable);
}

unsigned long long opslimit(HashCost c) {
  return c == HashCost::interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE
                                    : crypto_pwhash_OPSLIMIT_MIN;
}
std::size_t memlimit(HashCost c) {
  return c == HashCost::interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE
                                    : crypto_pwhash_MEMLIMIT_MIN;
}

std::string hash_with(HashCost cost, const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), opslimit(cost), memlimit(cost),
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}
}  // namespace

HashCost parse_hash_cost(const std::string& s) {
  if (s == "interactive") return HashCost::interactive;
  if (s == "min") return HashCost::minimum;
  throw std::invalid_argument("password hash cost must be 'interactive' or 'min'");
}

PasswordHasher::PasswordHasher(HashCost cost, int threads)
    : cost_(cost), pool_(static_cast<std::size_t>(threads)) {}

PasswordHasher::~PasswordHasher() { pool_.join(); }

std::string PasswordHasher::hash_now(const std::string& password) const {
  return hash_with(cost_, password);
}

bool PasswordHasher::verify_now(const std::string& stored, const std::string& password) {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

asio::awaitable<std::string> PasswordHasher::hash(std::string password) {
  const HashCost cost = cost_;
  auto work = [cost, password = std::move(password)] { return hash_with(cost, password); };
  co_return co_await offload<std::string>(pool_, std::move(work));
}

asio::awaitable<bool> PasswordHasher::verify(std::string stored, std::string password) {
  auto work = [stored = std::move(stored), password = std::move(password)] {
    return verify_now(stored, password);
  };
  co_return co_await offload<bool>(pool_, std::move(work));
}

asio::awaitable<void> PasswordHasher::burn(std::string password) {
  std::optional<std::string> dummy;
  {
    std::lock_guard lock(mu_);
    dummy = dummy_;
  }
  if (!dummy) {
    unsigned char random[24];
    randombytes_buf(random, sizeof random);
    std::string seed(reinterpret_cast<char*>(random), sizeof random);
    std::string h = co_await hash(std::move(seed));
    std::lock_guard lock(mu_);
    if (!dummy_) dummy_ = h;
    co_return;
  }
  std::string stored = std::move(*dummy);
  co_await verify(std::move(stored), std::move(password));
}

}  // namespace se::auth
