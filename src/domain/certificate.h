#pragma once
// Certificate types of the domain (azure-kv-dataplane.md sections 3 and 6): a certificate's
// policy, one version of a certificate, the pending operation of a create, and the vault's
// issuers and contacts. A certificate version is backed by a managed key and a managed secret of
// the same name and version (KeyService, SecretService). Nothing here knows JSON.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "domain/secret.h"

namespace kh::domain {

inline constexpr std::string_view kPkcs12ContentType = "application/x-pkcs12";
inline constexpr std::string_view kPemContentType = "application/x-pem-file";
inline constexpr std::string_view kIssuerSelf = "Self";
inline constexpr std::string_view kIssuerUnknown = "Unknown";
// The provider of issuers that sign with a CA certificate of the same vault (Keyhaven's own).
inline constexpr std::string_view kKeyhavenProvider = "Keyhaven";
inline constexpr int kMaxValidityMonths = 1200;
inline constexpr size_t kMaxLifetimeActions = 2;
inline constexpr size_t kMaxContacts = 32;

struct CertificateLifetimeAction {
  std::optional<int> lifetime_percentage;  // 1..99; exactly one of the two triggers
  std::optional<int> days_before_expiry;   // 1..validity_months*27
  std::string action_type;                 // "AutoRenew" | "EmailContacts"
  bool operator==(const CertificateLifetimeAction&) const = default;
};

// A complete policy, as stored and shown (defaults filled in).
struct CertificatePolicy {
  // key_props
  std::string kty = "RSA";  // RSA | RSA-HSM | EC | EC-HSM
  std::optional<int> key_size;
  std::optional<std::string> curve;
  bool exportable = true;
  bool reuse_key = false;
  // secret_props
  std::string content_type = std::string(kPkcs12ContentType);
  // x509_props
  crypto::CertificateSubject x509;
  int validity_months = 12;
  std::vector<CertificateLifetimeAction> lifetime_actions;
  // issuer
  std::string issuer_name = std::string(kIssuerUnknown);
  std::optional<std::string> certificate_type;  // cty
  std::optional<bool> certificate_transparency;
  // attributes
  bool enabled = true;
  int64_t created = 0;
  int64_t updated = 0;
};

// A create, import or policy update names only some members; the rest come from the stored
// policy or Azure's defaults.
struct CertificatePolicyPatch {
  std::optional<std::string> kty;
  std::optional<int> key_size;
  std::optional<std::string> curve;
  std::optional<bool> exportable;
  std::optional<bool> reuse_key;
  std::optional<std::string> content_type;
  std::optional<std::string> subject;
  std::optional<crypto::SubjectAlternativeNames> sans;
  std::optional<std::vector<std::string>> ekus;
  std::optional<std::vector<std::string>> key_usage;
  std::optional<int> validity_months;
  std::optional<std::vector<CertificateLifetimeAction>> lifetime_actions;
  std::optional<std::string> issuer_name;
  std::optional<std::string> certificate_type;
  std::optional<bool> certificate_transparency;
  std::optional<bool> enabled;
};

struct CertificateVersion {
  std::string name;             // as first created
  std::string version;          // 32 hex chars: also the backing key's and secret's version
  std::string cer;              // the certificate, DER
  std::string x5t;              // SHA-1 of cer, raw bytes
  ObjectAttributes attributes;  // nbf/exp are the certificate's validity
  std::map<std::string, std::string> tags;
  bool preserve_cert_order = false;
  CertificatePolicy policy;  // the certificate's current policy
};

struct DeletedCertificate {
  CertificateVersion latest;
  DeletedInfo deleted;
};

// The pending operation of a create (GET/PATCH/DELETE .../pending).
struct CertificateOperation {
  std::string name;
  std::string issuer_name;
  std::optional<std::string> certificate_type;
  std::optional<bool> certificate_transparency;
  std::string csr;  // PKCS#10 DER
  bool cancellation_requested = false;
  std::string status;  // "inProgress" | "completed" | "cancelled" | "failed"
  std::string status_details;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  std::string request_id;
  bool preserve_cert_order = false;
  bool completed_target = false;  // a certificate version exists for "target"
};

struct CreateCertificateParams {
  std::optional<CertificatePolicyPatch> policy;  // required for the first version
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
  bool preserve_cert_order = false;
};

struct ImportCertificateParams {
  SecretBytes value;     // PFX bytes, or PEM text
  SecretBytes password;  // PFX only
  bool is_pem = false;   // the policy's content type, or sniffed ("-----BEGIN")
  std::optional<CertificatePolicyPatch> policy;
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
  bool preserve_cert_order = false;
};

struct MergeCertificateParams {
  std::vector<std::string> x5c;  // DER certificates
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
};

// PATCH /certificates/{name}/{version}.
struct CertificateUpdate {
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<bool> enabled;
  std::optional<CertificatePolicyPatch> policy;
};

struct IssuerAdministrator {
  std::string first_name, last_name, email, phone;
  bool operator==(const IssuerAdministrator&) const = default;
};

struct CertificateIssuer {
  std::string name;
  std::string provider;
  std::optional<std::string> account_id;  // Keyhaven: the name of the CA certificate
  SecretBytes password;                   // stored sealed, never shown
  std::optional<std::string> organization_id;
  std::vector<IssuerAdministrator> administrators;
  bool enabled = true;
  int64_t created = 0;
  int64_t updated = 0;
};

// PUT replaces, PATCH changes the present members.
struct IssuerUpdate {
  std::optional<std::string> provider;
  std::optional<std::string> account_id;
  std::optional<SecretBytes> password;
  std::optional<std::string> organization_id;
  std::optional<std::vector<IssuerAdministrator>> administrators;
  std::optional<bool> enabled;
};

struct CertificateContact {
  std::string email, name, phone;
  bool operator==(const CertificateContact&) const = default;
};

}  // namespace kh::domain
