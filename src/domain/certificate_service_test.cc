#include "domain/certificate_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/base64.h"
#include "domain/certificate_policy.h"
#include "domain/key_rotation.h"
#include "domain/purge_job.h"
#include "domain/renewal_job.h"
#include "domain/vault_backup.h"
#include "domain/vault_service.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

constexpr int64_t kDay = 86400;

CertificatePolicyPatch SelfPolicy(std::string subject, std::string kty = "EC") {
  CertificatePolicyPatch p;
  p.issuer_name = "Self";
  p.subject = std::move(subject);
  p.kty = std::move(kty);
  return p;
}

CreateCertificateParams WithPolicy(CertificatePolicyPatch policy) {
  CreateCertificateParams params;
  params.policy = std::move(policy);
  return params;
}

class CertificateServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    f.clock.Set(1'800'000'000);
    VaultSpec spec;
    spec.retention_days = 7;
    vault = *vaults.CreateOrUpdate("rg", "vault1", spec, "admin")->vault;
    spec.purge_protection = true;
    protected_vault = *vaults.CreateOrUpdate("rg", "vault2", spec, "admin")->vault;
  }

  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
  SecretService secrets{&f.barrier, &f.clock};
  KeyService keys{&f.barrier, &f.clock};
  CertificateIssuers issuers{&f.barrier, &f.clock};
  CertificateService certificates{&f.barrier, &f.clock, &keys, &secrets, &issuers};
  Vault vault, protected_vault;
};

TEST(CertificatePolicyTest, DefaultsFillWhatTheRequestLeavesOut) {
  CertificatePolicyPatch patch;
  patch.subject = "CN=a";
  auto p = ApplyPolicyPatch(nullptr, patch, 100);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kty, "RSA");
  EXPECT_EQ(p->key_size, 2048);
  EXPECT_TRUE(p->exportable);
  EXPECT_FALSE(p->reuse_key);
  EXPECT_EQ(p->content_type, kPkcs12ContentType);
  EXPECT_EQ(p->validity_months, 12);
  EXPECT_EQ(p->issuer_name, "Unknown");
  ASSERT_EQ(p->lifetime_actions.size(), 1u);
  EXPECT_EQ(p->lifetime_actions[0].action_type, "EmailContacts") << "Unknown cannot renew";
  EXPECT_EQ(p->lifetime_actions[0].lifetime_percentage, 80);

  patch.issuer_name = "self";
  patch.kty = "EC-HSM";
  auto hsm = ApplyPolicyPatch(nullptr, patch, 100);
  ASSERT_TRUE(hsm.ok()) << hsm.status().ToString();
  EXPECT_EQ(hsm->issuer_name, "Self");
  EXPECT_FALSE(hsm->exportable) << "HSM keys are not exportable";
  EXPECT_EQ(hsm->curve, "P-256");
  EXPECT_EQ(hsm->lifetime_actions[0].action_type, "AutoRenew");
}

TEST(CertificatePolicyTest, InvalidPoliciesAreBadParameter) {
  const auto refused = [](auto mutate) {
    CertificatePolicyPatch patch;
    patch.subject = "CN=a";
    patch.issuer_name = "Self";
    mutate(patch);
    auto p = ApplyPolicyPatch(nullptr, patch, 0);
    return !p.ok() && p.status().azure_code() == "BadParameter";
  };
  EXPECT_TRUE(refused([](auto& p) { p.key_size = 1000; }));
  EXPECT_TRUE(refused([](auto& p) { p.kty = "oct"; }));
  EXPECT_TRUE(refused([](auto& p) { p.kty = "RSA-HSM", p.exportable = true; }));
  EXPECT_TRUE(refused([](auto& p) { p.content_type = "text/plain"; }));
  EXPECT_TRUE(refused([](auto& p) { p.validity_months = 0; }));
  EXPECT_TRUE(refused([](auto& p) { p.subject = ""; }));
  EXPECT_TRUE(refused([](auto& p) { p.key_usage = std::vector<std::string>{"sign"}; }));
  EXPECT_TRUE(refused([](auto& p) {
    crypto::SubjectAlternativeNames many;
    many.dns_names.assign(101, "a.example");
    p.sans = many;
  }));
  EXPECT_TRUE(refused([](auto& p) { p.ekus = std::vector<std::string>(33, "1.3.6.1.5.5.7.3.1"); }));
  EXPECT_TRUE(refused([](auto& p) { p.certificate_type = std::string(65, 'x'); }));
  EXPECT_TRUE(refused([](auto& p) {
    p.lifetime_actions = std::vector<CertificateLifetimeAction>{{100, std::nullopt, "AutoRenew"}};
  }));
  EXPECT_TRUE(refused([](auto& p) {
    p.lifetime_actions = std::vector<CertificateLifetimeAction>{{50, 10, "AutoRenew"}};
  }));
  EXPECT_TRUE(refused([](auto& p) {
    p.issuer_name = "Unknown";
    p.lifetime_actions = std::vector<CertificateLifetimeAction>{{50, std::nullopt, "AutoRenew"}};
  }));
}

TEST(CertificatePolicyTest, ValidityIsCalendarMonthsAndKeyOpsFollowTheUsage) {
  CertificatePolicy p;
  p.validity_months = 1;
  // 2027-01-31T12:00:00Z + 5 minutes of skew: one month later is the last day of February.
  const int64_t jan31 = 1801396800 + 300;
  auto v = ValidityFor(p, jan31);
  EXPECT_EQ(v.not_before, 1801396800);
  EXPECT_EQ(v.not_after, 1801396800 + 28 * kDay);
  p.validity_months = 12;
  v = ValidityFor(p, jan31);
  EXPECT_EQ(v.not_after - v.not_before, 365 * kDay);

  p.kty = "RSA";
  EXPECT_EQ(KeyOpsFor(p), (std::vector<std::string>{"sign", "verify", "wrapKey", "unwrapKey"}));
  p.x509.key_usage = {"dataEncipherment"};
  EXPECT_EQ(KeyOpsFor(p), (std::vector<std::string>{"encrypt", "decrypt"}));
  p.kty = "EC";
  p.x509.key_usage = {"digitalSignature", "keyEncipherment"};
  EXPECT_EQ(KeyOpsFor(p), (std::vector<std::string>{"sign", "verify"}));
}

TEST_F(CertificateServiceTest, SelfCreateWritesCertificateKeyAndSecretOfOneVersion) {
  auto op = certificates.Create(vault, "web", WithPolicy(SelfPolicy("CN=web")));
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  EXPECT_EQ(op->status, "completed");
  EXPECT_FALSE(op->csr.empty());
  auto cert = certificates.Get(vault, "web", "");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto info = crypto::InspectCertificate(cert->cer);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "CN=web");
  EXPECT_EQ(cert->attributes.not_before, info->not_before);
  EXPECT_EQ(cert->attributes.expires, info->not_after);

  auto key = keys.Get(vault, "web", "");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->managed);
  EXPECT_EQ(key->version, cert->version);
  EXPECT_TRUE(*crypto::CertificateMatchesKey(cert->cer, *key->material));
  auto secret = secrets.Get(vault, "web", "");
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(secret->managed);
  EXPECT_EQ(secret->version, cert->version);
  EXPECT_EQ(secret->key_id, "web/" + cert->version);
  EXPECT_EQ(secret->content_type, std::string(kPkcs12ContentType));
  auto pfx = Base64Decode(secret->value.Reveal());
  ASSERT_TRUE(pfx.ok());
  auto parsed = crypto::ParsePkcs12(*pfx, SecretBytes(), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->chain_der, std::vector<std::string>{cert->cer});

  auto pem =
      CertificateService::ConvertSecretValue(secret->value, kPkcs12ContentType, kPemContentType);
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->Reveal().rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
}

TEST_F(CertificateServiceTest, ANonExportableCertificatesSecretConvertsWithoutAKey) {
  CertificatePolicyPatch policy = SelfPolicy("CN=locked");
  policy.exportable = false;
  ASSERT_TRUE(certificates.Create(vault, "locked", WithPolicy(policy)).ok());
  auto secret = secrets.Get(vault, "locked", "");
  ASSERT_TRUE(secret.ok());
  auto pem =
      CertificateService::ConvertSecretValue(secret->value, kPkcs12ContentType, kPemContentType);
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  EXPECT_EQ(pem->Reveal().find("PRIVATE KEY"), std::string_view::npos);
  EXPECT_EQ(pem->Reveal().rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  auto back = CertificateService::ConvertSecretValue(*pem, kPemContentType, kPkcs12ContentType);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
}

TEST_F(CertificateServiceTest, ManagedKeyAndSecretChangeOnlyThroughTheCertificate) {
  ASSERT_TRUE(certificates.Create(vault, "m", WithPolicy(SelfPolicy("CN=m"))).ok());
  EXPECT_EQ(keys.Delete(vault, "m").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(keys.Update(vault, "m", "", KeyUpdate{}).status().code(),
            StatusCode::kPermissionDenied);
  SetSecretParams set;
  set.value = SecretBytes(std::string_view("x"));
  EXPECT_EQ(secrets.Set(vault, "m", set).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(secrets.Delete(vault, "m").status().code(), StatusCode::kPermissionDenied);

  KeyRotationService rotation(&f.barrier, &keys, &f.clock);
  KeyRotationPolicy rotate;
  rotate.actions = {{"Rotate", false, "P30D"}};
  rotate.expiry_time = "P90D";
  EXPECT_EQ(rotation.SetPolicy(vault, "m", rotate).status().code(), StatusCode::kPermissionDenied)
      << "the certificate's lifetime actions renew its key";

  // A plain secret's name is not free for a certificate.
  ASSERT_TRUE(secrets.Set(vault, "plain", set).ok());
  auto conflict = certificates.Create(vault, "plain", WithPolicy(SelfPolicy("CN=p")));
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict);
  EXPECT_FALSE(keys.Get(vault, "plain", "").ok()) << "nothing was created";
}

TEST_F(CertificateServiceTest, UnknownIssuerWaitsForAMergeOfTheCsrsKey) {
  CertificatePolicyPatch policy = SelfPolicy("CN=ext", "RSA");
  policy.issuer_name = "Unknown";
  auto op = certificates.Create(vault, "ext", WithPolicy(policy));
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  EXPECT_EQ(op->status, "inProgress");
  EXPECT_FALSE(keys.Get(vault, "ext", "").ok()) << "no key before the merge";
  auto pending = certificates.Get(vault, "ext", "");
  ASSERT_TRUE(pending.ok()) << "a pending certificate reads without cer";
  EXPECT_TRUE(pending->cer.empty());

  // A CA signs: here a second, self-signed certificate stands in for the CA's answer with the
  // wrong key, which must not merge.
  ASSERT_TRUE(certificates.Create(vault, "other", WithPolicy(SelfPolicy("CN=other"))).ok());
  MergeCertificateParams wrong;
  wrong.x5c = {certificates.Get(vault, "other", "")->cer};
  EXPECT_EQ(certificates.Merge(vault, "ext", wrong).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(certificates.GetOperation(vault, "ext")->status, "inProgress");

  EXPECT_EQ(certificates.CancelOperation(vault, "ext")->status, "cancelled");
  EXPECT_EQ(certificates.Merge(vault, "ext", wrong).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(certificates.DeleteOperation(vault, "ext").ok());
  EXPECT_EQ(certificates.GetOperation(vault, "ext").status().azure_code(),
            "PendingCertificateNotFound");
}

TEST_F(CertificateServiceTest, DeleteRecoverPurgeActOnKeyAndSecretToo) {
  ASSERT_TRUE(certificates.Create(vault, "d", WithPolicy(SelfPolicy("CN=d"))).ok());
  ASSERT_TRUE(certificates.Delete(vault, "d").ok());
  EXPECT_TRUE(keys.GetDeleted(vault, "d").ok());
  EXPECT_TRUE(secrets.GetDeleted(vault, "d").ok());
  EXPECT_EQ(keys.Purge(vault, "d").code(), StatusCode::kPermissionDenied)
      << "a deleted managed key is purged with its certificate only";
  ASSERT_TRUE(certificates.Recover(vault, "d").ok());
  EXPECT_TRUE(keys.Get(vault, "d", "").ok());
  EXPECT_TRUE(secrets.Get(vault, "d", "").ok());
  ASSERT_TRUE(certificates.Delete(vault, "d").ok());
  ASSERT_TRUE(certificates.Purge(vault, "d").ok());
  EXPECT_FALSE(keys.GetDeleted(vault, "d").ok());
  EXPECT_FALSE(secrets.GetDeleted(vault, "d").ok());
  EXPECT_FALSE(certificates.GetDeleted(vault, "d").ok());

  ASSERT_TRUE(certificates.Create(protected_vault, "p", WithPolicy(SelfPolicy("CN=p"))).ok());
  ASSERT_TRUE(certificates.Delete(protected_vault, "p").ok());
  EXPECT_FALSE(certificates.Purge(protected_vault, "p").ok()) << "purge protection";
  EXPECT_TRUE(keys.GetDeleted(protected_vault, "p").ok());
}

TEST_F(CertificateServiceTest, BackupRestoresCertificateKeyAndSecretAfterPurge) {
  ASSERT_TRUE(certificates.Create(vault, "b", WithPolicy(SelfPolicy("CN=b"))).ok());
  const CertificateVersion before = *certificates.Get(vault, "b", "");
  auto blob = certificates.Backup(vault, "b");
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  ASSERT_TRUE(certificates.Delete(vault, "b").ok());
  ASSERT_TRUE(certificates.Purge(vault, "b").ok());
  auto restored = certificates.Restore(vault, *blob);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->version, before.version);
  EXPECT_EQ(certificates.Get(vault, "b", "")->cer, before.cer);
  EXPECT_TRUE(keys.Get(vault, "b", "")->managed);
  EXPECT_TRUE(secrets.Get(vault, "b", "")->managed);
  EXPECT_EQ(certificates.Restore(vault, *blob).status().code(), StatusCode::kConflict);
  // Into another vault, with one byte of the key's or secret's part changed: nothing stays.
  std::string tampered = *blob;
  tampered[tampered.size() - 40] ^= 1;
  EXPECT_EQ(certificates.Restore(protected_vault, tampered).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(certificates.Get(protected_vault, "b", "").status().code(), StatusCode::kNotFound);
}

TEST_F(CertificateServiceTest, WholeVaultBackupCarriesCertificatesWithTheirKeyAndSecret) {
  ASSERT_TRUE(certificates.Create(vault, "w", WithPolicy(SelfPolicy("CN=w"))).ok());
  VaultBackupService backups{&f.barrier, &vaults, &keys, &f.clock};
  auto file = backups.Create(vault.name);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(backups.Restore(*file, "vault9", std::string("rg"), "admin").ok());
  const Vault copy = **vaults.Find("vault9");
  auto cert = certificates.Get(copy, "w", "");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->cer, certificates.Get(vault, "w", "")->cer);
  auto key = keys.Get(copy, "w", "");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(*crypto::CertificateMatchesKey(cert->cer, *key->material));
  SetSecretParams set;
  set.value = SecretBytes(std::string_view("x"));
  EXPECT_EQ(secrets.Set(copy, "w", set).status().code(), StatusCode::kPermissionDenied)
      << "the restored secret is still managed";
}

TEST_F(CertificateServiceTest, ARestoreThatFailsPartWayLeavesNothingBehind) {
  ASSERT_TRUE(certificates.Create(vault, "web", WithPolicy(SelfPolicy("CN=web"))).ok());
  auto blob = certificates.Backup(vault, "web");
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE(certificates.Delete(vault, "web").ok());
  ASSERT_TRUE(certificates.Purge(vault, "web").ok());
  SetSecretParams plain;
  plain.value = SecretBytes(std::string_view("not a certificate's"));
  ASSERT_TRUE(secrets.Set(vault, "web", plain).ok());
  EXPECT_EQ(certificates.Restore(vault, *blob).status().code(), StatusCode::kConflict);
  EXPECT_EQ(certificates.Get(vault, "web", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys.Get(vault, "web", "").status().code(), StatusCode::kNotFound)
      << "no orphaned managed key";
  EXPECT_FALSE(secrets.Get(vault, "web", "")->managed) << "the plain secret is untouched";
}

TEST_F(CertificateServiceTest, KeyhavenIssuerSignsWithAVaultCaCertificate) {
  CertificatePolicyPatch ca = SelfPolicy("CN=Team CA");
  ca.key_usage = std::vector<std::string>{"keyCertSign", "cRLSign"};
  ASSERT_TRUE(certificates.Create(vault, "team-ca", WithPolicy(ca)).ok());
  IssuerUpdate issuer;
  issuer.provider = std::string(kKeyhavenProvider);
  issuer.account_id = "team-ca";
  ASSERT_TRUE(issuers.Set(vault, "team", issuer).ok());

  CertificatePolicyPatch leaf = SelfPolicy("CN=svc");
  leaf.issuer_name = "team";
  auto op = certificates.Create(vault, "svc", WithPolicy(leaf));
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  const std::string ca_der = certificates.Get(vault, "team-ca", "")->cer;
  const std::string leaf_der = certificates.Get(vault, "svc", "")->cer;
  EXPECT_TRUE(*crypto::CertificateSignedBy(leaf_der, ca_der));
  EXPECT_EQ(crypto::InspectCertificate(leaf_der)->issuer, "CN=Team CA");

  // A certificate that is not a CA cannot issue.
  issuer.account_id = "svc";
  ASSERT_TRUE(issuers.Set(vault, "notca", issuer).ok());
  leaf.issuer_name = "notca";
  EXPECT_EQ(certificates.Create(vault, "svc2", WithPolicy(leaf)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CertificateServiceTest, AutoRenewMakesOneNewVersionAtItsPoint) {
  CertificatePolicyPatch policy = SelfPolicy("CN=r");
  policy.validity_months = 12;
  policy.lifetime_actions = std::vector<CertificateLifetimeAction>{{50, std::nullopt, "AutoRenew"}};
  ASSERT_TRUE(certificates.Create(vault, "r", WithPolicy(policy)).ok());
  RenewalJob job(&f.barrier, &vaults, &certificates);
  const auto versions = [&] { return certificates.ListVersions(vault, "r", "", 25)->items.size(); };

  f.clock.Advance(170 * kDay);
  ASSERT_EQ(job.RunOnce(f.clock.NowSeconds())->renewed, 0u);
  EXPECT_EQ(versions(), 1u);
  f.clock.Advance(15 * kDay);  // past 50% of 365 days
  ASSERT_EQ(job.RunOnce(f.clock.NowSeconds())->renewed, 1u);
  EXPECT_EQ(versions(), 2u);
  ASSERT_EQ(job.RunOnce(f.clock.NowSeconds())->renewed, 0u) << "once";
  EXPECT_EQ(versions(), 2u);
  EXPECT_EQ(certificates.Get(vault, "r", "")->attributes.not_before, f.clock.NowSeconds() - 300);
}

TEST_F(CertificateServiceTest, ALeafIsNotRenewedPastItsCaAgainAndAgain) {
  CertificatePolicyPatch ca = SelfPolicy("CN=Short CA");
  ca.key_usage = std::vector<std::string>{"keyCertSign"};
  ca.validity_months = 2;
  ca.lifetime_actions = std::vector<CertificateLifetimeAction>{{std::nullopt, 1, "EmailContacts"}};
  ASSERT_TRUE(certificates.Create(vault, "short-ca", WithPolicy(ca)).ok());
  IssuerUpdate issuer;
  issuer.provider = std::string(kKeyhavenProvider);
  issuer.account_id = "short-ca";
  ASSERT_TRUE(issuers.Set(vault, "short", issuer).ok());
  CertificatePolicyPatch leaf = SelfPolicy("CN=leaf");
  leaf.issuer_name = "short";
  leaf.lifetime_actions = std::vector<CertificateLifetimeAction>{{std::nullopt, 30, "AutoRenew"}};
  ASSERT_TRUE(certificates.Create(vault, "leaf", WithPolicy(leaf)).ok());
  // The leaf ends with its CA (2 months); 30 days before, renewing cannot outlive the CA.
  RenewalJob job(&f.barrier, &vaults, &certificates);
  f.clock.Advance(40 * kDay);
  for (int pass = 0; pass < 3; ++pass) {
    auto result = job.RunOnce(f.clock.NowSeconds());
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->renewed, 0u);
    EXPECT_EQ(result->first_error.code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(certificates.ListVersions(vault, "leaf", "", 25)->items.size(), 1u);
}

TEST_F(CertificateServiceTest, TwoNodesSharingAStoreRenewAVersionOnce) {
  CertificatePolicyPatch policy = SelfPolicy("CN=n");
  policy.lifetime_actions = std::vector<CertificateLifetimeAction>{{50, std::nullopt, "AutoRenew"}};
  ASSERT_TRUE(certificates.Create(vault, "n", WithPolicy(policy)).ok());
  // A second node: its own services (and so its own locks) over the same store.
  SecretService secrets2{&f.barrier, &f.clock};
  KeyService keys2{&f.barrier, &f.clock};
  CertificateIssuers issuers2{&f.barrier, &f.clock};
  CertificateService node2{&f.barrier, &f.clock, &keys2, &secrets2, &issuers2};
  f.clock.Advance(200 * kDay);
  std::atomic<int> renewed{0};
  auto run = [&](CertificateService* service) {
    for (int i = 0; i < 5; ++i) {
      auto r = service->RenewIfDue(vault, "n", f.clock.NowSeconds());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      renewed += *r ? 1 : 0;
    }
  };
  std::thread a(run, &certificates), b(run, &node2);
  a.join();
  b.join();
  EXPECT_EQ(renewed.load(), 1);
  EXPECT_EQ(certificates.ListVersions(vault, "n", "", 25)->items.size(), 2u);
  EXPECT_EQ(keys.ListVersions(vault, "n", "", 25)->items.size(), 2u);
}

TEST_F(CertificateServiceTest, EmailContactsRaisesOneNoticeAndRenewsNothing) {
  CertificatePolicyPatch policy = SelfPolicy("CN=e");
  policy.lifetime_actions =
      std::vector<CertificateLifetimeAction>{{std::nullopt, 30, "EmailContacts"}};
  ASSERT_TRUE(certificates.Create(vault, "e", WithPolicy(policy)).ok());
  RenewalJob job(&f.barrier, &vaults, &certificates);
  f.clock.Advance(340 * kDay);
  auto first = job.RunOnce(f.clock.NowSeconds());
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->notices.size(), 1u);
  EXPECT_EQ(first->notices[0].object_type, "Certificate");
  EXPECT_EQ(job.RunOnce(f.clock.NowSeconds())->notices.size(), 0u) << "once";
  EXPECT_EQ(certificates.ListVersions(vault, "e", "", 25)->items.size(), 1u);
}

TEST_F(CertificateServiceTest, ScheduledPurgeRemovesTheCertificate) {
  ASSERT_TRUE(certificates.Create(vault, "s", WithPolicy(SelfPolicy("CN=s"))).ok());
  ASSERT_TRUE(certificates.Delete(vault, "s").ok());
  PurgeJob job(f.store.get(), &vaults, &secrets, &keys, &certificates);
  f.clock.Advance(8 * kDay);
  ASSERT_TRUE(job.RunOnce(f.clock.NowSeconds()).ok());
  EXPECT_EQ(certificates.GetDeleted(vault, "s").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys.GetDeleted(vault, "s").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(secrets.GetDeleted(vault, "s").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kh::domain
