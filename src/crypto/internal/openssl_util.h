#pragma once
// Private to src/crypto (only its .cc files include this): ownership helpers and the OpenSSL
// plumbing shared by several files. Like every header here it includes no OpenSSL header; the one
// OpenSSL struct it names (EVP_PKEY, i.e. struct evp_pkey_st) is forward-declared, and the
// OsslPtr template is only instantiated inside .cc files, which see the full declarations.
//
// Error handling rule for the whole module: OpenSSL keeps a per-thread error queue, and a stale
// entry can make a later, unrelated TLS call on the same thread look failed. Every failure path
// therefore ends in OpenSslError() (which drains the queue) or an explicit ERR_clear_error().
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

struct evp_pkey_st;
struct x509_st;
struct X509_name_st;
struct X509_extension_st;
struct stack_st_X509_EXTENSION;

namespace kh::crypto::internal {

// unique_ptr deleter calling an OpenSSL free function, e.g.
//   using MdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
template <auto kFree>
struct OsslDeleter {
  template <typename T>
  void operator()(T* handle) const {
    kFree(handle);
  }
};
template <typename T, auto kFree>
using OsslPtr = std::unique_ptr<T, OsslDeleter<kFree>>;

struct PkeyDeleter {
  void operator()(evp_pkey_st* pkey) const;
};
// An owned EVP_PKEY.
using PkeyPtr = std::unique_ptr<evp_pkey_st, PkeyDeleter>;

// Owned X509, X509_NAME, X509_EXTENSION and STACK_OF(X509_EXTENSION) (the stack with its
// extensions), for the X.509 code shared across files (internal/certificate_util.h).
struct X509Deleter {
  void operator()(x509_st* cert) const;
};
using X509Ptr = std::unique_ptr<x509_st, X509Deleter>;
struct X509NameDeleter {
  void operator()(X509_name_st* name) const;
};
using X509NamePtr = std::unique_ptr<X509_name_st, X509NameDeleter>;
struct ExtensionDeleter {
  void operator()(X509_extension_st* extension) const;
};
using ExtensionPtr = std::unique_ptr<X509_extension_st, ExtensionDeleter>;
struct ExtensionsDeleter {
  void operator()(stack_st_X509_EXTENSION* extensions) const;
};
using ExtensionsPtr = std::unique_ptr<stack_st_X509_EXTENSION, ExtensionsDeleter>;

// An Internal status "<what>: <OpenSSL reason>", draining the thread's OpenSSL error queue. The
// reason strings are OpenSSL's fixed texts and never contain key material.
Status OpenSslError(std::string_view what);

// Fills out[0, n) from the CSPRNG; aborts if it fails (rng.cc).
void RandomFill(uint8_t* out, size_t n);

// A fresh NIST P-256 key pair.
StatusOr<PkeyPtr> GenerateP256Key();

// Parses a PEM private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY"); InvalidArgument unless
// it is an unencrypted P-256 key. Never prompts for a passphrase.
StatusOr<PkeyPtr> ParseP256PrivateKeyPem(const SecretBytes& pem);

// ECDSA signatures in JOSE's fixed-width form r || s (RFC 7518 section 3.4), to and from the DER
// that OpenSSL signs and verifies. JoseToDer: false (error queue cleared) unless `rs` has a
// non-zero even length. DerToJose: r and s left-padded to `half` bytes each; Internal if the DER
// is malformed or a value does not fit.
bool EcdsaJoseToDer(std::string_view rs, std::string* der);
StatusOr<std::string> EcdsaDerToJose(std::string_view der, size_t half);

// The private key as unencrypted PKCS#8 PEM. Aborts on failure (only allocation can fail).
SecretBytes PrivateKeyToPkcs8Pem(evp_pkey_st* pkey);

}  // namespace kh::crypto::internal
