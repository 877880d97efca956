// The certificates data plane: /certificates and /deletedcertificates
// (azure-kv-dataplane.md sections 3 and 6). Issuers and contacts are in
// certificate_issuer_handlers.cc.
#include <algorithm>
#include <boost/json.hpp>

#include "api/call.h"
#include "api/certificate_json.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/object_json.h"
#include "core/base64.h"
#include "domain/certificate_service.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionRead = "Microsoft.KeyVault/vaults/certificates/read";
constexpr std::string_view kActionCreate = "Microsoft.KeyVault/vaults/certificates/create/action";
constexpr std::string_view kActionImport = "Microsoft.KeyVault/vaults/certificates/import/action";
constexpr std::string_view kActionUpdate = "Microsoft.KeyVault/vaults/certificates/update/action";
constexpr std::string_view kActionDelete = "Microsoft.KeyVault/vaults/certificates/delete";
constexpr std::string_view kActionBackup = "Microsoft.KeyVault/vaults/certificates/backup/action";
constexpr std::string_view kActionRestore = "Microsoft.KeyVault/vaults/certificates/restore/action";
constexpr std::string_view kActionRecover = "Microsoft.KeyVault/vaults/certificates/recover/action";
constexpr std::string_view kActionPurge = "Microsoft.KeyVault/vaults/certificates/purge/action";

domain::CertificateService& Certificates(const Call& call) { return *call.services.certificates; }

std::string Object(const std::string& name) { return "certificates/" + name; }

// What create and import bodies share: policy, tags, attributes.enabled, preserveCertOrder.
template <typename Params>
Status ParseNewVersion(const json::object& body, Params& params) {
  KH_ASSIGN_OR_RETURN(params.policy, ParseOptionalPolicy(body));
  KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
  if (props.tags) params.tags = *props.tags;
  params.enabled = props.attributes.enabled;
  KH_ASSIGN_OR_RETURN(std::optional<bool> preserve, OptBool(body, "preserveCertOrder"));
  params.preserve_cert_order = preserve.value_or(false);
  return Status::Ok();
}

StatusOr<domain::CreateCertificateParams> ParseCreate(const json::object& body) {
  domain::CreateCertificateParams params;
  KH_RETURN_IF_ERROR(ParseNewVersion(body, params));
  return params;
}

Response Create(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionCreate, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(domain::CreateCertificateParams params, ParseCreate(body));
    KH_ASSIGN_OR_RETURN(domain::CertificateOperation op,
                        Certificates(call).Create(VaultOf(call), name, std::move(params)));
    Response r = JsonResponse(202, OperationToJson(call, op));
    r.headers.emplace_back("Location", CertificateBaseId(call, op.name) + "/pending?api-version=" +
                                           call.target.Query("api-version"));
    r.headers.emplace_back("Retry-After", "1");
    return r;
  });
}

StatusOr<domain::ImportCertificateParams> ParseImport(const json::object& body) {
  domain::ImportCertificateParams params;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(body, "value"));
  if (!value || value->empty()) return InvalidArgument("The property 'value' is required.");
  KH_ASSIGN_OR_RETURN(std::optional<std::string> pwd, OptString(body, "pwd"));
  if (pwd) {
    params.password = SecretBytes(std::string_view(*pwd));
    std::fill(pwd->begin(), pwd->end(), '\0');
  }
  KH_RETURN_IF_ERROR(ParseNewVersion(body, params));
  // PEM comes as text (the SDK sends it so when the policy says PEM); PFX as base64.
  const bool policy_pem = params.policy && params.policy->content_type &&
                          *params.policy->content_type == domain::kPemContentType;
  params.is_pem = policy_pem || value->find("-----BEGIN") != std::string::npos;
  if (params.is_pem) {
    params.value = SecretBytes(std::string_view(*value));
  } else {
    auto decoded = Base64Decode(*value);
    if (!decoded.ok()) decoded = Base64UrlDecode(*value);
    if (!decoded.ok()) {
      return InvalidArgument(
          "The property 'value' must be a base64-encoded PFX, or PEM text with the policy's "
          "secret_props.contentType application/x-pem-file.");
    }
    params.value = SecretBytes(std::string_view(*decoded));
    std::fill(decoded->begin(), decoded->end(), '\0');
  }
  std::fill(value->begin(), value->end(), '\0');
  return params;
}

Response Import(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionImport, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(domain::ImportCertificateParams params, ParseImport(body));
    KH_ASSIGN_OR_RETURN(domain::CertificateVersion c,
                        Certificates(call).Import(VaultOf(call), name, std::move(params)));
    return JsonResponse(200, CertificateToJson(call, c, true, true));
  });
}

Response Get(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = DenyData(call, kActionRead, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::CertificateVersion c,
                        Certificates(call).Get(VaultOf(call), name, version));
    return JsonResponse(200, CertificateToJson(call, c, true, true));
  });
}

Response Update(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = DenyData(call, kActionUpdate, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    domain::CertificateUpdate update;
    KH_ASSIGN_OR_RETURN(update.policy, ParseOptionalPolicy(body));
    KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
    update.tags = props.tags;
    update.enabled = props.attributes.enabled;
    KH_ASSIGN_OR_RETURN(domain::CertificateVersion c,
                        Certificates(call).Update(VaultOf(call), name, version, update));
    return JsonResponse(200, CertificateToJson(call, c, true, true));
  });
}

Response List(const Call& call) {
  if (auto denied = DenyData(call, kActionRead, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    const bool include_pending = call.target.Query("includePending") == "true";
    KH_ASSIGN_OR_RETURN(auto page, Certificates(call).List(VaultOf(call), paging.marker,
                                                           paging.size, include_pending));
    json::array items;
    for (const auto& c : page.items) items.push_back(CertificateToJson(call, c, false, false));
    return JsonResponse(
        200, ListPage(call, "/certificates", page.next_marker, paging.size, std::move(items)));
  });
}

Response ListVersions(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRead, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page, Certificates(call).ListVersions(VaultOf(call), name,
                                                                   paging.marker, paging.size));
    json::array items;
    for (const auto& c : page.items) items.push_back(CertificateToJson(call, c, false, true));
    return JsonResponse(200, ListPage(call, "/certificates/" + name + "/versions", page.next_marker,
                                      paging.size, std::move(items)));
  });
}

Response Policy(const Call& call, const std::string& name) {
  const bool read = call.request.method == "GET";
  if (!read && call.request.method != "PATCH") return MethodNotAllowed(call.request);
  if (auto denied = DenyData(call, read ? kActionRead : kActionUpdate, Object(name))) {
    return *denied;
  }
  return Respond([&]() -> StatusOr<Response> {
    if (read) {
      KH_ASSIGN_OR_RETURN(domain::CertificatePolicy p,
                          Certificates(call).GetPolicy(VaultOf(call), name));
      return JsonResponse(200, PolicyToJson(call, name, p));
    }
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(domain::CertificatePolicyPatch patch, ParsePolicy(body));
    KH_ASSIGN_OR_RETURN(domain::CertificatePolicy p,
                        Certificates(call).UpdatePolicy(VaultOf(call), name, patch));
    return JsonResponse(200, PolicyToJson(call, name, p));
  });
}

Response Pending(const Call& call, const std::string& name) {
  const std::string& m = call.request.method;
  std::string_view action = m == "GET"      ? kActionRead
                            : m == "DELETE" ? kActionDelete
                                            : kActionUpdate;
  if (m != "GET" && m != "PATCH" && m != "DELETE") return MethodNotAllowed(call.request);
  if (auto denied = DenyData(call, action, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    domain::CertificateService& certs = Certificates(call);
    std::optional<domain::CertificateOperation> op;
    if (m == "GET") {
      KH_ASSIGN_OR_RETURN(op, certs.GetOperation(VaultOf(call), name));
    } else if (m == "DELETE") {
      KH_ASSIGN_OR_RETURN(op, certs.DeleteOperation(VaultOf(call), name));
    } else {
      KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
      KH_ASSIGN_OR_RETURN(std::optional<bool> cancel, OptBool(body, "cancellation_requested"));
      if (!cancel) return InvalidArgument("The property 'cancellation_requested' is required.");
      if (*cancel) {
        KH_ASSIGN_OR_RETURN(op, certs.CancelOperation(VaultOf(call), name));
      } else {
        KH_ASSIGN_OR_RETURN(op, certs.GetOperation(VaultOf(call), name));
      }
    }
    return JsonResponse(200, OperationToJson(call, *op));
  });
}

// One x5c entry: base64 of a DER certificate. The SDK's documented usage passes the bytes of a
// certificate's base64 or PEM text instead, so base64 text inside is decoded once more (armour
// lines dropped), as Key Vault accepts it.
StatusOr<std::string> DecodeX5cEntry(std::string_view entry) {
  const Status invalid = InvalidArgument("Each x5c entry must be a base64 DER certificate.");
  auto bytes = Base64Decode(entry);
  if (!bytes.ok()) return invalid;
  if (!bytes->empty() && static_cast<unsigned char>((*bytes)[0]) == 0x30) return *bytes;
  std::string text;
  std::string_view rest(*bytes);
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    // "-----BEGIN/END CERTIFICATE-----" may share a line with the base64 (no newline).
    for (std::string_view armour : {"-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"}) {
      if (size_t at = line.find(armour); at != std::string_view::npos) {
        text.append(line.substr(0, at));
        line = line.substr(at + armour.size());
      }
    }
    text.append(line);
  }
  std::erase_if(text, [](char c) { return c == '\r' || c == ' ' || c == '\t'; });
  auto der = Base64Decode(text);
  if (!der.ok() || der->empty() || static_cast<unsigned char>((*der)[0]) != 0x30) return invalid;
  return *der;
}

Response Merge(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionCreate, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    domain::MergeCertificateParams params;
    auto it = body.find("x5c");
    if (it == body.end() || !it->value().is_array()) {
      return InvalidArgument("The property 'x5c' is required: an array of base64 certificates.");
    }
    for (const json::value& v : it->value().as_array()) {
      if (!v.is_string()) return InvalidArgument("Each x5c entry must be a base64 string.");
      KH_ASSIGN_OR_RETURN(std::string der, DecodeX5cEntry(std::string_view(v.as_string())));
      params.x5c.push_back(std::move(der));
    }
    KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
    if (props.tags) params.tags = *props.tags;
    params.enabled = props.attributes.enabled;
    KH_ASSIGN_OR_RETURN(domain::CertificateVersion c,
                        Certificates(call).Merge(VaultOf(call), name, std::move(params)));
    return JsonResponse(201, CertificateToJson(call, c, true, true));
  });
}

Response Delete(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionDelete, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::DeletedCertificate d,
                        Certificates(call).Delete(VaultOf(call), name));
    return JsonResponse(200, DeletedCertificateToJson(call, d, false));
  });
}

Response GetDeleted(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRead, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::DeletedCertificate d,
                        Certificates(call).GetDeleted(VaultOf(call), name));
    return JsonResponse(200, DeletedCertificateToJson(call, d, false));
  });
}

Response ListDeleted(const Call& call) {
  if (auto denied = DenyData(call, kActionRead, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page,
                        Certificates(call).ListDeleted(VaultOf(call), paging.marker, paging.size));
    json::array items;
    for (const auto& d : page.items) items.push_back(DeletedCertificateToJson(call, d, true));
    return JsonResponse(200, ListPage(call, "/deletedcertificates", page.next_marker, paging.size,
                                      std::move(items)));
  });
}

Response Recover(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRecover, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::CertificateVersion c,
                        Certificates(call).Recover(VaultOf(call), name));
    return JsonResponse(200, CertificateToJson(call, c, true, true));
  });
}

Response Purge(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionPurge, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_RETURN_IF_ERROR(Certificates(call).Purge(VaultOf(call), name));
    return NoContent();
  });
}

Response Backup(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionBackup, Object(name))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(std::string blob, Certificates(call).Backup(VaultOf(call), name));
    return BackupBlobResponse(blob);
  });
}

Response Restore(const Call& call) {
  if (auto denied = DenyData(call, kActionRestore, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(std::string blob, ParseBackupBlob(call));
    KH_ASSIGN_OR_RETURN(domain::CertificateVersion c,
                        Certificates(call).Restore(VaultOf(call), blob));
    return JsonResponse(200, CertificateToJson(call, c, true, true));
  });
}

Response RouteName(const Call& call, const std::string& name) {
  const auto& s = call.target.segments;
  const std::string& m = call.request.method;
  if (s.size() == 2 || (s.size() == 3 && s[2].empty())) {
    if (m == "GET") return Get(call, name, "");
    if (m == "DELETE" && s.size() == 2) return Delete(call, name);
    if (m == "PATCH") return Update(call, name, "");
    return MethodNotAllowed(call.request);
  }
  const std::string& third = s[2];
  if (s.size() == 3) {
    if (third == "create") return m == "POST" ? Create(call, name) : MethodNotAllowed(call.request);
    if (third == "import") return m == "POST" ? Import(call, name) : MethodNotAllowed(call.request);
    if (third == "versions") {
      return m == "GET" ? ListVersions(call, name) : MethodNotAllowed(call.request);
    }
    if (third == "backup") return m == "POST" ? Backup(call, name) : MethodNotAllowed(call.request);
    if (third == "policy") return Policy(call, name);
    if (third == "pending") return Pending(call, name);
    if (m == "GET") return Get(call, name, third);
    if (m == "PATCH") return Update(call, name, third);
    return MethodNotAllowed(call.request);
  }
  if (s.size() == 4 && third == "pending" && s[3] == "merge") {
    return m == "POST" ? Merge(call, name) : MethodNotAllowed(call.request);
  }
  return UnknownRoute(call.request);
}

}  // namespace

Response HandleCertificates(const Call& call) {
  const auto& s = call.target.segments;
  const std::string& m = call.request.method;
  if (!call.services.certificates) return UnknownRoute(call.request);
  if (s[0] == "deletedcertificates") {
    return RouteDeletedCollection(call, {ListDeleted, GetDeleted, Purge, Recover});
  }
  if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
    return m == "GET" ? List(call) : MethodNotAllowed(call.request);
  }
  const std::string& name = s[1];
  if (name == "contacts" && s.size() == 2) return HandleCertificateContacts(call);
  if (name == "issuers") return HandleCertificateIssuers(call);
  if (name == "restore" && s.size() == 2 && m == "POST") return Restore(call);
  return RouteName(call, name);
}

}  // namespace kh::api
