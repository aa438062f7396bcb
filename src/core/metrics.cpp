#include "core/metrics.hpp"

#include <fmt/format.h>

namespace se::metrics {

namespace {
std::string escape_label(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

template <typename Map, typename Make>
auto& find_or_make(std::shared_mutex& mu, Map& map, const std::string& key, Make make) {
  {
    std::shared_lock lock(mu);
    if (auto it = map.find(key); it != map.end()) return *it->second;
  }
  std::unique_lock lock(mu);
  auto& slot = map[key];
  if (!slot) slot = make();
  return *slot;
}
}  // namespace

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out.push_back(',');
    out += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  out.push_back('}');
  return out;
}

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::render(const std::string& name, const std::string& labels, std::string& out) const {
  // labels is "{a=\"b\"}" or empty; bucket lines need le added inside the braces.
  const std::string inner = labels.empty() ? "" : labels.substr(1, labels.size() - 2) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kBuckets.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    const std::string le = i < kBuckets.size() ? fmt::format("{}", kBuckets[i]) : "+Inf";
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, inner, le, cumulative);
  }
  out += fmt::format("{}_sum{} {}\n", name, labels,
                     static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("{}_count{} {}\n", name, labels, cumulative);
}

Registry& Registry::global() {
  static Registry r;
  return r;
}

Registry::Family& Registry::family(const std::string& name) {
  {
    std::shared_lock lock(mu_);
    if (auto it = families_.find(name); it != families_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  return families_[name];
}

std::atomic<std::uint64_t>& Registry::counter(const std::string& name, const Labels& labels) {
  auto& f = family(name);
  if (f.type == "untyped") f.type = "counter";
  return find_or_make(mu_, f.counters, render_labels(labels),
                      [] { return std::make_unique<std::atomic<std::uint64_t>>(0); });
}

std::atomic<std::int64_t>& Registry::gauge(const std::string& name, const Labels& labels) {
  auto& f = family(name);
  if (f.type == "untyped") f.type = "gauge";
  return find_or_make(mu_, f.gauges, render_labels(labels),
                      [] { return std::make_unique<std::atomic<std::int64_t>>(0); });
}

Histogram& Registry::histogram(const std::string& name, const Labels& labels) {
  auto& f = family(name);
  if (f.type == "untyped") f.type = "histogram";
  return find_or_make(mu_, f.histograms, render_labels(labels),
                      [] { return std::make_unique<Histogram>(); });
}

void Registry::describe(const std::string& name, const std::string& type, const std::string& help) {
  auto& f = family(name);
  std::unique_lock lock(mu_);
  f.type = type;
  f.help = help;
}

void Registry::add_collector(std::function<void(std::string&)> collector) {
  std::unique_lock lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
  std::string out;
  std::shared_lock lock(mu_);
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", name, f.help);
    out += fmt::format("# TYPE {} {}\n", name, f.type);
    for (const auto& [labels, v] : f.counters)
      out += fmt::format("{}{} {}\n", name, labels, v->load());
    for (const auto& [labels, v] : f.gauges)
      out += fmt::format("{}{} {}\n", name, labels, v->load());
    for (const auto& [labels, h] : f.histograms) h->render(name, labels, out);
  }
  for (const auto& c : collectors_) c(out);
  return out;
}

}  // namespace se::metrics
