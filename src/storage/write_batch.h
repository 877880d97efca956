#pragma once
// WriteBatch: a set of writes plus the preconditions under which they may be applied, committed
// as one unit by Store::Commit (all ops or none). A plain value type: not thread-safe for
// concurrent mutation, but a batch that is no longer mutated may be committed from any thread.
//
// Semantics (identical for every Store):
// - Preconditions are evaluated against the store as it is just before this batch is applied
//   (including batches committed earlier, even within the same group commit). If any fails,
//   nothing of the batch is applied.
// - Ops are applied in the order they were added; a later op on the same key wins.
// - Keys and values are opaque byte strings; they may contain any byte, including '\0'.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kh::storage {

struct WriteBatch {
  enum class OpType { kPut, kDelete };
  struct Op {
    OpType type;
    std::string key;
    std::string value;  // empty for kDelete
  };
  struct Precondition {
    std::string key;
    std::optional<std::string> value;  // nullopt: the key must not exist
  };

  void Put(std::string key, std::string value) {
    ops.push_back(Op{OpType::kPut, std::move(key), std::move(value)});
  }
  void Delete(std::string key) { ops.push_back(Op{OpType::kDelete, std::move(key), {}}); }
  // Precondition: `key` does not exist.
  void ExpectAbsent(std::string key) {
    preconditions.push_back(Precondition{std::move(key), std::nullopt});
  }
  // Precondition: `key` exists and its value is exactly `value`.
  void ExpectValue(std::string key, std::string value) {
    preconditions.push_back(Precondition{std::move(key), std::move(value)});
  }

  bool empty() const { return ops.empty() && preconditions.empty(); }
  void Clear() {
    ops.clear();
    preconditions.clear();
  }

  std::vector<Op> ops;
  std::vector<Precondition> preconditions;
};

}  // namespace kh::storage
