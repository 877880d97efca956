#include "storage/store.h"

namespace kh::storage {

Status PreconditionFailedError() {
  return Status(StatusCode::kConflict, "Conflict", "storage: write precondition failed",
                kPreconditionFailed);
}

bool IsPreconditionFailed(const Status& status) {
  return status.code() == StatusCode::kConflict && status.inner_code() == kPreconditionFailed;
}

Status ValidateBatch(const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops) {
    if (op.key.size() > kMaxKeyBytes) return TooLarge("storage: key too long");
    if (op.value.size() > kMaxValueBytes) return TooLarge("storage: value too large");
  }
  for (const WriteBatch::Precondition& pre : batch.preconditions) {
    if (pre.key.size() > kMaxKeyBytes) return TooLarge("storage: key too long");
    if (pre.value && pre.value->size() > kMaxValueBytes) {
      return TooLarge("storage: value too large");
    }
  }
  return Status::Ok();
}

}  // namespace kh::storage
