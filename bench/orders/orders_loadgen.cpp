// POST /orders load generator. Each of C threads owns one keep-alive connection and places
// orders for random (customer, restaurant, item) fixtures, each with a fresh Idempotency-Key and
// a bearer token signed with the server's JWT key. Closed loop (--rate 0: as fast as answers
// come) or fixed rate (--rate R orders/s in total, latency measured from the intended send time,
// so a stalled server is not hidden by coordinated omission). Prints one JSON line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/jwt.hpp"

namespace {
using Clock = std::chrono::steady_clock;

struct Fixture {
  std::string customer, restaurant, item;
  double lat = 0, lng = 0;
  std::string auth;
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Sends one request and reads one response; returns the status (0 on a transport error).
int exchange(int& fd, int port, const std::string& req) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd < 0) fd = connect_to(port);
    if (fd < 0) return 0;
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      ::close(fd);
      fd = -1;
      continue;
    }
    std::string buf;
    char tmp[16384];
    std::size_t header_end = std::string::npos, need = 0;
    for (;;) {
      ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      buf.append(tmp, static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = buf.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          std::string lower = buf.substr(0, header_end);
          std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
          auto p = lower.find("content-length:");
          std::size_t len = p == std::string::npos ? 0 : std::stoul(lower.substr(p + 15));
          need = header_end + 4 + len;
        }
      }
      if (header_end != std::string::npos && buf.size() >= need) {
        return std::atoi(buf.c_str() + 9);
      }
    }
    ::close(fd);
    fd = -1;
    if (!buf.empty()) return 0;
  }
  return 0;
}

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}
}  // namespace

int main(int argc, char** argv) {
  int port = 0, conns = 32;
  double rate = 0, duration = 10, warmup = 2;
  std::string fixtures_file, jwt_keys, label = "run";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") port = std::stoi(v);
    else if (k == "--conns") conns = std::stoi(v);
    else if (k == "--rate") rate = std::stod(v);
    else if (k == "--duration") duration = std::stod(v);
    else if (k == "--warmup") warmup = std::stod(v);
    else if (k == "--fixtures") fixtures_file = v;
    else if (k == "--jwt-keys") jwt_keys = v;
    else if (k == "--label") label = v;
  }
  se::jwt::Config cfg;
  cfg.keys = se::jwt::parse_keys(jwt_keys);
  cfg.active_kid = cfg.keys.begin()->first;
  cfg.ttl_s = 3600;
  std::vector<Fixture> fx;
  // Keys are unique per process run too: a second run against the same database must place new
  // orders, not replay the first run's (a replay is one cheap read and would inflate the rate).
  const std::string run_id = std::to_string(std::random_device{}()) + std::to_string(std::time(nullptr));
  std::ifstream in(fixtures_file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    Fixture f;
    if (!(ls >> f.customer >> f.restaurant >> f.item >> f.lat >> f.lng)) continue;
    se::auth::Principal p;
    p.account_id = f.customer;
    p.role = se::auth::Role::customer;
    p.customer_id = f.customer;
    f.auth = "Bearer " + se::jwt::sign(cfg, p, static_cast<std::int64_t>(std::time(nullptr)));
    fx.push_back(std::move(f));
  }
  if (fx.empty() || port == 0) {
    std::cerr << "usage: orders_loadgen --port P --fixtures FILE --jwt-keys SPEC [--conns C] [--rate R] [--duration S]\n";
    return 2;
  }
  std::atomic<long> created{0}, declined{0}, sold_out{0}, other{0}, errors{0};
  std::mutex mu;
  std::vector<double> lat_ms;
  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const auto end = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
  std::vector<std::thread> threads;
  for (int t = 0; t < conns; ++t)
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(1000 + t);
      int fd = -1;
      std::vector<double> mine;
      const auto interval = rate > 0 ? std::chrono::duration<double>(conns / rate) : std::chrono::duration<double>(0);
      auto next = start + std::chrono::duration_cast<Clock::duration>(interval * (static_cast<double>(t) / conns));
      for (long n = 0;; ++n) {
        if (rate > 0) {
          std::this_thread::sleep_until(next);
        }
        const auto intended = rate > 0 ? next : Clock::now();
        if (intended >= end) break;
        if (rate > 0) next += std::chrono::duration_cast<Clock::duration>(interval);
        const auto& f = fx[rng() % fx.size()];
        char body[512];
        std::snprintf(body, sizeof body,
                      R"({"restaurant_id":"%s","items":[{"food_item_id":"%s","quantity":1}],)"
                      R"("delivery_address":"bench","delivery_point":{"lat":%.6f,"lng":%.6f}})",
                      f.restaurant.c_str(), f.item.c_str(), f.lat, f.lng);
        std::string req = "POST /orders HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nAuthorization: " +
                          f.auth + "\r\nIdempotency-Key: " + run_id + "-" + label + "-" + std::to_string(t) + "-" + std::to_string(n) +
                          "\r\nContent-Length: " + std::to_string(std::strlen(body)) + "\r\n\r\n" + body;
        const int status = exchange(fd, port, req);
        const auto done = Clock::now();
        if (intended < measure_from) continue;
        mine.push_back(std::chrono::duration<double, std::milli>(done - intended).count());
        if (status == 201) created++;
        else if (status == 402) declined++;
        else if (status == 409) sold_out++;
        else if (status == 0) errors++;
        else other++;
      }
      if (fd >= 0) ::close(fd);
      std::lock_guard l(mu);
      lat_ms.insert(lat_ms.end(), mine.begin(), mine.end());
    });
  for (auto& th : threads) th.join();
  const double secs = duration;
  const long total = static_cast<long>(lat_ms.size());
  std::vector<double> v = lat_ms;
  std::printf(
      "{\"label\":\"%s\",\"conns\":%d,\"rate\":%.1f,\"seconds\":%.1f,\"requests\":%ld,\"created\":%ld,"
      "\"declined\":%ld,\"sold_out\":%ld,\"other\":%ld,\"errors\":%ld,\"answered_per_s\":%.1f,"
      "\"created_per_s\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
      label.c_str(), conns, rate, secs, total, created.load(), declined.load(), sold_out.load(), other.load(),
      errors.load(), static_cast<double>(total) / secs, static_cast<double>(created.load()) / secs, pct(v, 0.50),
      pct(v, 0.99), v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  return 0;
}
