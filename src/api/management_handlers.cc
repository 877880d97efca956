// The management surface: a compatible subset of ARM's Microsoft.KeyVault/vaults
// (azure-kv-governance.md section 1), enough for @azure/arm-keyvault and `az keyvault`.
#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/time_format.h"
#include "domain/names.h"

namespace kh::api {
namespace json = boost::json;
namespace {

// keyhavenNearExpiryDays: up to 5 distinct whole days from 1 to 3650, e.g. [30, 7, 1].
StatusOr<std::vector<int>> ParseNearExpiryDays(const json::value& v) {
  const Status bad = InvalidArgument(
      "The property \"keyhavenNearExpiryDays\" must be an array of up to 5 distinct whole days "
      "from 1 to 3650.",
      "BadRequest");
  if (!v.is_array() || v.as_array().size() > 5) return bad;
  std::vector<int> days;
  for (const auto& d : v.as_array()) {
    if (!d.is_int64() || d.as_int64() < 1 || d.as_int64() > 3650) return bad;
    const int day = static_cast<int>(d.as_int64());
    if (std::find(days.begin(), days.end(), day) != days.end()) return bad;
    days.push_back(day);
  }
  std::sort(days.rbegin(), days.rend());
  return days;
}

json::array NearExpiryDaysJson(const domain::Vault& v) {
  json::array out;
  for (int d : v.near_expiry_days) out.push_back(d);
  return out;
}

constexpr std::string_view kActionRead = "Microsoft.KeyVault/vaults/read";
constexpr std::string_view kActionWrite = "Microsoft.KeyVault/vaults/write";
constexpr std::string_view kActionDelete = "Microsoft.KeyVault/vaults/delete";

bool Is(const std::string& segment, std::string_view word) {
  return domain::Lower(segment) == domain::Lower(word);
}

json::array PoliciesToJson(const std::vector<domain::AccessPolicy>& policies) {
  json::array out;
  for (const auto& p : policies) {
    json::object entry{{"tenantId", p.tenant_id}, {"objectId", p.object_id}};
    if (!p.application_id.empty()) entry["applicationId"] = p.application_id;
    entry["permissions"] = json::object{{"keys", StringsToJson(p.keys)},
                                        {"secrets", StringsToJson(p.secrets)},
                                        {"certificates", StringsToJson(p.certificates)},
                                        {"storage", StringsToJson(p.storage)}};
    out.push_back(std::move(entry));
  }
  return out;
}

json::object VaultToJson(const Call& call, const domain::Vault& v) {
  json::object props{
      {"tenantId", v.tenant_id},
      {"sku", json::object{{"family", v.sku_family}, {"name", v.sku_name}}},
      {"accessPolicies", PoliciesToJson(v.access_policies)},
      {"vaultUri", call.api.VaultUrl(v.name) + "/"},
      {"enabledForDeployment", v.enabled_for_deployment},
      {"enabledForDiskEncryption", v.enabled_for_disk_encryption},
      {"enabledForTemplateDeployment", v.enabled_for_template_deployment},
      {"enableSoftDelete", true},
      {"softDeleteRetentionInDays", v.retention_days},
      {"enableRbacAuthorization", v.enable_rbac_authorization},
      {"keyhavenAutomaticBackups", v.automatic_backups},
      {"keyhavenNearExpiryDays", NearExpiryDaysJson(v)},
      {"provisioningState", "Succeeded"},
      {"publicNetworkAccess", v.public_network_access},
  };
  if (v.purge_protection) props["enablePurgeProtection"] = true;
  if (v.network_acls_set) {
    json::array ip_rules, vnet_rules;
    for (const auto& rule : v.ip_rules) ip_rules.push_back(json::object{{"value", rule}});
    for (const auto& id : v.virtual_network_rules) {
      vnet_rules.push_back(json::object{{"id", id}, {"ignoreMissingVnetServiceEndpoint", false}});
    }
    props["networkAcls"] = json::object{{"bypass", v.network_bypass},
                                        {"defaultAction", v.network_default_action},
                                        {"ipRules", std::move(ip_rules)},
                                        {"virtualNetworkRules", std::move(vnet_rules)}};
  }
  return json::object{
      {"id", "/subscriptions/" + call.config.subscription_id + "/resourceGroups/" +
                 v.resource_group + "/providers/Microsoft.KeyVault/vaults/" + v.name},
      {"name", v.name},
      {"type", "Microsoft.KeyVault/vaults"},
      {"location", v.location},
      {"tags", TagsToJson(v.tags)},
      {"systemData", json::object{{"createdBy", v.created_by},
                                  {"createdByType", "Application"},
                                  {"createdAt", FormatIso8601(v.created_at)},
                                  {"lastModifiedBy", v.last_modified_by},
                                  {"lastModifiedByType", "Application"},
                                  {"lastModifiedAt", FormatIso8601(v.last_modified_at)}}},
      {"properties", std::move(props)},
  };
}

StatusOr<json::array> OptArray(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return json::array{};
  if (!it->value().is_array()) {
    return InvalidArgument("The property '" + std::string(key) + "' must be an array.",
                           "BadRequest");
  }
  return it->value().as_array();
}

// networkAcls: ip rules are validated and canonicalized ("1.2.3.4" -> "1.2.3.4/32", as Azure
// returns them); virtual network rules must name a network configured on this server.
StatusOr<domain::NetworkAclsSpec> ParseNetworkAcls(const Call& call, const json::object& acls) {
  domain::NetworkAclsSpec spec;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> action, OptString(acls, "defaultAction"));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> bypass, OptString(acls, "bypass"));
  if (action) spec.default_action = *action;
  if (bypass) spec.bypass = *bypass;
  KH_ASSIGN_OR_RETURN(json::array ip_rules, OptArray(acls, "ipRules"));
  for (const auto& rule : ip_rules) {
    if (!rule.is_object()) return InvalidArgument("ipRules items must be objects.", "BadRequest");
    KH_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(rule.as_object(), "value"));
    if (!value) return InvalidArgument("ipRules items need a 'value'.", "BadRequest");
    auto network = authz::IpNetwork::Parse(*value);
    if (!network.ok()) return InvalidArgument(network.status().message(), "BadRequest");
    spec.ip_rules.push_back(network->ToString());
  }
  KH_ASSIGN_OR_RETURN(json::array vnet_rules, OptArray(acls, "virtualNetworkRules"));
  for (const auto& rule : vnet_rules) {
    if (!rule.is_object()) {
      return InvalidArgument("virtualNetworkRules items must be objects.", "BadRequest");
    }
    KH_ASSIGN_OR_RETURN(std::optional<std::string> id, OptString(rule.as_object(), "id"));
    if (!id || !call.config.network.named_networks.count(domain::Lower(*id))) {
      return InvalidArgument("The virtual network rule '" + id.value_or("").substr(0, 200) +
                                 "' names no network configured on this server (serve --network).",
                             "BadRequest");
    }
    spec.virtual_network_rules.push_back(domain::Lower(*id));
  }
  return spec;
}

StatusOr<std::vector<domain::AccessPolicy>> ParsePolicies(const json::array& items) {
  std::vector<domain::AccessPolicy> out;
  for (const auto& item : items) {
    if (!item.is_object()) {
      return InvalidArgument("accessPolicies items must be objects.", "BadRequest");
    }
    const json::object& o = item.as_object();
    domain::AccessPolicy p;
    KH_ASSIGN_OR_RETURN(std::optional<std::string> tenant, OptString(o, "tenantId"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> object_id, OptString(o, "objectId"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> app, OptString(o, "applicationId"));
    KH_ASSIGN_OR_RETURN(std::optional<json::object> perms, OptObject(o, "permissions"));
    if (!object_id || object_id->empty()) {
      return InvalidArgument("Every access policy needs an objectId.", "BadRequest");
    }
    p.tenant_id = tenant.value_or("");
    p.object_id = *object_id;
    p.application_id = app.value_or("");
    if (perms) {
      KH_ASSIGN_OR_RETURN(p.keys, OptStringList(*perms, "keys", "BadRequest"));
      KH_ASSIGN_OR_RETURN(p.secrets, OptStringList(*perms, "secrets", "BadRequest"));
      KH_ASSIGN_OR_RETURN(p.certificates, OptStringList(*perms, "certificates", "BadRequest"));
      KH_ASSIGN_OR_RETURN(p.storage, OptStringList(*perms, "storage", "BadRequest"));
    }
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<domain::VaultSpec> ParseSpec(const Call& call, bool is_put) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  domain::VaultSpec spec;
  KH_ASSIGN_OR_RETURN(spec.location, OptString(body, "location"));
  KH_ASSIGN_OR_RETURN(spec.tags, OptStringMap(body, "tags"));
  KH_ASSIGN_OR_RETURN(std::optional<json::object> props, OptObject(body, "properties"));
  if (is_put && (!spec.location || spec.location->empty())) {
    return InvalidArgument("The property 'location' is required.", "BadRequest");
  }
  if (is_put && !props) {
    return InvalidArgument("The property 'properties' is required.", "BadRequest");
  }
  if (!props) return spec;
  KH_ASSIGN_OR_RETURN(spec.tenant_id, OptString(*props, "tenantId"));
  if (is_put && !spec.tenant_id) {
    return InvalidArgument("The property 'properties.tenantId' is required.", "BadRequest");
  }
  if (spec.tenant_id && domain::Lower(*spec.tenant_id) != domain::Lower(call.config.tenant_id)) {
    return InvalidArgument("The tenant '" + spec.tenant_id->substr(0, 64) +
                               "' is not the tenant of this server ('" + call.config.tenant_id +
                               "').",
                           "BadRequest");
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> sku, OptObject(*props, "sku"));
  if (is_put && !sku) {
    return InvalidArgument("The property 'properties.sku' is required.", "BadRequest");
  }
  if (sku) {
    KH_ASSIGN_OR_RETURN(spec.sku_family, OptString(*sku, "family"));
    KH_ASSIGN_OR_RETURN(spec.sku_name, OptString(*sku, "name"));
  }
  KH_ASSIGN_OR_RETURN(std::optional<int64_t> days, OptInt(*props, "softDeleteRetentionInDays"));
  if (days) {
    if (*days < 0 || *days > 1000) {
      return InvalidArgument("The property \"softDeleteRetentionInDays\" must be between 7 and 90.",
                             "BadRequest");
    }
    spec.retention_days = static_cast<int>(*days);
  }
  KH_ASSIGN_OR_RETURN(spec.purge_protection, OptBool(*props, "enablePurgeProtection"));
  KH_ASSIGN_OR_RETURN(spec.enable_soft_delete, OptBool(*props, "enableSoftDelete"));
  KH_ASSIGN_OR_RETURN(spec.enable_rbac_authorization, OptBool(*props, "enableRbacAuthorization"));
  KH_ASSIGN_OR_RETURN(spec.automatic_backups, OptBool(*props, "keyhavenAutomaticBackups"));
  if (const json::value* days = props->if_contains("keyhavenNearExpiryDays")) {
    KH_ASSIGN_OR_RETURN(spec.near_expiry_days, ParseNearExpiryDays(*days));
  }
  KH_ASSIGN_OR_RETURN(spec.enabled_for_deployment, OptBool(*props, "enabledForDeployment"));
  KH_ASSIGN_OR_RETURN(spec.enabled_for_disk_encryption,
                      OptBool(*props, "enabledForDiskEncryption"));
  KH_ASSIGN_OR_RETURN(spec.enabled_for_template_deployment,
                      OptBool(*props, "enabledForTemplateDeployment"));
  KH_ASSIGN_OR_RETURN(spec.public_network_access, OptString(*props, "publicNetworkAccess"));
  if (props->contains("accessPolicies")) {
    KH_ASSIGN_OR_RETURN(json::array policies, OptArray(*props, "accessPolicies"));
    KH_ASSIGN_OR_RETURN(spec.access_policies, ParsePolicies(policies));
  }
  KH_ASSIGN_OR_RETURN(std::optional<json::object> acls, OptObject(*props, "networkAcls"));
  if (acls) {
    KH_ASSIGN_OR_RETURN(spec.network_acls, ParseNetworkAcls(call, *acls));
  }
  KH_ASSIGN_OR_RETURN(std::optional<std::string> create_mode, OptString(*props, "createMode"));
  if (create_mode) {
    const std::string mode = domain::Lower(*create_mode);
    if (mode != "recover" && mode != "default") {
      return InvalidArgument("The property 'createMode' must be 'default' or 'recover'.",
                             "BadRequest");
    }
    spec.recover = mode == "recover";
  }
  return spec;
}

std::string VaultScope(const Call& call, const std::string& rg, const std::string& name) {
  return "/subscriptions/" + call.config.subscription_id + "/resourceGroups/" + rg +
         "/providers/Microsoft.KeyVault/vaults/" + name;
}

std::string CallerName(const Call& call) { return call.admission.caller->client_id; }

Response VaultResource(const Call& call, const std::string& rg, const std::string& name) {
  auto* vaults = call.services.vaults;
  const std::string& m = call.request.method;
  if (m == "GET") {
    if (auto denied = DenyManagement(call, kActionRead, VaultScope(call, rg, name))) {
      return *denied;
    }
    auto v = vaults->Get(rg, name);
    if (!v.ok()) return ErrorResponse(v.status());
    return JsonResponse(200, VaultToJson(call, **v));
  }
  if (m == "PUT" || m == "PATCH") {
    if (auto denied = DenyManagement(call, kActionWrite, VaultScope(call, rg, name))) {
      return *denied;
    }
    auto spec = ParseSpec(call, m == "PUT");
    if (!spec.ok()) return ErrorResponse(spec.status());
    if (m == "PUT" && spec->recover) {
      auto recovered = vaults->Recover(rg, name, CallerName(call));
      if (!recovered.ok()) return ErrorResponse(recovered.status());
      return JsonResponse(200, VaultToJson(call, **recovered));
    }
    if (m == "PUT") {
      auto result = vaults->CreateOrUpdate(rg, name, *spec, CallerName(call));
      if (!result.ok()) return ErrorResponse(result.status());
      return JsonResponse(200, VaultToJson(call, *result->vault));
    }
    auto v = vaults->Update(rg, name, *spec, CallerName(call));
    if (!v.ok()) return ErrorResponse(v.status());
    return JsonResponse(200, VaultToJson(call, **v));
  }
  if (m == "DELETE") {
    if (auto denied = DenyManagement(call, kActionDelete, VaultScope(call, rg, name))) {
      return *denied;
    }
    Status st = vaults->Delete(rg, name);
    Response r;
    if (st.code() == StatusCode::kNotFound) {
      r.status = 204;  // ARM deletes are idempotent
      return r;
    }
    if (!st.ok()) return ErrorResponse(st);
    r.status = 200;
    return r;
  }
  return MethodNotAllowed(call.request);
}

Response VaultList(const Call& call, std::optional<std::string> rg) {
  if (call.request.method != "GET") return MethodNotAllowed(call.request);
  std::string scope = "/subscriptions/" + call.config.subscription_id;
  if (rg) scope += "/resourceGroups/" + *rg;
  if (auto denied = DenyManagement(call, kActionRead, scope)) return *denied;
  auto list = call.services.vaults->List(rg ? std::optional<std::string_view>(*rg) : std::nullopt);
  if (!list.ok()) return ErrorResponse(list.status());
  json::array items;
  for (const auto& v : *list) items.push_back(VaultToJson(call, *v));
  return JsonResponse(200, json::object{{"value", std::move(items)}});
}

constexpr std::string_view kActionPoliciesWrite = "Microsoft.KeyVault/vaults/accessPolicies/write";

Response UpdateAccessPolicies(const Call& call, const std::string& rg, const std::string& name,
                              const std::string& kind_text) {
  if (call.request.method != "PUT") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionPoliciesWrite, VaultScope(call, rg, name))) {
    return *denied;
  }
  return Respond([&]() -> StatusOr<Response> {
    std::string kind_lower = domain::Lower(kind_text);
    domain::AccessPolicyUpdate kind;
    if (kind_lower == "add") {
      kind = domain::AccessPolicyUpdate::kAdd;
    } else if (kind_lower == "replace") {
      kind = domain::AccessPolicyUpdate::kReplace;
    } else if (kind_lower == "remove") {
      kind = domain::AccessPolicyUpdate::kRemove;
    } else {
      return InvalidArgument("The operation kind must be add, replace or remove.", "BadRequest");
    }
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(std::optional<json::object> props, OptObject(body, "properties"));
    if (!props) return InvalidArgument("The property 'properties' is required.", "BadRequest");
    KH_ASSIGN_OR_RETURN(json::array items, OptArray(*props, "accessPolicies"));
    KH_ASSIGN_OR_RETURN(std::vector<domain::AccessPolicy> policies, ParsePolicies(items));
    KH_ASSIGN_OR_RETURN(auto vault, call.services.vaults->UpdateAccessPolicies(
                                        rg, name, kind, policies, CallerName(call)));
    return JsonResponse(
        200, json::object{{"id", VaultScope(call, rg, name) + "/accessPolicies/"},
                          {"type", "Microsoft.KeyVault/vaults/accessPolicies"},
                          {"properties", json::object{{"accessPolicies",
                                                       PoliciesToJson(vault->access_policies)}}}});
  });
}

}  // namespace

Response HandleManagement(const Call& call) {
  if (auto rbac = HandleAuthorization(call)) return std::move(*rbac);
  const auto& s = call.target.segments;
  if (s.size() < 2 || domain::Lower(s[1]) != domain::Lower(call.config.subscription_id)) {
    return ErrorResponse(NotFound(
        "SubscriptionNotFound",
        "The subscription '" + (s.size() > 1 ? s[1].substr(0, 64) : "") + "' could not be found."));
  }
  if (auto deleted = HandleDeletedVaults(call)) return std::move(*deleted);
  // /subscriptions/{sub}/providers/Microsoft.KeyVault/vaults
  if (s.size() == 5 && Is(s[2], "providers") && Is(s[3], "Microsoft.KeyVault") &&
      Is(s[4], "vaults")) {
    return VaultList(call, std::nullopt);
  }
  // .../vaults/{name}/providers/Microsoft.Insights/diagnosticSettings[/{setting}]
  if ((s.size() == 11 || s.size() == 12) && Is(s[2], "resourceGroups") && Is(s[4], "providers") &&
      Is(s[5], "Microsoft.KeyVault") && Is(s[6], "vaults") && Is(s[8], "providers") &&
      Is(s[9], "Microsoft.Insights") && Is(s[10], "diagnosticSettings")) {
    auto vault = call.services.vaults->Get(s[3], s[7]);
    if (!vault.ok()) return ErrorResponse(vault.status());
    return HandleDiagnosticSettings(call, **vault, s.size() == 12 ? &s[11] : nullptr);
  }
  // .../vaults/{name}/accessPolicies/{add|replace|remove}
  if (s.size() == 10 && Is(s[2], "resourceGroups") && Is(s[4], "providers") &&
      Is(s[5], "Microsoft.KeyVault") && Is(s[6], "vaults") && Is(s[8], "accessPolicies")) {
    return UpdateAccessPolicies(call, s[3], s[7], s[9]);
  }
  // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults[/{name}]
  if ((s.size() == 7 || s.size() == 8) && Is(s[2], "resourceGroups") && Is(s[4], "providers") &&
      Is(s[5], "Microsoft.KeyVault") && Is(s[6], "vaults")) {
    if (s.size() == 7) return VaultList(call, s[3]);
    return VaultResource(call, s[3], s[7]);
  }
  return UnknownRoute(call.request);
}

}  // namespace kh::api
