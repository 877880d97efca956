#pragma once
// A memory-backed barrier and FakeClock for domain unit tests.
#include <memory>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "storage/memory/memory_store.h"

namespace kh::testing {

struct DomainFixture {
  std::unique_ptr<storage::Store> store = storage::NewMemoryStore();
  barrier::Barrier barrier{store.get(), SecretBytes(std::string(32, '\x42'))};
  FakeClock clock;
};

}  // namespace kh::testing
