#include "crypto/x509.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "crypto/ec_key.h"

namespace kh::crypto {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// Chain verification as a strict TLS client would do it: RFC 5280 strict checks, the SSL server
// purpose (unless checking the CA alone), and optionally a host name.
int Verify(X509* leaf, X509* ca, const char* host = nullptr, bool server_purpose = true) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (server_purpose) X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (host != nullptr) X509_VERIFY_PARAM_set1_host(param, host, 0);
  const int ok = X509_verify_cert(ctx);
  const int error = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : (error == X509_V_OK ? -1 : error);
}

std::string CommonName(X509* cert) {
  char buffer[256] = {};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer,
                                               sizeof(buffer));
  return length < 0 ? std::string() : std::string(buffer, static_cast<size_t>(length));
}

class X509Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = new CertificateAndKey(*CreateCertificateAuthority("Keyhaven Test CA", 3650));
  }
  static void TearDownTestSuite() { delete ca_; }
  static CertificateAndKey* ca_;
};
CertificateAndKey* X509Test::ca_ = nullptr;

TEST_F(X509Test, CertificateAuthority) {
  EXPECT_EQ(ca_->certificate_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  X509Ptr cert = ParseCert(ca_->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(CommonName(cert.get()), "Keyhaven Test CA");
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_NE(X509_get_extension_flags(cert.get()) & EXFLAG_SS, 0u);  // self-signed
  EXPECT_EQ(X509_get_key_usage(cert.get()), uint32_t{KU_KEY_CERT_SIGN | KU_CRL_SIGN});
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  int critical = -1;
  BASIC_CONSTRAINTS* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_EQ(critical, 1);
  EXPECT_TRUE(bc->ca);
  BASIC_CONSTRAINTS_free(bc);
  // The key is the certificate's and is a P-256 key our EcPrivateKey accepts.
  StatusOr<EcPrivateKey> key = EcPrivateKey::FromPem(ca_->private_key_pem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  BIO* bio = BIO_new_mem_buf(ca_->private_key_pem.RevealData(),
                             static_cast<int>(ca_->private_key_pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(pkey, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), pkey), 1);
  EVP_PKEY_free(pkey);
  EXPECT_EQ(Verify(cert.get(), cert.get(), nullptr, /*server_purpose=*/false), X509_V_OK);
}

TEST_F(X509Test, ServerCertificateChainsAndNames) {
  StatusOr<CertificateAndKey> leaf = IssueServerCertificate(
      *ca_, {"kv.example.test", "*.vault.example.test", "localhost"}, {"127.0.0.1", "::1"}, 90);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  X509Ptr ca = ParseCert(ca_->certificate_pem);
  X509Ptr cert = ParseCert(leaf->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(Verify(cert.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(Verify(cert.get(), ca.get(), "kv.example.test"), X509_V_OK);
  EXPECT_EQ(Verify(cert.get(), ca.get(), "a.vault.example.test"), X509_V_OK);
  EXPECT_NE(Verify(cert.get(), ca.get(), "other.test"), X509_V_OK);

  EXPECT_EQ(CommonName(cert.get()), "kv.example.test");
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_ip_asc(cert.get(), "127.0.0.2", 0), 1);
  GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(names), 5);
  GENERAL_NAMES_free(names);

  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_get_key_usage(cert.get()), uint32_t{KU_DIGITAL_SIGNATURE});
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), uint32_t{XKU_SSL_SERVER});
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  ASSERT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()),
                                  X509_get0_subject_key_id(ca.get())),
            0);

  // Serial: positive, 16 bytes. Validity: backdated an hour, 90 days long.
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  EXPECT_EQ(BN_num_bytes(serial), 16);
  EXPECT_FALSE(BN_is_negative(serial));
  BN_free(serial);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notBefore(cert.get())), 1);
  EXPECT_EQ(days, 0);
  EXPECT_LE(seconds, -3590);
  EXPECT_GE(seconds, -3700);
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert.get())), 1);
  EXPECT_TRUE(days == 90 || (days == 89 && seconds > 86000)) << days << " " << seconds;

  EXPECT_TRUE(EcPrivateKey::FromPem(leaf->private_key_pem).ok());
}

TEST_F(X509Test, SerialsAndKeysAreFresh) {
  CertificateAndKey a = *IssueServerCertificate(*ca_, {"a.test"}, {}, 1);
  CertificateAndKey b = *IssueServerCertificate(*ca_, {"a.test"}, {}, 1);
  X509Ptr ca = ParseCert(a.certificate_pem);
  X509Ptr cb = ParseCert(b.certificate_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca.get()), X509_get0_serialNumber(cb.get())),
            0);
  EXPECT_NE(a.private_key_pem, b.private_key_pem);
}

TEST_F(X509Test, IpOnlyAndLongNames) {
  CertificateAndKey ip_only = *IssueServerCertificate(*ca_, {}, {"10.1.2.3"}, 30);
  X509Ptr ca = ParseCert(ca_->certificate_pem);
  X509Ptr cert = ParseCert(ip_only.certificate_pem);
  EXPECT_EQ(CommonName(cert.get()), "10.1.2.3");
  EXPECT_EQ(Verify(cert.get(), ca.get()), X509_V_OK);

  // Longer than a CN may be: no CN, and the SAN extension becomes critical.
  const std::string long_name = std::string(60, 'a') + ".example.test";
  CertificateAndKey no_cn = *IssueServerCertificate(*ca_, {long_name}, {}, 30);
  cert = ParseCert(no_cn.certificate_pem);
  EXPECT_EQ(CommonName(cert.get()), "");
  int critical = -1;
  GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, &critical, nullptr));
  GENERAL_NAMES_free(names);
  EXPECT_EQ(critical, 1);
  EXPECT_EQ(Verify(cert.get(), ca.get(), long_name.c_str()), X509_V_OK);
}

TEST_F(X509Test, DoesNotChainToAnotherCa) {
  CertificateAndKey other = *CreateCertificateAuthority("Other CA", 1);
  CertificateAndKey leaf = *IssueServerCertificate(other, {"a.test"}, {}, 1);
  X509Ptr ca = ParseCert(ca_->certificate_pem);
  X509Ptr cert = ParseCert(leaf.certificate_pem);
  EXPECT_NE(Verify(cert.get(), ca.get()), X509_V_OK);
}

TEST_F(X509Test, RejectsBadInput) {
  auto code = [](const StatusOr<CertificateAndKey>& result) { return result.status().code(); };
  constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;
  EXPECT_EQ(code(CreateCertificateAuthority("", 10)), kInvalid);
  EXPECT_EQ(code(CreateCertificateAuthority(std::string(65, 'a'), 10)), kInvalid);
  EXPECT_EQ(code(CreateCertificateAuthority("bad\nname", 10)), kInvalid);
  EXPECT_EQ(code(CreateCertificateAuthority("ca", 0)), kInvalid);
  EXPECT_EQ(code(CreateCertificateAuthority("ca", kMaxCertificateValidityDays + 1)), kInvalid);

  EXPECT_EQ(code(IssueServerCertificate(*ca_, {}, {}, 10)), kInvalid);
  EXPECT_EQ(code(IssueServerCertificate(*ca_, {"ok.test"}, {}, 0)), kInvalid);
  for (const char* bad : {"", "a b.test", "-a.test", "a-.test", "a..test", ".a.test", "a.test.",
                          "*", "a.*.test", "caf\xc3\xa9.test", "a/b"}) {
    EXPECT_EQ(code(IssueServerCertificate(*ca_, {bad}, {}, 10)), kInvalid) << bad;
  }
  EXPECT_EQ(code(IssueServerCertificate(*ca_, {std::string(64, 'a') + ".test"}, {}, 10)), kInvalid);
  for (const char* bad : {"", "1.2.3", "1.2.3.256", "localhost", "::g", "1.2.3.4/8"}) {
    EXPECT_EQ(code(IssueServerCertificate(*ca_, {"ok.test"}, {bad}, 10)), kInvalid) << bad;
  }
  EXPECT_EQ(code(IssueServerCertificate(*ca_, std::vector<std::string>(101, "a.test"), {}, 10)),
            kInvalid);

  // A CA whose key does not match, a leaf posing as a CA, and garbage.
  CertificateAndKey other = *CreateCertificateAuthority("Other CA", 1);
  CertificateAndKey mismatched{ca_->certificate_pem, other.private_key_pem};
  EXPECT_EQ(code(IssueServerCertificate(mismatched, {"a.test"}, {}, 1)), kInvalid);
  CertificateAndKey leaf = *IssueServerCertificate(*ca_, {"a.test"}, {}, 1);
  EXPECT_EQ(code(IssueServerCertificate(leaf, {"b.test"}, {}, 1)), kInvalid);
  CertificateAndKey garbage{"not a cert", SecretBytes("not a key")};
  EXPECT_EQ(code(IssueServerCertificate(garbage, {"a.test"}, {}, 1)), kInvalid);
}

}  // namespace
}  // namespace kh::crypto
