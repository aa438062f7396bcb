// Redis Streams backend. Each topic is `partitions` streams (se:ev:<topic>:<p>, p = hash(key)),
// trimmed with XADD MAXLEN ~. A consumer group reads a stream through exactly one member at a
// time, which holds a lease on it (se:lease:<group>:<stream>, SET NX PX, renewed at a third of
// its life), so records of one key are handled in order even with many members. Members share
// partitions evenly (se:members:<group> heartbeats). A member taking a stream over claims the
// previous holder's pending records with XAUTOCLAIM and handles them first.
#include <utility>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "bus/bus.hpp"
#include "bus/envelope.hpp"
#include "core/log.hpp"
#include "store/args.hpp"
#include "store/redis.hpp"

namespace se::bus {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using store::redis_args;
using store::RedisReply;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kPublishScript = R"lua(
local ids = {}
for i = 1, #KEYS do
  ids[i] = redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[1], '*', 'k', ARGV[2*i], 'v', ARGV[2*i+1])
end
return ids
)lua";

// KEYS[1]: a stream; ARGV[1]: how many ms an acknowledged entry is kept. Trims the entries that
// every group has acknowledged and that are older than that: a group's oldest pending entry, or
// its last delivered one when nothing is pending, bounds the trim. A stream without groups is
// left to MAXLEN (the DLQ, topics only read without a group).
constexpr const char* kTrimAckedScript = R"lua(
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups == 0 then return 0 end
local now = redis.call('TIME')
local safe = string.format('%.0f-0', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  - tonumber(ARGV[1]))
for _, g in ipairs(groups) do
  local f = {}
  for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
  local point = f['last-delivered-id']
  if f['pending'] > 0 then point = redis.call('XPENDING', KEYS[1], f['name'])[2] end
  if before(point, safe) then safe = point end
end
return redis.call('XTRIM', KEYS[1], 'MINID', safe)
)lua";

constexpr const char* kRenewScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
)lua";

// Take a free lease, or take back our own (a resubscription or restart under the same name).
constexpr const char* kAcquireScript = R"lua(
local v = redis.call('GET', KEYS[1])
if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
)lua";

constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

std::string stream_key(const std::string& topic, int p) {
  return fmt::format("se:ev:{}:{}", topic, p);
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void check(const RedisReply& r, const char* what) {
  if (r.is_error()) throw std::runtime_error(fmt::format("redis {}: {}", what, r.str));
}

// [id, [field, value, ...]] -> Record (k, v fields).
Record entry_to_record(const RedisReply& entry, const std::string& topic, int partition) {
  Record rec;
  rec.topic = topic;
  if (entry.elements.size() < 2) return rec;
  rec.position = fmt::format("{}/{}", partition, entry.elements[0].str);
  const auto& fv = entry.elements[1].elements;
  for (std::size_t i = 0; i + 1 < fv.size(); i += 2) {
    if (fv[i].str == "k") rec.key = fv[i + 1].str;
    if (fv[i].str == "v") rec.value = fv[i + 1].str;
  }
  return rec;
}

std::pair<int, std::string> split_position(const std::string& pos) {
  const auto slash = pos.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("bad redis record position: " + pos);
  return {std::stoi(pos.substr(0, slash)), pos.substr(slash + 1)};
}

std::shared_ptr<store::Redis> connect(asio::any_io_executor ex, const BusConfig& cfg,
                                      std::chrono::milliseconds command_timeout) {
  store::RedisOptions ro;
  ro.host = cfg.redis_host;
  ro.port = cfg.redis_port;
  ro.command_timeout = command_timeout;
  auto r = std::make_shared<store::Redis>(std::move(ex), ro);
  r->start();
  return r;
}

awaitable<void> ensure_connected(store::Redis& r) {
  const bool ok = co_await r.wait_connected(std::chrono::milliseconds(3000));
  if (!ok) throw store::RedisUnavailable("redis event bus: not connected");
  co_return;
}

class RedisSubscription final : public Subscription {
 public:
  RedisSubscription(asio::any_io_executor ex, const BusConfig& cfg, SubscribeOptions opts)
      : ex_(ex), cfg_(cfg), opts_(std::move(opts)), conn_(connect(ex, cfg, 30s)) {
    for (std::size_t t = 0; t < opts_.topics.size(); ++t)
      for (int p = 0; p < cfg_.partitions; ++p)
        streams_.push_back({static_cast<int>(t), p, stream_key(opts_.topics[t], p)});
  }
  ~RedisSubscription() override { conn_->stop(); }

  awaitable<void> start() {
    co_await ensure_connected(*conn_);
    for (const auto& s : streams_) {
      std::string start_id = opts_.from_beginning ? "0" : "$";
      auto r = co_await conn_->command(
          redis_args("XGROUP", "CREATE", s.key, opts_.group, start_id, "MKSTREAM"));
      if (r.is_error() && r.str.rfind("BUSYGROUP", 0) != 0) check(r, "XGROUP CREATE");
    }
    if (opts_.ephemeral) {
      for (std::size_t i = 0; i < streams_.size(); ++i) owned_.insert(i);
      co_await claim_all();  // our own pending records from before a restart (same member name)
    }
  }

  awaitable<std::vector<Record>> fetch(int max, std::chrono::milliseconds block) override {
    if (!opts_.ephemeral && Clock::now() >= next_refresh_) co_await refresh_leases();
    if (!recovered_.empty()) {
      std::vector<Record> out;
      const auto n =
          std::min<std::size_t>(recovered_.size(), static_cast<std::size_t>(std::max(1, max)));
      out.assign(recovered_.begin(), recovered_.begin() + static_cast<std::ptrdiff_t>(n));
      recovered_.erase(recovered_.begin(), recovered_.begin() + static_cast<std::ptrdiff_t>(n));
      co_return out;
    }
    auto wait = std::min(block, std::chrono::milliseconds(5000));
    if (!opts_.ephemeral) {
      const auto until_refresh =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_refresh_ - Clock::now());
      wait = std::max(0ms, std::min(wait, until_refresh));
    }
    if (owned_.empty()) {
      asio::steady_timer t(ex_, wait);
      co_await t.async_wait(asio::use_awaitable);
      co_return std::vector<Record>{};
    }
    std::vector<std::string> args{"XREADGROUP", "GROUP", opts_.group,
                                  opts_.member, "COUNT", std::to_string(max)};
    if (wait.count() > 0) {
      args.emplace_back("BLOCK");
      args.push_back(std::to_string(wait.count()));
    }
    args.emplace_back("STREAMS");
    std::vector<std::size_t> order(owned_.begin(), owned_.end());  // priority order: by topic index
    for (auto i : order) args.push_back(streams_[i].key);
    for (std::size_t i = 0; i < order.size(); ++i) args.emplace_back(">");
    auto r = co_await conn_->command(std::move(args));
    if (r.is_error()) {
      // NOGROUP: the stream was deleted or trimmed away with its group; recreate and go on.
      if (r.str.rfind("NOGROUP", 0) == 0) {
        co_await start();
        co_return std::vector<Record>{};
      }
      check(r, "XREADGROUP");
    }
    co_return parse_read(r);
  }

  awaitable<void> ack(const std::vector<Record>& records) override {
    std::map<std::string, std::vector<std::string>> by_stream;
    for (const auto& rec : records) {
      auto [p, id] = split_position(rec.position);
      by_stream[stream_key(rec.topic, p)].push_back(id);
    }
    for (auto& [key, ids] : by_stream) {
      std::vector<std::string> args{"XACK", key, opts_.group};
      args.insert(args.end(), ids.begin(), ids.end());
      auto r = co_await conn_->command(std::move(args));
      check(r, "XACK");
    }
  }

  awaitable<std::vector<TopicLag>> lag() override {
    std::vector<TopicLag> out;
    for (const auto& topic : opts_.topics) out.push_back({topic, 0, 0});
    for (const auto& s : streams_) {
      auto r = co_await conn_->command(redis_args("XINFO", "GROUPS", s.key));
      if (r.is_error()) continue;
      for (const auto& g : r.elements) {
        std::map<std::string, const RedisReply*> f;
        for (std::size_t i = 0; i + 1 < g.elements.size(); i += 2)
          f[g.elements[i].str] = &g.elements[i + 1];
        if (!f.count("name") || f["name"]->str != opts_.group) continue;
        auto& tl = out[static_cast<std::size_t>(s.topic)];
        if (f.count("pending")) tl.pending += f["pending"]->integer;
        if (f.count("lag")) {
          if (f["lag"]->is_nil() || tl.lag < 0)
            tl.lag = -1;
          else
            tl.lag += f["lag"]->integer;
        }
      }
    }
    co_return out;
  }

  awaitable<void> close() override {
    try {
      if (opts_.ephemeral) {
        for (const auto& s : streams_)
          co_await conn_->command(redis_args("XGROUP", "DESTROY", s.key, opts_.group));
      } else {
        for (auto i : owned_) co_await release(i);
        co_await conn_->command(redis_args("ZREM", members_key(), opts_.member));
      }
    } catch (const std::exception& e) {
      log::warn("event bus: leaving group failed", {{"group", opts_.group}, {"error", e.what()}});
    }
    owned_.clear();
    conn_->stop();
  }

 private:
  struct Stream {
    int topic;
    int partition;
    std::string key;
  };

  std::string members_key() const { return "se:members:" + opts_.group; }
  std::string lease_key(std::size_t i) const {
    return fmt::format("se:lease:{}:{}", opts_.group, streams_[i].key);
  }

  std::vector<Record> parse_read(const RedisReply& r) {
    std::vector<Record> out;
    if (r.is_nil()) return out;
    // [[stream, [entries...]], ...] in the order asked (priority order).
    for (const auto& s : r.elements) {
      if (s.elements.size() < 2) continue;
      const auto* st = find_stream(s.elements[0].str);
      if (!st) continue;
      for (const auto& e : s.elements[1].elements)
        out.push_back(
            entry_to_record(e, opts_.topics[static_cast<std::size_t>(st->topic)], st->partition));
    }
    std::stable_sort(out.begin(), out.end(), [&](const Record& a, const Record& b) {
      return topic_index(a.topic) < topic_index(b.topic);
    });
    return out;
  }

  const Stream* find_stream(const std::string& key) const {
    for (const auto& s : streams_)
      if (s.key == key) return &s;
    return nullptr;
  }
  std::size_t topic_index(const std::string& topic) const {
    return static_cast<std::size_t>(std::find(opts_.topics.begin(), opts_.topics.end(), topic) -
                                    opts_.topics.begin());
  }

  // Takes every pending record of stream i (whoever had it) and queues it for redelivery.
  awaitable<void> claim(std::size_t i) {
    std::string cursor = "0-0";
    for (int guard = 0; guard < 1000; ++guard) {
      auto r = co_await conn_->command(redis_args("XAUTOCLAIM", streams_[i].key, opts_.group,
                                                  opts_.member, "0", cursor, "COUNT", "500"));
      check(r, "XAUTOCLAIM");
      if (r.elements.size() < 2) break;
      for (const auto& e : r.elements[1].elements) {
        if (e.elements.size() < 2 || e.elements[1].is_nil()) continue;  // trimmed away meanwhile
        auto rec = entry_to_record(e, opts_.topics[static_cast<std::size_t>(streams_[i].topic)],
                                   streams_[i].partition);
        rec.redelivered = true;
        recovered_.push_back(std::move(rec));
      }
      cursor = r.elements[0].str;
      if (cursor == "0-0") break;
    }
    std::stable_sort(recovered_.begin(), recovered_.end(), [&](const Record& a, const Record& b) {
      return topic_index(a.topic) < topic_index(b.topic);
    });
  }
  awaitable<void> claim_all() {
    for (auto i : owned_) co_await claim(i);
  }

  awaitable<void> release(std::size_t i) {
    co_await conn_->command(redis_args("EVAL", kReleaseScript, "1", lease_key(i), opts_.member));
  }

  awaitable<void> refresh_leases() {
    const auto lease_ms = std::to_string(cfg_.lease.count());
    next_refresh_ = Clock::now() + cfg_.lease / 3;
    const auto now = unix_ms();
    co_await conn_->command(redis_args("ZADD", members_key(), std::to_string(now), opts_.member));
    co_await conn_->command(redis_args("ZREMRANGEBYSCORE", members_key(), "-inf",
                                       std::to_string(now - cfg_.lease.count())));
    auto live_r = co_await conn_->command(redis_args("ZCARD", members_key()));
    const std::int64_t live = std::max<std::int64_t>(1, live_r.integer);
    const int quota = static_cast<int>((cfg_.partitions + live - 1) / live);

    // Renew what we hold; drop what someone else now holds (we stalled past the lease).
    for (auto it = owned_.begin(); it != owned_.end();) {
      auto r = co_await conn_->command(
          redis_args("EVAL", kRenewScript, "1", lease_key(*it), opts_.member, lease_ms));
      if (r.integer != 1) {
        log::warn("event bus: lost a partition lease",
                  {{"group", opts_.group}, {"stream", streams_[*it].key}});
        recovered_.erase(std::remove_if(recovered_.begin(), recovered_.end(),
                                        [&](const Record& rec) {
                                          return stream_key(rec.topic,
                                                            split_position(rec.position).first) ==
                                                 streams_[*it].key;
                                        }),
                         recovered_.end());
        it = owned_.erase(it);
      } else {
        ++it;
      }
    }
    for (std::size_t t = 0; t < opts_.topics.size(); ++t) {
      int held = 0;
      for (auto i : owned_) held += streams_[i].topic == static_cast<int>(t);
      // More than our share while others are alive: hand some back (they are between batches).
      for (auto it = owned_.rbegin(); held > quota && it != owned_.rend();) {
        const auto i = *it;
        ++it;
        if (streams_[i].topic != static_cast<int>(t)) continue;
        bool has_recovered = false;
        for (const auto& rec : recovered_) has_recovered |= rec.topic == opts_.topics[t];
        if (has_recovered) break;
        co_await release(i);
        owned_.erase(i);
        --held;
      }
      for (std::size_t i = 0; i < streams_.size() && held < quota; ++i) {
        if (streams_[i].topic != static_cast<int>(t) || owned_.count(i)) continue;
        auto r = co_await conn_->command(
            redis_args("EVAL", kAcquireScript, "1", lease_key(i), opts_.member, lease_ms));
        check(r, "lease");
        if (r.integer == 1) {
          owned_.insert(i);
          ++held;
          co_await claim(i);
        }
      }
    }
  }

  asio::any_io_executor ex_;
  BusConfig cfg_;
  SubscribeOptions opts_;
  std::shared_ptr<store::Redis> conn_;
  std::vector<Stream> streams_;
  std::set<std::size_t> owned_;
  std::vector<Record> recovered_;
  Clock::time_point next_refresh_{};
};

class RedisBus final : public EventBus {
 public:
  RedisBus(asio::any_io_executor ex, BusConfig cfg)
      : ex_(ex), cfg_(std::move(cfg)), pub_(connect(ex, cfg_, 5s)) {
    if (cfg_.partitions < 1) cfg_.partitions = 1;
  }
  ~RedisBus() override { stop(); }

  std::string name() const override { return "redis"; }

  void stop() override {
    pub_->stop();
    if (reader_) reader_->stop();
  }

  awaitable<void> publish(std::vector<Record> records) override {
    if (records.empty()) co_return;
    co_await ensure_connected(*pub_);
    // One EVAL per chunk: a single round trip, and XADDs of one call run in order.
    constexpr std::size_t kChunk = 500;
    std::set<std::string> streams;  // the streams written to, for trim_acked
    for (std::size_t off = 0; off < records.size(); off += kChunk) {
      const auto end = std::min(records.size(), off + kChunk);
      std::vector<std::string> args{"EVAL", kPublishScript, std::to_string(end - off)};
      for (std::size_t i = off; i < end; ++i) {
        args.push_back(stream_key(records[i].topic, partition_of(records[i].key, cfg_.partitions)));
        streams.insert(args.back());
      }
      args.push_back(std::to_string(cfg_.retention));
      for (std::size_t i = off; i < end; ++i) {
        args.push_back(records[i].key);
        args.push_back(records[i].value);
      }
      auto r = co_await pub_->command(std::move(args));
      check(r, "XADD");
    }
    co_await trim_acked(streams);
  }

  awaitable<std::unique_ptr<Subscription>> subscribe(SubscribeOptions opts) override {
    if (opts.topics.empty()) throw std::invalid_argument("subscribe: no topics");
    auto sub = std::make_unique<RedisSubscription>(ex_, cfg_, std::move(opts));
    co_await sub->start();
    co_return std::unique_ptr<Subscription>(std::move(sub));
  }

  awaitable<std::vector<Record>> read(const std::string& topic, ReadCursor& cursor, int max,
                                      std::chrono::milliseconds block) override {
    if (!reader_) reader_ = connect(ex_, cfg_, 30s);
    co_await ensure_connected(*reader_);
    for (int p = 0; p < cfg_.partitions; ++p) {
      if (cursor.next.count(p)) continue;
      std::string start = "0-0";
      if (cursor.from_end) {
        auto r = co_await reader_->command(
            redis_args("XREVRANGE", stream_key(topic, p), "+", "-", "COUNT", "1"));
        if (!r.elements.empty() && !r.elements[0].elements.empty())
          start = r.elements[0].elements[0].str;
      }
      cursor.next[p] = start;
    }
    std::vector<std::string> args{"XREAD", "COUNT", std::to_string(max)};
    if (block.count() > 0) {
      args.emplace_back("BLOCK");
      args.push_back(std::to_string(std::min<std::int64_t>(block.count(), 5000)));
    }
    args.emplace_back("STREAMS");
    for (int p = 0; p < cfg_.partitions; ++p) args.push_back(stream_key(topic, p));
    for (int p = 0; p < cfg_.partitions; ++p) args.push_back(cursor.next[p]);
    auto r = co_await reader_->command(std::move(args));
    check(r, "XREAD");
    std::vector<Record> out;
    for (const auto& s : r.elements) {
      if (s.elements.size() < 2) continue;
      const auto& key = s.elements[0].str;
      const int p = std::stoi(key.substr(key.rfind(':') + 1));
      for (const auto& e : s.elements[1].elements) {
        out.push_back(entry_to_record(e, topic, p));
        cursor.next[p] = e.elements[0].str;
      }
    }
    co_return out;
  }

  awaitable<std::int64_t> length(const std::string& topic) override {
    co_await ensure_connected(*pub_);
    std::int64_t n = 0;
    for (int p = 0; p < cfg_.partitions; ++p) {
      auto r = co_await pub_->command(redis_args("XLEN", stream_key(topic, p)));
      check(r, "XLEN");
      n += r.integer;
    }
    co_return n;
  }

  // Trims the streams just published to of what every group has acknowledged, each at most once
  // per trim_interval. A failed trim is logged, never the publish's failure: the records are in.
  awaitable<void> trim_acked(const std::set<std::string>& streams) {
    if (cfg_.acked_keep.count() < 0) co_return;
    const auto now = Clock::now();
    for (const auto& key : streams) {
      auto [it, first] = last_trim_.try_emplace(key, now);
      if (!first && now - it->second < cfg_.trim_interval) continue;
      it->second = now;
      std::string error;
      try {
        auto r = co_await pub_->command(redis_args("EVAL", kTrimAckedScript, "1", key,
                                                   std::to_string(cfg_.acked_keep.count())));
        if (r.is_error()) error = r.str;
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!error.empty())
        log::warn("event bus: trimming acknowledged entries failed",
                  {{"stream", key}, {"error", error}});
    }
  }

  awaitable<bool> remove(const Record& record) override {
    auto [p, id] = split_position(record.position);
    auto r = co_await pub_->command(redis_args("XDEL", stream_key(record.topic, p), id));
    check(r, "XDEL");
    co_return r.integer == 1;
  }

 private:
  asio::any_io_executor ex_;
  BusConfig cfg_;
  std::shared_ptr<store::Redis> pub_;
  std::shared_ptr<store::Redis> reader_;
  std::map<std::string, Clock::time_point> last_trim_;  // stream -> last trim_acked
};

}  // namespace

std::unique_ptr<EventBus> make_redis_bus(asio::any_io_executor ex, const BusConfig& cfg) {
  return std::make_unique<RedisBus>(std::move(ex), cfg);
}

std::unique_ptr<EventBus> make_bus(asio::any_io_executor ex, const BusConfig& cfg) {
  if (cfg.backend == "redis") return make_redis_bus(std::move(ex), cfg);
  if (cfg.backend == "kafka") return make_kafka_bus(std::move(ex), cfg);
  throw std::invalid_argument("unknown event bus backend '" + cfg.backend + "' (redis or kafka)");
}

}  // namespace se::bus
