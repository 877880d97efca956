#pragma once
// CertificateService: the certificates of a vault, as Azure Key Vault defines them
// (azure-kv-dataplane.md sections 3 and 6). Each version is backed by a managed key and a
// managed secret of the same name and version, written in the same batch as the certificate:
// the key holds the private material (sign/decrypt through KeyService), the secret the
// certificate with its key as PKCS#12 or PEM, as the policy says.
//
// Create issues at once for issuer Self and for issuers of provider Keyhaven (signed by a CA
// certificate of the same vault, whose key may live in the HSM); for Unknown it keeps a pending
// operation with a CSR until the signed certificate is merged. Delete, recover and purge act on
// the key and secret too (those first, so that repeating an interrupted call finishes it).
//
// Errors are Azure's: CertificateNotFound (404), PendingCertificateNotFound (404),
// Conflict/ObjectIsDeletedButRecoverable (409), BadParameter (400), Forbidden (403).
// Issuance generates keys (RSA: up to seconds): callers run it on worker threads. Thread-safe.
#include <memory>
#include <string>
#include <string_view>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "domain/certificate.h"
#include "domain/certificate_issuers.h"
#include "domain/certificate_record.h"
#include "domain/key_service.h"
#include "domain/object_lifecycle.h"
#include "domain/secret_service.h"
#include "domain/vault.h"
#include "domain/versioned_objects.h"

namespace kh::domain {

class CertificateService {
 public:
  CertificateService(barrier::Barrier* barrier, const Clock* clock, KeyService* keys,
                     SecretService* secrets, CertificateIssuers* issuers);

  StatusOr<CertificateOperation> Create(const Vault& vault, std::string_view name,
                                        CreateCertificateParams params);
  StatusOr<CertificateVersion> Import(const Vault& vault, std::string_view name,
                                      ImportCertificateParams params);
  // `version` empty = latest. Disabled versions are returned too (as Azure does). A certificate
  // whose first version is still pending reads as that version without a certificate (`cer`
  // empty), as the SDK's getCertificateOperation expects.
  StatusOr<CertificateVersion> Get(const Vault& vault, std::string_view name,
                                   std::string_view version);
  StatusOr<CertificateVersion> Update(const Vault& vault, std::string_view name,
                                      std::string_view version, const CertificateUpdate& update);
  // With `include_pending`, certificates whose first version is still pending (a create waiting
  // for its merge) come after the others on the last page, without a certificate.
  StatusOr<Page<CertificateVersion>> List(const Vault& vault, std::string_view marker, size_t max,
                                          bool include_pending = false);
  StatusOr<Page<CertificateVersion>> ListVersions(const Vault& vault, std::string_view name,
                                                  std::string_view marker, size_t max);
  StatusOr<CertificatePolicy> GetPolicy(const Vault& vault, std::string_view name);
  StatusOr<CertificatePolicy> UpdatePolicy(const Vault& vault, std::string_view name,
                                           const CertificatePolicyPatch& patch);

  StatusOr<CertificateOperation> GetOperation(const Vault& vault, std::string_view name);
  // PATCH .../pending {cancellation_requested: true}: an operation still in progress ends
  // "cancelled" (its pending key is dropped); a finished one only records the request.
  StatusOr<CertificateOperation> CancelOperation(const Vault& vault, std::string_view name);
  StatusOr<CertificateOperation> DeleteOperation(const Vault& vault, std::string_view name);
  // The CA-signed chain for the pending key: 400 unless x5c holds a certificate of that key.
  StatusOr<CertificateVersion> Merge(const Vault& vault, std::string_view name,
                                     MergeCertificateParams params);

  StatusOr<DeletedCertificate> Delete(const Vault& vault, std::string_view name);
  StatusOr<DeletedCertificate> GetDeleted(const Vault& vault, std::string_view name);
  StatusOr<Page<DeletedCertificate>> ListDeleted(const Vault& vault, std::string_view marker,
                                                 size_t max);
  StatusOr<CertificateVersion> Recover(const Vault& vault, std::string_view name);
  Status Purge(const Vault& vault, std::string_view name);
  // One blob with the certificate's, its key's and its secret's backups.
  StatusOr<std::string> Backup(const Vault& vault, std::string_view name);
  StatusOr<CertificateVersion> Restore(const Vault& vault, std::string_view blob);
  Status PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now);

  // The renewal job: performs a due AutoRenew lifetime action of the latest version (a new
  // version with the same policy; a new key unless reuse_key). True when it renewed. Once per
  // version: the renewal makes a new latest version, whose own due point lies ahead; the check
  // and the renewal run under the certificate's lock, and the write commits only if the head is
  // still the one read (so two nodes sharing a store cannot both renew it).
  StatusOr<bool> RenewIfDue(const Vault& vault, std::string_view name, int64_t now);

  // A certificate secret's value in another content type (GET secret with outContentType):
  // PKCS#12 (base64 text) <-> PEM. The same value when `to` is `from`.
  static StatusOr<SecretBytes> ConvertSecretValue(const SecretBytes& value, std::string_view from,
                                                  std::string_view to);

 private:
  struct NewVersion {
    std::string version;
    CertificatePolicy policy;
    std::shared_ptr<const crypto::KeyMaterial> key;
    std::string leaf;                // DER
    std::vector<std::string> chain;  // as the secret keeps it (leaf first unless preserved)
    std::map<std::string, std::string> tags;
    std::optional<bool> enabled;
    bool preserve_cert_order = false;
    std::optional<StoredOperation> operation;  // stored finished, when there is one
    // The live head's stored bytes as read before: the write commits only if no one (another
    // node renewing the same version) changed it meanwhile.
    std::optional<std::string> expected_head;
  };
  // A new version made by the policy's issuer at once (Self or a Keyhaven CA). The caller holds
  // the certificate's lock. With `must_outlive` (renewals), BadParameter instead of a version
  // whose notAfter is not later (its CA expires first: renewing would not help).
  StatusOr<CertificateOperation> Issue(const Vault& vault, std::string_view name,
                                       const CertificatePolicy& policy,
                                       std::map<std::string, std::string> tags,
                                       std::optional<bool> enabled, bool preserve_cert_order,
                                       std::optional<std::string> expected_head = std::nullopt,
                                       std::optional<int64_t> must_outlive = std::nullopt);
  // Writes the certificate version, its key and secret (and the operation) in one batch. The
  // caller holds the certificate's lock.
  StatusOr<CertificateVersion> WriteVersion(const Vault& vault, std::string_view name,
                                            NewVersion nv);
  // The CA certificate (leaf DER first) and key a Keyhaven issuer signs with.
  struct CaSigner {
    std::string certificate_der;
    std::shared_ptr<const crypto::KeyMaterial> key;
    int64_t not_after = 0;
  };
  StatusOr<CaSigner> SignerFor(const Vault& vault, const CertificateIssuer& issuer, int64_t now);
  // Checks that the policy's issuer exists (names other than Self/Unknown).
  Status CheckIssuer(const Vault& vault, const CertificatePolicy& policy);
  // The key of a new version: the latest version's with reuse_key (same type, size and curve;
  // `reused` says so), else a new one.
  struct NewKey {
    std::shared_ptr<const crypto::KeyMaterial> material;
    bool reused = false;
  };
  StatusOr<NewKey> KeyForNewVersion(const Vault& vault, std::string_view name,
                                    const CertificatePolicy& policy);
  StatusOr<std::optional<StoredOperation>> ReadOperation(const barrier::ScopeKey& key,
                                                         const Vault& vault, std::string_view name);
  Status WriteOperation(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                        const Vault& vault, const StoredOperation& op);
  StatusOr<std::shared_ptr<const barrier::ScopeKey>> KeyFor(const Vault& vault);
  StatusOr<CertificateVersion> ReadVersion(const barrier::ScopeKey& key, const Vault& vault,
                                           std::string_view name, std::string_view version);
  // The live head's latest version with its policy (the current one).
  StatusOr<std::optional<CertificateVersion>> ReadLatest(const barrier::ScopeKey& key,
                                                         const Vault& vault, std::string_view name);
  ObjectLifecycle::Remove Remover();

  barrier::Barrier* barrier_;
  const Clock* clock_;
  KeyService* keys_;
  SecretService* secrets_;
  CertificateIssuers* issuers_;
  VersionedObjects objects_;
  NameLocks locks_;
  ObjectLifecycle lifecycle_;
};

}  // namespace kh::domain
