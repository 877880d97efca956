// KeyMaterial::Sign and Verify over a client-computed digest: RSA (PKCS#1 v1.5, PSS, RSNULL),
// ECDSA with JOSE r || s signatures, and HMAC for oct keys.
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>

#include "crypto/internal/key_material_hsm.h"
#include "crypto/internal/key_material_state.h"
#include "crypto/internal/openssl_util.h"
#include "crypto/key_material.h"

namespace kh::crypto {
namespace {

using internal::BadParameter;
using internal::Incompatible;
using internal::InvalidLength;
using internal::KeyMaterialState;
using internal::OpenSslError;
using internal::OsslPtr;
using internal::UBytes;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

constexpr size_t kMaxHmacSize = 64;

std::string Name(SignatureAlgorithm alg) { return std::string(AlgorithmName(alg)); }

unsigned char* Out(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// The statically allocated digests need no fetch and no free.
const EVP_MD* Md(std::string_view name) {
  if (name == "SHA256") return EVP_sha256();
  if (name == "SHA384") return EVP_sha384();
  if (name == "SHA512") return EVP_sha512();
  return nullptr;
}

Status CheckAlgorithm(const KeyMaterialState& key, SignatureAlgorithm alg) {
  const SignatureAlgorithmInfo& info = Info(alg);
  if (info.key_type != key.type) {
    return Incompatible("signing", "The key is of type '" + std::string(KeyTypeName(key.type)) +
                                       "' and algorithm '" + Name(alg) + "' requires an " +
                                       std::string(KeyTypeName(info.key_type)) + " key.");
  }
  if (info.curve && *info.curve != key.curve) {
    return Incompatible("signing", "The key uses curve '" + std::string(CurveName(key.curve)) +
                                       "', and algorithm '" + Name(alg) +
                                       "' can only be used with curve '" +
                                       std::string(CurveName(*info.curve)) + "'.");
  }
  return Status::Ok();
}

// field is the request member that carries the digest: "value" for sign, "digest" for verify.
Status CheckDigest(const KeyMaterialState& key, SignatureAlgorithm alg, std::string_view field,
                   std::string_view digest) {
  const SignatureAlgorithmInfo& info = Info(alg);
  if (info.digest_size != 0 && digest.size() != info.digest_size) {
    return InvalidLength(field, digest.size(),
                         Name(alg) + " requires " + std::to_string(info.digest_size) +
                             " bytes, encoded with base64url.");
  }
  if (info.scheme == SignatureScheme::kRsaRaw) {
    const size_t max = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get())) - 11;
    if (digest.empty() || digest.size() > max) {
      return InvalidLength(field, digest.size(),
                           Name(alg) + " with a " + std::to_string(key.bits) +
                               "-bit key requires 1 to " + std::to_string(max) + " bytes.");
    }
  }
  if (info.scheme == SignatureScheme::kHmac && digest.size() > kMaxKeyOperationInputBytes) {
    return InvalidLength(field, digest.size(),
                         "The limit is " + std::to_string(kMaxKeyOperationInputBytes) + " bytes.");
  }
  return Status::Ok();
}

// A sign or verify context with the padding, digest and salt length of an RSA algorithm.
StatusOr<PkeyCtxPtr> RsaContext(const KeyMaterialState& key, const SignatureAlgorithmInfo& info,
                                bool sign) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
  const bool pss = info.scheme == SignatureScheme::kRsaPss;
  const EVP_MD* md = Md(info.digest);
  if (!ctx || (sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) !=
          1 ||
      (md && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) ||
      (pss && (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1 ||
               EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) != 1))) {
    return OpenSslError("RSA signature setup failed");
  }
  return ctx;
}

StatusOr<std::string> RsaSign(const KeyMaterialState& key, const SignatureAlgorithmInfo& info,
                              std::string_view digest) {
  KH_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, RsaContext(key, info, /*sign=*/true));
  size_t size = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  std::string out(size, '\0');
  if (EVP_PKEY_sign(ctx.get(), Out(out), &size, UBytes(digest), digest.size()) != 1) {
    return OpenSslError("RSA signing failed");
  }
  out.resize(size);
  return out;
}

bool RsaVerify(const KeyMaterialState& key, const SignatureAlgorithmInfo& info,
               std::string_view digest, std::string_view signature) {
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()))) return false;
  StatusOr<PkeyCtxPtr> ctx = RsaContext(key, info, /*sign=*/false);
  const bool ok = ctx.ok() && EVP_PKEY_verify(ctx->get(), UBytes(signature), signature.size(),
                                              UBytes(digest), digest.size()) == 1;
  ERR_clear_error();
  return ok;
}

StatusOr<std::string> EcSign(const KeyMaterialState& key, std::string_view digest) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
  size_t der_size = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  std::string der(der_size, '\0');
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), Out(der), &der_size, UBytes(digest), digest.size()) != 1) {
    return OpenSslError("ECDSA signing failed");
  }
  der.resize(der_size);
  return internal::EcdsaDerToJose(der, CurveCoordinateSize(key.curve));
}

bool EcVerify(const KeyMaterialState& key, std::string_view digest, std::string_view signature) {
  const size_t half = CurveCoordinateSize(key.curve);
  if (signature.size() != 2 * half) return false;
  std::string der;
  if (!internal::EcdsaJoseToDer(signature, &der)) return false;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
  const bool ok =
      ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
      EVP_PKEY_verify(ctx.get(), UBytes(der), der.size(), UBytes(digest), digest.size()) == 1;
  ERR_clear_error();
  return ok;
}

StatusOr<std::string> Hmac(const KeyMaterialState& key, const SignatureAlgorithmInfo& info,
                           std::string_view data) {
  const std::string digest(info.digest);
  std::string out(kMaxHmacSize, '\0');
  size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest.c_str(), nullptr, key.oct.RevealData(),
                key.oct.size(), UBytes(data), data.size(), Out(out), out.size(),
                &size) == nullptr) {
    return OpenSslError("HMAC failed");
  }
  out.resize(size);
  return out;
}

}  // namespace

StatusOr<std::string> KeyMaterial::Sign(SignatureAlgorithm alg, std::string_view digest) const {
  KH_RETURN_IF_ERROR(CheckAlgorithm(*state_, alg));
  KH_RETURN_IF_ERROR(CheckDigest(*state_, alg, "value", digest));
  const SignatureAlgorithmInfo& info = Info(alg);
  if (state_->hsm) return internal::HsmSign(*state_, info, digest);
  switch (info.scheme) {
    case SignatureScheme::kRsaPkcs1:
    case SignatureScheme::kRsaPss:
    case SignatureScheme::kRsaRaw:
      return RsaSign(*state_, info, digest);
    case SignatureScheme::kEcdsa:
      return EcSign(*state_, digest);
    case SignatureScheme::kHmac:
      break;
  }
  return Hmac(*state_, info, digest);
}

StatusOr<bool> KeyMaterial::Verify(SignatureAlgorithm alg, std::string_view digest,
                                   std::string_view signature) const {
  KH_RETURN_IF_ERROR(CheckAlgorithm(*state_, alg));
  KH_RETURN_IF_ERROR(CheckDigest(*state_, alg, "digest", digest));
  const SignatureAlgorithmInfo& info = Info(alg);
  switch (info.scheme) {
    case SignatureScheme::kRsaPkcs1:
    case SignatureScheme::kRsaPss:
    case SignatureScheme::kRsaRaw:
      return RsaVerify(*state_, info, digest, signature);
    case SignatureScheme::kEcdsa:
      return EcVerify(*state_, digest, signature);
    case SignatureScheme::kHmac:
      break;
  }
  if (state_->hsm) return internal::HsmSign(*state_, info, digest).status();  // HS*: refused
  KH_ASSIGN_OR_RETURN(std::string expected, Hmac(*state_, info, digest));
  return signature.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

}  // namespace kh::crypto
