#pragma once
// The rules of a certificate policy: Azure's defaults for the parts a request leaves out, the
// 400s for invalid policies, what a policy means for the certificate it issues (validity, the
// backing key's key_ops) and when its lifetime actions fall due.
#include <optional>
#include <string>
#include <vector>

#include "core/status_or.h"
#include "domain/certificate.h"

namespace kh::domain {

// `base` (the stored policy, or null for Azure's defaults) with the patch's members applied,
// validated. `now` stamps created/updated. Issuer names other than Self/Unknown are checked to
// exist by the caller.
StatusOr<CertificatePolicy> ApplyPolicyPatch(const CertificatePolicy* base,
                                             const CertificatePolicyPatch& patch, int64_t now);
Status ValidatePolicy(const CertificatePolicy& policy);

bool IsSelfIssuer(std::string_view issuer_name);
bool IsUnknownIssuer(std::string_view issuer_name);
bool IsHsmKeyType(std::string_view kty);

// The x509_props a certificate is issued with: the policy's, with the default key usage
// (digitalSignature, plus keyEncipherment for RSA) when it names none.
crypto::CertificateSubject SubjectFor(const CertificatePolicy& policy);
// notBefore = now - 5 minutes (clock skew), notAfter = notBefore + validity_months calendar months.
crypto::CertificateValidity ValidityFor(const CertificatePolicy& policy, int64_t now);
// The backing key's key_ops from the key usage (azure-kv-dataplane.md section 6), restricted to
// what the key type can do.
std::vector<std::string> KeyOpsFor(const CertificatePolicy& policy);

// When the action falls due for a version valid from nbf to exp; nullopt without a trigger.
std::optional<int64_t> LifetimeActionDue(const CertificateLifetimeAction& action,
                                         int64_t not_before, int64_t expires);
// Whether an AutoRenew lifetime action of version `c` (enabled, with a validity, from an issuer
// that can issue) has fallen due at `now`.
bool AutoRenewDue(const CertificateVersion& c, int64_t now);

// The policy Key Vault makes for an imported certificate without one: subject, SANs, EKUs,
// usages and validity read from the certificate; issuer Unknown; EmailContacts at 80%.
CertificatePolicy PolicyFromCertificate(const crypto::CertificateDetails& info, bool pem,
                                        int64_t now);

}  // namespace kh::domain
