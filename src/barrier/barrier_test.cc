#include "barrier/barrier.h"

#include <gtest/gtest.h>

#include "barrier/journal_target.h"
#include "storage/memory/memory_store.h"

#include <filesystem>
#include <fstream>
#include <stdlib.h>

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

TEST(BarrierTest, BackupKeysMoveBetweenDeploymentsUnderAPassphrase) {
  auto store_a = storage::NewMemoryStore();
  auto store_b = storage::NewMemoryStore();
  Barrier a(store_a.get(), SecretBytes(std::string(32, '\x0a')));
  Barrier b(store_b.get(), SecretBytes(std::string(32, '\x0b')));
  ASSERT_TRUE(a.LoadBackupKeys().ok());
  ASSERT_TRUE(b.LoadBackupKeys().ok());
  const std::string from_a = *a.SealBackup("aad", "made on a");
  const std::string old_b = *b.SealBackup("aad", "made on b before the import");
  EXPECT_FALSE(b.OpenBackup("aad", from_a).ok());
  EXPECT_NE(a.BackupKeyFingerprint(), b.BackupKeyFingerprint());

  const SecretBytes passphrase(std::string_view("correct horse battery"));
  EXPECT_EQ(a.ExportBackupKey(SecretBytes(std::string_view("short"))).status().code(),
            StatusCode::kInvalidArgument);
  auto exported = a.ExportBackupKey(passphrase);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_EQ(exported->rfind("KHBACKUPKEY1:", 0), 0u);
  EXPECT_EQ(b.ImportBackupKey(*exported, SecretBytes(std::string_view("wrong passphrase!")))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(b.ImportBackupKey("KHBACKUPKEY1:garbage", passphrase).status().code(),
            StatusCode::kInvalidArgument);
  auto fingerprint = b.ImportBackupKey(*exported, passphrase);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();
  EXPECT_EQ(*fingerprint, a.BackupKeyFingerprint());

  // Now both directions open, and b's older backups still do.
  EXPECT_EQ(b.OpenBackup("aad", from_a)->Reveal(), "made on a");
  const std::string from_b = *b.SealBackup("aad", "made on b after the import");
  EXPECT_EQ(a.OpenBackup("aad", from_b)->Reveal(), "made on b after the import");
  EXPECT_EQ(b.OpenBackup("aad", old_b)->Reveal(), "made on b before the import");
  EXPECT_FALSE(b.OpenBackup("other aad", from_a).ok());

  // The imported key is stored: a restarted b still uses it.
  Barrier b_again(store_b.get(), SecretBytes(std::string(32, '\x0b')));
  ASSERT_TRUE(b_again.LoadBackupKeys().ok());
  EXPECT_EQ(b_again.BackupKeyFingerprint(), a.BackupKeyFingerprint());
  EXPECT_EQ(b_again.OpenBackup("aad", from_a)->Reveal(), "made on a");
}

TEST(JournalTargetTest, OnlyACheckpointsFirstRowIsACheckpointKey) {
  // A plain row whose seq ends in the hex digit c is not a checkpoint (CI caught this: such a
  // row started a "checkpoint" segment and pruning then removed the real checkpoint).
  EXPECT_FALSE(IsCheckpointKey(JournalKey(0x1234abcc)));
  EXPECT_TRUE(IsCheckpointKey(JournalKey(0x1234abcc) + "c"));
  EXPECT_TRUE(IsCheckpointKey(JournalKey(0x12) + "c"));
  EXPECT_FALSE(IsCheckpointKey(JournalKey(0x12)));
}

TEST(JournalTargetTest, AppendsSegmentsReadsThemInOrderAndIgnoresACutOffRecord) {
  std::string dir = (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/kh-jt-XXXXXX");
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    JournalTarget target(dir + "/t");
    ASSERT_TRUE(target.Append(0x10, {"one", "two"}).ok());
    ASSERT_TRUE(target.Append(0x12, {std::string(300, 'x')}).ok());
  }
  {
    JournalTarget again(dir + "/t");  // a restart starts a new segment
    ASSERT_TRUE(again.Append(0x20, {"four"}).ok());
  }
  auto all = JournalTarget::ReadAll(dir + "/t");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0], "one");
  EXPECT_EQ((*all)[2], std::string(300, 'x'));
  EXPECT_EQ((*all)[3], "four");
  // A crash in the middle of an append leaves a cut-off record at a segment's end: skipped.
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/t")) {
    last = std::max(last, e.path().string());
  }
  { std::ofstream(last, std::ios::app | std::ios::binary) << std::string("\x00\x00\x01\x00abc", 7); }
  EXPECT_EQ(JournalTarget::ReadAll(dir + "/t")->size(), 4u);
  EXPECT_EQ(JournalTarget::ReadAll(dir + "/missing").status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kh::barrier
