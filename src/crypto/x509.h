#pragma once
// The internal certificate authority and TLS server certificates it issues.
//
// Both functions mint a fresh EC P-256 key and an X.509 v3 certificate signed with
// ECDSA-SHA256, with a random positive 128-bit serial and notBefore one hour in the past (clock
// skew). Outputs are PEM: the certificate as "CERTIFICATE", the key as unencrypted PKCS#8.
//
// CA: self-signed; basicConstraints critical CA:TRUE; keyUsage critical keyCertSign, cRLSign;
// subjectKeyIdentifier and authorityKeyIdentifier.
// Leaf: subject CN = the first DNS name (or first IP address if there is none; no CN if it is
// longer than 64 characters, in which case subjectAltName is critical); subjectAltName with every
// DNS and IP entry; basicConstraints critical CA:FALSE; keyUsage critical digitalSignature;
// extendedKeyUsage serverAuth; subject and authority key identifiers.
//
// Errors: InvalidArgument for a bad name, address, validity or CA; Internal if OpenSSL fails.
// Thread-safe.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto {

inline constexpr int kMaxCertificateValidityDays = 100 * 365;
inline constexpr size_t kMaxCommonNameLength = 64;  // RFC 5280 ub-common-name
inline constexpr size_t kMaxDnsNameLength = 253;
inline constexpr size_t kMaxSubjectAltNames = 100;
inline constexpr size_t kMaxCertificatePemBytes = 64 * 1024;

struct CertificateAndKey {
  std::string certificate_pem;
  SecretBytes private_key_pem;
};

// common_name: 1 to 64 printable characters. valid_days: 1 to kMaxCertificateValidityDays.
StatusOr<CertificateAndKey> CreateCertificateAuthority(std::string_view common_name,
                                                       int valid_days);

// dns_names: LDH labels separated by dots, optionally starting with "*."; ip_addresses: IPv4 or
// IPv6 text. At least one entry in total, at most kMaxSubjectAltNames. ca must be a certificate
// and matching P-256 key as returned by CreateCertificateAuthority.
StatusOr<CertificateAndKey> IssueServerCertificate(const CertificateAndKey& ca,
                                                   const std::vector<std::string>& dns_names,
                                                   const std::vector<std::string>& ip_addresses,
                                                   int valid_days);

}  // namespace kh::crypto
