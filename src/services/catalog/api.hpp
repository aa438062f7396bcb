// HTTP routes of the catalog service: browsing restaurants and menus, and owner writes.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "core/router.hpp"
#include "store/pg.hpp"
#include "store/redis.hpp"

namespace se::catalog {

struct CatalogOptions {
  std::chrono::seconds menu_cache_ttl{120};
  int max_radius_m = 50000;
};

// Registers the routes on `router`; the returned object owns per-worker state (the cache)
// and must outlive the router's use.
std::shared_ptr<void> register_catalog(http::Router& router, boost::asio::any_io_executor ex,
                                       store::PgPool& pg, store::Redis& redis, CatalogOptions opts);

}  // namespace se::catalog
