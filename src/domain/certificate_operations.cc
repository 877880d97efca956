// CertificateService: the pending operation of a create (get, cancel, delete) and the merge of
// the CA-signed chain for its key.
#include "core/ids.h"
#include "domain/certificate_service.h"
#include "domain/certificate_service_internal.h"
#include "domain/names.h"
#include "domain/secret_record.h"

namespace kh::domain {
namespace {

using namespace certificate_internal;  // NOLINT: this service's own helpers

}  // namespace

StatusOr<CertificateOperation> CertificateService::GetOperation(const Vault& vault,
                                                                std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto op, ReadOperation(*key, vault, name));
  if (!op) return PendingNotFound(name);
  return op->operation;
}

StatusOr<CertificateOperation> CertificateService::CancelOperation(const Vault& vault,
                                                                   std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto op, ReadOperation(*key, vault, name));
  if (!op) return PendingNotFound(name);
  op->operation.cancellation_requested = true;
  StoredOperation dropped;
  if (op->operation.status == "inProgress") {
    op->operation.status = "cancelled";
    op->operation.status_details = "Operation cancelled by the user.";
    dropped.pending_key = std::move(op->pending_key);
    dropped.pending_key_reused = op->pending_key_reused;
    op->pending_key = SecretBytes();
  }
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(WriteOperation(*key, batch, vault, *op));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  DestroyPendingKey(dropped, keys_->hsm());
  return op->operation;
}

StatusOr<CertificateOperation> CertificateService::DeleteOperation(const Vault& vault,
                                                                   std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto op, ReadOperation(*key, vault, name));
  if (!op) return PendingNotFound(name);
  storage::WriteBatch batch;
  batch.Delete(CertificateOperationPath(vault.name, name));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  DestroyPendingKey(*op, keys_->hsm());
  return op->operation;
}

StatusOr<CertificateVersion> CertificateService::Merge(const Vault& vault, std::string_view name,
                                                       MergeCertificateParams params) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_RETURN_IF_ERROR(ValidateTags(params.tags));
  if (params.x5c.empty())
    return InvalidArgument("The property 'x5c' needs at least one certificate.");
  if (params.x5c.size() > crypto::kMaxCertificateChainLength) {
    return InvalidArgument("The property 'x5c' has more than " +
                           std::to_string(crypto::kMaxCertificateChainLength) + " certificates.");
  }
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_RETURN_IF_ERROR(lifecycle_.CheckNameFree(*key, vault.name, name));
  KH_ASSIGN_OR_RETURN(auto op, ReadOperation(*key, vault, name));
  if (!op || op->operation.status != "inProgress" || op->pending_key.empty()) {
    return PendingNotFound(name);
  }
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial pending,
                      crypto::KeyMaterial::Deserialize(op->pending_key, keys_->hsm()));
  auto material = std::make_shared<const crypto::KeyMaterial>(std::move(pending));
  for (const std::string& der : params.x5c) {
    KH_RETURN_IF_ERROR(crypto::InspectCertificate(der).status());
  }
  auto leaf = LeafOf(params.x5c, *material);
  if (!leaf.ok()) {
    return InvalidArgument(
        "The public key of the merged certificate does not match the pending certificate's "
        "key (see its csr).");
  }
  KH_ASSIGN_OR_RETURN(std::vector<std::string> chain,
                      crypto::OrderChain(params.x5c, *material, op->operation.preserve_cert_order));
  NewVersion nv;
  nv.version = op->version.empty() ? NewVersionId() : op->version;
  nv.policy = op->policy;
  nv.key = std::move(material);
  nv.leaf = std::move(*leaf);
  nv.chain = std::move(chain);
  nv.tags = params.tags.empty() ? op->tags : std::move(params.tags);
  nv.enabled = params.enabled ? params.enabled : op->enabled;
  nv.preserve_cert_order = op->operation.preserve_cert_order;
  StoredOperation finished = *op;
  finished.operation.status = "completed";
  finished.operation.status_details.clear();
  finished.operation.completed_target = true;
  finished.pending_key = SecretBytes();
  nv.operation = std::move(finished);
  return WriteVersion(vault, name, std::move(nv));
}

}  // namespace kh::domain
