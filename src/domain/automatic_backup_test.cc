// Automatic backups end to end in the domain: a random sequence of thousands of creates,
// updates, deletes, recovers and purges of secrets and keys, journaled with every commit and
// shipped to a target directory; the target alone rebuilds the vault in another deployment
// (same root key, hence same backup key), record for record, at the end and at an earlier point
// in time.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "barrier/backup_journal.h"
#include "barrier/journal_target.h"
#include "domain/names.h"
#include "domain/secret_service.h"
#include "domain/vault_backup.h"
#include "storage/memory/memory_store.h"

namespace kh::domain {
namespace {

const SecretBytes kRootKey{std::string(32, '\x42')};

struct JournaledDeployment {
  JournaledDeployment() {
    store.Attach(&barrier, &clock,
                 [this](std::string_view vault) { return vaults.AutomaticBackups(vault); });
  }
  barrier::JournalingStore store{storage::NewMemoryStore()};
  barrier::Barrier barrier{&store, kRootKey};
  FakeClock clock;
  VaultService vaults{&barrier, &clock};
  SecretService secrets{&barrier, &clock};
  KeyService keys{&barrier, &clock};
  VaultBackupService backups{&barrier, &vaults, &keys, &clock};
};

// Every record a vault owns, opened: relative path -> plaintext.
std::map<std::string, std::string> Records(barrier::Barrier& barrier, std::string_view vault) {
  std::map<std::string, std::string> out;
  auto key = barrier.VaultKey(Lower(vault));
  EXPECT_TRUE(key.ok());
  if (!key.ok()) return out;
  const std::string prefix = VaultDataPrefix(vault);
  auto rows = barrier.Scan(**key, prefix, "", 0);
  EXPECT_TRUE(rows.ok());
  for (const auto& row : *rows) out[row.path.substr(prefix.size())] = row.plaintext.RevealString();
  return out;
}

std::string TempDir() {
  std::string pattern =
      (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/kh-journal-XXXXXX");
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  return pattern;
}

TEST(AutomaticBackupTest, RandomHistoryRebuildsFromTheTargetAloneAtTheEndAndAtAnEarlierTime) {
  JournaledDeployment src;
  const std::string target_dir = TempDir();
  barrier::JournalTarget target(target_dir);
  barrier::JournalShipper shipper(&src.store, &target);

  VaultSpec spec;
  spec.location = "local";
  spec.retention_days = 7;
  ASSERT_TRUE(src.vaults.CreateOrUpdate("rg", "orig", spec, "admin").ok());
  auto vault = [&] { return **src.vaults.Get("rg", "orig"); };

  std::mt19937 rng(20261130);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  constexpr int kOps = 3000;
  constexpr int kNames = 40;
  std::map<std::string, std::string> midway;
  int64_t midway_time = 0;
  int succeeded = 0;
  for (int i = 0; i < kOps; ++i) {
    src.clock.Advance(1);
    const Vault v = vault();
    const std::string name = (pick(2) ? "s" : "k") + std::to_string(pick(kNames));
    const bool is_secret = name[0] == 's';
    bool ok = false;
    switch (pick(6)) {
      case 0:
      case 1:  // create or new version
        if (is_secret) {
          SetSecretParams p;
          p.value = SecretBytes(std::string_view("value-" + std::to_string(i)));
          p.tags = {{"op", std::to_string(i)}};
          ok = src.secrets.Set(v, name, std::move(p)).ok();
        } else {
          CreateKeyParams p;
          p.kty = pick(2) ? "oct" : "EC";
          ok = src.keys.Create(v, name, p).ok();
        }
        break;
      case 2: {  // update
        if (is_secret) {
          SecretUpdate u;
          u.enabled = pick(2) == 0;
          u.tags = std::map<std::string, std::string>{{"updated", std::to_string(i)}};
          ok = src.secrets.Update(v, name, "", u).ok();
        } else {
          KeyUpdate u;
          u.tags = std::map<std::string, std::string>{{"updated", std::to_string(i)}};
          ok = src.keys.Update(v, name, "", u).ok();
        }
        break;
      }
      case 3:  // delete
        ok = is_secret ? src.secrets.Delete(v, name).ok() : src.keys.Delete(v, name).ok();
        break;
      case 4:  // recover
        ok = is_secret ? src.secrets.Recover(v, name).ok() : src.keys.Recover(v, name).ok();
        break;
      case 5:  // purge
        ok = is_secret ? src.secrets.Purge(v, name).ok() : src.keys.Purge(v, name).ok();
        break;
    }
    succeeded += ok ? 1 : 0;
    if (i % 97 == 0) ASSERT_TRUE(shipper.ShipOnce().ok());
    if (i == kOps / 2) {
      midway = Records(src.barrier, "orig");
      midway_time = src.clock.NowSeconds();
    }
  }
  ASSERT_TRUE(shipper.Drain().ok());
  EXPECT_EQ(*shipper.Pending(), 0u);
  EXPECT_GT(succeeded, kOps / 3) << "the random sequence mostly did something";
  const auto final_records = Records(src.barrier, "orig");
  ASSERT_GT(final_records.size(), 20u);
  auto count = [&](std::string_view prefix) {
    return std::count_if(final_records.begin(), final_records.end(),
                         [&](const auto& r) { return r.first.rfind(prefix, 0) == 0; });
  };
  EXPECT_GT(count("secrets/o/"), 0);
  EXPECT_GT(count("secrets/deleted/"), 0);
  EXPECT_GT(count("keys/o/"), 0);
  EXPECT_GT(count("keys/deleted/"), 0);

  // Another deployment, from the target directory alone.
  JournaledDeployment dst;
  auto rebuilt = dst.backups.Rebuild(target_dir, "orig", std::nullopt, "copy", std::nullopt, "x");
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(Records(dst.barrier, "copy"), final_records);
  auto earlier = dst.backups.Rebuild(target_dir, "orig", midway_time, "earlier", std::nullopt, "x");
  ASSERT_TRUE(earlier.ok()) << earlier.status().ToString();
  EXPECT_EQ(Records(dst.barrier, "earlier"), midway);
  EXPECT_NE(midway, final_records);

  // Read back through the services: a live secret of the copy has the original's value.
  for (const auto& [rel, plain] : final_records) {
    if (rel.rfind("secrets/o/", 0) != 0 || rel.find('\x01') != std::string::npos) continue;
    const std::string name = rel.substr(10);
    auto original = src.secrets.Get(vault(), name, "");
    auto copy = dst.secrets.Get(**dst.vaults.Get("rg", "copy"), name, "");
    ASSERT_TRUE(original.ok() && copy.ok()) << name;
    EXPECT_EQ(copy->value.Reveal(), original->value.Reveal());
  }

  // Unknown vaults and times before the vault existed give NotFound; nothing is written.
  EXPECT_EQ(dst.backups.Rebuild(target_dir, "other", std::nullopt, "xx1", std::nullopt, "x")
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(dst.backups.Rebuild(target_dir, "orig", 1, "xx2", std::nullopt, "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(dst.vaults.Find("xx2").status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(target_dir);
}

TEST(AutomaticBackupTest, CheckpointsLetOldSegmentsGoAndRebuildsStayExact) {
  JournaledDeployment src;
  const std::string target_dir = TempDir();
  barrier::JournalTarget target(target_dir);
  barrier::ShipperOptions options;
  options.retention_seconds = 0;  // everything before the newest checkpoint may go
  barrier::JournalShipper shipper(&src.store, &target, options);
  VaultSpec spec;
  spec.retention_days = 7;
  ASSERT_TRUE(src.vaults.CreateOrUpdate("rg", "ckpt", spec, "admin").ok());
  ASSERT_TRUE(src.vaults.CreateOrUpdate("rg", "other", spec, "admin").ok());
  std::mt19937 rng(7);
  auto run = [&](int ops) {
    for (int i = 0; i < ops; ++i) {
      src.clock.Advance(1);
      const Vault v = **src.vaults.Get("rg", rng() % 4 ? "ckpt" : "other");
      const std::string name = "s" + std::to_string(rng() % 30);
      switch (rng() % 4) {
        case 0:
        case 1: {
          SetSecretParams p;
          p.value = SecretBytes(std::string_view("v" + std::to_string(i)));
          src.secrets.Set(v, name, std::move(p)).status().IgnoreError();
          break;
        }
        case 2:
          src.secrets.Delete(v, name).status().IgnoreError();
          break;
        case 3:
          src.secrets.Purge(v, name).IgnoreError();
          break;
      }
      if (i % 50 == 0) {
        ASSERT_TRUE(shipper.ShipOnce().ok());
      }
    }
    ASSERT_TRUE(shipper.Drain().ok());
  };
  auto segments = [&] {
    return std::distance(std::filesystem::directory_iterator(target_dir),
                         std::filesystem::directory_iterator());
  };
  run(800);
  const int64_t before_checkpoint = src.clock.NowSeconds();
  const auto at_before = Records(src.barrier, "ckpt");
  const auto segments_before = segments();
  src.clock.Advance(1);
  ASSERT_TRUE(shipper.CheckpointAndPrune().ok());
  EXPECT_EQ(segments(), 1) << "only the checkpoint's segment is left of " << segments_before;
  run(400);
  const int64_t midway_time = src.clock.NowSeconds();
  const auto midway = Records(src.barrier, "ckpt");
  run(400);

  JournaledDeployment dst;
  auto rebuilt = dst.backups.Rebuild(target_dir, "ckpt", std::nullopt, "copy", std::nullopt, "x");
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(Records(dst.barrier, "copy"), Records(src.barrier, "ckpt"));
  ASSERT_TRUE(dst.backups.Rebuild(target_dir, "ckpt", midway_time, "mid", std::nullopt, "x").ok());
  EXPECT_EQ(Records(dst.barrier, "mid"), midway);
  ASSERT_TRUE(
      dst.backups.Rebuild(target_dir, "other", std::nullopt, "other2", std::nullopt, "x").ok());
  EXPECT_EQ(Records(dst.barrier, "other2"), Records(src.barrier, "other"));
  // History before the kept checkpoint is gone, as retention asked.
  EXPECT_NE(at_before, midway);
  EXPECT_EQ(dst.backups.Rebuild(target_dir, "ckpt", before_checkpoint, "gone", std::nullopt, "x")
                .status()
                .code(),
            StatusCode::kNotFound);
  std::filesystem::remove_all(target_dir);
}

TEST(AutomaticBackupTest, VaultsWithoutAutomaticBackupsAreNotJournaled) {
  JournaledDeployment src;
  VaultSpec spec;
  spec.automatic_backups = false;
  ASSERT_TRUE(src.vaults.CreateOrUpdate("rg", "quiet", spec, "admin").ok());
  auto quiet = src.vaults.Get("rg", "quiet");
  SetSecretParams p;
  p.value = SecretBytes(std::string_view("x"));
  ASSERT_TRUE(src.secrets.Set(**quiet, "s", std::move(p)).ok());
  // Only the creation itself (before the setting was known) is journaled.
  auto rows = src.store.Scan(barrier::kJournalPrefix, "", 0);
  ASSERT_TRUE(rows.ok());
  EXPECT_LE(rows->size(), 1u);
}

TEST(AutomaticBackupTest, AFailingTargetLosesNothingAndCatchesUp) {
  JournaledDeployment src;
  const std::string base = TempDir();
  const std::string blocked = base + "/not-a-dir";
  { std::ofstream(blocked) << "a file where the target directory should be"; }
  barrier::JournalTarget bad_target(blocked + "/target");
  barrier::JournalShipper bad(&src.store, &bad_target);
  VaultSpec spec;
  ASSERT_TRUE(src.vaults.CreateOrUpdate("rg", "vvv", spec, "admin").ok());
  SetSecretParams p;
  p.value = SecretBytes(std::string_view("kept"));
  ASSERT_TRUE(src.secrets.Set(**src.vaults.Get("rg", "vvv"), "s", std::move(p)).ok());
  EXPECT_FALSE(bad.ShipOnce().ok());
  EXPECT_GE(*bad.Pending(), 2u) << "the changes wait in the store";

  barrier::JournalTarget good_target(base + "/target");
  barrier::JournalShipper good(&src.store, &good_target);
  ASSERT_TRUE(good.Drain().ok());
  JournaledDeployment dst;
  ASSERT_TRUE(
      dst.backups.Rebuild(base + "/target", "vvv", std::nullopt, "www", std::nullopt, "x").ok());
  EXPECT_EQ(dst.secrets.Get(**dst.vaults.Get("rg", "www"), "s", "")->value.Reveal(), "kept");
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace kh::domain
