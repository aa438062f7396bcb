// Process-wide Prometheus metrics: counters, latency histograms and collector callbacks.
// Lookups are by (name, labels) under a shared lock; values are atomics so worker threads
// never block each other on the hot path.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace se::metrics {

// Label set rendered as Prometheus label text, e.g. {route="/x",status="200"}.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Histogram {
 public:
  static constexpr std::array<double, 14> kBuckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};
  void observe(double seconds);
  void render(const std::string& name, const std::string& labels, std::string& out) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> counts_{};  // last is +Inf
  std::atomic<std::uint64_t> sum_micros_{0};
};

class Registry {
 public:
  static Registry& global();

  std::atomic<std::uint64_t>& counter(const std::string& name, const Labels& labels = {});
  std::atomic<std::int64_t>& gauge(const std::string& name, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const Labels& labels = {});
  void describe(const std::string& name, const std::string& type, const std::string& help);

  // Called at scrape time to append lines (for values owned elsewhere, e.g. pool stats).
  void add_collector(std::function<void(std::string& out)> collector);

  [[nodiscard]] std::string render() const;

 private:
  struct Family {
    std::string type = "untyped";
    std::string help;
    std::map<std::string, std::unique_ptr<std::atomic<std::uint64_t>>> counters;
    std::map<std::string, std::unique_ptr<std::atomic<std::int64_t>>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name);

  mutable std::shared_mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

std::string render_labels(const Labels& labels);

}  // namespace se::metrics
