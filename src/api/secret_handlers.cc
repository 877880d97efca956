// The secrets data plane: /secrets and /deletedsecrets (azure-kv-dataplane.md section 1).
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/object_json.h"
#include "core/base64.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionGet = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
constexpr std::string_view kActionSet = "Microsoft.KeyVault/vaults/secrets/setSecret/action";
constexpr std::string_view kActionRead = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";
constexpr std::string_view kActionUpdate = "Microsoft.KeyVault/vaults/secrets/update/action";
constexpr std::string_view kActionDelete = "Microsoft.KeyVault/vaults/secrets/delete";
constexpr std::string_view kActionBackup = "Microsoft.KeyVault/vaults/secrets/backup/action";
constexpr std::string_view kActionRestore = "Microsoft.KeyVault/vaults/secrets/restore/action";
// Deleted secrets are read with readMetadata, as Azure's access-policy "list" permission maps.
constexpr std::string_view kActionReadDeleted = kActionRead;
constexpr std::string_view kActionRecover = "Microsoft.KeyVault/vaults/secrets/recover/action";
constexpr std::string_view kActionPurge = "Microsoft.KeyVault/vaults/secrets/purge/action";

std::string SecretId(const Call& call, const domain::SecretVersion& s, bool with_version) {
  std::string id = call.api.VaultUrl(VaultOf(call).name) + "/secrets/" + s.name;
  if (with_version) id += "/" + s.version;
  return id;
}

// SecretItem (lists) or SecretBundle (with value).
json::object SecretToJson(const Call& call, const domain::SecretVersion& s, bool with_value,
                          bool versioned_id) {
  json::object o;
  if (with_value) o["value"] = s.value.Reveal();
  o["id"] = SecretId(call, s, versioned_id);
  if (s.content_type) o["contentType"] = *s.content_type;
  o["attributes"] = AttributesToJson(s.attributes, VaultOf(call));
  if (!s.tags.empty()) o["tags"] = TagsToJson(s.tags);
  // A certificate's secret names its key ("{name}/{version}" in the record).
  if (s.key_id) o["kid"] = call.api.VaultUrl(VaultOf(call).name) + "/keys/" + *s.key_id;
  if (s.managed) o["managed"] = true;
  return o;
}

// Deleted bundles keep the live, versioned id; items in the deleted list carry the base id.
json::object DeletedToJson(const Call& call, const domain::DeletedSecret& d, bool is_item) {
  json::object o = SecretToJson(call, d.latest, false, !is_item);
  o["recoveryId"] = call.api.VaultUrl(VaultOf(call).name) + "/deletedsecrets/" + d.latest.name;
  o["deletedDate"] = d.deleted.deleted_date;
  o["scheduledPurgeDate"] = d.deleted.scheduled_purge_date;
  return o;
}

// Handlers authorize first, then run their body through Respond(), which turns any error
// Status into Azure's error response.

StatusOr<domain::SetSecretParams> ParseSetSecret(const Call& call) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(body, "value"));
  if (!value) return InvalidArgument("The property 'value' is required.");
  KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
  domain::SetSecretParams params;
  params.value = SecretBytes(std::string_view(*value));
  params.content_type = props.content_type;
  if (props.tags) params.tags = *props.tags;
  params.enabled = props.attributes.enabled;
  if (props.attributes.not_before) params.not_before = *props.attributes.not_before;
  if (props.attributes.expires) params.expires = *props.attributes.expires;
  return params;
}

Response SetSecret(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionSet, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::SetSecretParams params, ParseSetSecret(call));
    KH_ASSIGN_OR_RETURN(domain::SecretVersion s,
                        call.services.secrets->Set(VaultOf(call), name, std::move(params)));
    return JsonResponse(200, SecretToJson(call, s, true, true));
  });
}

Response GetSecret(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = DenyData(call, kActionGet, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::SecretVersion s,
                        call.services.secrets->Get(VaultOf(call), name, version));
    // 2025-07-01: a certificate's secret in the other format (PKCS#12 <-> PEM) on request.
    if (call.target.HasQuery("outContentType")) {
      const std::string to = call.target.Query("outContentType");
      if (!s.managed) {
        return InvalidArgument("outContentType applies only to the secret of a certificate.");
      }
      KH_ASSIGN_OR_RETURN(s.value, domain::CertificateService::ConvertSecretValue(
                                       s.value, s.content_type.value_or(""), to));
      s.content_type = to;
    }
    return JsonResponse(200, SecretToJson(call, s, true, true));
  });
}

Response UpdateSecret(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = DenyData(call, kActionUpdate, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    if (body.contains("value")) {
      return InvalidArgument(
          "A secret's value cannot be changed by an update; set a new "
          "version instead.");
    }
    KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
    domain::SecretUpdate update;
    update.content_type = props.content_type;
    update.tags = props.tags;
    update.enabled = props.attributes.enabled;
    update.not_before = props.attributes.not_before;
    update.expires = props.attributes.expires;
    KH_ASSIGN_OR_RETURN(domain::SecretVersion s,
                        call.services.secrets->Update(VaultOf(call), name, version, update));
    return JsonResponse(200, SecretToJson(call, s, false, true));
  });
}

Response ListSecrets(const Call& call) {
  if (auto denied = DenyData(call, kActionRead, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page,
                        call.services.secrets->List(VaultOf(call), paging.marker, paging.size));
    json::array items;
    for (const auto& s : page.items) items.push_back(SecretToJson(call, s, false, false));
    return JsonResponse(
        200, ListPage(call, "/secrets", page.next_marker, paging.size, std::move(items)));
  });
}

Response ListVersions(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRead, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page, call.services.secrets->ListVersions(VaultOf(call), name,
                                                                       paging.marker, paging.size));
    json::array items;
    for (const auto& s : page.items) items.push_back(SecretToJson(call, s, false, true));
    return JsonResponse(200, ListPage(call, "/secrets/" + name + "/versions", page.next_marker,
                                      paging.size, std::move(items)));
  });
}

Response DeleteSecret(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionDelete, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::DeletedSecret d,
                        call.services.secrets->Delete(VaultOf(call), name));
    return JsonResponse(200, DeletedToJson(call, d, false));
  });
}

Response GetDeleted(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionReadDeleted, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::DeletedSecret d,
                        call.services.secrets->GetDeleted(VaultOf(call), name));
    return JsonResponse(200, DeletedToJson(call, d, false));
  });
}

Response ListDeleted(const Call& call) {
  if (auto denied = DenyData(call, kActionReadDeleted, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(
        auto page, call.services.secrets->ListDeleted(VaultOf(call), paging.marker, paging.size));
    json::array items;
    for (const auto& d : page.items) items.push_back(DeletedToJson(call, d, true));
    return JsonResponse(
        200, ListPage(call, "/deletedsecrets", page.next_marker, paging.size, std::move(items)));
  });
}

Response Recover(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRecover, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::SecretVersion s,
                        call.services.secrets->Recover(VaultOf(call), name));
    return JsonResponse(200, SecretToJson(call, s, false, true));
  });
}

Response Purge(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionPurge, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_RETURN_IF_ERROR(call.services.secrets->Purge(VaultOf(call), name));
    return NoContent();
  });
}

Response Backup(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionBackup, "secrets/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(std::string blob, call.services.secrets->Backup(VaultOf(call), name));
    return BackupBlobResponse(blob);
  });
}

Response Restore(const Call& call) {
  if (auto denied = DenyData(call, kActionRestore, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(std::string blob, ParseBackupBlob(call));
    KH_ASSIGN_OR_RETURN(domain::SecretVersion s,
                        call.services.secrets->Restore(VaultOf(call), blob));
    return JsonResponse(200, SecretToJson(call, s, false, true));
  });
}

}  // namespace

bool TrySetSecretAsync(const Call& call, Deferred reply) {
  const auto& s = call.target.segments;
  if (call.request.method != "PUT" || s.size() != 2 || s[0] != "secrets" || s[1].empty()) {
    return false;
  }
  const std::string& name = s[1];
  if (auto denied = DenyData(call, kActionSet, "secrets/" + name)) {
    reply([r = *denied] { return r; });
    return true;
  }
  auto params = ParseSetSecret(call);
  if (!params.ok()) {
    reply([st = params.status()] { return ErrorResponse(st); });
    return true;
  }
  // `call` refers to objects that live until the reply is written; copy the Call itself.
  Call saved = call;
  return call.services.secrets->TrySetAsync(
      VaultOf(call), name, std::move(*params),
      [saved, reply](StatusOr<domain::SecretVersion> result) {
        // On the committing thread: hand over; the response is built by the reply's thread.
        auto shared = std::make_shared<StatusOr<domain::SecretVersion>>(std::move(result));
        reply([saved, shared]() {
          if (!shared->ok()) return ErrorResponse(shared->status());
          return JsonResponse(200, SecretToJson(saved, **shared, true, true));
        });
      });
}

Response HandleSecrets(const Call& call) {
  const auto& s = call.target.segments;
  const std::string& m = call.request.method;
  if (s[0] == "deletedsecrets") {
    return RouteDeletedCollection(call, {ListDeleted, GetDeleted, Purge, Recover});
  }
  // /secrets...
  if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
    return m == "GET" ? ListSecrets(call) : MethodNotAllowed(call.request);
  }
  const std::string& name = s[1];
  if (s.size() == 2) {
    if (m == "POST" && name == "restore") return Restore(call);
    if (m == "PUT") return SetSecret(call, name);
    if (m == "GET") return GetSecret(call, name, "");
    if (m == "PATCH") return UpdateSecret(call, name, "");
    if (m == "DELETE") return DeleteSecret(call, name);
    return MethodNotAllowed(call.request);
  }
  if (s.size() == 3) {
    const std::string& third = s[2];
    if (third == "versions")
      return m == "GET" ? ListVersions(call, name) : MethodNotAllowed(call.request);
    if (third == "backup") return m == "POST" ? Backup(call, name) : MethodNotAllowed(call.request);
    if (m == "GET") return GetSecret(call, name, third);
    if (m == "PATCH") return UpdateSecret(call, name, third);
    return MethodNotAllowed(call.request);
  }
  return UnknownRoute(call.request);
}

}  // namespace kh::api
