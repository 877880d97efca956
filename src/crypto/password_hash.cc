#include "crypto/password_hash.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "core/base64.h"
#include "core/secret_bytes.h"
#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OsslPtr;
using KdfPtr = OsslPtr<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = OsslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;

constexpr std::string_view kScheme = "scrypt";
// Decoded salt and hash lengths accepted when verifying.
constexpr size_t kMinSaltSize = 8;
constexpr size_t kMaxSaltSize = 64;
constexpr size_t kMinHashSize = 16;
constexpr size_t kMaxHashSize = 64;

EVP_KDF* ScryptKdf() {
  static const KdfPtr kdf = [] {
    KdfPtr fetched(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    if (!fetched) {
      std::fputs("keyhaven: scrypt is not available from OpenSSL\n", stderr);
      std::abort();
    }
    return fetched;
  }();
  return kdf.get();
}

bool InBounds(const ScryptParams& params) {
  if (params.log2_n < kScryptMinLog2N || params.log2_n > kScryptMaxLog2N) return false;
  if (params.r < 1 || params.r > kScryptMaxR || params.p < 1 || params.p > kScryptMaxP) {
    return false;
  }
  return (size_t{128} * params.r << params.log2_n) <= kScryptMaxMemoryBytes;
}

// OSSL_PARAM wants a non-null, non-const pointer even for empty byte strings; it only reads it.
OSSL_PARAM OctetParam(const char* name, std::string_view bytes) {
  static char empty[1] = {0};
  char* data = bytes.empty() ? empty : const_cast<char*>(bytes.data());
  return OSSL_PARAM_construct_octet_string(name, data, bytes.size());
}

// Precondition: InBounds(params). Returns nullopt only if OpenSSL fails (allocation).
std::optional<SecretBytes> Scrypt(std::string_view password, std::string_view salt,
                                  const ScryptParams& params, size_t length) {
  uint64_t n = uint64_t{1} << params.log2_n;
  uint32_t r = static_cast<uint32_t>(params.r);
  uint32_t p = static_cast<uint32_t>(params.p);
  // OpenSSL refuses more than 32 MiB by default, which N = 2^15, r = 8 just exceeds; allow the V
  // array plus the B buffers plus slack for the PBKDF2 steps.
  uint64_t maxmem = 128 * uint64_t{r} * (n + 2) + 128 * uint64_t{r} * p + (uint64_t{1} << 20);
  const OSSL_PARAM ossl_params[] = {
      OctetParam(OSSL_KDF_PARAM_PASSWORD, password),
      OctetParam(OSSL_KDF_PARAM_SALT, salt),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  KdfCtxPtr ctx(EVP_KDF_CTX_new(ScryptKdf()));
  SecretBytes out(length);
  if (!ctx || EVP_KDF_derive(ctx.get(), out.MutableData(), length, ossl_params) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return out;
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  if (text.empty() || text.size() > 3) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

std::string HashPassword(std::string_view password) {
  return HashPasswordWithParams(password, ScryptParams{});
}

std::string HashPasswordWithParams(std::string_view password, const ScryptParams& params) {
  if (!InBounds(params)) {
    std::fputs("keyhaven: HashPasswordWithParams called with out-of-bounds parameters\n", stderr);
    std::abort();
  }
  std::string salt(kPasswordSaltSize, '\0');
  internal::RandomFill(reinterpret_cast<uint8_t*>(salt.data()), salt.size());
  std::optional<SecretBytes> hash = Scrypt(password, salt, params, kPasswordHashSize);
  if (!hash) {
    std::fputs("keyhaven: scrypt failed\n", stderr);
    std::abort();
  }
  std::string out(kScheme);
  for (int value : {params.log2_n, params.r, params.p}) {
    out += '$';
    out += std::to_string(value);
  }
  out += '$';
  out += Base64UrlEncode(salt);
  out += '$';
  out += Base64UrlEncode(hash->Reveal());
  return out;
}

StatusOr<SecretBytes> DeriveKeyFromPassphrase(const SecretBytes& passphrase, std::string_view salt,
                                              const ScryptParams& params, size_t size) {
  if (!InBounds(params)) return InvalidArgument("The scrypt parameters are out of bounds.");
  std::optional<SecretBytes> key = Scrypt(passphrase.Reveal(), salt, params, size);
  if (!key) return Internal("scrypt failed");
  return std::move(*key);
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  const std::vector<std::string_view> parts = Split(encoded, '$');
  if (parts.size() != 6 || parts[0] != kScheme) return false;
  const std::optional<int> log2_n = ParseInt(parts[1]);
  const std::optional<int> r = ParseInt(parts[2]);
  const std::optional<int> p = ParseInt(parts[3]);
  if (!log2_n || !r || !p) return false;
  const ScryptParams params{*log2_n, *r, *p};
  if (!InBounds(params)) return false;
  StatusOr<std::string> salt = Base64UrlDecode(parts[4]);
  StatusOr<std::string> expected = Base64UrlDecode(parts[5]);
  if (!salt.ok() || !expected.ok()) return false;
  if (salt->size() < kMinSaltSize || salt->size() > kMaxSaltSize) return false;
  if (expected->size() < kMinHashSize || expected->size() > kMaxHashSize) return false;
  std::optional<SecretBytes> actual = Scrypt(password, *salt, params, expected->size());
  return actual.has_value() && ConstantTimeEquals(actual->Reveal(), *expected);
}

}  // namespace kh::crypto
