#include "domain/secret_service.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/purge_job.h"
#include "domain/vault_service.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

class SecretServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VaultSpec spec;
    spec.retention_days = 7;
    vault = *vaults.CreateOrUpdate("rg", "vault1", spec, "admin")->vault;
    spec.purge_protection = true;
    protected_vault = *vaults.CreateOrUpdate("rg", "vault2", spec, "admin")->vault;
  }
  SetSecretParams Value(std::string_view v) {
    SetSecretParams p;
    p.value = SecretBytes(v);
    return p;
  }

  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
  SecretService secrets{&f.barrier, &f.clock};
  Vault vault, protected_vault;
};

TEST_F(SecretServiceTest, SetCreatesVersionsAndGetReturnsLatest) {
  auto v1 = secrets.Set(vault, "db-password", Value("one"));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  f.clock.Advance(10);
  auto v2 = secrets.Set(vault, "DB-Password", Value("two"));
  ASSERT_TRUE(v2.ok());
  EXPECT_NE(v1->version, v2->version);
  EXPECT_EQ(v2->name, "db-password");  // the name keeps its first spelling
  EXPECT_EQ(secrets.Get(vault, "db-password", "")->value.Reveal(), "two");
  EXPECT_EQ(secrets.Get(vault, "db-password", v1->version)->value.Reveal(), "one");
  EXPECT_EQ(secrets.Get(vault, "db-password", "0123").status().azure_code(), "SecretNotFound");
  EXPECT_EQ(secrets.Get(vault, "missing", "").status().code(), StatusCode::kNotFound);
  auto versions = secrets.ListVersions(vault, "db-password", "", 25);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->items.size(), 2u);
  EXPECT_TRUE(versions->items[0].value.empty());
}

TEST_F(SecretServiceTest, EnforcesLimits) {
  EXPECT_TRUE(secrets.Set(vault, "big", Value(std::string(kMaxSecretValueBytes, 'x'))).ok());
  EXPECT_EQ(
      secrets.Set(vault, "big", Value(std::string(kMaxSecretValueBytes + 1, 'x'))).status().code(),
      StatusCode::kInvalidArgument);
  SetSecretParams p = Value("v");
  for (int i = 0; i < 16; ++i) p.tags["t" + std::to_string(i)] = "v";
  EXPECT_EQ(secrets.Set(vault, "tags", std::move(p)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(secrets.Set(vault, "bad_name", Value("v")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SecretServiceTest, DisabledSecretIsForbiddenUntilReEnabled) {
  SetSecretParams p = Value("v");
  p.enabled = false;
  auto s = secrets.Set(vault, "off", std::move(p));
  ASSERT_TRUE(s.ok());
  auto got = secrets.Get(vault, "off", "");
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(got.status().inner_code(), "SecretDisabled");
  SecretUpdate u;
  u.enabled = true;
  u.tags = std::map<std::string, std::string>{{"a", "b"}};
  ASSERT_TRUE(secrets.Update(vault, "off", s->version, u).ok());
  EXPECT_EQ(secrets.Get(vault, "off", "")->tags.at("a"), "b");
}

TEST_F(SecretServiceTest, ListPagesThroughEverySecretOnce) {
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(secrets.Set(vault, "s" + std::to_string(i), Value("v")).ok());
  std::set<std::string> seen;
  std::string marker;
  int pages = 0;
  for (;;) {
    auto page = secrets.List(vault, marker, 3);
    ASSERT_TRUE(page.ok());
    ++pages;
    for (auto& s : page->items) EXPECT_TRUE(seen.insert(s.name).second);
    if (!page->next_marker) break;
    marker = *page->next_marker;
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
}

TEST_F(SecretServiceTest, SoftDeleteRecoverPurge) {
  ASSERT_TRUE(secrets.Set(vault, "s", Value("v")).ok());
  auto deleted = secrets.Delete(vault, "s");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->deleted.scheduled_purge_date - deleted->deleted.deleted_date, 7 * 86400);
  EXPECT_EQ(secrets.Get(vault, "s", "").status().code(), StatusCode::kNotFound);
  auto conflict = secrets.Set(vault, "s", Value("again"));
  EXPECT_EQ(conflict.status().inner_code(), "ObjectIsDeletedButRecoverable");
  EXPECT_EQ(secrets.ListDeleted(vault, "", 25)->items.size(), 1u);
  ASSERT_TRUE(secrets.Recover(vault, "s").ok());
  EXPECT_EQ(secrets.Get(vault, "s", "")->value.Reveal(), "v");
  ASSERT_TRUE(secrets.Delete(vault, "s").ok());
  ASSERT_TRUE(secrets.Purge(vault, "s").ok());
  EXPECT_EQ(secrets.GetDeleted(vault, "s").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(secrets.Set(vault, "s", Value("new")).ok());
}

TEST_F(SecretServiceTest, PurgeProtectionRefusesPurgeButJobPurgesAfterRetention) {
  ASSERT_TRUE(secrets.Set(protected_vault, "p", Value("v")).ok());
  ASSERT_TRUE(secrets.Delete(protected_vault, "p").ok());
  EXPECT_EQ(secrets.Purge(protected_vault, "p").code(), StatusCode::kPermissionDenied);
  PurgeJob job(f.store.get(), &vaults, &secrets);
  f.clock.Advance(7 * 86400 - 1);
  ASSERT_TRUE(job.RunOnce(f.clock.NowSeconds()).ok());
  EXPECT_TRUE(secrets.GetDeleted(protected_vault, "p").ok());
  f.clock.Advance(1);
  ASSERT_EQ(*job.RunOnce(f.clock.NowSeconds()), 1u);
  EXPECT_EQ(secrets.GetDeleted(protected_vault, "p").status().code(), StatusCode::kNotFound);
}

TEST_F(SecretServiceTest, BackupRestoresEveryVersionIntoAnotherVault) {
  // A canary long enough that random ciphertext cannot contain it by chance ("one" could).
  const std::string first = "first-version-plaintext-canary-7d1f";
  auto v1 = secrets.Set(vault, "b", Value(first));
  auto v2 = secrets.Set(vault, "b", Value("two"));
  auto blob = secrets.Backup(vault, "b");
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->find(first), std::string::npos) << "the blob is sealed";
  EXPECT_EQ(secrets.Restore(vault, *blob).status().code(), StatusCode::kConflict);
  auto restored = secrets.Restore(protected_vault, *blob);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->version, v2->version);
  EXPECT_EQ(secrets.Get(protected_vault, "b", v1->version)->value.Reveal(), first);
  std::string tampered = *blob;
  tampered[tampered.size() - 3] ^= 1;
  EXPECT_EQ(secrets.Restore(vault, tampered).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kh::domain

namespace kh::domain {
namespace {

TEST_F(SecretServiceTest, TrySetAsyncCommitsAndReportsErrors) {
  std::optional<StatusOr<SecretVersion>> result;
  ASSERT_TRUE(secrets.TrySetAsync(vault, "async", Value("v1"),
                                  [&](StatusOr<SecretVersion> r) { result = std::move(r); }));
  ASSERT_TRUE(result && result->ok());
  EXPECT_EQ(secrets.Get(vault, "async", "")->value.Reveal(), "v1");
  EXPECT_EQ(secrets.Get(vault, "async", (*result)->version)->value.Reveal(), "v1");

  result.reset();
  ASSERT_TRUE(secrets.TrySetAsync(vault, "bad_name", Value("v"),
                                  [&](StatusOr<SecretVersion> r) { result = std::move(r); }));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(secrets.Delete(vault, "async").ok());
  result.reset();
  ASSERT_TRUE(secrets.TrySetAsync(vault, "async", Value("v2"),
                                  [&](StatusOr<SecretVersion> r) { result = std::move(r); }));
  EXPECT_EQ(result->status().inner_code(), "ObjectIsDeletedButRecoverable");
}

}  // namespace
}  // namespace kh::domain

namespace kh::domain {
namespace {

TEST_F(SecretServiceTest, ListSkipsVersionsAndDeletedNames) {
  for (const char* name : {"a", "a-b", "ab", "b"}) {
    for (int v = 0; v < 3; ++v) ASSERT_TRUE(secrets.Set(vault, name, Value("v")).ok());
  }
  ASSERT_TRUE(secrets.Delete(vault, "a-b").ok());
  std::vector<std::string> names;
  std::string marker;
  for (;;) {
    auto page = secrets.List(vault, marker, 1);
    ASSERT_TRUE(page.ok());
    for (auto& s : page->items) names.push_back(s.name);
    if (!page->next_marker) break;
    marker = *page->next_marker;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "ab", "b"}));
  EXPECT_EQ(secrets.ListVersions(vault, "a", "", 25)->items.size(), 3u);
  EXPECT_EQ(secrets.ListDeleted(vault, "", 25)->items.size(), 1u);
  ASSERT_TRUE(secrets.Recover(vault, "a-b").ok());
  EXPECT_EQ(secrets.ListVersions(vault, "a-b", "", 25)->items.size(), 3u);
}

}  // namespace
}  // namespace kh::domain
