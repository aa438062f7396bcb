// menu_loadgen: a small HTTP/1.1 load generator for bench/menu.
//
// Two modes, one tool, so swifteats and nginx are measured the same way:
//   --rate R   open loop: requests are scheduled at fixed intervals (1/R) regardless of how fast
//              responses come back. Latency is measured from each request's *intended* send time,
//              so a stalled server is charged for the queue it causes (no coordinated omission).
//              Requests go to whichever keep-alive connection is idle; if none is, they wait in a
//              FIFO and their clock keeps running.
//   --rate 0   closed loop (max throughput): every connection sends its next request as soon as
//              the previous response is in. Latency is measured from the actual send time.
//
// Single-threaded asio by default (--threads), so it takes at most one core from the server.
// Paths come from --urls FILE (one path per line, e.g. /restaurants/<id>/menu), picked
// round-robin or seeded-random. Prints a text summary and, with --json, one JSON line.
// Errors: status other than 2xx/304, socket errors, malformed responses.
#include <sys/resource.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ns = std::chrono::nanoseconds;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string urls_file;
  std::string path = "/";
  std::string label;
  double rate = 0;  // 0 = closed loop
  int connections = 32;
  int threads = 1;
  double duration_s = 10;
  double warmup_s = 2;
  double drain_s = 2;
  bool random_order = false;
  std::uint64_t seed = 1;
  bool json = false;
  bool quiet = false;
  bool timeline = false;
};

[[noreturn]] void usage(int rc) {
  std::fprintf(rc ? stderr : stdout, R"(usage: menu_loadgen [options]
  --host H            server address (127.0.0.1)
  --port P            server port (8080)
  --urls FILE         paths to request, one per line (else --path)
  --path P            single path to request (/)
  --order rr|random   how paths are picked (rr); random uses --seed
  --seed N            seed for --order random (1)
  --rate R            open loop at R requests/s in total; 0 = closed loop, max throughput (0)
  --connections N     keep-alive connections (32)
  --threads T         client threads, each with its own io_context and share of N and R (1)
  --duration S        measured seconds (10)
  --warmup S          seconds run first and not recorded (2)
  --drain S           seconds to wait for in-flight requests after the run (2)
  --label NAME        name printed in the results
  --json              also print one JSON line (prefixed "JSON ")
  --quiet             only the JSON line
  --timeline          also print, per second of the window: responses, p50, p99 and max latency
)");
  std::exit(rc);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        usage(2);
      }
      return argv[++i];
    };
    if (a == "--host")
      o.host = val();
    else if (a == "--port")
      o.port = val();
    else if (a == "--urls")
      o.urls_file = val();
    else if (a == "--path")
      o.path = val();
    else if (a == "--label")
      o.label = val();
    else if (a == "--order") {
      auto v = val();
      if (v == "random")
        o.random_order = true;
      else if (v == "rr")
        o.random_order = false;
      else
        usage(2);
    } else if (a == "--seed")
      o.seed = std::stoull(val());
    else if (a == "--rate")
      o.rate = std::stod(val());
    else if (a == "--connections")
      o.connections = std::stoi(val());
    else if (a == "--threads")
      o.threads = std::stoi(val());
    else if (a == "--duration")
      o.duration_s = std::stod(val());
    else if (a == "--warmup")
      o.warmup_s = std::stod(val());
    else if (a == "--drain")
      o.drain_s = std::stod(val());
    else if (a == "--json")
      o.json = true;
    else if (a == "--quiet")
      o.quiet = o.json = true;
    else if (a == "--timeline")
      o.timeline = true;
    else if (a == "-h" || a == "--help")
      usage(0);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      usage(2);
    }
  }
  if (o.connections < 1 || o.threads < 1 || o.duration_s <= 0 || o.rate < 0 || o.warmup_s < 0)
    usage(2);
  if (o.threads > o.connections) o.threads = o.connections;
  return o;
}

// Results one thread gathers; merged at the end.
struct Stats {
  std::vector<std::uint32_t> lat_us;  // completed, in the measured window
  std::uint64_t completed = 0;        // responses in the measured window (any status)
  std::uint64_t ok = 0;
  std::uint64_t status_errors = 0;
  std::uint64_t socket_errors = 0;
  std::uint64_t unfinished = 0;  // scheduled in the window but not answered before the drain ended
  std::uint64_t bytes = 0;
  std::uint64_t backlog_max = 0;
  std::uint64_t responses_total = 0;                   // every response, warm-up and drain included
  std::vector<std::vector<std::uint32_t>> per_second;  // latencies by second of intended send time
};

// One worker: an io_context, its connections, its share of the schedule.
class Worker {
 public:
  Worker(const Options& o, const std::vector<std::string>& requests, int conns, double rate,
         std::uint64_t seed, Clock::time_point start)
      : o_(o), requests_(requests), rate_(rate), rng_(seed), start_(start), timer_(io_) {
    measure_from_ =
        start_ + std::chrono::duration_cast<ns>(std::chrono::duration<double>(o.warmup_s));
    end_ =
        measure_from_ + std::chrono::duration_cast<ns>(std::chrono::duration<double>(o.duration_s));
    stats_.lat_us.reserve(rate > 0 ? static_cast<std::size_t>(rate * o.duration_s * 1.05) + 16
                                   : 1 << 20);
    tcp::resolver resolver(io_);
    endpoints_ = resolver.resolve(o.host, o.port);
    for (int i = 0; i < conns; ++i) conns_.push_back(std::make_unique<Conn>(*this, i));
    if (rate > 0)
      interval_ = std::chrono::duration_cast<ns>(std::chrono::duration<double>(1.0 / rate));
  }

  void run() {
    for (auto& c : conns_) c->connect();
    if (rate_ > 0) {
      next_due_ = start_;
      arm_schedule();
    }
    // Stop point: end of the window, then a drain period for what is still in flight.
    stop_timer_ = std::make_unique<asio::steady_timer>(io_, end_);
    stop_timer_->async_wait([this](const boost::system::error_code&) {
      stopped_issuing_ = true;
      timer_.cancel();
      drain_timer_ = std::make_unique<asio::steady_timer>(
          io_,
          Clock::now() + std::chrono::duration_cast<ns>(std::chrono::duration<double>(o_.drain_s)));
      drain_timer_->async_wait([this](const boost::system::error_code&) { finish(); });
      maybe_finish_early();
    });
    io_.run();
  }

  Stats& stats() { return stats_; }

 private:
  struct Conn {
    Worker& w;
    int id;
    tcp::socket sock;
    bool connected = false;
    bool busy = false;
    bool connecting = false;
    Clock::time_point intended{};  // latency origin of the request in flight
    std::string out;
    std::vector<char> buf = std::vector<char>(64 * 1024);
    std::size_t have = 0;  // bytes in buf
    std::size_t need = 0;  // total bytes of the response being read (header + body), 0 = unknown

    Conn(Worker& w, int id) : w(w), id(id), sock(w.io_) {}

    void connect() {
      connecting = true;
      asio::async_connect(
          sock, w.endpoints_, [this](const boost::system::error_code& ec, const tcp::endpoint&) {
            connecting = false;
            if (ec) {
              ++w.stats_.socket_errors;
              // Retry shortly; the server may be restarting or refusing.
              auto t = std::make_shared<asio::steady_timer>(w.io_, std::chrono::milliseconds(50));
              t->async_wait([this, t](const boost::system::error_code&) {
                if (!w.finished_) reconnect();
              });
              return;
            }
            boost::system::error_code ig;
            sock.set_option(tcp::no_delay(true), ig);
            connected = true;
            w.on_idle(*this);
          });
    }

    void reconnect() {
      boost::system::error_code ig;
      sock.close(ig);
      sock = tcp::socket(w.io_);
      connected = false;
      have = need = 0;
      connect();
    }

    void send(Clock::time_point origin) {
      busy = true;
      intended = origin;
      const std::string& req = w.next_request();
      asio::async_write(sock, asio::buffer(req),
                        [this](const boost::system::error_code& ec, std::size_t) {
                          if (ec) return fail();
                          read();
                        });
    }

    void read() {
      if (have == buf.size()) buf.resize(buf.size() * 2);
      sock.async_read_some(asio::buffer(buf.data() + have, buf.size() - have),
                           [this](const boost::system::error_code& ec, std::size_t n) {
                             if (ec) return fail();
                             have += n;
                             parse();
                           });
    }

    // Minimal response parser: status line, Content-Length, Connection: close. No chunked
    // bodies (neither swifteats nor nginx static files use them).
    void parse() {
      if (need == 0) {
        std::string_view v(buf.data(), have);
        const auto he = v.find("\r\n\r\n");
        if (he == std::string_view::npos) return read();
        if (v.size() < 12 || v.substr(0, 5) != "HTTP/") return fail();
        int status = 0;
        std::from_chars(v.data() + 9, v.data() + 12, status);
        status_ = status;
        std::size_t clen = 0;
        bool has_len = false;
        close_after_ = false;
        std::size_t pos = v.find("\r\n") + 2;
        while (pos < he) {
          const auto eol = v.find("\r\n", pos);
          std::string_view line = v.substr(pos, eol - pos);
          const auto colon = line.find(':');
          if (colon != std::string_view::npos) {
            std::string_view name = line.substr(0, colon);
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            if (iequals(name, "content-length")) {
              std::from_chars(value.data(), value.data() + value.size(), clen);
              has_len = true;
            } else if (iequals(name, "connection") && iequals(value, "close")) {
              close_after_ = true;
            } else if (iequals(name, "transfer-encoding")) {
              return fail();  // unsupported
            }
          }
          pos = eol + 2;
        }
        if (!has_len && status != 304 && status != 204) return fail();
        need = he + 4 + (status == 304 || status == 204 ? 0 : clen);
        if (need > buf.size()) buf.resize(need);
      }
      if (have < need) return read();
      // One complete response.
      const std::size_t extra = have - need;
      const std::size_t size = need;
      if (extra) std::memmove(buf.data(), buf.data() + need, extra);
      have = extra;
      need = 0;
      busy = false;
      w.on_response(*this, status_, size);
      if (close_after_) {
        reconnect();
        return;
      }
      w.on_idle(*this);
    }

    void fail() {
      ++w.stats_.socket_errors;
      if (busy) {
        busy = false;
        w.on_failed_request(*this);
      }
      if (!w.finished_) reconnect();
    }

    static bool iequals(std::string_view a, std::string_view b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
          return false;
      return true;
    }

    int status_ = 0;
    bool close_after_ = false;
  };

  const std::string& next_request() {
    if (o_.random_order) {
      return requests_[std::uniform_int_distribution<std::size_t>(0, requests_.size() - 1)(rng_)];
    }
    const std::string& r = requests_[rr_];
    rr_ = (rr_ + 1) % requests_.size();
    return r;
  }

  bool in_window(Clock::time_point t) const { return t >= measure_from_ && t < end_; }

  void on_response(Conn& c, int status, std::size_t bytes) {
    --in_flight_;
    ++stats_.responses_total;
    if (in_window(c.intended)) {
      const auto now = Clock::now();
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(now - c.intended).count();
      stats_.lat_us.push_back(static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX)));
      if (o_.timeline) {
        const auto sec = static_cast<std::size_t>(
            std::chrono::duration_cast<std::chrono::seconds>(c.intended - measure_from_).count());
        if (stats_.per_second.size() <= sec) stats_.per_second.resize(sec + 1);
        stats_.per_second[sec].push_back(stats_.lat_us.back());
      }
      ++stats_.completed;
      stats_.bytes += bytes;
      if ((status >= 200 && status < 300) || status == 304)
        ++stats_.ok;
      else
        ++stats_.status_errors;
    }
    maybe_finish_early();
  }

  void on_failed_request(Conn& c) {
    --in_flight_;
    if (in_window(c.intended)) ++stats_.completed;  // counted as done, with an error, no latency
    maybe_finish_early();
  }

  // A connection can take a request.
  void on_idle(Conn& c) {
    if (finished_ || !c.connected || c.busy) return;
    if (rate_ > 0) {
      if (!backlog_.empty()) {
        const auto t = backlog_.front();
        backlog_.pop_front();
        ++in_flight_;
        c.send(t);
      } else {
        idle_.push_back(&c);
      }
      return;
    }
    if (stopped_issuing_) return;
    ++in_flight_;
    c.send(Clock::now());
  }

  // Open loop: issue every request whose time has come, then sleep until the next one.
  void arm_schedule() {
    timer_.expires_at(next_due_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_issuing_) return;
      const auto now = Clock::now();
      while (next_due_ <= now && next_due_ < end_) {
        dispatch(next_due_);
        next_due_ += interval_;
      }
      if (next_due_ >= end_) return;
      arm_schedule();
    });
  }

  void dispatch(Clock::time_point intended) {
    while (!idle_.empty()) {
      Conn* c = idle_.front();
      idle_.pop_front();
      if (c->connected && !c->busy) {
        ++in_flight_;
        c->send(intended);
        return;
      }
    }
    backlog_.push_back(intended);
    stats_.backlog_max = std::max<std::uint64_t>(stats_.backlog_max, backlog_.size());
  }

  void maybe_finish_early() {
    if (stopped_issuing_ && in_flight_ == 0 && backlog_.empty()) finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    const auto now = Clock::now();
    // Whatever was scheduled in the window and never answered: record its age so far as a
    // lower bound of its latency, and count it.
    auto record_unfinished = [&](Clock::time_point t) {
      if (!in_window(t)) return;
      ++stats_.unfinished;
      ++stats_.completed;
      stats_.lat_us.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - t).count()));
    };
    for (auto t : backlog_) record_unfinished(t);
    for (auto& c : conns_)
      if (c->busy) record_unfinished(c->intended);
    backlog_.clear();
    timer_.cancel();
    if (stop_timer_) stop_timer_->cancel();
    if (drain_timer_) drain_timer_->cancel();
    for (auto& c : conns_) {
      boost::system::error_code ig;
      c->sock.close(ig);
    }
    io_.stop();
  }

  const Options& o_;
  asio::io_context io_{1};
  const std::vector<std::string>& requests_;
  double rate_;
  std::mt19937_64 rng_;
  std::size_t rr_ = 0;
  Clock::time_point start_, measure_from_, end_, next_due_;
  ns interval_{0};
  asio::steady_timer timer_;
  std::unique_ptr<asio::steady_timer> stop_timer_, drain_timer_;
  tcp::resolver::results_type endpoints_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::deque<Conn*> idle_;
  std::deque<Clock::time_point> backlog_;
  std::int64_t in_flight_ = 0;
  bool stopped_issuing_ = false;
  bool finished_ = false;
  Stats stats_;
};

double pct(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest-rank percentile.
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  std::vector<std::string> paths;
  if (!o.urls_file.empty()) {
    std::ifstream in(o.urls_file);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", o.urls_file.c_str());
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty() && line[0] != '#') paths.push_back(line);
    }
  } else {
    paths.push_back(o.path);
  }
  if (paths.empty()) {
    std::fprintf(stderr, "no paths to request\n");
    return 2;
  }
  std::vector<std::string> requests;
  requests.reserve(paths.size());
  for (const auto& p : paths)
    requests.push_back("GET " + p + " HTTP/1.1\r\nHost: " + o.host + ":" + o.port +
                       "\r\nUser-Agent: menu_loadgen\r\nAccept: application/json\r\n\r\n");

  const auto start = Clock::now() + std::chrono::milliseconds(20);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    const int conns = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    const double rate = o.rate / o.threads;
    // Offset each thread's schedule so their requests interleave rather than coincide.
    const auto offset = rate > 0 ? std::chrono::duration_cast<ns>(std::chrono::duration<double>(
                                       static_cast<double>(t) / (rate * o.threads)))
                                 : ns{0};
    workers.push_back(
        std::make_unique<Worker>(o, requests, conns, rate, o.seed + 7919 * t, start + offset));
  }
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < workers.size(); ++t)
    threads.emplace_back([&, t] { workers[t]->run(); });
  workers[0]->run();
  for (auto& th : threads) th.join();

  Stats all;
  for (auto& w : workers) {
    auto& s = w->stats();
    all.lat_us.insert(all.lat_us.end(), s.lat_us.begin(), s.lat_us.end());
    all.completed += s.completed;
    all.ok += s.ok;
    all.status_errors += s.status_errors;
    all.socket_errors += s.socket_errors;
    all.unfinished += s.unfinished;
    all.bytes += s.bytes;
    all.backlog_max = std::max(all.backlog_max, s.backlog_max);
    all.responses_total += s.responses_total;
    if (all.per_second.size() < s.per_second.size()) all.per_second.resize(s.per_second.size());
    for (std::size_t i = 0; i < s.per_second.size(); ++i)
      all.per_second[i].insert(all.per_second[i].end(), s.per_second[i].begin(),
                               s.per_second[i].end());
  }
  std::sort(all.lat_us.begin(), all.lat_us.end());
  // Achieved rate: answered (2xx/304 or not) within the window, per second of window.
  const double answered = static_cast<double>(all.completed - all.unfinished - 0);
  const double rps = answered / o.duration_s;
  const double p50 = pct(all.lat_us, 50), p90 = pct(all.lat_us, 90), p99 = pct(all.lat_us, 99),
               p999 = pct(all.lat_us, 99.9);
  const double mx = all.lat_us.empty() ? 0 : all.lat_us.back() / 1000.0;
  const std::uint64_t errors = all.status_errors + all.socket_errors + all.unfinished;
  const char* mode = o.rate > 0 ? "fixed" : "max";
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double client_cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                              static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  const std::string label = o.label.empty() ? o.host + ":" + o.port : o.label;

  if (!o.quiet) {
    std::printf(
        "%s  mode=%s%s connections=%d threads=%d duration=%.0fs warmup=%.0fs paths=%zu order=%s\n",
        label.c_str(), mode,
        o.rate > 0 ? (" target=" + std::to_string(static_cast<long long>(o.rate)) + "rps").c_str()
                   : "",
        o.connections, o.threads, o.duration_s, o.warmup_s, paths.size(),
        o.random_order ? "random" : "rr");
    std::printf("  requests %llu  rps %.1f  MB/s %.2f\n",
                static_cast<unsigned long long>(all.completed), rps,
                static_cast<double>(all.bytes) / o.duration_s / 1e6);
    std::printf("  latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", p50, p90, p99,
                p999, mx);
    std::printf("  errors %llu  (status %llu, socket %llu, unfinished %llu)  max backlog %llu\n",
                static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(all.status_errors),
                static_cast<unsigned long long>(all.socket_errors),
                static_cast<unsigned long long>(all.unfinished),
                static_cast<unsigned long long>(all.backlog_max));
  }
  if (o.timeline && !o.quiet) {
    std::printf("  timeline (second: responses  p50  p99  max, ms)\n");
    for (std::size_t i = 0; i < all.per_second.size(); ++i) {
      auto& v = all.per_second[i];
      std::sort(v.begin(), v.end());
      std::printf("    %3zu: %6zu  %8.3f  %8.3f  %8.3f\n", i, v.size(), pct(v, 50), pct(v, 99),
                  v.empty() ? 0.0 : v.back() / 1000.0);
    }
  }
  if (o.json) {
    std::printf(
        "JSON "
        "{\"label\":\"%s\",\"mode\":\"%s\",\"target_rps\":%.0f,\"connections\":%d,\"threads\":%d,"
        "\"duration_s\":%.1f,\"requests\":%llu,\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_"
        "ms\":%.3f,"
        "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%llu,\"status_errors\":%llu,\"socket_errors\":"
        "%llu,"
        "\"unfinished\":%llu,\"bytes\":%llu,\"responses_total\":%llu,\"client_cpu_s\":%.3f}\n",
        label.c_str(), mode, o.rate, o.connections, o.threads, o.duration_s,
        static_cast<unsigned long long>(all.completed), rps, p50, p90, p99, p999, mx,
        static_cast<unsigned long long>(errors), static_cast<unsigned long long>(all.status_errors),
        static_cast<unsigned long long>(all.socket_errors),
        static_cast<unsigned long long>(all.unfinished), static_cast<unsigned long long>(all.bytes),
        static_cast<unsigned long long>(all.responses_total), client_cpu_s);
  }
  std::fflush(stdout);
  return 0;
}
