#include "crypto/ec_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include <cstdlib>
#include <utility>

#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;
using internal::PkeyPtr;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using MdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

// DER ECDSA-Sig-Value for P-256: SEQUENCE of two INTEGERs of up to 33 bytes each.
constexpr size_t kMaxDerSignatureSize = 72;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Reads one affine coordinate of the public point, left-padded to 32 bytes.
StatusOr<std::string> Coordinate(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) return OpenSslError("EC public point read");
  BignumPtr bn(raw);
  std::string out(kP256CoordinateSize, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                   static_cast<int>(out.size())) < 0) {
    return OpenSslError("EC coordinate too large");
  }
  return out;
}

}  // namespace

struct EcPublicKey::Impl {
  PkeyPtr pkey;
  std::string x;
  std::string y;
};

struct EcPrivateKey::Impl {
  // Caches the public coordinates, which every JWKS and token header needs.
  static StatusOr<std::unique_ptr<Impl>> Create(PkeyPtr pkey) {
    auto impl = std::make_unique<Impl>();
    KH_ASSIGN_OR_RETURN(impl->x, Coordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X));
    KH_ASSIGN_OR_RETURN(impl->y, Coordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y));
    impl->pkey = std::move(pkey);
    return impl;
  }

  PkeyPtr pkey;
  std::string x;
  std::string y;
};

// ---- EcPublicKey ----

EcPublicKey::EcPublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
EcPublicKey::~EcPublicKey() = default;

StatusOr<EcPublicKey> EcPublicKey::FromCoordinates(std::string_view x, std::string_view y) {
  if (x.size() != kP256CoordinateSize || y.size() != kP256CoordinateSize) {
    return InvalidArgument("EC P-256 coordinates must be 32 bytes each");
  }
  std::string point = "\x04";  // SEC1 uncompressed point
  point.append(x).append(y);
  char group[] = SN_X9_62_prime256v1;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return InvalidArgument("Invalid EC P-256 public key");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey.reset(raw);
  // Rejects points off the curve and the point at infinity (P-256 has cofactor 1, so a point on
  // the curve is in the prime-order group).
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, impl->pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("Invalid EC P-256 public key");
  }
  impl->x = std::string(x);
  impl->y = std::string(y);
  return EcPublicKey(std::move(impl));
}

const std::string& EcPublicKey::x() const { return impl_->x; }
const std::string& EcPublicKey::y() const { return impl_->y; }

bool EcPublicKey::Verify(std::string_view data, std::string_view signature_rs) const {
  if (signature_rs.size() != kEs256SignatureSize) return false;
  std::string der;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      internal::EcdsaJoseToDer(signature_rs, &der) && ctx &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, impl_->pkey.get(),
                              nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), Bytes(der), der.size(), Bytes(data), data.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

bool VerifyEs256(std::string_view x, std::string_view y, std::string_view data,
                 std::string_view signature_rs) {
  if (signature_rs.size() != kEs256SignatureSize) return false;
  StatusOr<EcPublicKey> key = EcPublicKey::FromCoordinates(x, y);
  return key.ok() && key->Verify(data, signature_rs);
}

// ---- EcPrivateKey ----

EcPrivateKey::EcPrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcPrivateKey::EcPrivateKey(EcPrivateKey&&) noexcept = default;
EcPrivateKey& EcPrivateKey::operator=(EcPrivateKey&&) noexcept = default;
EcPrivateKey::~EcPrivateKey() = default;

StatusOr<EcPrivateKey> EcPrivateKey::Generate() {
  KH_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::GenerateP256Key());
  KH_ASSIGN_OR_RETURN(std::unique_ptr<Impl> impl, Impl::Create(std::move(pkey)));
  return EcPrivateKey(std::move(impl));
}

StatusOr<EcPrivateKey> EcPrivateKey::FromPem(const SecretBytes& pem) {
  KH_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ParseP256PrivateKeyPem(pem));
  KH_ASSIGN_OR_RETURN(std::unique_ptr<Impl> impl, Impl::Create(std::move(pkey)));
  return EcPrivateKey(std::move(impl));
}

SecretBytes EcPrivateKey::ToPem() const {
  return internal::PrivateKeyToPkcs8Pem(impl_->pkey.get());
}
std::string EcPrivateKey::PublicX() const { return impl_->x; }
std::string EcPrivateKey::PublicY() const { return impl_->y; }

EcPublicKey EcPrivateKey::PublicKey() const {
  StatusOr<EcPublicKey> key = EcPublicKey::FromCoordinates(impl_->x, impl_->y);
  if (!key.ok()) std::abort();  // the public point of a valid private key is always valid
  return *std::move(key);
}

StatusOr<std::string> EcPrivateKey::SignEs256(std::string_view data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char der[kMaxDerSignatureSize];
  size_t der_size = sizeof(der);
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, impl_->pkey.get(),
                            nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), der, &der_size, Bytes(data), data.size()) != 1) {
    return OpenSslError("ES256 signing failed");
  }
  return internal::EcdsaDerToJose(std::string_view(reinterpret_cast<const char*>(der), der_size),
                                  kP256CoordinateSize);
}

}  // namespace kh::crypto
