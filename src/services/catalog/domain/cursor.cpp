#include "services/catalog/domain/cursor.hpp"

#include <sodium.h>
#include <charconv>
#include <cmath>

#include "core/input.hpp"

namespace se::catalog {

namespace {
std::string fingerprint_tag(const std::string& fingerprint) {
  unsigned char h[8];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(fingerprint.data()),
                     fingerprint.size(), nullptr, 0);
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}
}  // namespace

std::string encode_cursor(const NearbyCursor& c, const std::string& fp) {
  const std::string raw = "1|" + fingerprint_tag(fp) + "|" + c.distance + "|" + c.id;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<NearbyCursor> decode_cursor(const std::string& text, const std::string& fp) {
  if (text.empty() || text.size() > 256) return std::nullopt;
  std::string raw(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  raw.resize(len);
  const auto p1 = raw.find('|');
  const auto p2 = p1 == std::string::npos ? p1 : raw.find('|', p1 + 1);
  const auto p3 = p2 == std::string::npos ? p2 : raw.find('|', p2 + 1);
  if (p3 == std::string::npos || raw.substr(0, p1) != "1") return std::nullopt;
  if (raw.substr(p1 + 1, p2 - p1 - 1) != fingerprint_tag(fp)) return std::nullopt;
  NearbyCursor c{raw.substr(p2 + 1, p3 - p2 - 1), raw.substr(p3 + 1)};
  double d = 0;
  auto [end, ec] = std::from_chars(c.distance.data(), c.distance.data() + c.distance.size(), d);
  if (ec != std::errc{} || end != c.distance.data() + c.distance.size() || !std::isfinite(d) ||
      d < 0)
    return std::nullopt;
  if (!input::is_uuid(c.id)) return std::nullopt;
  return c;
}

}  // namespace se::catalog
