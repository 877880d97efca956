#pragma once
// Conversion between the certificate types and their stored Fields records (sealed by the
// barrier under the vault's key like every object record).
#include <vector>

#include "core/fields.h"
#include "core/status_or.h"
#include "domain/certificate.h"

namespace kh::domain {

Fields PolicyToFields(const CertificatePolicy& policy);
CertificatePolicy PolicyFromFields(const Fields& fields);

// A version record holds the certificate and its policy (the latest version's is the current
// one: a policy update rewrites it).
Fields CertificateToFields(const CertificateVersion& cert);
CertificateVersion CertificateFromFields(std::string_view version, const Fields& fields);

// A pending operation with what finishing it needs: the requested policy and attributes, the
// version id it will get and (while the issuer has not answered) the serialized pending key.
struct StoredOperation {
  CertificateOperation operation;
  CertificatePolicy policy;
  std::string version;
  SecretBytes pending_key;          // crypto::KeyMaterial::Serialize(); empty once finished
  bool pending_key_reused = false;  // the current version's key (reuse_key): never destroyed
  std::map<std::string, std::string> tags;
  std::optional<bool> enabled;
};
Fields OperationToFields(const StoredOperation& op);
StoredOperation OperationFromFields(const Fields& fields);

Fields IssuerToFields(const CertificateIssuer& issuer);
CertificateIssuer IssuerFromFields(const Fields& fields);

Fields ContactsToFields(const std::vector<CertificateContact>& contacts);
std::vector<CertificateContact> ContactsFromFields(const Fields& fields);

}  // namespace kh::domain
