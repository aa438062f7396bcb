// Argon2id password hashing (libsodium crypto_pwhash_str) off the io threads: hashing costs
// ~64 MiB and tens of milliseconds by design, so it runs on a small dedicated pool (which also
// bounds how many hashes - and how much memory - are in flight) and the coroutine resumes on
// its own executor afterwards.
#pragma once
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <mutex>
#include <optional>
#include <string>

namespace se::auth {

enum class HashCost {
  interactive,  // OPSLIMIT/MEMLIMIT_INTERACTIVE: the production setting
  minimum       // OPSLIMIT/MEMLIMIT_MIN: tests and benchmarks only (fast, weak)
};
HashCost parse_hash_cost(const std::string& s);  // "interactive" | "min"

class PasswordHasher {
 public:
  explicit PasswordHasher(HashCost cost, int threads = 2);
  ~PasswordHasher();

  boost::asio::awaitable<std::string> hash(std::string password);
  boost::asio::awaitable<bool> verify(std::string stored_hash, std::string password);
  // Verifies against a hash of a random password: what login does for an unknown email, so the
  // answer takes as long as for a known one.
  boost::asio::awaitable<void> burn(std::string password);

  // Synchronous forms for the CLI (no io_context).
  [[nodiscard]] std::string hash_now(const std::string& password) const;
  [[nodiscard]] static bool verify_now(const std::string& stored_hash, const std::string& password);

 private:
  HashCost cost_;
  boost::asio::thread_pool pool_;
  std::mutex mu_;
  std::optional<std::string> dummy_;
};

}  // namespace se::auth
