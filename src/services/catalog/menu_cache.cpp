#include "services/catalog/menu_cache.hpp"

#include <sodium.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <unordered_map>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "store/args.hpp"

namespace se::catalog {

namespace asio = boost::asio;
using store::redis_args;

namespace {
std::string entry_key(const std::string& id) { return "menu:v1:" + id; }
std::string lock_key(const std::string& id) { return "menu:v1:lock:" + id; }

// Stored as "<etag>\n<body>": one GET returns both.
std::string pack(const CachedMenu& m) { return m.etag + "\n" + m.body; }
std::optional<CachedMenu> unpack(std::string v) {
  const auto nl = v.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  CachedMenu m{v.substr(0, nl), {}};
  v.erase(0, nl + 1);  // the body keeps the reply's buffer instead of being copied
  m.body = std::move(v);
  return m;
}

std::string random_token() {
  unsigned char b[12];
  randombytes_buf(b, sizeof b);
  char hex[sizeof b * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

constexpr const char* kSetIfLockHeld = R"(
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0)";

// Looked up once: the registry's label rendering and map lookup are too costly per request.
struct Counters {
  std::atomic<std::uint64_t>& local_hit;
  std::atomic<std::uint64_t>& hit;
  std::atomic<std::uint64_t>& miss;
  std::atomic<std::uint64_t>& unavailable;
};
Counters& counters() {
  auto& reg = metrics::Registry::global();
  static Counters c{
      reg.counter("cache_requests_total", {{"cache", "menu_local"}, {"result", "hit"}}),
      reg.counter("cache_requests_total", {{"cache", "menu"}, {"result", "hit"}}),
      reg.counter("cache_requests_total", {{"cache", "menu"}, {"result", "miss"}}),
      reg.counter("cache_requests_total", {{"cache", "menu"}, {"result", "unavailable"}})};
  return c;
}
void count(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

// Process-wide, shared by every worker's MenuCache.
class LocalMenus {
 public:
  static LocalMenus& instance() {
    static LocalMenus l;
    return l;
  }
  std::shared_ptr<const CachedMenu> get(const std::string& id) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return nullptr;
    if (it->second.expires <= now) {
      entries_.erase(it);
      return nullptr;
    }
    return it->second.menu;
  }
  void put(const std::string& id, const CachedMenu& m, std::chrono::milliseconds ttl) {
    auto menu = std::make_shared<const CachedMenu>(m);
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxEntries) {
      std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
      if (entries_.size() >= kMaxEntries) entries_.clear();  // all hot: start over, cheaply
    }
    entries_[id] = Entry{std::move(menu), now + ttl};
  }
  void erase(const std::string& id) {
    std::lock_guard lock(mu_);
    entries_.erase(id);
  }

 private:
  static constexpr std::size_t kMaxEntries = 20000;
  struct Entry {
    std::shared_ptr<const CachedMenu> menu;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};
}  // namespace

MenuCache::MenuCache(asio::any_io_executor ex, store::Redis& redis, std::chrono::seconds ttl,
                     std::chrono::milliseconds local_ttl)
    : ex_(std::move(ex)), redis_(redis), ttl_(ttl), local_ttl_(local_ttl) {
  metrics::Registry::global().describe(
      "cache_requests_total", "counter",
      "Cache lookups by cache and result (hit, miss, unavailable)");
  counters();
}

asio::awaitable<std::optional<CachedMenu>> MenuCache::lookup(const std::string& key) {
  if (!redis_.connected()) {
    count(counters().unavailable);
    co_return std::nullopt;
  }
  try {
    auto r = co_await redis_.command(redis_args("GET", key));
    if (r.type == store::RedisReply::Type::String) {
      if (auto m = unpack(std::move(r.str))) {
        count(counters().hit);
        co_return m;
      }
    }
    count(counters().miss);
  } catch (const store::RedisUnavailable&) {
    count(counters().unavailable);
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<CachedMenu>> MenuCache::get(const std::string& id, Loader load) {
  const bool local = local_ttl_.count() > 0;
  if (local) {
    if (auto m = LocalMenus::instance().get(id)) {
      count(counters().local_hit);
      co_return *m;
    }
  }
  if (auto hit = co_await lookup(entry_key(id))) {
    if (local) LocalMenus::instance().put(id, *hit, local_ttl_);
    co_return hit;
  }

  // Join a rebuild already running on this worker.
  if (auto it = flights_.find(id); it != flights_.end()) {
    auto flight = it->second;
    boost::system::error_code ec;
    co_await flight->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (flight->error) std::rethrow_exception(flight->error);
    co_return flight->result;
  }
  auto flight = std::make_shared<Flight>(ex_);
  flights_.emplace(id, flight);
  try {
    flight->result = co_await rebuild(id, load);
  } catch (...) {
    flight->error = std::current_exception();
  }
  flights_.erase(id);
  flight->done.cancel();
  if (local && flight->result) LocalMenus::instance().put(id, *flight->result, local_ttl_);
  if (flight->error) std::rethrow_exception(flight->error);
  co_return flight->result;
}

asio::awaitable<std::optional<CachedMenu>> MenuCache::rebuild(const std::string& id,
                                                              const Loader& load) {
  std::optional<std::string> token;
  if (redis_.connected()) {
    try {
      const std::string t = random_token();
      auto r = co_await redis_.command(redis_args("SET", lock_key(id), t, "NX", "PX", "3000"));
      if (r.type == store::RedisReply::Type::Status) {
        token = t;
      } else {
        // Someone else is rebuilding: give them a moment, then read what they stored.
        asio::steady_timer wait(ex_);
        for (int i = 0; i < 10; ++i) {
          wait.expires_after(std::chrono::milliseconds(5));
          boost::system::error_code ec;
          co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (auto hit = co_await lookup(entry_key(id))) co_return hit;
        }
      }
    } catch (const store::RedisUnavailable&) {
    }
  }
  auto menu = co_await load();
  if (menu && token) {
    try {
      co_await redis_.command(redis_args("EVAL", kSetIfLockHeld, "2", entry_key(id), lock_key(id),
                                         *token, pack(*menu), std::to_string(ttl_.count())));
    } catch (const store::RedisUnavailable&) {
    }
  }
  co_return menu;
}

asio::awaitable<void> MenuCache::invalidate(const std::string& id) {
  LocalMenus::instance().erase(id);
  try {
    co_await redis_.command(redis_args("DEL", entry_key(id), lock_key(id)));
  } catch (const store::RedisUnavailable&) {
    // The entry's TTL bounds how long a stale menu can outlive this write.
    log::warn("menu cache invalidation skipped: redis unavailable", {{"restaurant_id", id}});
  }
}

}  // namespace se::catalog
