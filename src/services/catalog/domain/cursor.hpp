// Keyset cursor for "nearest first" pages: the last row's (distance, id), bound to the query
// that produced it so a cursor from another search is refused instead of skipping rows.
#pragma once
#include <optional>
#include <string>

namespace se::catalog {

struct NearbyCursor {
  std::string distance;  // the database's own text for the float, so comparisons are exact
  std::string id;
};

std::string encode_cursor(const NearbyCursor& c, const std::string& query_fingerprint);
// nullopt when malformed or minted for a different query.
std::optional<NearbyCursor> decode_cursor(const std::string& text,
                                          const std::string& query_fingerprint);

}  // namespace se::catalog
