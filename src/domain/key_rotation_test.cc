#include "domain/key_rotation.h"

#include <gtest/gtest.h>

#include "domain/purge_job.h"
#include "domain/rotation_job.h"
#include "domain/secret_service.h"
#include "domain/vault_service.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

constexpr int64_t kDay = 86400;

KeyRotationPolicy Policy(std::vector<LifetimeAction> actions,
                         std::optional<std::string> expiry = std::nullopt) {
  KeyRotationPolicy p;
  p.actions = std::move(actions);
  p.expiry_time = std::move(expiry);
  return p;
}

class KeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VaultSpec spec;
    spec.retention_days = 7;
    vault = *vaults.CreateOrUpdate("rg", "vault1", spec, "admin")->vault;
  }
  size_t Versions(std::string_view name) {
    auto page = keys.ListVersions(vault, name, "", 100);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items.size() : 0;
  }
  size_t RunJob() {
    auto n = job.RunOnce(f.clock.NowSeconds());
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : 0;
  }

  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
  KeyService keys{&f.barrier, &f.clock};
  KeyRotationService rotation{&f.barrier, &keys, &f.clock};
  RotationJob job{f.store.get(), &vaults, &rotation};
  Vault vault;
};

TEST(IsoDurationTest, ParsesAzureForms) {
  EXPECT_EQ(*ParseIsoDuration("P90D"), 90 * kDay);
  EXPECT_EQ(*ParseIsoDuration("P1Y10D"), 375 * kDay);
  EXPECT_EQ(*ParseIsoDuration("P3M"), 90 * kDay);
  EXPECT_EQ(*ParseIsoDuration("P2W"), 14 * kDay);
  EXPECT_EQ(*ParseIsoDuration("PT48H"), 2 * kDay);
  EXPECT_EQ(*ParseIsoDuration("P1DT1H1M1S"), kDay + 3661);
  for (const char* bad : {"", "P", "PT", "90D", "P1.5D", "PD", "P1H", "P1D2Y", "PT1D", "P1DT"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).ok()) << bad;
  }
}

TEST(RotationPolicyTest, AppliesAzureRules) {
  auto ok = Policy({{"rotate", false, "P30D"}, {"NOTIFY", true, "P7D"}}, "P90D");
  ASSERT_TRUE(ValidateRotationPolicy(ok).ok());
  EXPECT_EQ(ok.actions[0].type, "Rotate");
  EXPECT_EQ(ok.actions[1].type, "Notify");

  auto cases = std::vector<KeyRotationPolicy>{
      Policy({{"Rotate", false, "P30D"}}, "P27D"),                     // expiry < 28 days
      Policy({{"Rotate", true, "P10D"}}),                              // before-expiry, no exp
      Policy({{"Rotate", false, "P30D"}, {"Rotate", false, "P60D"}}),  // two Rotate actions
      Policy({{"Notify", false, "P30D"}}, "P90D"),                     // Notify after create
      Policy({{"Rotate", false, "P6D"}}),                              // under 7 days
      Policy({{"Rotate", true, "P90D"}}, "P90D"),                      // not shorter than exp
      Policy({{"Expire", false, "P30D"}}),                             // unknown type
      Policy({{"Rotate", false, "30 days"}}),                          // not ISO 8601
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    Status s = ValidateRotationPolicy(cases[i]);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << i;
  }
}

TEST_F(KeyRotationTest, PolicyDefaultsStoresAndNeedsTheKey) {
  EXPECT_EQ(rotation.GetPolicy(vault, "k").status().code(), StatusCode::kNotFound);
  CreateKeyParams p;
  p.kty = "EC";
  ASSERT_TRUE(keys.Create(vault, "k", p).ok());
  auto def = rotation.GetPolicy(vault, "k");
  ASSERT_TRUE(def.ok());
  ASSERT_EQ(def->actions.size(), 1u);
  EXPECT_EQ(def->actions[0].type, "Notify");
  EXPECT_FALSE(def->created);

  auto set = rotation.SetPolicy(vault, "K", Policy({{"Rotate", false, "P30D"}}, "P90D"));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->created, f.clock.NowSeconds());
  auto got = rotation.GetPolicy(vault, "k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->actions[0].duration, "P30D");
  EXPECT_EQ(got->expiry_time, "P90D");
  EXPECT_EQ(rotation.SetPolicy(vault, "k", Policy({{"Rotate", false, "P1D"}})).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(KeyRotationTest, RotateKeepsTypeOpsAndTagsAndSetsExpiry) {
  CreateKeyParams p;
  p.kty = "RSA";
  p.key_size = 3072;
  p.key_ops = std::vector<std::string>{"sign", "verify"};
  p.tags = {{"team", "a"}};
  auto first = keys.Create(vault, "rsa", p);
  ASSERT_TRUE(first.ok());
  auto plain = rotation.Rotate(vault, "rsa");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_NE(plain->version, first->version);
  EXPECT_EQ(plain->kty, "RSA");
  EXPECT_EQ(plain->material->size_bits(), 3072);
  EXPECT_EQ(plain->key_ops, first->key_ops);
  EXPECT_EQ(plain->tags, first->tags);
  EXPECT_FALSE(plain->attributes.expires);
  EXPECT_NE(plain->material->PublicComponents().n, first->material->PublicComponents().n);

  ASSERT_TRUE(rotation.SetPolicy(vault, "rsa", Policy({}, "P60D")).ok());
  auto with_exp = rotation.Rotate(vault, "rsa");
  ASSERT_TRUE(with_exp.ok());
  EXPECT_EQ(with_exp->attributes.expires, f.clock.NowSeconds() + 60 * kDay);
  EXPECT_EQ(Versions("rsa"), 3u);
  EXPECT_EQ(rotation.Rotate(vault, "missing").status().code(), StatusCode::kNotFound);
}

TEST_F(KeyRotationTest, JobRotatesOncePerDuePoint) {
  CreateKeyParams p;
  p.kty = "EC";
  p.curve = "P-384";
  ASSERT_TRUE(keys.Create(vault, "auto", p).ok());
  ASSERT_TRUE(keys.Create(vault, "manual", p).ok());
  ASSERT_TRUE(rotation.SetPolicy(vault, "auto", Policy({{"Rotate", false, "P30D"}}, "P90D")).ok());
  ASSERT_TRUE(rotation.SetPolicy(vault, "manual", Policy({}, "P90D")).ok());

  f.clock.Advance(29 * kDay);
  EXPECT_EQ(RunJob(), 0u);  // not due
  EXPECT_EQ(Versions("auto"), 1u);

  f.clock.Advance(kDay);
  EXPECT_EQ(RunJob(), 1u);  // due: rotates
  EXPECT_EQ(RunJob(), 0u);  // and only once
  EXPECT_EQ(Versions("auto"), 2u);
  EXPECT_EQ(Versions("manual"), 1u);
  auto latest = keys.Get(vault, "auto", "");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->material->curve(), crypto::EcCurve::kP384);
  EXPECT_EQ(latest->attributes.expires, f.clock.NowSeconds() + 90 * kDay);

  // A job that starts afresh (a restart) recomputes the same schedule.
  RotationJob restarted{f.store.get(), &vaults, &rotation};
  EXPECT_EQ(*restarted.RunOnce(f.clock.NowSeconds()), 0u);
  f.clock.Advance(30 * kDay);
  EXPECT_EQ(*restarted.RunOnce(f.clock.NowSeconds()), 1u);
  EXPECT_EQ(Versions("auto"), 3u);
}

TEST_F(KeyRotationTest, JobRotatesBeforeExpiryAndSkipsDeletedKeys) {
  CreateKeyParams p;
  p.kty = "oct";
  ASSERT_TRUE(keys.Create(vault, "k", p).ok());
  ASSERT_TRUE(rotation.SetPolicy(vault, "k", Policy({{"Rotate", true, "P10D"}}, "P40D")).ok());
  EXPECT_EQ(RunJob(), 0u);                        // no exp on the first version: never due
  ASSERT_TRUE(rotation.Rotate(vault, "k").ok());  // exp = now + 40 days
  f.clock.Advance(29 * kDay);
  EXPECT_EQ(RunJob(), 0u);
  f.clock.Advance(kDay);
  EXPECT_EQ(RunJob(), 1u);
  EXPECT_EQ(RunJob(), 0u);
  EXPECT_EQ(Versions("k"), 3u);

  ASSERT_TRUE(keys.Delete(vault, "k").ok());
  f.clock.Advance(100 * kDay);
  EXPECT_EQ(RunJob(), 0u);  // soft-deleted: left alone
}

}  // namespace
}  // namespace kh::domain
