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
constexpr std::string_view kActionReadDeleted = "Microsoft.KeyVault/vaults/deletedsecrets/read";
constexpr std::string_view kActionRecover =
    "Microsoft.KeyVault/vaults/deletedsecrets/recover/action";
constexpr std::string_view kActionPurge = "Microsoft.KeyVault/vaults/deletedsecrets/delete";

const domain::Vault& VaultOf(const Call& call) { return *call.admission.vault; }

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
  if (s.key_id) o["kid"] = *s.key_id;
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

Response SetSecret(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionSet)) return *denied;
  auto body = ParseJsonObject(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  auto value = OptString(*body, "value");
  if (!value.ok()) return ErrorResponse(value.status());
  if (!*value) return ErrorResponse(InvalidArgument("The property 'value' is required."));
  domain::SetSecretParams params;
  params.value = SecretBytes(std::string_view(**value));
  auto content_type = OptString(*body, "contentType");
  auto tags = OptStringMap(*body, "tags");
  auto attrs = ParseAttributes(*body);
  if (!content_type.ok()) return ErrorResponse(content_type.status());
  if (!tags.ok()) return ErrorResponse(tags.status());
  if (!attrs.ok()) return ErrorResponse(attrs.status());
  params.content_type = *content_type;
  if (*tags) params.tags = **tags;
  params.enabled = attrs->enabled;
  if (attrs->not_before) params.not_before = *attrs->not_before;
  if (attrs->expires) params.expires = *attrs->expires;
  auto s = call.services.secrets->Set(VaultOf(call), name, std::move(params));
  if (!s.ok()) return ErrorResponse(s.status());
  return JsonResponse(200, SecretToJson(call, *s, true, true));
}

Response GetSecret(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = Deny(call, kActionGet)) return *denied;
  auto s = call.services.secrets->Get(VaultOf(call), name, version);
  if (!s.ok()) return ErrorResponse(s.status());
  return JsonResponse(200, SecretToJson(call, *s, true, true));
}

Response UpdateSecret(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = Deny(call, kActionUpdate)) return *denied;
  auto body = ParseJsonObject(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  if (body->contains("value")) {
    return ErrorResponse(InvalidArgument("A secret's value cannot be changed by an update; set a "
                                         "new version instead."));
  }
  domain::SecretUpdate update;
  auto content_type = OptString(*body, "contentType");
  auto tags = OptStringMap(*body, "tags");
  auto attrs = ParseAttributes(*body);
  if (!content_type.ok()) return ErrorResponse(content_type.status());
  if (!tags.ok()) return ErrorResponse(tags.status());
  if (!attrs.ok()) return ErrorResponse(attrs.status());
  update.content_type = *content_type;
  update.tags = *tags;
  update.enabled = attrs->enabled;
  update.not_before = attrs->not_before;
  update.expires = attrs->expires;
  auto s = call.services.secrets->Update(VaultOf(call), name, version, update);
  if (!s.ok()) return ErrorResponse(s.status());
  return JsonResponse(200, SecretToJson(call, *s, false, true));
}

Response ListSecrets(const Call& call) {
  if (auto denied = Deny(call, kActionRead)) return *denied;
  auto paging = ParsePageRequest(call);
  if (!paging.ok()) return ErrorResponse(paging.status());
  auto page = call.services.secrets->List(VaultOf(call), paging->marker, paging->size);
  if (!page.ok()) return ErrorResponse(page.status());
  json::array items;
  for (const auto& s : page->items) items.push_back(SecretToJson(call, s, false, false));
  return JsonResponse(200, json::object{{"value", std::move(items)},
                                        {"nextLink", NextLink(call, "/secrets", page->next_marker,
                                                              paging->size)}});
}

Response ListVersions(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionRead)) return *denied;
  auto paging = ParsePageRequest(call);
  if (!paging.ok()) return ErrorResponse(paging.status());
  auto page = call.services.secrets->ListVersions(VaultOf(call), name, paging->marker, paging->size);
  if (!page.ok()) return ErrorResponse(page.status());
  json::array items;
  for (const auto& s : page->items) items.push_back(SecretToJson(call, s, false, true));
  return JsonResponse(
      200, json::object{{"value", std::move(items)},
                        {"nextLink", NextLink(call, "/secrets/" + name + "/versions",
                                              page->next_marker, paging->size)}});
}

Response DeleteSecret(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionDelete)) return *denied;
  auto d = call.services.secrets->Delete(VaultOf(call), name);
  if (!d.ok()) return ErrorResponse(d.status());
  return JsonResponse(200, DeletedToJson(call, *d, false));
}

Response GetDeleted(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionReadDeleted)) return *denied;
  auto d = call.services.secrets->GetDeleted(VaultOf(call), name);
  if (!d.ok()) return ErrorResponse(d.status());
  return JsonResponse(200, DeletedToJson(call, *d, false));
}

Response ListDeleted(const Call& call) {
  if (auto denied = Deny(call, kActionReadDeleted)) return *denied;
  auto paging = ParsePageRequest(call);
  if (!paging.ok()) return ErrorResponse(paging.status());
  auto page = call.services.secrets->ListDeleted(VaultOf(call), paging->marker, paging->size);
  if (!page.ok()) return ErrorResponse(page.status());
  json::array items;
  for (const auto& d : page->items) items.push_back(DeletedToJson(call, d, true));
  return JsonResponse(200, json::object{{"value", std::move(items)},
                                        {"nextLink", NextLink(call, "/deletedsecrets",
                                                              page->next_marker, paging->size)}});
}

Response Recover(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionRecover)) return *denied;
  auto s = call.services.secrets->Recover(VaultOf(call), name);
  if (!s.ok()) return ErrorResponse(s.status());
  return JsonResponse(200, SecretToJson(call, *s, false, true));
}

Response Purge(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionPurge)) return *denied;
  Status st = call.services.secrets->Purge(VaultOf(call), name);
  if (!st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

Response Backup(const Call& call, const std::string& name) {
  if (auto denied = Deny(call, kActionBackup)) return *denied;
  auto blob = call.services.secrets->Backup(VaultOf(call), name);
  if (!blob.ok()) return ErrorResponse(blob.status());
  return JsonResponse(200, json::object{{"value", Base64UrlEncode(*blob)}});
}

Response Restore(const Call& call) {
  if (auto denied = Deny(call, kActionRestore)) return *denied;
  auto body = ParseJsonObject(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  auto value = OptString(*body, "value");
  if (!value.ok()) return ErrorResponse(value.status());
  if (!*value) return ErrorResponse(InvalidArgument("The property 'value' is required."));
  auto blob = Base64UrlDecode(**value);
  if (!blob.ok()) return ErrorResponse(InvalidArgument("The backup blob is not base64url."));
  auto s = call.services.secrets->Restore(VaultOf(call), *blob);
  if (!s.ok()) return ErrorResponse(s.status());
  return JsonResponse(200, SecretToJson(call, *s, false, true));
}

}  // namespace

Response HandleSecrets(const Call& call) {
  const auto& s = call.target.segments;
  const std::string& m = call.request.method;
  if (s[0] == "deletedsecrets") {
    if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
      return m == "GET" ? ListDeleted(call) : MethodNotAllowed(call.request);
    }
    if (s.size() == 2) {
      if (m == "GET") return GetDeleted(call, s[1]);
      if (m == "DELETE") return Purge(call, s[1]);
      return MethodNotAllowed(call.request);
    }
    if (s.size() == 3 && s[2] == "recover") {
      return m == "POST" ? Recover(call, s[1]) : MethodNotAllowed(call.request);
    }
    return UnknownRoute(call.request);
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
    if (third == "versions") return m == "GET" ? ListVersions(call, name) : MethodNotAllowed(call.request);
    if (third == "backup") return m == "POST" ? Backup(call, name) : MethodNotAllowed(call.request);
    if (m == "GET") return GetSecret(call, name, third);
    if (m == "PATCH") return UpdateSecret(call, name, third);
    return MethodNotAllowed(call.request);
  }
  return UnknownRoute(call.request);
}

}  // namespace kh::api
