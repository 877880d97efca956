#include "barrier/barrier.h"

#include <gtest/gtest.h>

#include "storage/memory/memory_store.h"

namespace kh::barrier {
namespace {

TEST(BarrierTest, RecordsAreCiphertextBoundToTheirPath) {
  auto store = storage::NewMemoryStore();
  Barrier barrier(store.get(), SecretBytes(std::string(32, '\x01')));
  storage::WriteBatch batch;
  ASSERT_TRUE(barrier.AddNewVaultKey("v1", batch).ok());
  ASSERT_TRUE(store->Commit(batch).ok());
  auto key = barrier.VaultKey("v1");
  ASSERT_TRUE(key.ok());

  storage::WriteBatch put;
  ASSERT_TRUE(barrier.Write(**key, put, "v/v1/a", "plaintext-canary").ok());
  ASSERT_TRUE(store->Commit(put).ok());
  auto raw = store->Get("v/v1/a");
  ASSERT_TRUE(raw.ok() && raw->has_value());
  EXPECT_EQ((*raw)->find("plaintext-canary"), std::string::npos);
  EXPECT_EQ((*barrier.Read(**key, "v/v1/a"))->Reveal(), "plaintext-canary");

  // The same ciphertext under another path does not open.
  storage::WriteBatch moved;
  moved.Put("v/v1/b", **raw);
  ASSERT_TRUE(store->Commit(moved).ok());
  EXPECT_FALSE(barrier.Read(**key, "v/v1/b").ok());
}

TEST(BarrierTest, VaultKeysAreDistinctAndSurviveRestart) {
  auto store = storage::NewMemoryStore();
  std::string sealed;
  {
    Barrier barrier(store.get(), SecretBytes(std::string(32, '\x02')));
    storage::WriteBatch batch;
    ASSERT_TRUE(barrier.AddNewVaultKey("a", batch).ok());
    ASSERT_TRUE(barrier.AddNewVaultKey("b", batch).ok());
    ASSERT_TRUE(store->Commit(batch).ok());
    sealed = *(*barrier.VaultKey("a"))->Seal("p", "x");
    EXPECT_FALSE((*barrier.VaultKey("b"))->Open("p", sealed).ok());
  }
  Barrier reopened(store.get(), SecretBytes(std::string(32, '\x02')));
  EXPECT_EQ((*reopened.VaultKey("a"))->Open("p", sealed)->Reveal(), "x");
  Barrier wrong_root(store.get(), SecretBytes(std::string(32, '\x03')));
  EXPECT_FALSE(wrong_root.VaultKey("a").ok());
}

}  // namespace
}  // namespace kh::barrier
