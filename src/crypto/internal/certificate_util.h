#pragma once
// Private to src/crypto: the X.509 pieces shared by certificate.cc (building, signing and
// inspecting), certificate_names.cc (names and extensions), certificate_formats.cc (PKCS#12, PEM)
// and x509.cc (the internal TLS CA). Includes no OpenSSL header (see openssl_util.h).
#include <string>
#include <string_view>

#include "core/status_or.h"
#include "crypto/certificate.h"
#include "crypto/internal/openssl_util.h"

namespace kh::crypto::internal {

// ---- certificate_names.cc ----

// Letters, digits, hyphens and dots; no empty label, none longer than 63 characters or starting
// or ending with a hyphen; at most 253 characters; an optional leading "*." wildcard label.
bool IsValidDnsName(std::string_view name);

// A Key Vault subject ("CN=a, O=b") as an X509_NAME whose RDNs are in the order written; empty
// input gives an empty name. BadParameter for a malformed DN, an unknown attribute or a value
// the attribute's ASN.1 type refuses (e.g. "C=USA").
StatusOr<X509NamePtr> ParseDistinguishedName(std::string_view dn);
// The inverse: "CN=a, O=b" in the name's RDN order; ParseDistinguishedName(Format(n)) == n for
// names it built. Unknown attributes show as "OID.1.2.3=value".
std::string FormatDistinguishedName(const X509_name_st* name);

// subjectAltName with every name in `sans` (DNS, rfc822Name, msUPN otherName, URI, IP address),
// in that order. BadParameter for an IP address that does not parse; other names are not
// checked here (ValidateCertificateSubject does that).
StatusOr<ExtensionPtr> SubjectAltNameExtension(const SubjectAlternativeNames& sans, bool critical);

// The extensions a certificate or request for a validated `subject` carries: subjectAltName (if
// any SAN; critical when the subject name, as parsed, is empty), extendedKeyUsage (if any),
// keyUsage critical (if any), basicConstraints critical with CA set iff keyCertSign is asked for.
StatusOr<ExtensionsPtr> SubjectExtensions(const CertificateSubject& subject, bool empty_subject);

// Fills info's sans, ekus, key_usage and is_ca from the certificate's extensions. BadParameter
// if one of them is present but malformed (or present twice).
Status ReadSubjectExtensions(const x509_st* cert, CertificateDetails* info);

// ---- certificate.cc ----

// Exactly one DER certificate (no trailing bytes), at most kMaxImportBytes; BadParameter if not.
StatusOr<X509Ptr> ParseCertificateDer(std::string_view der);
std::string CertificateToDer(x509_st* cert);
// A random positive 16-byte serial number (the first byte is 0x40..0x7f, so the DER content is
// always 16 bytes).
Status SetRandomSerial(x509_st* cert);
// Whether the certificate's public key equals `key` (a key pair or a public key). Never fails.
bool CertificateHasKey(const x509_st* cert, const evp_pkey_st* key);

}  // namespace kh::crypto::internal
