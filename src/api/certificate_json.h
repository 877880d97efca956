#pragma once
// Certificates on the wire (azure-kv-dataplane.md sections 3 and 6): policies, bundles, items,
// deleted bundles, pending operations, issuers and contacts, with Azure's field names, and the
// parsing of request bodies into domain types (400 BadParameter for every mistyped member).
#include <boost/json.hpp>

#include "api/call.h"
#include "domain/certificate.h"

namespace kh::api {

std::string CertificateBaseId(const Call& call, std::string_view name);

boost::json::object PolicyToJson(const Call& call, std::string_view name,
                                 const domain::CertificatePolicy& policy);
StatusOr<domain::CertificatePolicyPatch> ParsePolicy(const boost::json::object& policy);
// The body's "policy" member, if present.
StatusOr<std::optional<domain::CertificatePolicyPatch>> ParseOptionalPolicy(
    const boost::json::object& body);

// CertificateBundle (with kid, sid, cer, policy) or CertificateItem (lists): `versioned_id`
// says whether the id names the version.
boost::json::object CertificateToJson(const Call& call, const domain::CertificateVersion& c,
                                      bool bundle, bool versioned_id);
boost::json::object DeletedCertificateToJson(const Call& call, const domain::DeletedCertificate& d,
                                             bool is_item);
boost::json::object OperationToJson(const Call& call, const domain::CertificateOperation& op);

boost::json::object IssuerToJson(const Call& call, const domain::CertificateIssuer& issuer,
                                 bool item);
StatusOr<domain::IssuerUpdate> ParseIssuer(const boost::json::object& body);

boost::json::object ContactsToJson(const Call& call,
                                   const std::vector<domain::CertificateContact>& contacts);
StatusOr<std::vector<domain::CertificateContact>> ParseContacts(const boost::json::object& body);

}  // namespace kh::api
