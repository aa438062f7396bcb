#include "core/jwt.hpp"

#include <algorithm>
#include <limits>

#include <sodium.h>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/text.hpp"

namespace se::jwt {

namespace {
using nlohmann::json;

std::optional<std::string> b64_decode_variant(std::string_view text, int variant) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::optional<json> parse_json_object(std::string_view b64) {
  auto raw = b64url_decode(b64);
  if (!raw) return std::nullopt;
  auto j = json::parse(*raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

bool audience_matches(const json& aud, const std::string& want) {
  if (aud.is_string()) return aud.get_ref<const std::string&>() == want;
  if (aud.is_array())
    for (const auto& a : aud)
      if (a.is_string() && a.get_ref<const std::string&>() == want) return true;
  return false;
}

std::optional<std::int64_t> int_claim(const json& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  return std::nullopt;
}

std::string str_or_empty(const json& p, const char* name) {
  auto it = p.find(name);
  return it != p.end() && it->is_string() ? it->get<std::string>() : std::string{};
}
}  // namespace

const char* error_name(Error e) {
  switch (e) {
    case Error::none:
      return "none";
    case Error::malformed:
      return "malformed";
    case Error::bad_algorithm:
      return "bad_algorithm";
    case Error::unknown_key:
      return "unknown_key";
    case Error::bad_signature:
      return "bad_signature";
    case Error::expired:
      return "expired";
    case Error::not_yet_valid:
      return "not_yet_valid";
    case Error::wrong_issuer:
      return "wrong_issuer";
    case Error::wrong_audience:
      return "wrong_audience";
    case Error::bad_claims:
      return "bad_claims";
  }
  return "unknown";
}

std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> b64url_decode(std::string_view text) {
  return b64_decode_variant(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

std::map<std::string, std::string> parse_keys(std::string_view spec) {
  std::map<std::string, std::string> keys;
  for (const auto item : text::split_nonempty(spec)) {
    const auto colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0)
      throw std::invalid_argument("JWT key entries must look like kid:base64secret");
    const std::string kid(item.substr(0, colon));
    const auto text = item.substr(colon + 1);
    auto secret = b64_decode_variant(text, sodium_base64_VARIANT_ORIGINAL);
    if (!secret) secret = b64_decode_variant(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    if (!secret) secret = b64_decode_variant(text, sodium_base64_VARIANT_URLSAFE);
    if (!secret) secret = b64_decode_variant(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (!secret) throw std::invalid_argument("JWT key '" + kid + "' is not valid base64");
    if (secret->size() < 32)
      throw std::invalid_argument("JWT key '" + kid + "' is shorter than 32 bytes");
    if (!keys.emplace(kid, std::move(*secret)).second)
      throw std::invalid_argument("JWT key id '" + kid + "' appears twice");
  }
  return keys;
}

std::string sign(const Config& cfg, const auth::Principal& who, std::int64_t now) {
  const auto key = cfg.keys.find(cfg.active_kid);
  if (key == cfg.keys.end()) throw std::logic_error("the active JWT key id has no key");
  const json header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", cfg.active_kid}};
  unsigned char jti[12];
  randombytes_buf(jti, sizeof jti);
  json payload{{"iss", cfg.issuer},
               {"aud", cfg.audience},
               {"sub", who.account_id},
               {"role", auth::role_name(who.role)},
               {"iat", now},
               {"nbf", now},
               {"exp", now + cfg.ttl_s},
               {"jti", b64url(std::string_view(reinterpret_cast<const char*>(jti), sizeof jti))}};
  if (!who.customer_id.empty()) payload["cid"] = who.customer_id;
  if (!who.driver_id.empty()) payload["did"] = who.driver_id;
  if (who.role == auth::Role::restaurant_staff) payload["rst"] = who.restaurants;
  std::string signing_input = b64url(header.dump()) + "." + b64url(payload.dump());
  const auto mac = hmac_sha256(key->second, signing_input);
  return signing_input + "." + b64url(mac);
}

Verified verify(const Config& cfg, std::string_view token, std::int64_t now) {
  Verified v;
  auto fail = [&v](Error e) {
    v.error = e;
    return v;
  };
  if (token.size() > 8192) return fail(Error::malformed);
  const auto d1 = token.find('.');
  if (d1 == std::string_view::npos) return fail(Error::malformed);
  const auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return fail(Error::malformed);
  const auto header = parse_json_object(token.substr(0, d1));
  if (!header) return fail(Error::malformed);
  // Only the configured algorithm, spelled exactly; never "none", never an asymmetric one
  // (which would invite the HS/RS key-confusion attack).
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256")
    return fail(Error::bad_algorithm);
  if (header->contains("crit")) return fail(Error::malformed);  // no extensions are understood
  const auto kid = header->find("kid");
  if (kid == header->end() || !kid->is_string()) return fail(Error::unknown_key);
  const auto key = cfg.keys.find(kid->get_ref<const std::string&>());
  if (key == cfg.keys.end()) return fail(Error::unknown_key);
  const auto sig = b64url_decode(token.substr(d2 + 1));
  if (!sig || sig->size() != crypto_auth_hmacsha256_BYTES) return fail(Error::bad_signature);
  const auto expected = hmac_sha256(key->second, token.substr(0, d2));
  if (sodium_memcmp(expected.data(), sig->data(), expected.size()) != 0)
    return fail(Error::bad_signature);

  const auto payload = parse_json_object(token.substr(d1 + 1, d2 - d1 - 1));
  if (!payload) return fail(Error::malformed);
  if (str_or_empty(*payload, "iss") != cfg.issuer) return fail(Error::wrong_issuer);
  const auto aud = payload->find("aud");
  if (aud == payload->end() || !audience_matches(*aud, cfg.audience))
    return fail(Error::wrong_audience);
  const auto exp = int_claim(*payload, "exp");
  if (!exp) return fail(Error::bad_claims);
  if (now >= *exp + cfg.leeway_s) return fail(Error::expired);
  if (const auto nbf = int_claim(*payload, "nbf"); nbf && now + cfg.leeway_s < *nbf)
    return fail(Error::not_yet_valid);
  const auto iat = int_claim(*payload, "iat");
  if (iat && now + cfg.leeway_s < *iat) return fail(Error::not_yet_valid);

  auto& p = v.claims.principal;
  p.account_id = str_or_empty(*payload, "sub");
  if (p.account_id.empty() || !auth::parse_role(str_or_empty(*payload, "role"), p.role))
    return fail(Error::bad_claims);
  p.customer_id = str_or_empty(*payload, "cid");
  p.driver_id = str_or_empty(*payload, "did");
  if ((p.role == auth::Role::customer && p.customer_id.empty()) ||
      (p.role == auth::Role::driver && p.driver_id.empty()))
    return fail(Error::bad_claims);
  if (const auto rst = payload->find("rst"); rst != payload->end()) {
    if (!rst->is_array()) return fail(Error::bad_claims);
    for (const auto& r : *rst) {
      if (!r.is_string()) return fail(Error::bad_claims);
      p.restaurants.push_back(r.get<std::string>());
    }
  }
  v.claims.exp = *exp;
  v.claims.iat = iat.value_or(0);
  v.claims.jti = str_or_empty(*payload, "jti");
  v.claims.usable_until = *exp + cfg.leeway_s;
  v.claims.usable_from = std::numeric_limits<std::int64_t>::min();
  if (const auto nbf = int_claim(*payload, "nbf")) v.claims.usable_from = *nbf - cfg.leeway_s;
  if (iat) v.claims.usable_from = std::max(v.claims.usable_from, *iat - cfg.leeway_s);
  return v;
}

const Claims* VerifiedTokens::find(std::string_view token, std::int64_t now) const {
  const auto it = entries_.find(std::string(token));
  if (it == entries_.end()) return nullptr;
  const Claims& c = it->second;
  return now >= c.usable_from && now < c.usable_until ? &c : nullptr;
}

void VerifiedTokens::remember(std::string_view token, const Claims& claims) {
  if (max_entries_ == 0) return;
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_.insert_or_assign(std::string(token), claims);
}

Verified verify(const Config& cfg, VerifiedTokens& cache, std::string_view token,
                std::int64_t now) {
  if (const Claims* hit = cache.find(token, now)) return Verified{Error::none, *hit};
  auto v = verify(cfg, token, now);
  if (v.ok()) cache.remember(token, v.claims);
  return v;
}

}  // namespace se::jwt
