// Kafka backend through librdkafka. The producer is idempotent (enable.idempotence, acks=all),
// records are partitioned by key (librdkafka's consistent_random: CRC32 of the key), so one key
// keeps its order. Consumers use the balanced group protocol with auto-commit off: ack() commits
// offset+1 per partition after the records were handled; a member that dies loses its
// partitions at the session timeout and the new owner resumes from the committed offset.
// librdkafka runs its own threads; this side never blocks the io_context waiting for data:
// each queue signals a pipe (rd_kafka_queue_io_event_enable) that asio waits on.
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>

#include "bus/bus.hpp"
#include "core/log.hpp"

namespace se::bus {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct KafkaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

rd_kafka_conf_t* make_conf(const BusConfig& cfg, const std::map<std::string, std::string>& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw KafkaError(fmt::format("kafka config {}={}: {}", k, v, err));
    }
  };
  set("bootstrap.servers", cfg.kafka_brokers);
  for (const auto& [k, v] : props) set(k, v);
  for (const auto& [k, v] : cfg.kafka_config) set(k, v);  // operator overrides win
  return conf;
}

// Wakes a coroutine when a librdkafka queue goes from empty to non-empty.
class QueueWaker {
 public:
  QueueWaker(asio::any_io_executor ex, rd_kafka_queue_t* q) : q_(q), fd_(ex) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw KafkaError("pipe2 failed");
    fd_.assign(fds[0]);
    write_fd_ = fds[1];
    rd_kafka_queue_io_event_enable(q_, write_fd_, "1", 1);
  }
  ~QueueWaker() {
    rd_kafka_queue_io_event_enable(q_, -1, nullptr, 0);
    rd_kafka_queue_destroy(q_);
    ::close(write_fd_);
  }
  // Drains the signal pipe; call before polling the queue so no signal is lost.
  void drain() {
    char buf[256];
    while (::read(fd_.native_handle(), buf, sizeof buf) > 0) {
    }
  }
  awaitable<void> wait(std::chrono::milliseconds timeout) {
    asio::steady_timer timer(fd_.get_executor(), timeout);
    auto* fd = &fd_;
    timer.async_wait([fd](boost::system::error_code ec) {
      if (!ec) fd->cancel();
    });
    boost::system::error_code ec;
    co_await fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                            asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
  }

 private:
  rd_kafka_queue_t* q_;
  asio::posix::stream_descriptor fd_;
  int write_fd_ = -1;
};

Record to_record(const rd_kafka_message_t* m) {
  Record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
  r.position = fmt::format("{}/{}", m->partition, m->offset);
  return r;
}

std::pair<int, std::int64_t> split_position(const std::string& pos) {
  const auto slash = pos.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("bad kafka record position: " + pos);
  return {std::stoi(pos.substr(0, slash)), std::stoll(pos.substr(slash + 1))};
}

int partition_count(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk, 0, t, &md, 5000);
  rd_kafka_topic_destroy(t);
  if (err) throw KafkaError(fmt::format("kafka metadata for {}: {}", topic, rd_kafka_err2str(err)));
  int n = 0;
  if (md->topic_cnt == 1 && !md->topics[0].err) n = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

class KafkaSubscription final : public Subscription {
 public:
  KafkaSubscription(asio::any_io_executor ex, const BusConfig& cfg, SubscribeOptions opts)
      : opts_(std::move(opts)) {
    std::map<std::string, std::string> props{
        {"group.id", opts_.group},
        {"client.id", opts_.member},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", opts_.from_beginning ? "earliest" : "latest"},
        {"session.timeout.ms", std::to_string(cfg.kafka_session_timeout.count())},
        {"heartbeat.interval.ms",
         std::to_string(std::max<std::int64_t>(100, cfg.kafka_session_timeout.count() / 5))},
        {"allow.auto.create.topics", "true"},
        {"fetch.wait.max.ms", "10"},
    };
    auto* conf = make_conf(cfg, props);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk_) {
      rd_kafka_conf_destroy(conf);
      throw KafkaError(std::string("kafka consumer: ") + err);
    }
    rd_kafka_poll_set_consumer(rk_);
    waker_ = std::make_unique<QueueWaker>(ex, rd_kafka_queue_get_consumer(rk_));
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(opts_.topics.size()));
    for (const auto& t : opts_.topics)
      rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
    auto e = rd_kafka_subscribe(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e) throw KafkaError(fmt::format("kafka subscribe: {}", rd_kafka_err2str(e)));
  }
  ~KafkaSubscription() override {
    waker_.reset();
    if (rk_) {
      if (!closed_) rd_kafka_consumer_close(rk_);
      rd_kafka_destroy(rk_);
    }
  }

  awaitable<std::vector<Record>> fetch(int max, std::chrono::milliseconds block) override {
    const auto deadline = Clock::now() + block;
    std::vector<Record> out;
    while (true) {
      waker_->drain();
      while (static_cast<int>(out.size()) < max) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 0);
        if (!m) break;
        if (m->err) {
          if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            log::debug("kafka consumer event",
                       {{"group", opts_.group}, {"error", rd_kafka_message_errstr(m)}});
        } else {
          out.push_back(to_record(m));
        }
        rd_kafka_message_destroy(m);
      }
      const auto now = Clock::now();
      if (!out.empty() || now >= deadline) break;
      co_await waker_->wait(
          std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), 200ms));
    }
    std::stable_sort(out.begin(), out.end(), [&](const Record& a, const Record& b) {
      return topic_index(a.topic) < topic_index(b.topic);
    });
    co_return out;
  }

  awaitable<void> ack(const std::vector<Record>& records) override {
    if (records.empty()) co_return;
    std::map<std::pair<std::string, int>, std::int64_t> next;
    for (const auto& r : records) {
      auto [p, off] = split_position(r.position);
      auto& n = next[{r.topic, p}];
      n = std::max(n, off + 1);
    }
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
    for (const auto& [tp, off] : next)
      rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = off;
    auto e = rd_kafka_commit(rk_, list, 1 /*async*/);
    rd_kafka_topic_partition_list_destroy(list);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
      log::warn("kafka commit failed", {{"group", opts_.group}, {"error", rd_kafka_err2str(e)}});
    co_return;
  }

  awaitable<std::vector<TopicLag>> lag() override {
    std::vector<TopicLag> out;
    for (const auto& t : opts_.topics) out.push_back({t, 0, -1});
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(rk_, &assigned) || !assigned) co_return out;
    rd_kafka_position(rk_, assigned);
    for (int i = 0; i < assigned->cnt; ++i) {
      const auto& tp = assigned->elems[i];
      std::int64_t lo = 0, hi = 0;
      if (rd_kafka_get_watermark_offsets(rk_, tp.topic, tp.partition, &lo, &hi)) continue;
      const auto idx = topic_index(tp.topic);
      if (idx >= out.size() || hi < 0) continue;
      const auto pos = tp.offset >= 0 ? tp.offset : lo;
      out[idx].lag += std::max<std::int64_t>(0, hi - pos);
    }
    rd_kafka_topic_partition_list_destroy(assigned);
    co_return out;
  }

  awaitable<void> close() override {
    if (!closed_) {
      closed_ = true;
      rd_kafka_consumer_close(rk_);
    }
    co_return;
  }

 private:
  std::size_t topic_index(const std::string& topic) const {
    return static_cast<std::size_t>(std::find(opts_.topics.begin(), opts_.topics.end(), topic) -
                                    opts_.topics.begin());
  }

  SubscribeOptions opts_;
  rd_kafka_t* rk_ = nullptr;
  std::unique_ptr<QueueWaker> waker_;
  bool closed_ = false;
};

struct Batch {
  int outstanding = 0;
  std::string error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* holder = static_cast<std::shared_ptr<Batch>*>(m->_private);
  if (!holder) return;
  auto& b = **holder;
  --b.outstanding;
  if (m->err && b.error.empty()) b.error = rd_kafka_err2str(m->err);
  delete holder;
}

class KafkaBus final : public EventBus {
 public:
  KafkaBus(asio::any_io_executor ex, BusConfig cfg) : ex_(std::move(ex)), cfg_(std::move(cfg)) {
    std::map<std::string, std::string> props{
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", "1"},
        {"message.timeout.ms", "30000"},
        {"partitioner", "consistent_random"},
    };
    auto* conf = make_conf(cfg_, props);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk_) {
      rd_kafka_conf_destroy(conf);
      throw KafkaError(std::string("kafka producer: ") + err);
    }
    waker_ = std::make_unique<QueueWaker>(ex_, rd_kafka_queue_get_main(rk_));
  }
  ~KafkaBus() override {
    reader_waker_.reset();
    if (reader_) {
      rd_kafka_consumer_close(reader_);
      rd_kafka_destroy(reader_);
    }
    waker_.reset();
    rd_kafka_flush(rk_, 2000);
    rd_kafka_destroy(rk_);
  }

  std::string name() const override { return "kafka"; }

  awaitable<void> publish(std::vector<Record> records) override {
    if (records.empty()) co_return;
    auto batch = std::make_shared<Batch>();
    // The analyzer cannot see that a released holder is deleted by the delivery report.
    // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
    for (auto& r : records) {
      // The delivery report deletes the holder; until librdkafka has accepted the message it is
      // ours (a coroutine destroyed while waiting out a full queue must not leak it).
      auto holder = std::make_unique<std::shared_ptr<Batch>>(batch);
      ++batch->outstanding;
      while (true) {
        auto e = rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(r.topic.c_str()),
                                   RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
                                   RD_KAFKA_V_VALUE(r.value.data(), r.value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_OPAQUE(holder.get()), RD_KAFKA_V_END);
        if (!e) {
          (void)holder.release();  // now librdkafka's, until the delivery report
          break;
        }
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // back-pressure: serve reports, then retry
          rd_kafka_poll(rk_, 0);
          co_await waker_->wait(5ms);
          continue;
        }
        --batch->outstanding;
        throw KafkaError(fmt::format("kafka produce to {}: {}", r.topic, rd_kafka_err2str(e)));
      }
    }
    const auto deadline = Clock::now() + 35s;
    while (batch->outstanding > 0) {
      waker_->drain();
      rd_kafka_poll(rk_, 0);
      if (batch->outstanding == 0) break;
      if (Clock::now() > deadline) throw KafkaError("kafka publish: delivery reports timed out");
      co_await waker_->wait(100ms);
    }
    if (!batch->error.empty()) throw KafkaError("kafka publish: " + batch->error);
  }

  awaitable<std::unique_ptr<Subscription>> subscribe(SubscribeOptions opts) override {
    if (opts.topics.empty()) throw std::invalid_argument("subscribe: no topics");
    co_return std::make_unique<KafkaSubscription>(ex_, cfg_, std::move(opts));
  }

  awaitable<std::vector<Record>> read(const std::string& topic, ReadCursor& cursor, int max,
                                      std::chrono::milliseconds block) override {
    if (!reader_) make_reader();
    if (reader_topic_ != topic || cursor.next.empty()) {
      const int n = partition_count(rk_, topic);
      auto* list = rd_kafka_topic_partition_list_new(std::max(1, n));
      for (int p = 0; p < n; ++p) {
        auto it = cursor.next.find(p);
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset =
            it != cursor.next.end()
                ? std::stoll(it->second)
                : (cursor.from_end ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING);
        if (it == cursor.next.end()) cursor.next[p] = cursor.from_end ? "-1" : "-2";
      }
      rd_kafka_assign(reader_, list);
      rd_kafka_topic_partition_list_destroy(list);
      reader_topic_ = topic;
    }
    std::vector<Record> out;
    const auto deadline = Clock::now() + block;
    while (true) {
      reader_waker_->drain();
      while (static_cast<int>(out.size()) < max) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(reader_, 0);
        if (!m) break;
        if (!m->err) {
          out.push_back(to_record(m));
          cursor.next[m->partition] = std::to_string(m->offset + 1);
        }
        rd_kafka_message_destroy(m);
      }
      const auto now = Clock::now();
      if (!out.empty() || now >= deadline) break;
      co_await reader_waker_->wait(
          std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), 200ms));
    }
    co_return out;
  }

  awaitable<std::int64_t> length(const std::string& topic) override {
    std::int64_t total = 0;
    const int n = partition_count(rk_, topic);
    for (int p = 0; p < n; ++p) {
      std::int64_t lo = 0, hi = 0;
      if (!rd_kafka_query_watermark_offsets(rk_, topic.c_str(), p, &lo, &hi, 3000))
        total += hi - lo;
    }
    co_return total;
  }

  awaitable<bool> remove(const Record&) override { co_return false; }

 private:
  void make_reader() {
    std::map<std::string, std::string> props{
        {"group.id", "swifteats-reader"},
        {"enable.auto.commit", "false"},
        {"enable.partition.eof", "false"},
        {"fetch.wait.max.ms", "10"},
        {"session.timeout.ms", std::to_string(cfg_.kafka_session_timeout.count())}};
    auto* conf = make_conf(cfg_, props);
    char err[512];
    reader_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!reader_) {
      rd_kafka_conf_destroy(conf);
      throw KafkaError(std::string("kafka reader: ") + err);
    }
    rd_kafka_poll_set_consumer(reader_);
    reader_waker_ = std::make_unique<QueueWaker>(ex_, rd_kafka_queue_get_consumer(reader_));
  }

  asio::any_io_executor ex_;
  BusConfig cfg_;
  rd_kafka_t* rk_ = nullptr;
  std::unique_ptr<QueueWaker> waker_;
  rd_kafka_t* reader_ = nullptr;
  std::unique_ptr<QueueWaker> reader_waker_;
  std::string reader_topic_;
};

}  // namespace

std::unique_ptr<EventBus> make_kafka_bus(asio::any_io_executor ex, const BusConfig& cfg) {
  return std::make_unique<KafkaBus>(std::move(ex), cfg);
}

}  // namespace se::bus
