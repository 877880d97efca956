#pragma once
// MemoryStore: a Store kept in a std::map, for tests and ephemeral servers. Not durable: data
// lives as long as the object. Thread-safe (readers share a lock, Commit takes it exclusively);
// every Commit is its own "transaction", so Stats().transactions == Stats().commits.
// Errors: kConflict/PreconditionFailed and kTooLarge only.
#include <memory>

#include "storage/store.h"

namespace kh::storage {

std::unique_ptr<Store> NewMemoryStore();

}  // namespace kh::storage
