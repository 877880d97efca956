// Issuing certificates and PKCS#10 requests signed through KeyMaterial::Sign, and inspecting and
// comparing certificates. Names and extensions: certificate_names.cc; PKCS#12 and PEM:
// certificate_formats.cc.
#include "crypto/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <utility>

#include "crypto/internal/certificate_util.h"
#include "crypto/internal/key_material_state.h"

namespace kh::crypto {
namespace {

using internal::BadParameter;
using internal::ExtensionsPtr;
using internal::KeyMaterialAccess;
using internal::OpenSslError;
using internal::OsslPtr;
using internal::UBytes;
using internal::X509NamePtr;
using internal::X509Ptr;
using AlgorPtr = OsslPtr<X509_ALGOR, X509_ALGOR_free>;
using Asn1IntegerPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetStringPtr = OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1TimePtr = OsslPtr<ASN1_TIME, ASN1_TIME_free>;
using AuthorityKeyIdPtr = OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using RequestPtr = OsslPtr<X509_REQ, X509_REQ_free>;

constexpr size_t kSerialSize = 16;
// Validity limits: what UTCTime and GeneralizedTime can say (1900-01-01 to 9999-12-31).
constexpr int64_t kMinTime = -2208988800;
constexpr int64_t kMaxTime = 253402300799;

// How a key signs a certificate: the KeyMaterial algorithm, the hash of the TBS bytes and the
// X.509 AlgorithmIdentifier.
struct SigningAlgorithm {
  SignatureAlgorithm algorithm;
  const EVP_MD* md;
  int nid;
  bool rsa;
};

StatusOr<SigningAlgorithm> SigningAlgorithmFor(const KeyMaterial& key) {
  if (key.type() == KeyType::kRsa) {
    return SigningAlgorithm{SignatureAlgorithm::kRs256, EVP_sha256(), NID_sha256WithRSAEncryption,
                            true};
  }
  if (key.type() != KeyType::kEc) {
    return BadParameter("An oct key cannot sign a certificate: use an RSA or EC key.");
  }
  switch (*key.curve()) {
    case EcCurve::kP256:
      return SigningAlgorithm{SignatureAlgorithm::kEs256, EVP_sha256(), NID_ecdsa_with_SHA256,
                              false};
    case EcCurve::kP256K:
      return SigningAlgorithm{SignatureAlgorithm::kEs256K, EVP_sha256(), NID_ecdsa_with_SHA256,
                              false};
    case EcCurve::kP384:
      return SigningAlgorithm{SignatureAlgorithm::kEs384, EVP_sha384(), NID_ecdsa_with_SHA384,
                              false};
    case EcCurve::kP521:
      break;
  }
  return SigningAlgorithm{SignatureAlgorithm::kEs512, EVP_sha512(), NID_ecdsa_with_SHA512, false};
}

// RSA: parameters NULL (RFC 4055); ECDSA: parameters absent (RFC 5758).
Status SetAlgorithm(X509_ALGOR* algor, const SigningAlgorithm& algorithm) {
  if (X509_ALGOR_set0(algor, OBJ_nid2obj(algorithm.nid), algorithm.rsa ? V_ASN1_NULL : V_ASN1_UNDEF,
                      nullptr) != 1) {
    return OpenSslError("Setting the signature algorithm failed");
  }
  return Status::Ok();
}

// The DER an OpenSSL i2d-style function writes for `object`.
template <typename I2d, typename T>
StatusOr<std::string> Encode(I2d i2d, T* object) {
  unsigned char* der = nullptr;
  const int length = i2d(object, &der);
  if (length <= 0 || der == nullptr) return OpenSslError("DER encoding failed");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

StatusOr<std::string> AlgorithmIdentifierDer(const SigningAlgorithm& algorithm) {
  AlgorPtr algor(X509_ALGOR_new());
  if (!algor) return OpenSslError("Allocation failed");
  KH_RETURN_IF_ERROR(SetAlgorithm(algor.get(), algorithm));
  return Encode(i2d_X509_ALGOR, algor.get());
}

// The signature value X.509 and PKCS#10 carry: RSA's as is, ECDSA's as a DER ECDSA-Sig-Value
// (KeyMaterial::Sign returns JOSE r || s).
StatusOr<std::string> SignToBeSigned(const KeyMaterial& key, const SigningAlgorithm& algorithm,
                                     std::string_view tbs) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(tbs.data(), tbs.size(), digest, &digest_size, algorithm.md, nullptr) != 1) {
    return OpenSslError("Hashing the certificate failed");
  }
  KH_ASSIGN_OR_RETURN(std::string signature,
                      key.Sign(algorithm.algorithm,
                               std::string_view(reinterpret_cast<char*>(digest), digest_size)));
  if (algorithm.rsa) return signature;
  std::string der;
  if (!internal::EcdsaJoseToDer(signature, &der)) return Internal("ECDSA signature conversion");
  return der;
}

void AppendDer(std::string* out, unsigned char tag, std::string_view content) {
  out->push_back(static_cast<char>(tag));
  size_t length = content.size();
  if (length < 0x80) {
    out->push_back(static_cast<char>(length));
  } else {
    std::string bytes;
    for (; length != 0; length >>= 8) bytes.insert(bytes.begin(), static_cast<char>(length & 0xff));
    out->push_back(static_cast<char>(0x80 | bytes.size()));
    *out += bytes;
  }
  *out += content;
}

// SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING signature }: the outer structure of both a
// certificate and a certification request. OpenSSL has no public setter for a certificate's
// signature, so the signed object is assembled here and parsed back by the caller.
std::string SignedStructure(std::string_view tbs, std::string_view algorithm,
                            std::string_view signature) {
  std::string bits(1, '\0');  // no unused bits
  bits += signature;
  std::string body(tbs);
  body += algorithm;
  AppendDer(&body, 0x03, bits);
  std::string out;
  AppendDer(&out, 0x30, body);
  return out;
}

const EVP_PKEY* PublicKey(const KeyMaterial& key) {
  return KeyMaterialAccess::State(key).pkey.get();
}

// `key`'s EVP_PKEY for a certificate or request: RSA or EC, software or HSM (public part only).
StatusOr<EVP_PKEY*> SubjectPublicKey(const KeyMaterial& key) {
  EVP_PKEY* pkey = KeyMaterialAccess::State(key).pkey.get();
  if (pkey == nullptr) return BadParameter("A certificate's key must be an RSA or EC key.");
  return pkey;
}

Status CheckValidity(const CertificateValidity& validity) {
  if (validity.not_before < kMinTime || validity.not_after > kMaxTime ||
      validity.not_after < validity.not_before) {
    return BadParameter(
        "The certificate's validity is invalid: not_before must not be after not_after, and both "
        "must lie between the years 1900 and 9999.");
  }
  return Status::Ok();
}

// The key identifier (RFC 5280 4.2.1.2 method 1): SHA-1 of the subjectPublicKey bits.
StatusOr<Asn1OctetStringPtr> PublicKeyIdentifier(const X509* cert) {
  unsigned char id[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  Asn1OctetStringPtr out(ASN1_OCTET_STRING_new());
  if (!out || X509_pubkey_digest(cert, EVP_sha1(), id, &size) != 1 ||
      ASN1_OCTET_STRING_set(out.get(), id, static_cast<int>(size)) != 1) {
    return OpenSslError("Computing a key identifier failed");
  }
  return out;
}

// The issuer's own subjectKeyIdentifier if it has one (so chains link even when the CA used
// another method), else the method-1 identifier of its key.
StatusOr<Asn1OctetStringPtr> IssuerKeyIdentifier(X509* issuer) {
  if (const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(issuer); id != nullptr) {
    Asn1OctetStringPtr copy(ASN1_OCTET_STRING_dup(id));
    if (!copy) return OpenSslError("Allocation failed");
    return copy;
  }
  ERR_clear_error();
  return PublicKeyIdentifier(issuer);
}

Status AddKeyIdentifiers(X509* cert, X509* issuer) {
  KH_ASSIGN_OR_RETURN(Asn1OctetStringPtr subject_id, PublicKeyIdentifier(cert));
  StatusOr<Asn1OctetStringPtr> issuer_id =
      issuer == nullptr ? PublicKeyIdentifier(cert) : IssuerKeyIdentifier(issuer);
  if (!issuer_id.ok()) return issuer_id.status();
  AuthorityKeyIdPtr authority(AUTHORITY_KEYID_new());
  if (!authority) return OpenSslError("Allocation failed");
  authority->keyid = issuer_id->release();
  if (X509_add1_ext_i2d(cert, NID_subject_key_identifier, subject_id.get(), 0,
                        X509V3_ADD_DEFAULT) != 1 ||
      X509_add1_ext_i2d(cert, NID_authority_key_identifier, authority.get(), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("Adding key identifiers failed");
  }
  return Status::Ok();
}

Status SetValidity(X509* cert, const CertificateValidity& validity) {
  // ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime after, as RFC 5280 4.1.2.5 says.
  if (ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(validity.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(validity.not_after)) == nullptr) {
    return OpenSslError("Setting the validity failed");
  }
  return Status::Ok();
}

// Everything but the signature: version, serial, validity, names, key and extensions.
StatusOr<X509Ptr> UnsignedCertificate(const CertificateSubject& subject, EVP_PKEY* subject_key,
                                      const CertificateValidity& validity, X509* issuer) {
  KH_ASSIGN_OR_RETURN(X509NamePtr name, internal::ParseDistinguishedName(subject.subject));
  KH_ASSIGN_OR_RETURN(ExtensionsPtr extensions,
                      internal::SubjectExtensions(subject, X509_NAME_entry_count(name.get()) == 0));
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name.get()) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return OpenSslError("Building the certificate failed");
  }
  KH_RETURN_IF_ERROR(internal::SetRandomSerial(cert.get()));
  KH_RETURN_IF_ERROR(SetValidity(cert.get(), validity));
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
    if (X509_add_ext(cert.get(), sk_X509_EXTENSION_value(extensions.get(), i), -1) != 1) {
      return OpenSslError("Adding a certificate extension failed");
    }
  }
  KH_RETURN_IF_ERROR(AddKeyIdentifiers(cert.get(), issuer));
  return cert;
}

// Signs `cert` with `key` and returns its DER, verified against `verify_key` first: a faulty
// signature (an HSM error, an RSA fault) never leaves this function.
StatusOr<std::string> SignCertificate(X509* cert, const KeyMaterial& key,
                                      const EVP_PKEY* verify_key) {
  KH_ASSIGN_OR_RETURN(const SigningAlgorithm algorithm, SigningAlgorithmFor(key));
  // The TBS copy of the algorithm; there is no public setter, but it is an ordinary X509_ALGOR.
  KH_RETURN_IF_ERROR(SetAlgorithm(const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert)), algorithm));
  KH_ASSIGN_OR_RETURN(const std::string tbs, Encode(i2d_re_X509_tbs, cert));
  KH_ASSIGN_OR_RETURN(const std::string algorithm_der, AlgorithmIdentifierDer(algorithm));
  KH_ASSIGN_OR_RETURN(const std::string signature, SignToBeSigned(key, algorithm, tbs));
  std::string der = SignedStructure(tbs, algorithm_der, signature);
  const unsigned char* cursor = UBytes(der);
  X509Ptr check(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!check || X509_verify(check.get(), const_cast<EVP_PKEY*>(verify_key)) != 1) {
    return OpenSslError("The new certificate's signature does not verify");
  }
  return der;
}

StatusOr<std::string> SignRequest(X509_REQ* request, const KeyMaterial& key, EVP_PKEY* pkey) {
  KH_ASSIGN_OR_RETURN(const SigningAlgorithm algorithm, SigningAlgorithmFor(key));
  KH_ASSIGN_OR_RETURN(const std::string tbs, Encode(i2d_re_X509_REQ_tbs, request));
  KH_ASSIGN_OR_RETURN(const std::string algorithm_der, AlgorithmIdentifierDer(algorithm));
  KH_ASSIGN_OR_RETURN(const std::string signature, SignToBeSigned(key, algorithm, tbs));
  std::string der = SignedStructure(tbs, algorithm_der, signature);
  const unsigned char* cursor = UBytes(der);
  RequestPtr check(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
  if (!check || X509_REQ_verify(check.get(), pkey) != 1) {
    return OpenSslError("The new request's signature does not verify");
  }
  return der;
}

StatusOr<int64_t> UnixSeconds(const ASN1_TIME* time) {
  Asn1TimePtr epoch(ASN1_TIME_set(nullptr, 0));
  int days = 0;
  int seconds = 0;
  if (!epoch || ASN1_TIME_diff(&days, &seconds, epoch.get(), time) != 1) {
    return BadParameter("The certificate's validity dates are malformed.");
  }
  return int64_t{days} * 86400 + seconds;
}

std::optional<EcCurve> CurveOf(const EVP_PKEY* pkey) {
  char name[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &length) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP256K, EcCurve::kP384, EcCurve::kP521}) {
    if (std::string_view(name, length) == internal::GroupName(curve)) return curve;
  }
  return std::nullopt;
}

Status ReadPublicKey(const X509* cert, CertificateDetails* info) {
  const EVP_PKEY* pkey = X509_get0_pubkey(cert);
  if (pkey != nullptr && EVP_PKEY_is_a(pkey, "RSA") == 1) {
    info->key_type = KeyType::kRsa;
  } else if (pkey != nullptr && EVP_PKEY_is_a(pkey, "EC") == 1) {
    info->key_type = KeyType::kEc;
    info->curve = CurveOf(pkey);
  } else {
    return BadParameter("The certificate's public key is not an RSA or EC key.");
  }
  info->key_bits = EVP_PKEY_get_bits(pkey);
  return Status::Ok();
}

}  // namespace

namespace internal {

StatusOr<X509Ptr> ParseCertificateDer(std::string_view der) {
  if (der.empty() || der.size() > kMaxImportBytes) {
    return BadParameter("The certificate is not one DER-encoded X.509 certificate.");
  }
  const unsigned char* cursor = UBytes(der);
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert || cursor != UBytes(der) + der.size()) {
    return BadParameter("The certificate is not one DER-encoded X.509 certificate.");
  }
  return cert;
}

std::string CertificateToDer(X509* cert) {
  StatusOr<std::string> der = Encode(i2d_X509, cert);
  return der.ok() ? *std::move(der) : std::string();
}

Status SetRandomSerial(X509* cert) {
  unsigned char serial[kSerialSize];
  RandomFill(serial, sizeof(serial));
  serial[0] = (serial[0] & 0x7f) | 0x40;  // positive, non-zero, always 16 bytes of DER content
  BignumPtr serial_bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  Asn1IntegerPtr serial_asn1(serial_bn ? BN_to_ASN1_INTEGER(serial_bn.get(), nullptr) : nullptr);
  if (!serial_asn1 || X509_set_serialNumber(cert, serial_asn1.get()) != 1) {
    return OpenSslError("Setting the serial number failed");
  }
  return Status::Ok();
}

bool CertificateHasKey(const X509* cert, const EVP_PKEY* key) {
  const EVP_PKEY* public_key = X509_get0_pubkey(cert);
  const bool same = public_key != nullptr && key != nullptr && EVP_PKEY_eq(public_key, key) == 1;
  ERR_clear_error();
  return same;
}

}  // namespace internal

StatusOr<std::string> IssueCertificate(const CertificateSubject& subject,
                                       const KeyMaterial& subject_key,
                                       const CertificateValidity& validity,
                                       const CertificateSigner& signer) {
  KH_RETURN_IF_ERROR(ValidateCertificateSubject(subject));
  KH_RETURN_IF_ERROR(CheckValidity(validity));
  KH_ASSIGN_OR_RETURN(EVP_PKEY * subject_pkey, SubjectPublicKey(subject_key));
  if (signer.certificate_der.empty()) {
    KH_ASSIGN_OR_RETURN(X509Ptr cert,
                        UnsignedCertificate(subject, subject_pkey, validity, nullptr));
    return SignCertificate(cert.get(), subject_key, subject_pkey);
  }
  if (signer.key == nullptr) return BadParameter("The issuer's key is missing.");
  KH_RETURN_IF_ERROR(SigningAlgorithmFor(*signer.key).status());
  KH_ASSIGN_OR_RETURN(X509Ptr issuer, internal::ParseCertificateDer(signer.certificate_der));
  if (!internal::CertificateHasKey(issuer.get(), PublicKey(*signer.key))) {
    return BadParameter("The issuer's certificate does not match the issuer's key.");
  }
  KH_ASSIGN_OR_RETURN(X509Ptr cert,
                      UnsignedCertificate(subject, subject_pkey, validity, issuer.get()));
  return SignCertificate(cert.get(), *signer.key, PublicKey(*signer.key));
}

StatusOr<std::string> CreateCertificateRequest(const CertificateSubject& subject,
                                               const KeyMaterial& key) {
  KH_RETURN_IF_ERROR(ValidateCertificateSubject(subject));
  KH_ASSIGN_OR_RETURN(EVP_PKEY * pkey, SubjectPublicKey(key));
  KH_ASSIGN_OR_RETURN(X509NamePtr name, internal::ParseDistinguishedName(subject.subject));
  KH_ASSIGN_OR_RETURN(ExtensionsPtr extensions,
                      internal::SubjectExtensions(subject, X509_NAME_entry_count(name.get()) == 0));
  RequestPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(request.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), pkey) != 1 ||
      X509_REQ_add_extensions(request.get(), extensions.get()) != 1) {
    return OpenSslError("Building the certificate request failed");
  }
  return SignRequest(request.get(), key, pkey);
}

StatusOr<CertificateDetails> InspectCertificate(std::string_view der) {
  KH_ASSIGN_OR_RETURN(X509Ptr cert, internal::ParseCertificateDer(der));
  CertificateDetails info;
  info.subject = internal::FormatDistinguishedName(X509_get_subject_name(cert.get()));
  info.issuer = internal::FormatDistinguishedName(X509_get_issuer_name(cert.get()));
  KH_RETURN_IF_ERROR(internal::ReadSubjectExtensions(cert.get(), &info));
  KH_ASSIGN_OR_RETURN(info.not_before, UnixSeconds(X509_get0_notBefore(cert.get())));
  KH_ASSIGN_OR_RETURN(info.not_after, UnixSeconds(X509_get0_notAfter(cert.get())));
  unsigned char sha1[EVP_MAX_MD_SIZE];
  unsigned int sha1_size = 0;
  if (X509_digest(cert.get(), EVP_sha1(), sha1, &sha1_size) != 1) {
    return OpenSslError("Computing the thumbprint failed");
  }
  info.sha1_thumbprint.assign(reinterpret_cast<char*>(sha1), sha1_size);
  KH_RETURN_IF_ERROR(ReadPublicKey(cert.get(), &info));
  return info;
}

StatusOr<bool> CertificateMatchesKey(std::string_view certificate_der, const KeyMaterial& key) {
  KH_ASSIGN_OR_RETURN(X509Ptr cert, internal::ParseCertificateDer(certificate_der));
  return internal::CertificateHasKey(cert.get(), PublicKey(key));
}

StatusOr<bool> CertificateSignedBy(std::string_view certificate_der, std::string_view issuer_der) {
  KH_ASSIGN_OR_RETURN(X509Ptr cert, internal::ParseCertificateDer(certificate_der));
  KH_ASSIGN_OR_RETURN(X509Ptr issuer, internal::ParseCertificateDer(issuer_der));
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer.get());
  const bool signed_by = issuer_key != nullptr && X509_verify(cert.get(), issuer_key) == 1;
  ERR_clear_error();
  return signed_by;
}

}  // namespace kh::crypto
