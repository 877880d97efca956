#pragma once
// Helpers of CertificateService shared by its source files (certificate_service.cc,
// certificate_operations.cc, certificate_lifecycle.cc). Internal to src/domain.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status_or.h"
#include "crypto/hsm_token.h"
#include "crypto/key_material.h"
#include "domain/certificate_record.h"

namespace kh::domain::certificate_internal {

// 404 PendingCertificateNotFound.
Status PendingNotFound(std::string_view name);
bool IsNotFound(const Status& st);
// The certificate in `chain` whose public key is `key`'s; BadParameter if none is.
StatusOr<std::string> LeafOf(const std::vector<std::string>& chain, const crypto::KeyMaterial& key);
// Drops a pending key that lives in the HSM (software keys go with their record), unless it is
// the current version's own key (reuse_key).
void DestroyPendingKey(const StoredOperation& op, const std::shared_ptr<crypto::HsmToken>& hsm);

}  // namespace kh::domain::certificate_internal
