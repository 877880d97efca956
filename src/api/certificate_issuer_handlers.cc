// A vault's certificate issuers (/certificates/issuers[/{name}]) and contacts
// (/certificates/contacts).
#include <boost/json.hpp>

#include "api/call.h"
#include "api/certificate_json.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/object_json.h"
#include "domain/certificate_issuers.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionRead = "Microsoft.KeyVault/vaults/certificates/read";
constexpr std::string_view kActionIssuersRead = "Microsoft.KeyVault/vaults/certificatecas/read";
constexpr std::string_view kActionIssuersWrite = "Microsoft.KeyVault/vaults/certificatecas/write";
constexpr std::string_view kActionIssuersDelete = "Microsoft.KeyVault/vaults/certificatecas/delete";
constexpr std::string_view kActionContactsWrite =
    "Microsoft.KeyVault/vaults/certificatecontacts/write";

domain::CertificateIssuers& Issuers(const Call& call) { return *call.services.certificate_issuers; }

Response ListIssuers(const Call& call) {
  if (auto denied = DenyData(call, kActionIssuersRead, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page, Issuers(call).List(VaultOf(call), paging.marker, paging.size));
    json::array items;
    for (const auto& i : page.items) items.push_back(IssuerToJson(call, i, true));
    return JsonResponse(200, ListPage(call, "/certificates/issuers", page.next_marker, paging.size,
                                      std::move(items)));
  });
}

Response Issuer(const Call& call, const std::string& name) {
  const std::string& m = call.request.method;
  std::string_view action = m == "GET"      ? kActionIssuersRead
                            : m == "DELETE" ? kActionIssuersDelete
                                            : kActionIssuersWrite;
  if (m != "GET" && m != "DELETE" && m != "PUT" && m != "PATCH") {
    return MethodNotAllowed(call.request);
  }
  if (auto denied = DenyData(call, action, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    domain::CertificateIssuers& issuers = Issuers(call);
    std::optional<domain::CertificateIssuer> issuer;
    if (m == "GET") {
      KH_ASSIGN_OR_RETURN(issuer, issuers.Get(VaultOf(call), name));
    } else if (m == "DELETE") {
      KH_ASSIGN_OR_RETURN(issuer, issuers.Delete(VaultOf(call), name));
    } else {
      KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
      KH_ASSIGN_OR_RETURN(domain::IssuerUpdate update, ParseIssuer(body));
      if (m == "PUT") {
        KH_ASSIGN_OR_RETURN(issuer, issuers.Set(VaultOf(call), name, update));
      } else {
        KH_ASSIGN_OR_RETURN(issuer, issuers.Update(VaultOf(call), name, update));
      }
    }
    return JsonResponse(200, IssuerToJson(call, *issuer, false));
  });
}

}  // namespace

Response HandleCertificateIssuers(const Call& call) {
  const auto& s = call.target.segments;
  if (!call.services.certificate_issuers) return UnknownRoute(call.request);
  if (s.size() == 2 || (s.size() == 3 && s[2].empty())) {
    return call.request.method == "GET" ? ListIssuers(call) : MethodNotAllowed(call.request);
  }
  if (s.size() == 3) return Issuer(call, s[2]);
  return UnknownRoute(call.request);
}

Response HandleCertificateContacts(const Call& call) {
  const std::string& m = call.request.method;
  if (!call.services.certificate_issuers) return UnknownRoute(call.request);
  if (m != "GET" && m != "PUT" && m != "DELETE") return MethodNotAllowed(call.request);
  if (auto denied = DenyData(call, m == "GET" ? kActionRead : kActionContactsWrite, "")) {
    return *denied;
  }
  return Respond([&]() -> StatusOr<Response> {
    domain::CertificateIssuers& issuers = Issuers(call);
    std::vector<domain::CertificateContact> contacts;
    if (m == "GET") {
      KH_ASSIGN_OR_RETURN(contacts, issuers.GetContacts(VaultOf(call)));
    } else if (m == "DELETE") {
      KH_ASSIGN_OR_RETURN(contacts, issuers.DeleteContacts(VaultOf(call)));
    } else {
      KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
      KH_ASSIGN_OR_RETURN(contacts, ParseContacts(body));
      KH_ASSIGN_OR_RETURN(contacts, issuers.SetContacts(VaultOf(call), std::move(contacts)));
    }
    return JsonResponse(200, ContactsToJson(call, contacts));
  });
}

}  // namespace kh::api
