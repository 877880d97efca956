#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OsslPtr;
using MdPtr = OsslPtr<EVP_MD, EVP_MD_free>;
using MacPtr = OsslPtr<EVP_MAC, EVP_MAC_free>;
using MacCtxPtr = OsslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using KdfPtr = OsslPtr<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = OsslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "keyhaven: %s failed\n", what);
  std::abort();
}

// Algorithms are fetched once: a fetch is a locked provider-store lookup, and the fetched objects
// are immutable and shareable between threads.
template <typename T>
T* OrDie(T* fetched, const char* what) {
  if (fetched == nullptr) Die(what);
  return fetched;
}

const EVP_MD* Sha256Md() {
  static const MdPtr md(OrDie(EVP_MD_fetch(nullptr, "SHA256", nullptr), "fetching SHA256"));
  return md.get();
}

const EVP_MD* Sha1Md() {
  static const MdPtr md(OrDie(EVP_MD_fetch(nullptr, "SHA1", nullptr), "fetching SHA1"));
  return md.get();
}

EVP_MAC* HmacMac() {
  static const MacPtr mac(OrDie(EVP_MAC_fetch(nullptr, "HMAC", nullptr), "fetching HMAC"));
  return mac.get();
}

EVP_KDF* HkdfKdf() {
  static const KdfPtr kdf(OrDie(EVP_KDF_fetch(nullptr, "HKDF", nullptr), "fetching HKDF"));
  return kdf.get();
}

// OSSL_PARAM wants a non-null, non-const pointer even for empty byte strings; it only reads it.
OSSL_PARAM OctetParam(const char* name, std::string_view bytes) {
  static char empty[1] = {0};
  char* data = bytes.empty() ? empty : const_cast<char*>(bytes.data());
  return OSSL_PARAM_construct_octet_string(name, data, bytes.size());
}

std::string Digest(std::string_view data, const EVP_MD* md, size_t size) {
  std::string out(size, '\0');
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &length,
                 md, nullptr) != 1 ||
      length != size) {
    Die("EVP_Digest");
  }
  return out;
}

}  // namespace

std::string Sha256(std::string_view data) { return Digest(data, Sha256Md(), kSha256Size); }

std::string Sha256Of(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string out(kSha256Size, '\0');
  unsigned int length = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok &&
       EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length) == 1;
  if (!ok || length != kSha256Size) Die("SHA-256");
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) Die("SHA-256");
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) Die("SHA-256");
}

void Sha256Hasher::Finish(char* out) {
  unsigned int length = 0;
  // Init on the same algorithm keeps the provider's context: nothing is freed or allocated.
  if (EVP_DigestFinal_ex(ctx_, reinterpret_cast<unsigned char*>(out), &length) != 1 ||
      length != kSha256Size || EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) {
    Die("SHA-256");
  }
}

std::string Sha1(std::string_view data) { return Digest(data, Sha1Md(), kSha1Size); }

SecretBytes HmacSha256(const SecretBytes& key, std::string_view data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(HmacMac()));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // A null key means "keep the previous key" to EVP_MAC_init, so an empty key needs a real pointer.
  static const unsigned char kEmptyKey[1] = {0};
  const unsigned char* key_data = key.empty() ? kEmptyKey : key.RevealData();
  SecretBytes out(kSha256Size);
  size_t length = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out.MutableData(), &length, out.size()) != 1 ||
      length != kSha256Size) {
    Die("HMAC-SHA256");
  }
  return out;
}

SecretBytes HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                       size_t length) {
  if (length == 0 || length > kHkdfSha256MaxLength) Die("HKDF-SHA256 (bad output length)");
  KdfCtxPtr ctx(EVP_KDF_CTX_new(HkdfKdf()));
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OctetParam(OSSL_KDF_PARAM_KEY, ikm.Reveal());
  // RFC 5869 treats a missing salt as HashLen zeros, which HMAC's zero-padding of an empty key
  // reproduces; passing the empty salt explicitly keeps both cases on one path.
  params[n++] = OctetParam(OSSL_KDF_PARAM_SALT, salt);
  if (!info.empty()) params[n++] = OctetParam(OSSL_KDF_PARAM_INFO, info);
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  if (!ctx || EVP_KDF_derive(ctx.get(), out.MutableData(), length, params) != 1) {
    Die("HKDF-SHA256");
  }
  return out;
}

}  // namespace kh::crypto
