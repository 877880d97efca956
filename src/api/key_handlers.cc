// The keys data plane: /keys, /deletedkeys and /rng (azure-kv-dataplane.md sections 2 and 5).
// Key creation, import and the cryptographic operations are POST/PUT, so the http layer runs
// them on the worker pool (only GETs are served on I/O threads): RSA generation and private-key
// operations never block an I/O thread.
#include "api/key_handlers.h"

#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/key_json.h"
#include "api/object_json.h"
#include "core/base64.h"
#include "crypto/rng.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionRead = "Microsoft.KeyVault/vaults/keys/read";
constexpr std::string_view kActionCreate = "Microsoft.KeyVault/vaults/keys/create/action";
constexpr std::string_view kActionImport = "Microsoft.KeyVault/vaults/keys/import/action";
constexpr std::string_view kActionUpdate = "Microsoft.KeyVault/vaults/keys/update/action";
constexpr std::string_view kActionDelete = "Microsoft.KeyVault/vaults/keys/delete";
constexpr std::string_view kActionBackup = "Microsoft.KeyVault/vaults/keys/backup/action";
constexpr std::string_view kActionRestore = "Microsoft.KeyVault/vaults/keys/restore/action";
constexpr std::string_view kActionRecover = "Microsoft.KeyVault/vaults/keys/recover/action";
constexpr std::string_view kActionPurge = "Microsoft.KeyVault/vaults/keys/purge/action";
constexpr std::string_view kActionRotate = "Microsoft.KeyVault/vaults/keys/rotate/action";
constexpr std::string_view kActionPolicyRead = "Microsoft.KeyVault/vaults/keyrotationpolicies/read";
constexpr std::string_view kActionPolicyWrite =
    "Microsoft.KeyVault/vaults/keyrotationpolicies/write";
constexpr std::string_view kActionRng = "Microsoft.KeyVault/vaults/rng/action";

// GetRandomBytes: count in 1..128 (Azure's limit).
constexpr int64_t kMaxRandomBytes = 128;

// The attributes only keys have: exportable (read by create and import).
StatusOr<std::optional<bool>> ParseExportable(const json::object& body) {
  KH_ASSIGN_OR_RETURN(std::optional<json::object> attrs, OptObject(body, "attributes"));
  if (!attrs) return std::optional<bool>();
  return OptBool(*attrs, "exportable");
}

Status RefuseReleasePolicy(const json::object& body) {
  auto it = body.find("release_policy");
  if (it != body.end() && !it->value().is_null()) {
    return InvalidArgument("Key release policies are not supported by this server.");
  }
  return Status();
}

StatusOr<domain::CreateKeyParams> ParseCreateKey(const Call& call) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_RETURN_IF_ERROR(RefuseReleasePolicy(body));
  domain::CreateKeyParams params;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> kty, OptString(body, "kty"));
  if (!kty) return InvalidArgument("The property 'kty' is required.");
  params.kty = *kty;
  KH_ASSIGN_OR_RETURN(std::optional<int64_t> key_size, OptInt(body, "key_size"));
  if (key_size) {
    if (*key_size < 0 || *key_size > 1 << 20) return InvalidArgument("Invalid key_size.");
    params.key_size = static_cast<int>(*key_size);
  }
  KH_ASSIGN_OR_RETURN(params.public_exponent, OptInt(body, "public_exponent"));
  KH_ASSIGN_OR_RETURN(params.curve, OptString(body, "crv"));
  KH_ASSIGN_OR_RETURN(params.key_ops, ParseKeyOps(body, "key_ops"));
  KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
  if (props.tags) params.tags = *props.tags;
  params.enabled = props.attributes.enabled;
  if (props.attributes.not_before) params.not_before = *props.attributes.not_before;
  if (props.attributes.expires) params.expires = *props.attributes.expires;
  KH_ASSIGN_OR_RETURN(params.exportable, ParseExportable(body));
  return params;
}

StatusOr<domain::ImportKeyParams> ParseImportKey(const Call& call) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_RETURN_IF_ERROR(RefuseReleasePolicy(body));
  KH_ASSIGN_OR_RETURN(std::optional<json::object> jwk, OptObject(body, "key"));
  if (!jwk) return InvalidArgument("The property 'key' is required.");
  KH_ASSIGN_OR_RETURN(ParsedJwk parsed, ParseJwk(*jwk));
  domain::ImportKeyParams params;
  params.jwk = std::move(parsed.components);
  params.key_ops = std::move(parsed.key_ops);
  // The REST API spells it "Hsm"; accept the JSON-style spelling too.
  KH_ASSIGN_OR_RETURN(std::optional<bool> hsm, OptBool(body, "Hsm"));
  if (!hsm) {
    KH_ASSIGN_OR_RETURN(hsm, OptBool(body, "hsm"));
  }
  params.hsm = parsed.hsm || hsm.value_or(false);
  KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
  if (props.tags) params.tags = *props.tags;
  params.enabled = props.attributes.enabled;
  if (props.attributes.not_before) params.not_before = *props.attributes.not_before;
  if (props.attributes.expires) params.expires = *props.attributes.expires;
  KH_ASSIGN_OR_RETURN(params.exportable, ParseExportable(body));
  return params;
}

Response CreateKey(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionCreate, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::CreateKeyParams params, ParseCreateKey(call));
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k,
                        call.services.keys->Create(VaultOf(call), name, std::move(params)));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response ImportKey(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionImport, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::ImportKeyParams params, ParseImportKey(call));
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k,
                        call.services.keys->Import(VaultOf(call), name, std::move(params)));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response GetKey(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = DenyData(call, kActionRead, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k,
                        call.services.keys->Get(VaultOf(call), name, version));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response UpdateKey(const Call& call, const std::string& name, const std::string& version) {
  if (auto denied = DenyData(call, kActionUpdate, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_RETURN_IF_ERROR(RefuseReleasePolicy(body));
    KH_ASSIGN_OR_RETURN(PropertiesInput props, ParseProperties(body));
    domain::KeyUpdate update;
    KH_ASSIGN_OR_RETURN(update.key_ops, ParseKeyOps(body, "key_ops"));
    update.tags = props.tags;
    update.enabled = props.attributes.enabled;
    update.not_before = props.attributes.not_before;
    update.expires = props.attributes.expires;
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k,
                        call.services.keys->Update(VaultOf(call), name, version, update));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response ListKeys(const Call& call) {
  if (auto denied = DenyData(call, kActionRead, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page,
                        call.services.keys->List(VaultOf(call), paging.marker, paging.size));
    json::array items;
    for (const auto& k : page.items) items.push_back(KeyItemToJson(call, k, false));
    return JsonResponse(200,
                        ListPage(call, "/keys", page.next_marker, paging.size, std::move(items)));
  });
}

Response ListVersions(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRead, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page, call.services.keys->ListVersions(VaultOf(call), name,
                                                                    paging.marker, paging.size));
    json::array items;
    for (const auto& k : page.items) items.push_back(KeyItemToJson(call, k, true));
    return JsonResponse(200, ListPage(call, "/keys/" + name + "/versions", page.next_marker,
                                      paging.size, std::move(items)));
  });
}

Response DeleteKey(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionDelete, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::DeletedKey d, call.services.keys->Delete(VaultOf(call), name));
    return JsonResponse(200, DeletedKeyToJson(call, d, false));
  });
}

Response GetDeleted(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRead, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::DeletedKey d, call.services.keys->GetDeleted(VaultOf(call), name));
    return JsonResponse(200, DeletedKeyToJson(call, d, false));
  });
}

Response ListDeleted(const Call& call) {
  if (auto denied = DenyData(call, kActionRead, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(PageRequest paging, ParsePageRequest(call));
    KH_ASSIGN_OR_RETURN(auto page,
                        call.services.keys->ListDeleted(VaultOf(call), paging.marker, paging.size));
    json::array items;
    for (const auto& d : page.items) items.push_back(DeletedKeyToJson(call, d, true));
    return JsonResponse(
        200, ListPage(call, "/deletedkeys", page.next_marker, paging.size, std::move(items)));
  });
}

Response Recover(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRecover, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k, call.services.keys->Recover(VaultOf(call), name));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response Purge(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionPurge, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_RETURN_IF_ERROR(call.services.keys->Purge(VaultOf(call), name));
    return NoContent();
  });
}

Response Backup(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionBackup, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(std::string blob, call.services.keys->Backup(VaultOf(call), name));
    return BackupBlobResponse(blob);
  });
}

Response Restore(const Call& call) {
  if (auto denied = DenyData(call, kActionRestore, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(std::string blob, ParseBackupBlob(call));
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k, call.services.keys->Restore(VaultOf(call), blob));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response Rotate(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionRotate, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::KeyVersion k,
                        call.services.key_rotation->Rotate(VaultOf(call), name));
    return JsonResponse(200, KeyBundleToJson(call, k));
  });
}

Response GetRotationPolicy(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionPolicyRead, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(domain::KeyRotationPolicy policy,
                        call.services.key_rotation->GetPolicy(VaultOf(call), name));
    return JsonResponse(200, RotationPolicyToJson(call, name, policy));
  });
}

Response SetRotationPolicy(const Call& call, const std::string& name) {
  if (auto denied = DenyData(call, kActionPolicyWrite, "keys/" + name)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(domain::KeyRotationPolicy policy, ParseRotationPolicy(body));
    KH_ASSIGN_OR_RETURN(
        policy, call.services.key_rotation->SetPolicy(VaultOf(call), name, std::move(policy)));
    return JsonResponse(200, RotationPolicyToJson(call, name, policy));
  });
}

Response RandomBytes(const Call& call) {
  if (auto denied = DenyData(call, kActionRng, "")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(std::optional<int64_t> count, OptInt(body, "count"));
    if (!count) return InvalidArgument("The property 'count' is required.");
    if (*count < 1 || *count > kMaxRandomBytes) {
      return InvalidArgument(
          "GetRandomBytesRequest: count cannot be greater than 128 or less "
          "than 1.");
    }
    std::string bytes = crypto::RandomBytes(static_cast<size_t>(*count));
    return JsonResponse(200, json::object{{"value", Base64UrlEncode(bytes)}});
  });
}

}  // namespace

Response HandleKeys(const Call& call) {
  const auto& s = call.target.segments;
  const std::string& m = call.request.method;
  if (s[0] == "rng") {
    if (s.size() != 1) return UnknownRoute(call.request);
    return m == "POST" ? RandomBytes(call) : MethodNotAllowed(call.request);
  }
  if (s[0] == "deletedkeys") {
    return RouteDeletedCollection(call, {ListDeleted, GetDeleted, Purge, Recover});
  }
  // /keys...
  if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
    return m == "GET" ? ListKeys(call) : MethodNotAllowed(call.request);
  }
  const std::string& name = s[1];
  if (s.size() == 2) {
    if (m == "POST" && name == "restore") return Restore(call);
    if (m == "PUT") return ImportKey(call, name);
    if (m == "GET") return GetKey(call, name, "");
    if (m == "PATCH") return UpdateKey(call, name, "");
    if (m == "DELETE") return DeleteKey(call, name);
    return MethodNotAllowed(call.request);
  }
  if (s.size() == 3) {
    const std::string& third = s[2];
    if (third == "create") {
      return m == "POST" ? CreateKey(call, name) : MethodNotAllowed(call.request);
    }
    if (third == "versions") {
      return m == "GET" ? ListVersions(call, name) : MethodNotAllowed(call.request);
    }
    if (third == "backup") return m == "POST" ? Backup(call, name) : MethodNotAllowed(call.request);
    if (third == "rotate") return m == "POST" ? Rotate(call, name) : MethodNotAllowed(call.request);
    if (third == "rotationpolicy") {
      if (m == "GET") return GetRotationPolicy(call, name);
      if (m == "PUT") return SetRotationPolicy(call, name);
      return MethodNotAllowed(call.request);
    }
    if (m == "GET") return GetKey(call, name, third);
    if (m == "PATCH") return UpdateKey(call, name, third);
    return MethodNotAllowed(call.request);
  }
  if (s.size() == 4) {
    if (auto op = ParseKeyOperationPath(s[3])) {
      return m == "POST" ? KeyOperation(call, name, s[2], *op) : MethodNotAllowed(call.request);
    }
  }
  return UnknownRoute(call.request);
}

}  // namespace kh::api
