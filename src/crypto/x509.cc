#include "crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <utility>

#include "crypto/internal/certificate_util.h"
#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;
using internal::PkeyPtr;
using BioPtr = OsslPtr<BIO, BIO_free>;
using ExtensionPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509Ptr = OsslPtr<X509, X509_free>;

constexpr long kBackdateSeconds = 60 * 60;

Status CheckValidDays(int valid_days) {
  if (valid_days < 1 || valid_days > kMaxCertificateValidityDays) {
    return InvalidArgument("Certificate validity must be between 1 and 36500 days");
  }
  return Status::Ok();
}

bool IsValidCommonName(std::string_view name) {
  if (name.empty() || name.size() > kMaxCommonNameLength) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Version 3, random positive serial, validity, public key. Names and extensions are the caller's.
StatusOr<X509Ptr> NewCertificate(EVP_PKEY* subject_key, int valid_days) {
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("Certificate allocation failed");
  KH_RETURN_IF_ERROR(internal::SetRandomSerial(cert.get()));
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, 0, nullptr) == nullptr ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return OpenSslError("Certificate setup failed");
  }
  return cert;
}

Status AddCommonName(X509_NAME* name, std::string_view common_name) {
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return OpenSslError("Setting the certificate common name failed");
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError("Adding a certificate extension failed");
  }
  return Status::Ok();
}

Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, bool critical) {
  SubjectAlternativeNames sans;
  sans.dns_names = dns_names;
  sans.ip_addresses = ip_addresses;
  KH_ASSIGN_OR_RETURN(internal::ExtensionPtr extension,
                      internal::SubjectAltNameExtension(sans, critical));
  if (X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError("Adding subject alternative names failed");
  }
  return Status::Ok();
}

StatusOr<CertificateAndKey> SignAndEncode(X509* cert, EVP_PKEY* signer, EVP_PKEY* subject_key) {
  if (X509_sign(cert, signer, EVP_sha256()) <= 0) return OpenSslError("Certificate signing failed");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("Certificate encoding failed");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return CertificateAndKey{std::string(data, static_cast<size_t>(length)),
                           internal::PrivateKeyToPkcs8Pem(subject_key)};
}

StatusOr<X509Ptr> ParseCertificatePem(std::string_view pem) {
  if (pem.empty() || pem.size() > kMaxCertificatePemBytes) {
    return InvalidArgument("Invalid CA certificate PEM");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf failed");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return InvalidArgument("Invalid CA certificate PEM");
  }
  return cert;
}

}  // namespace

StatusOr<CertificateAndKey> CreateCertificateAuthority(std::string_view common_name,
                                                       int valid_days) {
  if (!IsValidCommonName(common_name)) return InvalidArgument("Invalid CA common name");
  KH_RETURN_IF_ERROR(CheckValidDays(valid_days));
  KH_ASSIGN_OR_RETURN(PkeyPtr key, internal::GenerateP256Key());
  KH_ASSIGN_OR_RETURN(X509Ptr cert, NewCertificate(key.get(), valid_days));
  X509_NAME* name = X509_get_subject_name(cert.get());
  KH_RETURN_IF_ERROR(AddCommonName(name, common_name));
  if (X509_set_issuer_name(cert.get(), name) != 1) return OpenSslError("Setting issuer failed");

  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  // Self-signed: the authority key identifier comes from our own key.
  if (X509V3_set_issuer_pkey(&ctx, key.get()) != 1) return OpenSslError("X509V3 context failed");
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  return SignAndEncode(cert.get(), key.get(), key.get());
}

StatusOr<CertificateAndKey> IssueServerCertificate(const CertificateAndKey& ca,
                                                   const std::vector<std::string>& dns_names,
                                                   const std::vector<std::string>& ip_addresses,
                                                   int valid_days) {
  KH_RETURN_IF_ERROR(CheckValidDays(valid_days));
  const size_t total = dns_names.size() + ip_addresses.size();
  if (total == 0 || total > kMaxSubjectAltNames) {
    return InvalidArgument("A server certificate needs 1 to 100 DNS names or IP addresses");
  }
  for (const std::string& dns : dns_names) {
    if (!internal::IsValidDnsName(dns))
      return InvalidArgument("Invalid DNS name: " + dns.substr(0, 64));
  }
  KH_ASSIGN_OR_RETURN(X509Ptr ca_cert, ParseCertificatePem(ca.certificate_pem));
  KH_ASSIGN_OR_RETURN(PkeyPtr ca_key, internal::ParseP256PrivateKeyPem(ca.private_key_pem));
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1 ||
      X509_check_ca(ca_cert.get()) == 0) {
    ERR_clear_error();
    return InvalidArgument("The CA certificate is not a CA or does not match its private key");
  }

  KH_ASSIGN_OR_RETURN(PkeyPtr key, internal::GenerateP256Key());
  KH_ASSIGN_OR_RETURN(X509Ptr cert, NewCertificate(key.get(), valid_days));
  const std::string& common_name = dns_names.empty() ? ip_addresses.front() : dns_names.front();
  // RFC 5280 4.2.1.6: with an empty subject, subjectAltName must be critical.
  const bool has_common_name = common_name.size() <= kMaxCommonNameLength;
  if (has_common_name) {
    KH_RETURN_IF_ERROR(AddCommonName(X509_get_subject_name(cert.get()), common_name));
  }
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1) {
    return OpenSslError("Setting issuer failed");
  }
  KH_RETURN_IF_ERROR(AddSubjectAltNames(cert.get(), dns_names, ip_addresses, !has_common_name));

  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  KH_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  return SignAndEncode(cert.get(), ca_key.get(), key.get());
}

}  // namespace kh::crypto
