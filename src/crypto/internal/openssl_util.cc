#include "crypto/internal/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace kh::crypto::internal {
namespace {

using BioPtr = OsslPtr<BIO, BIO_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;

const unsigned char* UBytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

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
void X509Deleter::operator()(x509_st* cert) const { X509_free(cert); }
void X509NameDeleter::operator()(X509_name_st* name) const { X509_NAME_free(name); }
void ExtensionDeleter::operator()(X509_extension_st* extension) const {
  X509_EXTENSION_free(extension);
}
void ExtensionsDeleter::operator()(stack_st_X509_EXTENSION* extensions) const {
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
}

bool EcdsaJoseToDer(std::string_view rs, std::string* der) {
  if (rs.empty() || rs.size() % 2 != 0) return false;
  const int half = static_cast<int>(rs.size() / 2);
  BignumPtr r(BN_bin2bn(UBytes(rs), half, nullptr));
  BignumPtr s(BN_bin2bn(UBytes(rs) + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  r.release();  // owned by sig now
  s.release();
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) {
    ERR_clear_error();
    return false;
  }
  der->resize(static_cast<size_t>(length));
  unsigned char* cursor = reinterpret_cast<unsigned char*>(der->data());
  return i2d_ECDSA_SIG(sig.get(), &cursor) == length;
}

StatusOr<std::string> EcdsaDerToJose(std::string_view der, size_t half) {
  const unsigned char* cursor = UBytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!sig) return OpenSslError("ECDSA signature decoding failed");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * half, '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());
  const int width = static_cast<int>(half);
  if (BN_bn2binpad(r, raw, width) != width || BN_bn2binpad(s, raw + half, width) != width) {
    return OpenSslError("ECDSA signature conversion failed");
  }
  return out;
}

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
