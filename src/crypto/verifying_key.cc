#include "crypto/verifying_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctime>

#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OsslPtr;
using internal::PkeyPtr;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using BioPtr = OsslPtr<BIO, BIO_free>;
using MdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using ParamBldPtr = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using X509Ptr = OsslPtr<X509, X509_free>;

constexpr size_t kMaxComponentBytes = 2048;  // 16384-bit modulus

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status Invalid(std::string message) {
  ERR_clear_error();
  return InvalidArgument(std::move(message));
}

// The curve an EC key is on, as a JOSE name ("P-256"), or "" for anything else.
std::string JoseCurve(const EVP_PKEY* pkey) {
  char name[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                     &length) != 1) {
    ERR_clear_error();
    return "";
  }
  std::string_view n(name, length);
  if (n == "prime256v1" || n == "P-256") return "P-256";
  if (n == "secp384r1" || n == "P-384") return "P-384";
  if (n == "secp521r1" || n == "P-521") return "P-521";
  return "";
}

Status CheckSupported(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    if (EVP_PKEY_get_bits(pkey) < kMinRsaVerifyingBits) {
      return Invalid("RSA keys must have at least 2048 bits.");
    }
    return Status::Ok();
  }
  if (EVP_PKEY_is_a(pkey, "EC") && !JoseCurve(pkey).empty()) return Status::Ok();
  return Invalid("The key must be RSA (2048 bits or more) or EC on P-256, P-384 or P-521.");
}

int64_t ToUnixSeconds(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

struct AlgorithmSpec {
  const char* digest;
  enum { kRsaPkcs1, kRsaPss, kEcdsa } scheme;
  const char* curve;       // ES*: the curve the key must be on
  size_t signature_bytes;  // ES*: length of r || s
};

std::optional<AlgorithmSpec> SpecFor(std::string_view alg) {
  if (alg == "RS256") return AlgorithmSpec{"SHA256", AlgorithmSpec::kRsaPkcs1, nullptr, 0};
  if (alg == "RS384") return AlgorithmSpec{"SHA384", AlgorithmSpec::kRsaPkcs1, nullptr, 0};
  if (alg == "RS512") return AlgorithmSpec{"SHA512", AlgorithmSpec::kRsaPkcs1, nullptr, 0};
  if (alg == "PS256") return AlgorithmSpec{"SHA256", AlgorithmSpec::kRsaPss, nullptr, 0};
  if (alg == "PS384") return AlgorithmSpec{"SHA384", AlgorithmSpec::kRsaPss, nullptr, 0};
  if (alg == "PS512") return AlgorithmSpec{"SHA512", AlgorithmSpec::kRsaPss, nullptr, 0};
  if (alg == "ES256") return AlgorithmSpec{"SHA256", AlgorithmSpec::kEcdsa, "P-256", 64};
  if (alg == "ES384") return AlgorithmSpec{"SHA384", AlgorithmSpec::kEcdsa, "P-384", 96};
  if (alg == "ES512") return AlgorithmSpec{"SHA512", AlgorithmSpec::kEcdsa, "P-521", 132};
  return std::nullopt;
}

}  // namespace

struct VerifyingKey::Impl {
  PkeyPtr pkey;
};

StatusOr<VerifyingKey> VerifyingKey::FromCertificatePem(std::string_view pem,
                                                        CertificateInfo* info) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::OpenSslError("BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Invalid("The certificate is not a PEM-encoded X.509 certificate.");
  PkeyPtr pkey(X509_get_pubkey(cert.get()));
  if (!pkey) return Invalid("The certificate's public key cannot be read.");
  KH_RETURN_IF_ERROR(CheckSupported(pkey.get()));
  if (info) {
    int length = i2d_X509(cert.get(), nullptr);
    if (length <= 0) return internal::OpenSslError("i2d_X509");
    info->der.resize(static_cast<size_t>(length));
    unsigned char* cursor = reinterpret_cast<unsigned char*>(info->der.data());
    i2d_X509(cert.get(), &cursor);
    BioPtr out(BIO_new(BIO_s_mem()));
    if (out &&
        X509_NAME_print_ex(out.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253) >= 0) {
      char* data = nullptr;
      long size = BIO_get_mem_data(out.get(), &data);
      info->subject.assign(data, static_cast<size_t>(size));
    }
    info->not_before = ToUnixSeconds(X509_get0_notBefore(cert.get()));
    info->not_after = ToUnixSeconds(X509_get0_notAfter(cert.get()));
  }
  return VerifyingKey(std::make_shared<const Impl>(Impl{std::move(pkey)}));
}

StatusOr<VerifyingKey> VerifyingKey::FromRsaComponents(std::string_view n, std::string_view e) {
  if (n.empty() || e.empty() || n.size() > kMaxComponentBytes || e.size() > 8) {
    return Invalid("The RSA key's n or e is missing or too large.");
  }
  BignumPtr bn_n(BN_bin2bn(Bytes(n), static_cast<int>(n.size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(Bytes(e), static_cast<int>(e.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return internal::OpenSslError("RSA parameters");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Invalid("The RSA key is not valid.");
  }
  PkeyPtr pkey(raw);
  KH_RETURN_IF_ERROR(CheckSupported(pkey.get()));
  return VerifyingKey(std::make_shared<const Impl>(Impl{std::move(pkey)}));
}

StatusOr<VerifyingKey> VerifyingKey::FromEcCoordinates(std::string_view crv, std::string_view x,
                                                       std::string_view y) {
  const char* group = crv == "P-256"   ? "prime256v1"
                      : crv == "P-384" ? "secp384r1"
                      : crv == "P-521" ? "secp521r1"
                                       : nullptr;
  size_t size = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
  if (!group) return Invalid("The EC curve must be P-256, P-384 or P-521.");
  if (x.size() != size || y.size() != size)
    return Invalid("The EC coordinates have the wrong size.");
  std::string point = "\x04" + std::string(x) + std::string(y);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return Invalid("The EC key is not a point on its curve.");
  }
  PkeyPtr pkey(raw);
  // fromdata does not always check that the point is on the curve; do it here.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return Invalid("The EC key is not a point on its curve.");
  }
  return VerifyingKey(std::make_shared<const Impl>(Impl{std::move(pkey)}));
}

bool VerifyingKey::VerifyJws(std::string_view alg, std::string_view signing_input,
                             std::string_view signature) const {
  std::optional<AlgorithmSpec> spec = SpecFor(alg);
  if (!spec || !impl_) return false;
  EVP_PKEY* pkey = impl_->pkey.get();
  std::string der;
  std::string_view to_verify = signature;
  if (spec->scheme == AlgorithmSpec::kEcdsa) {
    if (!EVP_PKEY_is_a(pkey, "EC") || JoseCurve(pkey) != spec->curve ||
        signature.size() != spec->signature_bytes || !internal::EcdsaJoseToDer(signature, &der)) {
      ERR_clear_error();
      return false;
    }
    to_verify = der;
  } else if (!EVP_PKEY_is_a(pkey, "RSA")) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx && EVP_DigestVerifyInit_ex(ctx.get(), &pctx, spec->digest, nullptr, nullptr, pkey,
                                           nullptr) == 1;
  if (ok && spec->scheme == AlgorithmSpec::kRsaPss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), Bytes(to_verify), to_verify.size(), Bytes(signing_input),
                              signing_input.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace kh::crypto
