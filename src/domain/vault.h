#pragma once
// Vault: the unit of isolation. Each vault has its own data key (barrier), its own objects and,
// later, its own access rules, firewall and audit stream.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/fields.h"

namespace kh::domain {

constexpr int kMinRetentionDays = 7;
constexpr int kMaxRetentionDays = 90;
constexpr int kDefaultRetentionDays = 90;
constexpr size_t kMaxVaultTags = 15;
constexpr int64_t kSecondsPerDay = 86400;
constexpr size_t kMaxIpRules = 1000;
constexpr size_t kMaxVirtualNetworkRules = 200;

constexpr size_t kMaxAccessPolicies = 1024;

// One access-policy entry (enableRbacAuthorization false): permissions by Azure's names.
struct AccessPolicy {
  std::string tenant_id;
  std::string object_id;
  std::string application_id;
  std::vector<std::string> keys, secrets, certificates, storage;
};

struct Vault {
  std::string name;  // as created
  std::string resource_group;
  std::string location;
  std::map<std::string, std::string> tags;
  std::string tenant_id;
  std::string sku_family = "A";
  std::string sku_name = "standard";
  int retention_days = kDefaultRetentionDays;
  bool purge_protection = false;
  bool enable_rbac_authorization = true;
  // Keyhaven's own property: every change to the vault's objects is journaled to the backup
  // target (barrier/backup_journal.h). On unless turned off.
  bool automatic_backups = true;
  // Keyhaven's own property: days before a secret's or key's expiry at which a NearExpiry event
  // is raised, each once (Azure has one fixed point, 30 days).
  std::vector<int> near_expiry_days = {30};
  bool enabled_for_deployment = false;
  bool enabled_for_disk_encryption = false;
  bool enabled_for_template_deployment = false;
  std::string public_network_access = "Enabled";
  // networkAcls (the vault firewall); ip rules are canonical CIDRs, virtual network rules name
  // networks from the server's configuration.
  bool network_acls_set = false;
  std::string network_default_action = "Allow";
  std::string network_bypass = "AzureServices";
  std::vector<std::string> ip_rules;
  std::vector<std::string> virtual_network_rules;
  std::vector<AccessPolicy> access_policies;
  std::string created_by;
  int64_t created_at = 0;
  std::string last_modified_by;
  int64_t last_modified_at = 0;
  // Soft delete of the vault itself.
  bool deleted = false;
  int64_t deleted_date = 0;
  int64_t scheduled_purge_date = 0;

  // Azure's DeletionRecoveryLevel for objects in this vault.
  std::string RecoveryLevel() const;
  bool PurgeAllowed() const { return !purge_protection; }

  Fields ToFields() const;
  static Vault FromFields(const Fields& f);
};

// What a caller may set on create or update (ARM PUT/PATCH). Unset fields keep their value
// (PATCH) or take defaults (create).
struct NetworkAclsSpec {
  std::string default_action = "Allow";  // Allow | Deny
  std::string bypass = "AzureServices";  // AzureServices | None
  std::vector<std::string> ip_rules;     // canonical CIDRs
  std::vector<std::string> virtual_network_rules;
};

struct VaultSpec {
  std::optional<std::string> location;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<std::string> tenant_id;
  std::optional<std::string> sku_family;
  std::optional<std::string> sku_name;
  std::optional<int> retention_days;
  std::optional<bool> purge_protection;
  std::optional<bool> enable_soft_delete;
  std::optional<bool> enable_rbac_authorization;
  std::optional<bool> automatic_backups;
  std::optional<std::vector<int>> near_expiry_days;
  std::optional<bool> enabled_for_deployment;
  std::optional<bool> enabled_for_disk_encryption;
  std::optional<bool> enabled_for_template_deployment;
  std::optional<std::string> public_network_access;
  std::optional<NetworkAclsSpec> network_acls;
  std::optional<std::vector<AccessPolicy>> access_policies;
  bool recover = false;  // ARM createMode "recover": bring back the soft-deleted vault
};

enum class AccessPolicyUpdate { kAdd, kReplace, kRemove };

// "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}": a
// vault's ARM id, the scope role assignments name and the topic of its events.
std::string VaultArmId(std::string_view subscription_id, std::string_view resource_group,
                       std::string_view name);
// VaultArmId appended to `out` (for callers that build one per request).
void AppendVaultArmId(std::string& out, std::string_view subscription_id,
                      std::string_view resource_group, std::string_view name);

}  // namespace kh::domain
