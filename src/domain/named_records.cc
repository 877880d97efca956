#include "domain/named_records.h"

#include "core/ascii.h"

namespace kh::domain {

Status NamedRecords::CheckName(std::string_view name) const {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) return InvalidArgument("An " + what_ + " name has 1 to 64 letters, digits or '-'.");
  return Status::Ok();
}

Status NamedRecords::Put(std::string_view name, std::string_view document) {
  KH_RETURN_IF_ERROR(CheckName(name));
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(
      barrier_->Write(barrier_->system(), batch, prefix_ + AsciiLower(name), document));
  return barrier_->store().Commit(batch);
}

StatusOr<std::vector<std::pair<std::string, std::string>>> NamedRecords::List() {
  KH_ASSIGN_OR_RETURN(auto records, barrier_->Scan(barrier_->system(), prefix_, "", 100000));
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& r : records) {
    out.emplace_back(r.path.substr(prefix_.size()), std::string(r.plaintext.Reveal()));
  }
  return out;
}

Status NamedRecords::Delete(std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  const std::string path = prefix_ + AsciiLower(name);
  KH_ASSIGN_OR_RETURN(auto existing, barrier_->Read(barrier_->system(), path));
  if (!existing) {
    return NotFound("NotFound", "There is no " + what_ + " named " + std::string(name) + ".");
  }
  storage::WriteBatch batch;
  batch.Delete(path);
  return barrier_->store().Commit(batch);
}

}  // namespace kh::domain
