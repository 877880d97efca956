#include "domain/vault_backup.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "barrier/backup_journal.h"
#include "barrier/journal_target.h"
#include "core/ids.h"
#include "domain/names.h"
#include "domain/versioned_objects.h"

namespace kh::domain {
namespace {

constexpr std::string_view kMagic = "KHVAULTBACKUP1\n";
// The AEAD's associated data: a whole-vault file never opens as a per-object blob, or back.
constexpr std::string_view kAad = "backup/vault/v1";
constexpr std::string_view kFormat = "1";

Status BadFile() {
  return InvalidArgument(
      "The backup file is invalid, was changed, or was sealed under another backup key; "
      "nothing was restored.");
}

// Relative record paths (after the vault's data prefix) are "{collection}/o/{name}",
// "{collection}/o/{name}\x01{version}", "{collection}/deleted/{name}" and
// "keys/rotationpolicy/{name}".
bool IsKeyVersion(std::string_view rel) {
  return rel.substr(0, 7) == "keys/o/" &&
         rel.find(VersionedObjects::kVersionSeparator) != std::string_view::npos;
}

void Wipe(std::string& s) { std::fill(s.begin(), s.end(), '\0'); }
void Wipe(std::map<std::string, std::string>& m) {
  for (auto& [path, value] : m) Wipe(value);
}

// The parts of "{prefix}{a}/{b}/..." after the prefix, split at '/'.
std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/') {
      parts.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// The part of an ARM scope below vault `v` ("" for the vault itself, "/secrets/x" for one of
// its objects), or nullopt when the scope is not within the vault.
std::optional<std::string> ScopeSuffix(std::string_view scope, const Vault& v) {
  const std::string lower = Lower(scope);
  const std::string tail = "/resourcegroups/" + Lower(v.resource_group) +
                           "/providers/microsoft.keyvault/vaults/" + Lower(v.name);
  const size_t at = lower.find(tail);
  if (at == std::string::npos || lower.rfind("/subscriptions/", 0) != 0) return std::nullopt;
  const std::string rest(scope.substr(at + tail.size()));
  if (!rest.empty() && rest[0] != '/') return std::nullopt;
  return rest;
}

struct Opened {
  Vault vault;
  int64_t created = 0;
  std::map<std::string, std::string> records;  // relative path -> plaintext record
  std::vector<std::string> schedule;           // "{when}/{kind}/{name}"
  std::vector<std::string> rotation_index;     // key names
  // Encoded Fields{scope_suffix ("" or "/secrets/x"), role_id, principal_id, principal_type}.
  std::vector<std::string> role_assignments;
  ~Opened() { Wipe(records); }
};

StatusOr<std::unique_ptr<Opened>> Open(const barrier::Barrier& barrier, std::string_view file) {
  if (file.substr(0, kMagic.size()) != kMagic) return BadFile();
  auto plain = barrier.OpenBackup(kAad, file.substr(kMagic.size()));
  if (!plain.ok()) return BadFile();
  auto content = Fields::Decode(plain->Reveal());
  if (!content.ok() || content->GetOr("format", "") != kFormat) return BadFile();
  auto opened = std::make_unique<Opened>();
  auto vault_fields = Fields::Decode(content->GetOr("vault", ""));
  if (!vault_fields.ok()) return BadFile();
  opened->vault = Vault::FromFields(*vault_fields);
  opened->created = content->GetInt("created").value_or(0);
  opened->records = content->GetMap("records");
  opened->schedule = content->GetList("schedule");
  opened->rotation_index = content->GetList("rotation_index");
  opened->role_assignments = content->GetList("role_assignments");
  return opened;
}

VaultBackupSummary Summarize(const Opened& opened) {
  VaultBackupSummary s;
  s.vault = opened.vault.name;
  s.resource_group = opened.vault.resource_group;
  s.created = opened.created;
  s.records = opened.records.size();
  s.role_assignments = opened.role_assignments.size();
  for (const auto& [rel, value] : opened.records) {
    const bool version = rel.find(VersionedObjects::kVersionSeparator) != std::string::npos;
    if (version) continue;
    const bool deleted = rel.find("/deleted/") != std::string::npos;
    const bool head = deleted || rel.find("/o/") != std::string::npos;
    if (!head) continue;
    if (rel.rfind("secrets/", 0) == 0) ++s.secrets;
    if (rel.rfind("keys/", 0) == 0) ++s.keys;
    if (deleted) ++s.deleted_objects;
  }
  return s;
}

StatusOr<VaultBackupSummary> RestoreOpened(barrier::Barrier& barrier, VaultService* vaults,
                                           KeyService* keys, Opened& content,
                                           std::string_view new_name,
                                           std::optional<std::string> resource_group,
                                           std::string_view caller) {
  Opened* opened = &content;
  // Fail before making HSM copies when the name is obviously taken (CreateFromBackup checks
  // again under its lock).
  KH_ASSIGN_OR_RETURN(auto availability, vaults->CheckName(new_name));
  if (!availability.available) {
    return Status(StatusCode::kConflict, "VaultAlreadyExists",
                  "The vault name '" + std::string(new_name) + "' is already in use.");
  }
  std::vector<crypto::KeyMaterial> made;  // token copies of HSM keys, destroyed on failure
  auto destroy_copies = [&] {
    for (const auto& copy : made) copy.DestroyInHsm().IgnoreError();
  };
  for (auto& [rel, plain] : opened->records) {
    if (!IsKeyVersion(rel)) continue;
    auto fields = Fields::Decode(plain);
    if (!fields.ok()) return BadFile();
    Status rewritten = keys ? keys->RewriteForRestore(*fields, &made) : Status::Ok();
    if (!rewritten.ok()) {
      destroy_copies();
      return rewritten;
    }
    Wipe(plain);
    plain = fields->Encode();
  }
  const std::string new_id = Lower(new_name);
  const std::string group = resource_group.value_or(opened->vault.resource_group);
  auto created = vaults->CreateFromBackup(
      group, new_name, opened->vault, caller,
      [&](const barrier::ScopeKey& key, storage::WriteBatch& batch) -> Status {
        const std::string prefix = VaultDataPrefix(new_id);
        for (const auto& [rel, plain] : opened->records) {
          KH_RETURN_IF_ERROR(barrier.Write(key, batch, prefix + rel, plain));
        }
        for (const std::string& entry : opened->schedule) {
          auto parts = Split(entry);
          if (parts.size() != 3) return BadFile();
          batch.Put(
              PurgeSchedulePrefix() + parts[0] + "/" + parts[1] + "/" + new_id + "/" + parts[2],
              "");
        }
        for (const std::string& name : opened->rotation_index) {
          batch.Put(KeyRotationIndexEntry(new_id, name), "");
        }
        return Status::Ok();
      });
  if (!created.ok()) {
    destroy_copies();
    return created.status();
  }
  VaultBackupSummary summary = Summarize(*opened);
  return summary;
}

// Applies the journal entries (sealed, in target order) that concern `vault` and are no later
// than `at`; nullopt when none does. Entries shipped twice (a crash between the append and the
// deletion from the store) are applied once, by seq.
StatusOr<std::optional<std::unique_ptr<Opened>>> Replay(const barrier::Barrier& barrier,
                                                        const std::vector<std::string>& entries,
                                                        const std::string& vault,
                                                        std::optional<int64_t> at) {
  const std::string data_prefix = VaultDataPrefix(vault);
  const std::string record_path = VaultRecordPath(vault);
  const std::string rotation_prefix = KeyRotationIndexPrefix() + vault + "/";
  auto opened = std::make_unique<Opened>();
  std::set<int64_t> seen;
  std::optional<std::string> vault_record;  // encoded Vault fields, latest
  bool any = false;
  std::set<std::string> schedule, rotation;
  for (const std::string& sealed : entries) {
    auto plain = barrier.OpenBackup(barrier::kJournalAad, sealed);
    if (!plain.ok()) {
      return InvalidArgument(
          "A backup journal entry does not open: it was changed, or sealed under a backup key "
          "this deployment does not know; nothing was restored.");
    }
    auto record = Fields::Decode(plain->Reveal());
    if (!record.ok()) return BadFile();
    const int64_t seq = record->GetInt("seq").value_or(-1);
    if (!seen.insert(seq).second) continue;
    if (at && record->GetInt("time").value_or(0) > *at) continue;
    // A checkpoint holds the vault's whole state: what came before it no longer matters.
    const std::string snapshot = record->GetOr("snapshot", "");
    if (!snapshot.empty() && snapshot != vault) continue;
    if (!snapshot.empty()) {
      Wipe(opened->records);
      opened->records.clear();
      schedule.clear();
      rotation.clear();
      vault_record.reset();
    }
    for (const std::string& encoded : record->GetList("ops")) {
      auto op = Fields::Decode(encoded);
      if (!op.ok()) return BadFile();
      const std::string path = op->GetOr("path", "");
      if (barrier::VaultOfPath(path) != vault) continue;
      any = true;
      const bool put = op->GetOr("t", "") == "p";
      if (path.rfind(data_prefix, 0) == 0) {
        const std::string rel = path.substr(data_prefix.size());
        if (put) {
          opened->records[rel] = op->GetOr("value", "");
        } else {
          opened->records.erase(rel);
        }
      } else if (path == record_path) {
        if (put) {
          vault_record = op->GetOr("value", "");
        } else {
          vault_record.reset();
        }
      } else if (path.rfind(PurgeSchedulePrefix(), 0) == 0) {
        auto parts = Split(std::string_view(path).substr(PurgeSchedulePrefix().size()));
        if (parts.size() != 4 || parts[1] == "vault") continue;  // the vault's own purge
        const std::string entry = parts[0] + "/" + parts[1] + "/" + parts[3];
        if (put) {
          schedule.insert(entry);
        } else {
          schedule.erase(entry);
        }
      } else if (path.rfind(rotation_prefix, 0) == 0) {
        const std::string name = path.substr(rotation_prefix.size());
        if (put) {
          rotation.insert(name);
        } else {
          rotation.erase(name);
        }
      }
    }
  }
  if (!any || !vault_record) return std::optional<std::unique_ptr<Opened>>();
  auto fields = Fields::Decode(*vault_record);
  if (!fields.ok()) return BadFile();
  opened->vault = Vault::FromFields(*fields);
  opened->schedule.assign(schedule.begin(), schedule.end());
  opened->rotation_index.assign(rotation.begin(), rotation.end());
  return std::optional<std::unique_ptr<Opened>>(std::move(opened));
}

}  // namespace

VaultBackupService::VaultBackupService(barrier::Barrier* barrier, VaultService* vaults,
                                       KeyService* keys, const Clock* clock)
    : barrier_(barrier), vaults_(vaults), keys_(keys), clock_(clock) {}

void VaultBackupService::SetRoleAssignments(RoleAssignmentService* assignments,
                                            std::string subscription_id) {
  assignments_ = assignments;
  subscription_id_ = std::move(subscription_id);
}

StatusOr<std::string> VaultBackupService::Create(std::string_view vault_name,
                                                 bool with_role_assignments) {
  KH_ASSIGN_OR_RETURN(std::shared_ptr<const Vault> vault, vaults_->Find(vault_name));
  const std::string id = Lower(vault->name);
  KH_ASSIGN_OR_RETURN(auto key, barrier_->VaultKey(id));
  const std::string prefix = VaultDataPrefix(id);
  KH_ASSIGN_OR_RETURN(std::vector<barrier::OpenedRecord> rows, barrier_->Scan(*key, prefix, "", 0));
  std::map<std::string, std::string> records;
  for (auto& row : rows) {
    std::string rel = row.path.substr(prefix.size());
    std::string plain(row.plaintext.Reveal());
    if (keys_ && IsKeyVersion(rel)) {
      KH_ASSIGN_OR_RETURN(Fields fields, Fields::Decode(plain));
      Status rewritten = keys_->RewriteForBackup(fields);
      Wipe(plain);
      if (!rewritten.ok()) {
        Wipe(records);
        return rewritten;
      }
      plain = fields.Encode();
    }
    records.emplace(std::move(rel), std::move(plain));
  }

  // The vault's entries in the server-wide indexes: "sched/{when}/{kind}/{vault}/{name}" and
  // "keyrot/{vault}/{name}".
  std::vector<std::string> schedule, rotation_index;
  KH_ASSIGN_OR_RETURN(auto sched, barrier_->store().Scan(PurgeSchedulePrefix(), "", 0));
  for (const auto& row : sched) {
    auto parts = Split(std::string_view(row.key).substr(PurgeSchedulePrefix().size()));
    if (parts.size() == 4 && parts[2] == id && parts[1] != "vault") {
      schedule.push_back(parts[0] + "/" + parts[1] + "/" + parts[3]);
    }
  }
  KH_ASSIGN_OR_RETURN(auto rot, barrier_->store().Scan(KeyRotationIndexPrefix() + id + "/", "", 0));
  for (const auto& row : rot) {
    rotation_index.push_back(row.key.substr(KeyRotationIndexPrefix().size() + id.size() + 1));
  }

  Fields content;
  content.Set("format", std::string(kFormat));
  content.SetInt("created", clock_->NowSeconds());
  content.Set("vault", vault->ToFields().Encode());
  content.SetMap("records", records);
  content.SetList("schedule", schedule);
  content.SetList("rotation_index", rotation_index);
  if (with_role_assignments) {
    if (!assignments_) return InvalidArgument("Role assignments are not available here.");
    std::vector<std::string> encoded;
    for (const auto& a : assignments_->List()) {
      std::optional<std::string> suffix = ScopeSuffix(a.scope, *vault);
      if (!suffix) continue;
      Fields f;
      f.Set("scope_suffix", *suffix);
      f.Set("role_id", a.role_id);
      f.Set("principal_id", a.principal_id);
      f.Set("principal_type", a.principal_type);
      encoded.push_back(f.Encode());
    }
    content.SetList("role_assignments", encoded);
  }
  Wipe(records);
  std::string plain = content.Encode();
  auto sealed = barrier_->SealBackup(kAad, plain);
  Wipe(plain);
  if (!sealed.ok()) return sealed.status();
  return std::string(kMagic) + *sealed;
}

StatusOr<VaultBackupSummary> VaultBackupService::Verify(std::string_view file) {
  KH_ASSIGN_OR_RETURN(auto opened, Open(*barrier_, file));
  return Summarize(*opened);
}

StatusOr<VaultBackupSummary> VaultBackupService::Restore(std::string_view file,
                                                         std::string_view new_name,
                                                         std::optional<std::string> resource_group,
                                                         std::string_view caller) {
  KH_RETURN_IF_ERROR(ValidateVaultName(new_name));
  KH_ASSIGN_OR_RETURN(auto opened, Open(*barrier_, file));
  const std::string group = resource_group.value_or(opened->vault.resource_group);
  KH_ASSIGN_OR_RETURN(VaultBackupSummary summary,
                      RestoreOpened(*barrier_, vaults_, keys_, *opened, new_name, group, caller));
  RecreateRoleAssignments(opened->role_assignments, group, new_name, caller, summary);
  return summary;
}

void VaultBackupService::RecreateRoleAssignments(const std::vector<std::string>& encoded,
                                                 const std::string& resource_group,
                                                 std::string_view vault_name,
                                                 std::string_view caller,
                                                 VaultBackupSummary& summary) {
  for (const std::string& item : encoded) {
    auto f = Fields::Decode(item);
    if (!f.ok() || !assignments_) {
      ++summary.role_assignments_skipped;
      continue;
    }
    RoleAssignmentRecord record;
    record.id = NewGuid();
    record.scope = "/subscriptions/" + subscription_id_ + "/resourceGroups/" + resource_group +
                   "/providers/Microsoft.KeyVault/vaults/" + std::string(vault_name) +
                   f->GetOr("scope_suffix", "");
    record.role_id = f->GetOr("role_id", "");
    record.principal_id = f->GetOr("principal_id", "");
    record.principal_type = f->GetOr("principal_type", "ServicePrincipal");
    record.created_by = std::string(caller);
    if (!assignments_->Create(std::move(record)).ok()) ++summary.role_assignments_skipped;
  }
}

StatusOr<VaultBackupSummary> VaultBackupService::Rebuild(
    const std::string& dir, std::string_view vault_name, std::optional<int64_t> at,
    std::string_view new_name, std::optional<std::string> resource_group, std::string_view caller) {
  KH_RETURN_IF_ERROR(ValidateVaultName(new_name));
  KH_ASSIGN_OR_RETURN(std::vector<std::string> entries, barrier::JournalTarget::ReadAll(dir));
  KH_ASSIGN_OR_RETURN(auto opened, Replay(*barrier_, entries, Lower(vault_name), at));
  if (!opened) {
    return NotFound("NotFound", "The backup target " + dir + " holds no record of vault '" +
                                    std::string(vault_name) +
                                    (at ? "' up to the time asked for." : "'."));
  }
  return RestoreOpened(*barrier_, vaults_, keys_, **opened, new_name, std::move(resource_group),
                       caller);
}

StatusOr<std::string> VaultBackupService::ExportBackupKey(const SecretBytes& passphrase) const {
  return barrier_->ExportBackupKey(passphrase);
}

StatusOr<std::string> VaultBackupService::ImportBackupKey(std::string_view exported,
                                                          const SecretBytes& passphrase) {
  return barrier_->ImportBackupKey(exported, passphrase);
}

std::string VaultBackupService::BackupKeyFingerprint() const {
  return barrier_->BackupKeyFingerprint();
}

}  // namespace kh::domain
