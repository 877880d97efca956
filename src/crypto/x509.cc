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

#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace {

using internal::OpenSslError;
using internal::OsslPtr;
using internal::PkeyPtr;
using Asn1IntegerPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1StringPtr = OsslPtr<ASN1_STRING, ASN1_STRING_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using BioPtr = OsslPtr<BIO, BIO_free>;
using ExtensionPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralNamePtr = OsslPtr<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using X509Ptr = OsslPtr<X509, X509_free>;

constexpr size_t kSerialSize = 16;
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

// Letters, digits, hyphens and dots, no empty label, labels not starting or ending with a hyphen;
// a leading "*." wildcard label is allowed.
bool IsValidDnsName(std::string_view name) {
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty() || name.size() > kMaxDnsNameLength) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::string_view label = name.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
      }
      label_start = i + 1;
      continue;
    }
    const char c = name[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Version 3, random positive serial, validity, public key. Names and extensions are the caller's.
StatusOr<X509Ptr> NewCertificate(EVP_PKEY* subject_key, int valid_days) {
  X509Ptr cert(X509_new());
  unsigned char serial[kSerialSize];
  internal::RandomFill(serial, sizeof(serial));
  serial[0] = (serial[0] & 0x7f) | 0x40;  // positive, non-zero, always 16 bytes of DER content
  BignumPtr serial_bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  if (!cert || !serial_bn) return OpenSslError("Certificate allocation failed");
  Asn1IntegerPtr serial_asn1(BN_to_ASN1_INTEGER(serial_bn.get(), nullptr));
  if (!serial_asn1 || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial_asn1.get()) != 1 ||
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
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return OpenSslError("Allocation failed");
  auto push = [&](int type, Asn1StringPtr value) -> Status {
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) return OpenSslError("Allocation failed");
    GENERAL_NAME_set0_value(name.get(), type, value.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0)
      return OpenSslError("Allocation failed");
    name.release();  // owned by names now
    return Status::Ok();
  };
  for (const std::string& dns : dns_names) {
    Asn1StringPtr ia5(ASN1_IA5STRING_new());
    if (!ia5 || ASN1_STRING_set(ia5.get(), dns.data(), static_cast<int>(dns.size())) != 1) {
      return OpenSslError("Allocation failed");
    }
    KH_RETURN_IF_ERROR(push(GEN_DNS, std::move(ia5)));
  }
  for (const std::string& ip : ip_addresses) {
    Asn1StringPtr octets(a2i_IPADDRESS(ip.c_str()));
    if (!octets) {
      ERR_clear_error();
      return InvalidArgument("Invalid IP address in subject alternative names");
    }
    KH_RETURN_IF_ERROR(push(GEN_IPADD, std::move(octets)));
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical ? 1 : 0,
                        X509V3_ADD_DEFAULT) != 1) {
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
    if (!IsValidDnsName(dns)) return InvalidArgument("Invalid DNS name: " + dns.substr(0, 64));
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
