// Cache-aside for menus in Redis (TTL from the seed: 2 minutes). One rebuild per key at a time:
// within a worker, concurrent misses share one database read; across workers and processes, a
// short Redis lock lets one rebuild while the others briefly wait for its result. A rebuild only
// stores its result if its lock survived, and writers delete the lock with the entry, so a
// rebuild that raced a write cannot put the old menu back. Redis being down is a miss, never an
// error.
//
// In front of Redis sits a small process-wide memory cache with a short TTL (default 1 s): a
// hot menu is then served without the Redis round trip, which dominated the cost of a cached
// menu request (see docs/benchmarks.md). invalidate() clears it for every worker of the process;
// other processes clear theirs when the restaurant_updates event reaches them, and its TTL
// bounds what a write racing a concurrent read can leave behind.
#pragma once
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "store/redis.hpp"

namespace se::catalog {

struct CachedMenu {
  std::string etag;
  std::string body;
};

class MenuCache {
 public:
  using Loader = std::function<boost::asio::awaitable<std::optional<CachedMenu>>()>;

  MenuCache(boost::asio::any_io_executor ex, store::Redis& redis, std::chrono::seconds ttl,
            std::chrono::milliseconds local_ttl = std::chrono::milliseconds(1000));

  // Cached menu, else loads it once (whatever the concurrency) and caches it.
  // nullopt when the loader finds no such restaurant.
  boost::asio::awaitable<std::optional<CachedMenu>> get(const std::string& restaurant_id,
                                                        Loader load);

  // After a committed write: drop the entry and any in-progress rebuild's right to store.
  boost::asio::awaitable<void> invalidate(const std::string& restaurant_id);

 private:
  struct Flight {
    std::optional<CachedMenu> result;
    std::exception_ptr error;
    boost::asio::steady_timer done;
    explicit Flight(boost::asio::any_io_executor ex)
        : done(ex, std::chrono::steady_clock::time_point::max()) {}
  };
  boost::asio::awaitable<std::optional<CachedMenu>> lookup(const std::string& key);
  boost::asio::awaitable<std::optional<CachedMenu>> rebuild(const std::string& restaurant_id,
                                                            const Loader& load);

  boost::asio::any_io_executor ex_;
  store::Redis& redis_;
  std::chrono::seconds ttl_;
  std::chrono::milliseconds local_ttl_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace se::catalog
