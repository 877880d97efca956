#include "domain/vault_service.h"

#include <algorithm>

#include "domain/names.h"

namespace kh::domain {
namespace {

Status VaultNotFound(std::string_view resource_group, std::string_view name) {
  return NotFound("ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/" +
                                          std::string(name) + "' under resource group '" +
                                          std::string(resource_group) + "' was not found.");
}

bool SameGroup(const Vault& v, std::string_view resource_group) {
  return Lower(v.resource_group) == Lower(resource_group);
}

}  // namespace

VaultService::VaultService(barrier::Barrier* barrier, const Clock* clock)
    : barrier_(barrier), clock_(clock) {}

StatusOr<std::shared_ptr<const Vault>> VaultService::Load(std::string_view name) {
  std::string key = Lower(name);
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  KH_ASSIGN_OR_RETURN(std::optional<SecretBytes> plain,
                      barrier_->Read(barrier_->system(), VaultRecordPath(name)));
  if (!plain) return std::shared_ptr<const Vault>();
  KH_ASSIGN_OR_RETURN(Fields fields, Fields::Decode(plain->Reveal()));
  auto vault = std::make_shared<const Vault>(Vault::FromFields(fields));
  std::lock_guard lock(cache_mu_);
  cache_[key] = vault;
  return vault;
}

StatusOr<std::shared_ptr<const Vault>> VaultService::Persist(Vault vault,
                                                             storage::WriteBatch batch) {
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, VaultRecordPath(vault.name),
                                     vault.ToFields().Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  auto stored = std::make_shared<const Vault>(std::move(vault));
  std::lock_guard lock(cache_mu_);
  cache_[Lower(stored->name)] = stored;
  return stored;
}

StatusOr<std::shared_ptr<const Vault>> VaultService::LoadActive(std::string_view resource_group,
                                                                std::string_view name) {
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, Load(name));
  if (!v || v->deleted || !SameGroup(*v, resource_group)) {
    return VaultNotFound(resource_group, name);
  }
  return v;
}

Status VaultService::CheckSpec(const VaultSpec& spec, const Vault* existing) const {
  if (spec.retention_days &&
      (*spec.retention_days < kMinRetentionDays || *spec.retention_days > kMaxRetentionDays)) {
    return InvalidArgument("The property \"softDeleteRetentionInDays\" must be between 7 and 90.",
                           "BadRequest");
  }
  if (existing && spec.retention_days && *spec.retention_days != existing->retention_days) {
    return InvalidArgument(
        "The property \"softDeleteRetentionInDays\" can only be set when the vault is created.",
        "BadRequest");
  }
  if (spec.enable_soft_delete && !*spec.enable_soft_delete) {
    return InvalidArgument(
        "The property \"enableSoftDelete\" cannot be set to false. Soft delete is always on.",
        "BadRequest");
  }
  if (existing && existing->purge_protection && spec.purge_protection && !*spec.purge_protection) {
    return InvalidArgument(
        "The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge "
        "protection for a vault is an irreversible action.",
        "BadRequest");
  }
  if (spec.sku_name && Lower(*spec.sku_name) != "standard" && Lower(*spec.sku_name) != "premium") {
    return InvalidArgument("The sku name must be 'standard' or 'premium'.", "BadRequest");
  }
  if (spec.tags && spec.tags->size() > kMaxVaultTags) {
    return InvalidArgument("A vault can have at most 15 tags.", "BadRequest");
  }
  if (spec.public_network_access && Lower(*spec.public_network_access) != "enabled" &&
      Lower(*spec.public_network_access) != "disabled") {
    return InvalidArgument("publicNetworkAccess must be 'Enabled' or 'Disabled'.", "BadRequest");
  }
  if (spec.access_policies) {
    if (spec.access_policies->size() > kMaxAccessPolicies) {
      return InvalidArgument("A vault can have at most 1024 access policies.", "BadRequest");
    }
    for (const auto& p : *spec.access_policies) {
      if (p.object_id.empty()) {
        return InvalidArgument("Every access policy needs an objectId.", "BadRequest");
      }
    }
  }
  if (spec.network_acls) {
    const NetworkAclsSpec& acls = *spec.network_acls;
    if (acls.default_action != "Allow" && acls.default_action != "Deny") {
      return InvalidArgument("networkAcls.defaultAction must be 'Allow' or 'Deny'.", "BadRequest");
    }
    if (acls.bypass != "AzureServices" && acls.bypass != "None") {
      return InvalidArgument("networkAcls.bypass must be 'AzureServices' or 'None'.", "BadRequest");
    }
    if (acls.ip_rules.size() > kMaxIpRules ||
        acls.virtual_network_rules.size() > kMaxVirtualNetworkRules) {
      return InvalidArgument("networkAcls allows at most 1000 ipRules and 200 virtualNetworkRules.",
                             "BadRequest");
    }
  }
  return Status::Ok();
}

void VaultService::Apply(const VaultSpec& spec, Vault& v) const {
  if (spec.location) v.location = *spec.location;
  if (spec.tags) v.tags = *spec.tags;
  if (spec.tenant_id) v.tenant_id = *spec.tenant_id;
  if (spec.sku_family) v.sku_family = *spec.sku_family;
  if (spec.sku_name) v.sku_name = Lower(*spec.sku_name);
  if (spec.retention_days) v.retention_days = *spec.retention_days;
  if (spec.purge_protection && *spec.purge_protection) v.purge_protection = true;
  if (spec.enable_rbac_authorization) v.enable_rbac_authorization = *spec.enable_rbac_authorization;
  if (spec.automatic_backups) v.automatic_backups = *spec.automatic_backups;
  if (spec.near_expiry_days) v.near_expiry_days = *spec.near_expiry_days;
  if (spec.enabled_for_deployment) v.enabled_for_deployment = *spec.enabled_for_deployment;
  if (spec.enabled_for_disk_encryption) {
    v.enabled_for_disk_encryption = *spec.enabled_for_disk_encryption;
  }
  if (spec.enabled_for_template_deployment) {
    v.enabled_for_template_deployment = *spec.enabled_for_template_deployment;
  }
  if (spec.access_policies) v.access_policies = *spec.access_policies;
  if (spec.network_acls) {
    v.network_acls_set = true;
    v.network_default_action = spec.network_acls->default_action;
    v.network_bypass = spec.network_acls->bypass;
    v.ip_rules = spec.network_acls->ip_rules;
    v.virtual_network_rules = spec.network_acls->virtual_network_rules;
  }
  if (spec.public_network_access) {
    v.public_network_access =
        Lower(*spec.public_network_access) == "disabled" ? "Disabled" : "Enabled";
  }
}

namespace {

Status NameInUse(std::string_view name) {
  return Status(StatusCode::kConflict, "VaultAlreadyExists",
                "The vault name '" + std::string(name) +
                    "' is already in use. If you recently deleted a key vault with this name, "
                    "it may still be in the soft deleted state.");
}

}  // namespace

StatusOr<VaultWriteResult> VaultService::CreateOrUpdate(std::string_view resource_group,
                                                        std::string_view name,
                                                        const VaultSpec& spec,
                                                        std::string_view caller) {
  KH_RETURN_IF_ERROR(ValidateVaultName(name));
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> existing, Load(name));
  if (existing && (existing->deleted || !SameGroup(*existing, resource_group))) {
    return NameInUse(name);
  }
  KH_RETURN_IF_ERROR(CheckSpec(spec, existing.get()));
  int64_t now = clock_->NowSeconds();
  Vault v;
  storage::WriteBatch batch;
  if (existing) {
    v = *existing;
  } else {
    v.name = std::string(name);
    v.resource_group = std::string(resource_group);
    v.created_by = std::string(caller);
    v.created_at = now;
    batch.ExpectAbsent(VaultRecordPath(name));
    KH_RETURN_IF_ERROR(barrier_->AddNewVaultKey(Lower(name), batch));
  }
  Apply(spec, v);
  v.last_modified_by = std::string(caller);
  v.last_modified_at = now;
  KH_ASSIGN_OR_RETURN(auto stored, Persist(std::move(v), std::move(batch)));
  return VaultWriteResult{stored, existing == nullptr};
}

StatusOr<std::shared_ptr<const Vault>> VaultService::Update(std::string_view resource_group,
                                                            std::string_view name,
                                                            const VaultSpec& spec,
                                                            std::string_view caller) {
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> existing, LoadActive(resource_group, name));
  KH_RETURN_IF_ERROR(CheckSpec(spec, existing.get()));
  Vault v = *existing;
  Apply(spec, v);
  v.last_modified_by = std::string(caller);
  v.last_modified_at = clock_->NowSeconds();
  return Persist(std::move(v), storage::WriteBatch());
}

namespace {

bool SameEntry(const AccessPolicy& a, const AccessPolicy& b) {
  return Lower(a.object_id) == Lower(b.object_id) &&
         Lower(a.application_id) == Lower(b.application_id);
}

void Merge(std::vector<std::string>& into, const std::vector<std::string>& add) {
  for (const auto& p : add) {
    bool present = false;
    for (const auto& q : into) present = present || Lower(p) == Lower(q);
    if (!present) into.push_back(p);
  }
}

void Subtract(std::vector<std::string>& from, const std::vector<std::string>& remove) {
  std::erase_if(from, [&](const std::string& q) {
    for (const auto& p : remove) {
      if (Lower(p) == Lower(q)) return true;
    }
    return false;
  });
}

}  // namespace

StatusOr<std::shared_ptr<const Vault>> VaultService::UpdateAccessPolicies(
    std::string_view resource_group, std::string_view name, AccessPolicyUpdate kind,
    const std::vector<AccessPolicy>& policies, std::string_view caller) {
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> existing, LoadActive(resource_group, name));
  Vault v = *existing;
  for (const AccessPolicy& change : policies) {
    if (change.object_id.empty()) {
      return InvalidArgument("Every access policy needs an objectId.", "BadRequest");
    }
    auto it = std::find_if(v.access_policies.begin(), v.access_policies.end(),
                           [&](const AccessPolicy& p) { return SameEntry(p, change); });
    if (kind == AccessPolicyUpdate::kRemove) {
      if (it == v.access_policies.end()) continue;
      Subtract(it->keys, change.keys);
      Subtract(it->secrets, change.secrets);
      Subtract(it->certificates, change.certificates);
      Subtract(it->storage, change.storage);
      bool lists_nothing = change.keys.empty() && change.secrets.empty() &&
                           change.certificates.empty() && change.storage.empty();
      if (lists_nothing || (it->keys.empty() && it->secrets.empty() && it->certificates.empty() &&
                            it->storage.empty())) {
        v.access_policies.erase(it);
      }
    } else if (it == v.access_policies.end()) {
      v.access_policies.push_back(change);
    } else if (kind == AccessPolicyUpdate::kReplace) {
      *it = change;
    } else {
      Merge(it->keys, change.keys);
      Merge(it->secrets, change.secrets);
      Merge(it->certificates, change.certificates);
      Merge(it->storage, change.storage);
    }
  }
  if (v.access_policies.size() > kMaxAccessPolicies) {
    return InvalidArgument("A vault can have at most 1024 access policies.", "BadRequest");
  }
  v.last_modified_by = std::string(caller);
  v.last_modified_at = clock_->NowSeconds();
  return Persist(std::move(v), storage::WriteBatch());
}

StatusOr<std::shared_ptr<const Vault>> VaultService::Get(std::string_view resource_group,
                                                         std::string_view name) {
  if (!IsValidVaultName(name)) return VaultNotFound(resource_group, name);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, Load(name));
  if (!v || v->deleted || !SameGroup(*v, resource_group)) {
    return VaultNotFound(resource_group, name);
  }
  return v;
}

StatusOr<std::shared_ptr<const Vault>> VaultService::Find(std::string_view name) {
  if (!IsValidVaultName(name)) {
    return NotFound("VaultNotFound", "No vault is served at this host name.");
  }
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, Load(name));
  if (!v || v->deleted) {
    return NotFound("VaultNotFound",
                    "The vault '" + std::string(name) + "' does not exist on this server.");
  }
  return v;
}

StatusOr<std::vector<std::shared_ptr<const Vault>>> VaultService::ScanAll() {
  KH_ASSIGN_OR_RETURN(std::vector<barrier::OpenedRecord> rows,
                      barrier_->Scan(barrier_->system(), "vaults/", "", 0));
  std::vector<std::shared_ptr<const Vault>> out;
  for (const auto& row : rows) {
    KH_ASSIGN_OR_RETURN(Fields fields, Fields::Decode(row.plaintext.Reveal()));
    out.push_back(std::make_shared<const Vault>(Vault::FromFields(fields)));
  }
  return out;
}

StatusOr<std::vector<std::shared_ptr<const Vault>>> VaultService::List(
    std::optional<std::string_view> resource_group) {
  KH_ASSIGN_OR_RETURN(auto all, ScanAll());
  std::vector<std::shared_ptr<const Vault>> out;
  for (auto& v : all) {
    if (v->deleted) continue;
    if (resource_group && !SameGroup(*v, *resource_group)) continue;
    out.push_back(std::move(v));
  }
  return out;
}

Status VaultService::Delete(std::string_view resource_group, std::string_view name) {
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> existing, LoadActive(resource_group, name));
  Vault v = *existing;
  v.deleted = true;
  v.deleted_date = clock_->NowSeconds();
  v.scheduled_purge_date = v.deleted_date + int64_t{v.retention_days} * kSecondsPerDay;
  storage::WriteBatch batch;
  batch.Put(PurgeScheduleEntry(v.scheduled_purge_date, "vault", v.name, v.name), "");
  return Persist(std::move(v), std::move(batch)).status();
}

Status VaultService::PurgeIfDue(std::string_view name, int64_t now) {
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, Load(name));
  if (!v || !v->deleted || v->scheduled_purge_date > now) return Status::Ok();
  return RemoveAll(name);
}

Status VaultService::RemoveAll(std::string_view name) {
  if (before_remove_) before_remove_(name);
  // Objects are removed in bounded batches so a large vault never makes one huge transaction.
  constexpr size_t kPurgeBatchRows = 512;
  std::string prefix = VaultDataPrefix(name);
  for (;;) {
    KH_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                        barrier_->store().Scan(prefix, "", kPurgeBatchRows));
    if (rows.empty()) break;
    storage::WriteBatch batch;
    for (const auto& row : rows) batch.Delete(row.key);
    KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  }
  storage::WriteBatch batch;
  batch.Delete(VaultRecordPath(name));
  barrier_->AddDeleteVaultKey(Lower(name), batch);
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  std::lock_guard lock(cache_mu_);
  cache_.erase(Lower(name));
  return Status::Ok();
}

namespace {

// ARM location names: "West Europe" and "westeurope" are the same location.
std::string LocationKey(std::string_view location) {
  std::string out;
  for (char c : Lower(location)) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

Status DeletedVaultNotFound(std::string_view name) {
  return NotFound("ResourceNotFound",
                  "The deleted vault '" + std::string(name) + "' was not found.");
}

}  // namespace

bool VaultService::AutomaticBackups(std::string_view vault_id) {
  StatusOr<std::shared_ptr<const Vault>> v = Load(vault_id);
  return !v.ok() || !*v || (*v)->automatic_backups;
}

StatusOr<std::vector<std::shared_ptr<const Vault>>> VaultService::ListDeleted() {
  KH_ASSIGN_OR_RETURN(auto all, ScanAll());
  std::vector<std::shared_ptr<const Vault>> out;
  for (auto& v : all) {
    if (v->deleted) out.push_back(std::move(v));
  }
  return out;
}

StatusOr<std::shared_ptr<const Vault>> VaultService::GetDeleted(std::string_view location,
                                                                std::string_view name) {
  if (!IsValidVaultName(name)) return DeletedVaultNotFound(name);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, Load(name));
  if (!v || !v->deleted || LocationKey(v->location) != LocationKey(location)) {
    return DeletedVaultNotFound(name);
  }
  return v;
}

Status VaultService::PurgeDeleted(std::string_view location, std::string_view name) {
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, GetDeleted(location, name));
  if (!v->PurgeAllowed()) {
    return Status(StatusCode::kConflict, "InvalidOperation",
                  "Operation 'DeletedVaultPurge' is not allowed.");
  }
  return RemoveAll(name);
}

StatusOr<std::shared_ptr<const Vault>> VaultService::Recover(std::string_view resource_group,
                                                             std::string_view name,
                                                             std::string_view caller) {
  KH_RETURN_IF_ERROR(ValidateVaultName(name));
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> existing, Load(name));
  if (!existing || !existing->deleted || !SameGroup(*existing, resource_group)) {
    return NotFound("ResourceNotFound", "There is no deleted vault '" + std::string(name) +
                                            "' in resource group '" + std::string(resource_group) +
                                            "' to recover.");
  }
  Vault v = *existing;
  v.deleted = false;
  v.deleted_date = 0;
  v.scheduled_purge_date = 0;  // the schedule entry left behind is ignored for a live vault
  v.last_modified_by = std::string(caller);
  v.last_modified_at = clock_->NowSeconds();
  return Persist(std::move(v), storage::WriteBatch());
}

StatusOr<std::shared_ptr<const Vault>> VaultService::CreateFromBackup(
    std::string_view resource_group, std::string_view name, const Vault& from,
    std::string_view caller, const FillRestored& fill) {
  KH_RETURN_IF_ERROR(ValidateVaultName(name));
  std::lock_guard write_lock(write_mu_);
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> existing, Load(name));
  if (existing) return NameInUse(name);
  const int64_t now = clock_->NowSeconds();
  Vault v = from;
  v.name = std::string(name);
  v.resource_group = std::string(resource_group);
  v.created_by = std::string(caller);
  v.created_at = now;
  v.last_modified_by = std::string(caller);
  v.last_modified_at = now;
  v.deleted = false;
  v.deleted_date = 0;
  v.scheduled_purge_date = 0;
  storage::WriteBatch batch;
  batch.ExpectAbsent(VaultRecordPath(name));
  KH_ASSIGN_OR_RETURN(auto key, barrier_->AddNewVaultKeyAndUse(Lower(name), batch));
  KH_RETURN_IF_ERROR(fill(*key, batch));
  return Persist(std::move(v), std::move(batch));
}

StatusOr<VaultService::NameAvailability> VaultService::CheckName(std::string_view name) {
  NameAvailability result;
  if (Status valid = ValidateVaultName(name); !valid.ok()) {
    result.available = false;
    result.reason = "AccountNameInvalid";
    result.message = valid.message();
    return result;
  }
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> v, Load(name));
  if (v) {
    result.available = false;
    result.reason = "AlreadyExists";
    result.message = v->deleted ? "The vault name '" + std::string(name) +
                                      "' is reserved by a soft-deleted vault until it is purged "
                                      "or recovered."
                                : "The vault name '" + std::string(name) + "' is already in use.";
  }
  return result;
}

}  // namespace kh::domain
