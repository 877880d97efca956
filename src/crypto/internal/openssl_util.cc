#include "crypto/internal/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace kh::crypto::internal {
namespace {

using BioPtr = OsslPtr<BIO, BIO_free>;

// A P-256 PKCS#8 PEM is about 240 bytes; this only bounds the work done on garbage input.
constexpr size_t kMaxPrivateKeyPemBytes = 64 * 1024;

// Refuses encrypted PEM instead of letting OpenSSL prompt on the controlling terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

bool IsP256(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) return false;
  char group[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &length) != 1) return false;
  return std::string_view(group, length) == SN_X9_62_prime256v1;
}

}  // namespace

void PkeyDeleter::operator()(evp_pkey_st* pkey) const { EVP_PKEY_free(pkey); }

Status OpenSslError(std::string_view what) {
  std::string message(what);
  const unsigned long code = ERR_peek_last_error();
  if (code != 0) {
    if (const char* reason = ERR_reason_error_string(code); reason != nullptr) {
      message += ": ";
      message += reason;
    }
  }
  ERR_clear_error();
  return Internal(std::move(message));
}

StatusOr<PkeyPtr> GenerateP256Key() {
  PkeyPtr pkey(EVP_EC_gen(SN_X9_62_prime256v1));
  if (!pkey) return OpenSslError("P-256 key generation failed");
  return pkey;
}

StatusOr<PkeyPtr> ParseP256PrivateKeyPem(const SecretBytes& pem) {
  if (pem.empty() || pem.size() > kMaxPrivateKeyPemBytes)
    return InvalidArgument("Invalid private key PEM");
  // A read-only memory BIO reads the caller's buffer in place: no extra copy of the secret.
  BioPtr bio(BIO_new_mem_buf(pem.RevealData(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf failed");
  PkeyPtr pkey(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!pkey) return InvalidArgument("Invalid or encrypted private key PEM");
  if (!IsP256(pkey.get())) {
    ERR_clear_error();
    return InvalidArgument("Private key is not an EC P-256 key");
  }
  return pkey;
}

SecretBytes PrivateKeyToPkcs8Pem(evp_pkey_st* pkey) {
  // Memory BIOs free (and grow) their buffer with OPENSSL_clear_free, so the copy is wiped.
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    std::fputs("keyhaven: PEM_write_bio_PKCS8PrivateKey failed\n", stderr);
    std::abort();
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(length));
}

}  // namespace kh::crypto::internal
