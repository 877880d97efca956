#pragma once
// Certificates of Key Vault certificate objects: X.509 certificates and PKCS#10 requests built
// from a policy's x509_props and signed through KeyMaterial::Sign (so a software or an HSM key
// signs alike, and a CA key in a PKCS#11 token never leaves it), inspection of certificates, and
// the formats a certificate's secret is kept in and imported from (PKCS#12, PEM).
//
// Errors: every problem with the caller's input (a malformed DN, SAN, OID or usage; a PFX or PEM
// that does not parse, has the wrong password, has no key or a key that matches none of its
// certificates; an unsupported key type, size or curve) is InvalidArgument with Azure code
// "BadParameter" and a message that names the problem but never contains key material.
// Internal means OpenSSL itself failed. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_bytes.h"
#include "core/status_or.h"
#include "crypto/key_material.h"

namespace kh::crypto {

inline constexpr size_t kMaxSubjectLength = 1024;
inline constexpr size_t kMaxCertificateChainLength = 10;
inline constexpr size_t kMaxImportBytes = 256 * 1024;

struct SubjectAlternativeNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> emails;
  std::vector<std::string> upns;  // otherName msUPN (1.3.6.1.4.1.311.20.2.3), UTF8String
  std::vector<std::string> uris;
  std::vector<std::string> ip_addresses;  // IPv4 or IPv6 text
  bool empty() const {
    return dns_names.empty() && emails.empty() && upns.empty() && uris.empty() &&
           ip_addresses.empty();
  }
  bool operator==(const SubjectAlternativeNames&) const = default;
};

// What a new certificate or request says about its subject (a policy's x509_props).
struct CertificateSubject {
  // A distinguished name as Key Vault writes it: RDNs separated by commas (or semicolons), each
  // ATTR=value with ATTR one of CN, O, OU, L, S or ST, C, E (emailAddress), DC, STREET,
  // SERIALNUMBER, T (title), G (givenName), SN (surname), case-insensitive; a value may escape a
  // comma as "\," or be double-quoted. Empty only when `sans` is not.
  std::string subject;
  SubjectAlternativeNames sans;
  std::vector<std::string> ekus;       // dotted OIDs, e.g. "1.3.6.1.5.5.7.3.1"
  std::vector<std::string> key_usage;  // Key Vault's names (kKeyUsageNames)
};

// Key Vault's key_usage names, in the bit order of RFC 5280's KeyUsage.
inline constexpr const char* kKeyUsageNames[] = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly"};

// BadParameter naming the first problem: a subject that does not parse or names an unknown
// attribute, longer than kMaxSubjectLength, or empty with no SAN; a SAN that is not a DNS name
// (LDH labels, optional leading "*."), an e-mail address (local@domain), a UPN (same shape), an
// absolute URI (scheme:...), or an IP address; an EKU that is not a dotted OID; a key usage that
// is not one of kKeyUsageNames (matched case-insensitively: Azure accepts "DigitalSignature").
Status ValidateCertificateSubject(const CertificateSubject& subject);

struct CertificateValidity {
  int64_t not_before = 0;  // Unix seconds
  int64_t not_after = 0;
};

// Who signs a new certificate. certificate_der empty: self-signed by the subject key itself.
struct CertificateSigner {
  const KeyMaterial* key = nullptr;  // the CA's key (ignored when self-signed)
  std::string certificate_der;       // the CA's certificate
};

// A version 3 certificate for `subject_key` (RSA or EC; oct is BadParameter):
// - serial: 16 random bytes, positive; validity as given (UTCTime/GeneralizedTime per RFC 5280);
// - subject from `subject.subject`; issuer = the signer certificate's subject (or the subject);
// - subjectAltName with every SAN (critical when the subject is empty), extendedKeyUsage with
//   the EKUs (if any), keyUsage critical with the usages (if any), basicConstraints critical
//   CA:TRUE when key_usage contains keyCertSign, else CA:FALSE; subjectKeyIdentifier;
//   authorityKeyIdentifier (the signer's key identifier);
// - signed with sha256WithRSAEncryption (RSA), or ecdsa-with-SHA256/384/512 for P-256 and
//   P-256K/P-384/P-521, through KeyMaterial::Sign (RS256/ES256/ES256K/ES384/ES512).
// BadParameter when the signer's certificate does not match its key, or the signer key is oct.
StatusOr<std::string> IssueCertificate(const CertificateSubject& subject,
                                       const KeyMaterial& subject_key,
                                       const CertificateValidity& validity,
                                       const CertificateSigner& signer);

// A PKCS#10 request (DER) for `key` with the subject and an extensionRequest attribute holding
// the same extensions IssueCertificate would write (SAN, EKU, key usage, basic constraints),
// signed by `key` as above.
StatusOr<std::string> CreateCertificateRequest(const CertificateSubject& subject,
                                               const KeyMaterial& key);

struct CertificateDetails {
  std::string subject;  // Key Vault's form: "CN=a, O=b" in the certificate's RDN order
  std::string issuer;   // same form
  SubjectAlternativeNames sans;
  std::vector<std::string> ekus;       // dotted OIDs
  std::vector<std::string> key_usage;  // Key Vault's names, in kKeyUsageNames order
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string sha1_thumbprint;  // 20 raw bytes (x5t is its base64url)
  bool is_ca = false;           // basicConstraints CA:TRUE
  KeyType key_type = KeyType::kRsa;
  int key_bits = 0;              // RSA modulus bits, EC curve bits
  std::optional<EcCurve> curve;  // EC only
};

// BadParameter if `der` is not one DER certificate.
StatusOr<CertificateDetails> InspectCertificate(std::string_view der);

// Whether the certificate's public key is `key`'s public key.
StatusOr<bool> CertificateMatchesKey(std::string_view certificate_der, const KeyMaterial& key);
// Whether `issuer_der`'s key signed `certificate_der` (signature only; no dates or names).
StatusOr<bool> CertificateSignedBy(std::string_view certificate_der, std::string_view issuer_der);

// A certificate with its private key, as imported.
struct CertificateWithKey {
  KeyMaterial key;                     // software key (RSA or EC, sizes/curves Key Vault allows)
  std::vector<std::string> chain_der;  // the certificate whose key is `key` first, then the others
                                       // in the order found; with preserve_order, as found
};

// PFX bytes and its password (empty: none, or the empty password). BadParameter for a wrong
// password ("The specified PKCS#12 X509 certificate content can not be read. Please check if
// certificate is in valid PKCS#12 format."), no key, no certificate, a key that matches no
// certificate, more than kMaxCertificateChainLength certificates, input over kMaxImportBytes.
StatusOr<CertificateWithKey> ParsePkcs12(std::string_view pfx, const SecretBytes& password,
                                         bool preserve_order);
// PEM text with one or more CERTIFICATE blocks and exactly one PKCS#8 "PRIVATE KEY" block (Key
// Vault accepts only PKCS#8), in any order. Same errors.
StatusOr<CertificateWithKey> ParsePem(std::string_view pem, bool preserve_order);

// A certificate secret's content (PFX without password, or PEM) as stored: the chain in its
// order, with the key when there is one (a non-exportable certificate's secret has none). For
// format conversion.
struct SecretContent {
  std::optional<KeyMaterial> key;
  std::vector<std::string> chain_der;
};
StatusOr<SecretContent> ParseSecretContent(std::string_view content, bool pem);

// The chain as certificates only (merge: "x5c" without a key); leaf first unless preserve_order.
// `leaf_key` picks the leaf: the certificate whose public key it is; BadParameter if none is.
StatusOr<std::vector<std::string>> OrderChain(const std::vector<std::string>& chain_der,
                                              const KeyMaterial& leaf_key, bool preserve_order);

// A certificate secret's value. key null: certificates only (non-exportable or HSM keys).
// PKCS#12: raw PFX bytes, no password (MAC over the empty password; PBES2/AES-256-CBC, as
// OpenSSL 3 writes by default), the key with the first certificate as its localKeyId pair.
StatusOr<SecretBytes> EncodePkcs12(const std::vector<std::string>& chain_der,
                                   const KeyMaterial* key);
// PEM: "-----BEGIN PRIVATE KEY-----" (PKCS#8, unencrypted) first when there is a key, then each
// certificate as "-----BEGIN CERTIFICATE-----", in chain order, lines of 64 characters, "\n".
StatusOr<SecretBytes> EncodePem(const std::vector<std::string>& chain_der, const KeyMaterial* key);

// Whether KeyMaterial holds an exportable private key (software RSA/EC).
bool CanExportPrivateKey(const KeyMaterial& key);

}  // namespace kh::crypto
