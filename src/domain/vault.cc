#include "domain/vault.h"

#include <cstdlib>

namespace kh::domain {
namespace {

Fields PolicyToFields(const AccessPolicy& p) {
  Fields f;
  f.Set("tenant_id", p.tenant_id);
  f.Set("object_id", p.object_id);
  f.Set("application_id", p.application_id);
  f.SetList("keys", p.keys);
  f.SetList("secrets", p.secrets);
  f.SetList("certificates", p.certificates);
  f.SetList("storage", p.storage);
  return f;
}

AccessPolicy PolicyFromFields(const Fields& f) {
  AccessPolicy p;
  p.tenant_id = f.GetOr("tenant_id", "");
  p.object_id = f.GetOr("object_id", "");
  p.application_id = f.GetOr("application_id", "");
  p.keys = f.GetList("keys");
  p.secrets = f.GetList("secrets");
  p.certificates = f.GetList("certificates");
  p.storage = f.GetList("storage");
  return p;
}

}  // namespace

std::string VaultArmId(std::string_view subscription_id, std::string_view resource_group,
                       std::string_view name) {
  std::string id;
  AppendVaultArmId(id, subscription_id, resource_group, name);
  return id;
}

void AppendVaultArmId(std::string& out, std::string_view subscription_id,
                      std::string_view resource_group, std::string_view name) {
  out.append("/subscriptions/").append(subscription_id).append("/resourceGroups/");
  out.append(resource_group).append("/providers/Microsoft.KeyVault/vaults/").append(name);
}

std::string Vault::RecoveryLevel() const {
  bool custom = retention_days < kMaxRetentionDays;
  std::string level = custom ? "CustomizedRecoverable" : "Recoverable";
  if (!purge_protection) level += "+Purgeable";
  return level;
}

Fields Vault::ToFields() const {
  Fields f;
  f.Set("name", name);
  f.Set("resource_group", resource_group);
  f.Set("location", location);
  f.SetMap("tags", tags);
  f.Set("tenant_id", tenant_id);
  f.Set("sku_family", sku_family);
  f.Set("sku_name", sku_name);
  f.SetInt("retention_days", retention_days);
  f.SetBool("purge_protection", purge_protection);
  f.SetBool("enable_rbac_authorization", enable_rbac_authorization);
  f.SetBool("automatic_backups", automatic_backups);
  std::vector<std::string> days;
  for (int d : near_expiry_days) days.push_back(std::to_string(d));
  f.SetList("near_expiry_days", days);
  f.SetBool("enabled_for_deployment", enabled_for_deployment);
  f.SetBool("enabled_for_disk_encryption", enabled_for_disk_encryption);
  f.SetBool("enabled_for_template_deployment", enabled_for_template_deployment);
  f.Set("public_network_access", public_network_access);
  f.SetBool("network_acls_set", network_acls_set);
  f.Set("network_default_action", network_default_action);
  f.Set("network_bypass", network_bypass);
  f.SetList("ip_rules", ip_rules);
  f.SetList("virtual_network_rules", virtual_network_rules);
  std::vector<std::string> policies;
  for (const auto& p : access_policies) policies.push_back(PolicyToFields(p).Encode());
  f.SetList("access_policies", policies);
  f.Set("created_by", created_by);
  f.SetInt("created_at", created_at);
  f.Set("last_modified_by", last_modified_by);
  f.SetInt("last_modified_at", last_modified_at);
  f.SetBool("deleted", deleted);
  f.SetInt("deleted_date", deleted_date);
  f.SetInt("scheduled_purge_date", scheduled_purge_date);
  return f;
}

Vault Vault::FromFields(const Fields& f) {
  Vault v;
  v.name = f.GetOr("name", "");
  v.resource_group = f.GetOr("resource_group", "");
  v.location = f.GetOr("location", "");
  v.tags = f.GetMap("tags");
  v.tenant_id = f.GetOr("tenant_id", "");
  v.sku_family = f.GetOr("sku_family", "A");
  v.sku_name = f.GetOr("sku_name", "standard");
  v.retention_days = static_cast<int>(f.GetInt("retention_days").value_or(kDefaultRetentionDays));
  v.purge_protection = f.GetBool("purge_protection", false);
  v.enable_rbac_authorization = f.GetBool("enable_rbac_authorization", true);
  v.automatic_backups = f.GetBool("automatic_backups", true);
  if (f.Has("near_expiry_days")) {
    v.near_expiry_days.clear();
    for (const auto& d : f.GetList("near_expiry_days"))
      v.near_expiry_days.push_back(std::atoi(d.c_str()));
  }
  v.enabled_for_deployment = f.GetBool("enabled_for_deployment", false);
  v.enabled_for_disk_encryption = f.GetBool("enabled_for_disk_encryption", false);
  v.enabled_for_template_deployment = f.GetBool("enabled_for_template_deployment", false);
  v.public_network_access = f.GetOr("public_network_access", "Enabled");
  v.network_acls_set = f.GetBool("network_acls_set", false);
  v.network_default_action = f.GetOr("network_default_action", "Allow");
  v.network_bypass = f.GetOr("network_bypass", "AzureServices");
  v.ip_rules = f.GetList("ip_rules");
  v.virtual_network_rules = f.GetList("virtual_network_rules");
  for (const auto& encoded : f.GetList("access_policies")) {
    auto policy = Fields::Decode(encoded);
    if (policy.ok()) v.access_policies.push_back(PolicyFromFields(*policy));
  }
  v.created_by = f.GetOr("created_by", "");
  v.created_at = f.GetInt("created_at").value_or(0);
  v.last_modified_by = f.GetOr("last_modified_by", "");
  v.last_modified_at = f.GetInt("last_modified_at").value_or(0);
  v.deleted = f.GetBool("deleted", false);
  v.deleted_date = f.GetInt("deleted_date").value_or(0);
  v.scheduled_purge_date = f.GetInt("scheduled_purge_date").value_or(0);
  return v;
}

}  // namespace kh::domain
