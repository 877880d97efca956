// Certificates, requests, inspection and the PKCS#12/PEM formats, checked against plain OpenSSL
// (and the openssl command for what other tools write and read), with software keys of every
// type and curve and an EC key in a SoftHSM2 token.
#include "crypto/certificate.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/key_material_test_util.h"
#include "crypto/softhsm_test_util.h"

namespace kh::crypto {
namespace {

using testing::Digest;
using testing::IsBadParameter;

template <auto kFree>
struct Free {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using ReqPtr = std::unique_ptr<X509_REQ, Free<X509_REQ_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Free<PKCS12_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

X509Ptr ParseDer(std::string_view der) {
  const unsigned char* p = U(der);
  return X509Ptr(d2i_X509(nullptr, &p, long(der.size())));
}

std::string ToDer(X509* cert) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<char*>(der), size_t(size));
  OPENSSL_free(der);
  return out;
}

std::string ToPem(std::string_view der) {
  X509Ptr cert = ParseDer(der);
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(size));
}

// The extension with `nid`: decoded (caller frees with the type's free) and its criticality.
struct Ext {
  void* value = nullptr;
  int critical = -1;
};
Ext GetExt(X509* cert, int nid) {
  Ext ext;
  ext.value = X509_get_ext_d2i(cert, nid, &ext.critical, nullptr);
  return ext;
}

std::string OctetString(const ASN1_OCTET_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     size_t(ASN1_STRING_length(s)));
}

std::string NameText(X509_NAME* name, int nid) {
  char buffer[256] = {};
  const int n = X509_NAME_get_text_by_NID(name, nid, buffer, sizeof(buffer));
  return n < 0 ? std::string() : std::string(buffer, size_t(n));
}

EVP_PKEY* PublicKeyOf(std::string_view der, X509Ptr* holder) {
  *holder = ParseDer(der);
  return X509_get0_pubkey(holder->get());
}

// ---- Keys, shared per process (RSA generation is slow) ----

const KeyMaterial& Rsa() {
  static const KeyMaterial key = *KeyMaterial::GenerateRsa(2048);
  return key;
}
const KeyMaterial& OtherRsa() {
  static const KeyMaterial key = *KeyMaterial::GenerateRsa(2048);
  return key;
}
const KeyMaterial& Ec(EcCurve curve) {
  static const KeyMaterial keys[] = {
      *KeyMaterial::GenerateEc(EcCurve::kP256), *KeyMaterial::GenerateEc(EcCurve::kP256K),
      *KeyMaterial::GenerateEc(EcCurve::kP384), *KeyMaterial::GenerateEc(EcCurve::kP521)};
  return keys[static_cast<size_t>(curve)];
}
const KeyMaterial& Oct() {
  static const KeyMaterial key = *KeyMaterial::GenerateOct(256);
  return key;
}

// Whether two keys are the same key pair: same public components, and a signature by `a`
// verifies with `b`.
bool SameKey(const KeyMaterial& a, const KeyMaterial& b) {
  const PublicJwk pa = a.PublicComponents();
  const PublicJwk pb = b.PublicComponents();
  if (pa.kty != pb.kty || pa.n != pb.n || pa.e != pb.e || pa.x != pb.x || pa.y != pb.y) {
    return false;
  }
  SignatureAlgorithm alg = SignatureAlgorithm::kRs256;
  if (a.curve()) {
    const SignatureAlgorithm by_curve[] = {SignatureAlgorithm::kEs256, SignatureAlgorithm::kEs256K,
                                           SignatureAlgorithm::kEs384, SignatureAlgorithm::kEs512};
    alg = by_curve[static_cast<size_t>(*a.curve())];
  }
  const std::string digest = Digest(std::string(Info(alg).digest), "same key?");
  StatusOr<std::string> sig = a.Sign(alg, digest);
  return sig.ok() && *b.Verify(alg, digest, *sig);
}

constexpr int64_t kDay = 86400;

CertificateValidity AroundNow(int64_t days = 30) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  return CertificateValidity{now - 3600, now + days * kDay};
}

CertificateSubject Leaf(std::string subject, std::vector<std::string> dns = {}) {
  CertificateSubject s;
  s.subject = std::move(subject);
  s.sans.dns_names = std::move(dns);
  s.ekus = {"1.3.6.1.5.5.7.3.1"};
  s.key_usage = {"digitalSignature", "keyEncipherment"};
  return s;
}

CertificateSubject Ca(std::string subject) {
  CertificateSubject s;
  s.subject = std::move(subject);
  s.key_usage = {"keyCertSign", "cRLSign"};
  return s;
}

std::string SelfSigned(const CertificateSubject& subject, const KeyMaterial& key,
                       CertificateValidity validity = AroundNow()) {
  StatusOr<std::string> der = IssueCertificate(subject, key, validity, {});
  EXPECT_TRUE(der.ok()) << der.status().ToString();
  return der.ok() ? *der : std::string();
}

std::string IssuedBy(const CertificateSubject& subject, const KeyMaterial& key,
                     const std::string& ca_der, const KeyMaterial& ca_key) {
  StatusOr<std::string> der = IssueCertificate(subject, key, AroundNow(), {&ca_key, ca_der});
  EXPECT_TRUE(der.ok()) << der.status().ToString();
  return der.ok() ? *der : std::string();
}

// The RFC 5280 chain check a strict TLS client makes (purpose SSL server, host name).
int VerifyChain(X509* leaf, X509* ca, const char* host) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set1_host(param, host, 0);
  const int ok = X509_verify_cert(ctx);
  const int error = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : (error == X509_V_OK ? -1 : error);
}

// ---- A scratch directory for the openssl command ----

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/kh-cert-test-XXXXXX";
    if (!mkdtemp(path_.data())) std::abort();
  }
  ~TempDir() {
    if (std::system(("rm -rf '" + path_ + "'").c_str()) != 0) ADD_FAILURE() << "rm " << path_;
  }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }
  std::string Write(const std::string& name, std::string_view bytes) const {
    std::ofstream(Path(name), std::ios::binary) << bytes;
    return Path(name);
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(Path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string path_;
};

// Runs a shell command; its stderr is dropped unless the command redirects it itself.
bool RunShell(const std::string& command) {
  const bool redirects = command.find("2>") != std::string::npos;
  return std::system((command + (redirects ? "" : " 2>/dev/null")).c_str()) == 0;
}

// ==== ValidateCertificateSubject and the DN syntax ====

TEST(CertificateSubjectTest, AcceptsKeyVaultSubjects) {
  for (const char* subject :
       {"CN=a", "cn=MyCert", "CN=a, O=b, C=US", "CN=a;O=b", "  CN = a ; O = b  ",
        "CN=Contoso\\, Ltd", "O=\"Contoso, Ltd\"", "CN=a, OU=x, L=Redmond, S=WA, ST=WA, C=US",
        "E=admin@contoso.com, DC=contoso, DC=com", "STREET=1 Main St, SERIALNUMBER=1234",
        "T=Engineer, G=Ada, SN=Lovelace", "CN=caf\xc3\xa9"}) {
    CertificateSubject s;
    s.subject = subject;
    EXPECT_TRUE(ValidateCertificateSubject(s).ok()) << subject;
  }
  CertificateSubject sans_only;
  sans_only.sans.dns_names = {"a.test"};
  EXPECT_TRUE(ValidateCertificateSubject(sans_only).ok());

  CertificateSubject all = Leaf("CN=a");
  all.sans = {{"www.contoso.com", "*.contoso.com"},
              {"admin@contoso.com"},
              {"user@contoso.com"},
              {"https://contoso.com/x?y=1", "urn:uuid:1234"},
              {"10.0.0.1", "2001:db8::1"}};
  all.ekus = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "2.5.29.37.0", "1.2.840.113549.1.1.1"};
  all.key_usage = {"DigitalSignature", "keyencipherment", "cRLSign", "decipherOnly"};
  EXPECT_TRUE(ValidateCertificateSubject(all).ok());
}

TEST(CertificateSubjectTest, RefusesMalformedSubjects) {
  struct Case {
    std::string subject;
    const char* fragment;
  } cases[] = {
      {"XX=a", "unknown attribute 'XX'"},
      {"CN=a, UID=b", "unknown attribute 'UID'"},
      {"CN", "lacks '='"},
      {"CN=a, b", "lacks '='"},
      {"=a", "attribute name is missing"},
      {"CN=", "is empty"},
      {"CN=a,", "ends with a separator"},
      {"CN=a\\", "backslash"},
      {"CN=\"a", "not terminated"},
      {"CN=\"a\" b", "text follows"},
      {"CN=a\"b", "quote inside"},
      {"C=USA", "'C'"},
      {"CN=" + std::string(65, 'a'), "'CN'"},
      {"CN=bad\xff", "'CN'"},
      {"CN=" + std::string(kMaxSubjectLength, 'a'), "longer than 1024"},
      {"", "subject or at least one subject alternative name"},
      {"   ", "subject or at least one subject alternative name"},
  };
  for (const Case& c : cases) {
    CertificateSubject s;
    s.subject = c.subject;
    EXPECT_TRUE(IsBadParameter(ValidateCertificateSubject(s), c.fragment)) << c.subject;
    EXPECT_TRUE(IsBadParameter(IssueCertificate(s, Ec(EcCurve::kP256), AroundNow(), {}).status()))
        << c.subject;
  }
}

TEST(CertificateSubjectTest, RefusesBadSansEkusAndUsages) {
  auto check = [](auto mutate, const char* fragment) {
    CertificateSubject s = Leaf("CN=a");
    mutate(s);
    EXPECT_TRUE(IsBadParameter(ValidateCertificateSubject(s), fragment)) << fragment;
    EXPECT_TRUE(IsBadParameter(CreateCertificateRequest(s, Ec(EcCurve::kP256)).status()));
  };
  for (const std::string& dns :
       std::vector<std::string>{"", "a b.test", "-a.test", "a..test", "a.*.test", "*", "a_b.test",
                                std::string(64, 'a') + ".test", "caf\xc3\xa9.test"}) {
    check([&](CertificateSubject& s) { s.sans.dns_names = {"ok.test", dns}; }, "DNS name");
  }
  for (std::string email :
       {"", "no-at", "@contoso.com", "a@", "a@b@c.com", "a b@c.com", "a@bad_domain", "a@*.c.com"}) {
    check([&](CertificateSubject& s) { s.sans.emails = {email}; }, "e-mail address");
  }
  for (std::string upn : {"user", "user@", "us er@contoso.com"}) {
    check([&](CertificateSubject& s) { s.sans.upns = {upn}; }, "UPN");
  }
  for (std::string uri :
       {"", "no-scheme", "/relative/path", "1http://x", "http:", ":x", "http://a b"}) {
    check([&](CertificateSubject& s) { s.sans.uris = {uri}; }, "URI");
  }
  for (std::string ip : {"", "1.2.3", "1.2.3.256", "1.2.3.4/8", "1.2.3.4x", " 1.2.3.4", "::g",
                         "fe80::1%eth0", "localhost"}) {
    check([&](CertificateSubject& s) { s.sans.ip_addresses = {ip}; }, "IP address");
  }
  for (std::string eku : {"", "serverAuth", "1", "1.", "1..2", "3.1", "1.40", "01.2", "1.3.06",
                          "1.3.6.1.5.5.7.3.1 "}) {
    check([&](CertificateSubject& s) { s.ekus = {eku}; }, "extended key usage");
  }
  for (std::string usage : {"", "sign", "digitalSignature ", "keyCertSigning"}) {
    check([&](CertificateSubject& s) { s.key_usage = {usage}; }, "key usage");
  }
  // Names in messages are shown printable only.
  CertificateSubject s = Leaf("CN=a");
  s.sans.dns_names = {"bad\x01name"};
  EXPECT_TRUE(IsBadParameter(ValidateCertificateSubject(s), "'bad?name'"));
}

// ==== IssueCertificate and InspectCertificate ====

TEST(CertificateIssueTest, SelfSignedRsaCarriesExactlyWhatWasAsked) {
  CertificateSubject subject;
  subject.subject = "CN=a, O=b, C=US";
  subject.sans = {{"www.contoso.com", "*.contoso.com"},
                  {"admin@contoso.com"},
                  {"user@contoso.com"},
                  {"https://contoso.com/path"},
                  {"10.0.0.1", "2001:db8::1"}};
  subject.ekus = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"};
  subject.key_usage = {"keyEncipherment", "DigitalSignature"};
  const CertificateValidity validity{1700000000, 1700000000 + 365 * kDay};
  const std::string der = SelfSigned(subject, Rsa(), validity);
  X509Ptr cert = ParseDer(der);
  ASSERT_TRUE(cert);

  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  EXPECT_EQ(ASN1_STRING_length(serial), 16);
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // positive
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert.get()), validity.not_before), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert.get()), validity.not_after), 0);
  // Subject RDNs in the order written.
  X509_NAME* name = X509_get_subject_name(cert.get());
  ASSERT_EQ(X509_NAME_entry_count(name), 3);
  EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name, 0))), NID_commonName);
  EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name, 2))), NID_countryName);

  Ext san = GetExt(cert.get(), NID_subject_alt_name);
  ASSERT_NE(san.value, nullptr);
  EXPECT_EQ(san.critical, 0);
  EXPECT_EQ(sk_GENERAL_NAME_num(static_cast<GENERAL_NAMES*>(san.value)), 7);
  GENERAL_NAMES_free(static_cast<GENERAL_NAMES*>(san.value));
  Ext usage = GetExt(cert.get(), NID_key_usage);
  ASSERT_NE(usage.value, nullptr);
  EXPECT_EQ(usage.critical, 1);
  EXPECT_EQ(X509_get_key_usage(cert.get()), uint32_t(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  ASN1_BIT_STRING_free(static_cast<ASN1_BIT_STRING*>(usage.value));
  Ext eku = GetExt(cert.get(), NID_ext_key_usage);
  ASSERT_NE(eku.value, nullptr);
  EXPECT_EQ(eku.critical, 0);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), uint32_t(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXTENDED_KEY_USAGE_free(static_cast<EXTENDED_KEY_USAGE*>(eku.value));
  Ext constraints = GetExt(cert.get(), NID_basic_constraints);
  ASSERT_NE(constraints.value, nullptr);
  EXPECT_EQ(constraints.critical, 1);
  EXPECT_EQ(static_cast<BASIC_CONSTRAINTS*>(constraints.value)->ca, 0);
  BASIC_CONSTRAINTS_free(static_cast<BASIC_CONSTRAINTS*>(constraints.value));
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert.get());
  ASSERT_NE(ski, nullptr);
  ASSERT_NE(aki, nullptr);
  EXPECT_EQ(OctetString(ski), OctetString(aki));
  EXPECT_EQ(ASN1_STRING_length(ski), 20);

  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->subject, "CN=a, O=b, C=US");
  EXPECT_EQ(info->issuer, "CN=a, O=b, C=US");
  EXPECT_EQ(info->sans, subject.sans);
  EXPECT_EQ(info->ekus, subject.ekus);
  EXPECT_EQ(info->key_usage, (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
  EXPECT_EQ(info->not_before, validity.not_before);
  EXPECT_EQ(info->not_after, validity.not_after);
  unsigned char sha1[20];
  unsigned int sha1_size = 0;
  X509_digest(cert.get(), EVP_sha1(), sha1, &sha1_size);
  EXPECT_EQ(info->sha1_thumbprint, std::string(reinterpret_cast<char*>(sha1), sha1_size));
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->key_type, KeyType::kRsa);
  EXPECT_EQ(info->key_bits, 2048);
  EXPECT_FALSE(info->curve.has_value());
  EXPECT_TRUE(*CertificateMatchesKey(der, Rsa()));
  EXPECT_FALSE(*CertificateMatchesKey(der, OtherRsa()));
  EXPECT_FALSE(*CertificateMatchesKey(der, Ec(EcCurve::kP256)));
  EXPECT_FALSE(*CertificateMatchesKey(der, Oct()));
  EXPECT_TRUE(*CertificateSignedBy(der, der));
}

TEST(CertificateIssueTest, EverySerialIsFresh) {
  const CertificateSubject subject = Leaf("CN=serial");
  X509Ptr a = ParseDer(SelfSigned(subject, Ec(EcCurve::kP256)));
  X509Ptr b = ParseDer(SelfSigned(subject, Ec(EcCurve::kP256)));
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

TEST(CertificateIssueTest, EcCurvesSignWithTheirHash) {
  struct Case {
    EcCurve curve;
    int nid;
    int bits;
  } cases[] = {{EcCurve::kP256, NID_ecdsa_with_SHA256, 256},
               {EcCurve::kP256K, NID_ecdsa_with_SHA256, 256},
               {EcCurve::kP384, NID_ecdsa_with_SHA384, 384},
               {EcCurve::kP521, NID_ecdsa_with_SHA512, 521}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(CurveName(c.curve)));
    const std::string der = SelfSigned(Ca("CN=EC CA, O=Keyhaven"), Ec(c.curve));
    X509Ptr cert = ParseDer(der);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), c.nid);
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
    // The TBS copy of the algorithm matches the outer one, without parameters.
    const X509_ALGOR* inner = X509_get0_tbs_sigalg(cert.get());
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(nullptr, &outer, cert.get());
    EXPECT_EQ(X509_ALGOR_cmp(inner, outer), 0);
    int ptype = 0;
    X509_ALGOR_get0(nullptr, &ptype, nullptr, inner);
    EXPECT_EQ(ptype, V_ASN1_UNDEF);
    Ext constraints = GetExt(cert.get(), NID_basic_constraints);
    ASSERT_NE(constraints.value, nullptr);
    EXPECT_EQ(constraints.critical, 1);
    EXPECT_NE(static_cast<BASIC_CONSTRAINTS*>(constraints.value)->ca, 0);
    BASIC_CONSTRAINTS_free(static_cast<BASIC_CONSTRAINTS*>(constraints.value));

    StatusOr<CertificateDetails> info = InspectCertificate(der);
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(info->is_ca);
    EXPECT_EQ(info->key_type, KeyType::kEc);
    EXPECT_EQ(info->key_bits, c.bits);
    EXPECT_EQ(info->curve, c.curve);
    EXPECT_EQ(info->key_usage, (std::vector<std::string>{"keyCertSign", "cRLSign"}));
    EXPECT_TRUE(info->ekus.empty());
    EXPECT_TRUE(info->sans.empty());
    EXPECT_TRUE(*CertificateMatchesKey(der, Ec(c.curve)));
  }
}

TEST(CertificateIssueTest, CaSignedLeafVerifiesAgainstTheCa) {
  const std::string ca_der = SelfSigned(Ca("CN=Test CA, O=Keyhaven"), Ec(EcCurve::kP384));
  const std::string leaf_der =
      IssuedBy(Leaf("CN=leaf.test", {"leaf.test"}), Rsa(), ca_der, Ec(EcCurve::kP384));
  X509Ptr ca = ParseDer(ca_der);
  X509Ptr leaf = ParseDer(leaf_der);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_get_signature_nid(leaf.get()), NID_ecdsa_with_SHA384);
  EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_NE(X509_verify(leaf.get(), X509_get0_pubkey(leaf.get())), 1);
  EXPECT_EQ(X509_check_issued(ca.get(), leaf.get()), X509_V_OK);
  EXPECT_EQ(VerifyChain(leaf.get(), ca.get(), "leaf.test"), X509_V_OK);
  EXPECT_EQ(OctetString(X509_get0_authority_key_id(leaf.get())),
            OctetString(X509_get0_subject_key_id(ca.get())));
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(leaf.get()), X509_get_subject_name(ca.get())), 0);

  StatusOr<CertificateDetails> info = InspectCertificate(leaf_der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "CN=leaf.test");
  EXPECT_EQ(info->issuer, "CN=Test CA, O=Keyhaven");
  EXPECT_TRUE(*CertificateSignedBy(leaf_der, ca_der));
  EXPECT_FALSE(*CertificateSignedBy(leaf_der, leaf_der));
  EXPECT_FALSE(*CertificateSignedBy(ca_der, leaf_der));

  // And the openssl command agrees.
  TempDir dir;
  const std::string ca_pem = dir.Write("ca.pem", ToPem(ca_der));
  const std::string leaf_pem = dir.Write("leaf.pem", ToPem(leaf_der));
  EXPECT_TRUE(RunShell("openssl verify -x509_strict -purpose sslserver -CAfile '" + ca_pem + "' '" +
                       leaf_pem + "' >/dev/null"));
  ASSERT_TRUE(
      RunShell("openssl x509 -in '" + leaf_pem + "' -noout -text > '" + dir.Path("text") + "'"));
  const std::string text = dir.Read("text");
  EXPECT_NE(text.find("X509v3 Basic Constraints: critical"), std::string::npos) << text;
  EXPECT_NE(text.find("X509v3 Key Usage: critical"), std::string::npos);
  EXPECT_NE(text.find("Digital Signature, Key Encipherment"), std::string::npos);
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos);
  EXPECT_NE(text.find("DNS:leaf.test"), std::string::npos);
}

TEST(CertificateIssueTest, CaOfEveryKindSignsLeaves) {
  const KeyMaterial* cas[] = {&Rsa(), &Ec(EcCurve::kP256), &Ec(EcCurve::kP256K),
                              &Ec(EcCurve::kP521)};
  for (const KeyMaterial* ca_key : cas) {
    const std::string ca_der = SelfSigned(Ca("CN=CA"), *ca_key);
    const std::string leaf_der =
        IssuedBy(Leaf("CN=leaf", {"leaf.test"}), Ec(EcCurve::kP384), ca_der, *ca_key);
    X509Ptr ca = ParseDer(ca_der);
    X509Ptr leaf = ParseDer(leaf_der);
    ASSERT_TRUE(ca && leaf);
    EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(ca.get())), 1);
    EXPECT_EQ(VerifyChain(leaf.get(), ca.get(), "leaf.test"), X509_V_OK);
  }
}

TEST(CertificateIssueTest, EmptySubjectMakesTheSanCritical) {
  CertificateSubject subject;
  subject.sans.dns_names = {"only-san.test"};
  const std::string der = SelfSigned(subject, Ec(EcCurve::kP256));
  X509Ptr cert = ParseDer(der);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert.get())), 0);
  Ext san = GetExt(cert.get(), NID_subject_alt_name);
  ASSERT_NE(san.value, nullptr);
  EXPECT_EQ(san.critical, 1);
  GENERAL_NAMES_free(static_cast<GENERAL_NAMES*>(san.value));
  // No key usage asked: none written, and basicConstraints still says CA:FALSE.
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_key_usage, -1), -1);
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_ext_key_usage, -1), -1);
  EXPECT_GE(X509_get_ext_by_NID(cert.get(), NID_basic_constraints, -1), 0);
  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "");
  EXPECT_EQ(info->sans.dns_names, std::vector<std::string>{"only-san.test"});
  EXPECT_FALSE(info->is_ca);
}

TEST(CertificateIssueTest, ValidityUsesUtcTimeThenGeneralizedTime) {
  const CertificateValidity validity{946684800, 2524608000 + 3600};  // 2000-01-01 .. 2050-01-01
  const std::string der = SelfSigned(Leaf("CN=long"), Ec(EcCurve::kP256), validity);
  X509Ptr cert = ParseDer(der);
  ASSERT_TRUE(cert);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(cert.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(cert.get())), V_ASN1_GENERALIZEDTIME);
  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->not_before, validity.not_before);
  EXPECT_EQ(info->not_after, validity.not_after);

  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(Leaf("CN=a"), Ec(EcCurve::kP256), {2000, 1000}, {}).status(), "validity"));
  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(Leaf("CN=a"), Ec(EcCurve::kP256), {0, 253402300800}, {}).status()));
}

TEST(CertificateIssueTest, RefusesBadKeysAndSigners) {
  const std::string ca_der = SelfSigned(Ca("CN=CA"), Ec(EcCurve::kP256));
  const CertificateSubject leaf = Leaf("CN=leaf");
  EXPECT_TRUE(IsBadParameter(IssueCertificate(leaf, Oct(), AroundNow(), {}).status(), "RSA or EC"));
  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(leaf, Rsa(), AroundNow(), {&Ec(EcCurve::kP384), ca_der}).status(),
      "does not match"));
  EXPECT_TRUE(
      IsBadParameter(IssueCertificate(leaf, Rsa(), AroundNow(), {&Oct(), ca_der}).status(), "oct"));
  EXPECT_TRUE(IsBadParameter(IssueCertificate(leaf, Rsa(), AroundNow(), {nullptr, ca_der}).status(),
                             "missing"));
  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(leaf, Rsa(), AroundNow(), {&Ec(EcCurve::kP256), "garbage"}).status()));
  EXPECT_TRUE(IsBadParameter(CreateCertificateRequest(leaf, Oct()).status(), "RSA or EC"));
}

// ==== Distinguished names: parsing and InspectCertificate's format ====

std::string InspectedSubject(const std::string& subject) {
  CertificateSubject s;
  s.subject = subject;
  StatusOr<std::string> der = IssueCertificate(s, Ec(EcCurve::kP256), AroundNow(), {});
  if (!der.ok()) return "error: " + der.status().message();
  return InspectCertificate(*der)->subject;
}

TEST(CertificateNameTest, FormatRoundTrips) {
  EXPECT_EQ(InspectedSubject("CN=a, O=b, C=US"), "CN=a, O=b, C=US");
  EXPECT_EQ(InspectedSubject("cn=MyCert"), "CN=MyCert");
  EXPECT_EQ(InspectedSubject("  CN = a ;O=b  "), "CN=a, O=b");
  EXPECT_EQ(InspectedSubject("S=WA, ST=OR"), "ST=WA, ST=OR");
  EXPECT_EQ(InspectedSubject("E=a@b.test, DC=contoso, DC=com, STREET=1 Main St, "
                             "SERIALNUMBER=42, T=Dr, G=Ada, SN=Lovelace, L=x, OU=y"),
            "E=a@b.test, DC=contoso, DC=com, STREET=1 Main St, SERIALNUMBER=42, T=Dr, G=Ada, "
            "SN=Lovelace, L=x, OU=y");
  EXPECT_EQ(InspectedSubject("CN=caf\xc3\xa9"), "CN=caf\xc3\xa9");
  // Values with special characters come back quoted, and the quoted form parses to the same
  // name.
  for (const char* subject : {"CN=Contoso\\, Ltd", "O=\"Contoso, Ltd\"", "CN=\"a;b\"",
                              "CN=\"say \\\"hi\\\"\"", "CN=a\\\\b", "CN=\" padded \"", "CN=x=y"}) {
    const std::string formatted = InspectedSubject(subject);
    EXPECT_EQ(InspectedSubject(formatted), formatted) << subject;
  }
  EXPECT_EQ(InspectedSubject("CN=Contoso\\, Ltd"), "CN=\"Contoso, Ltd\"");
  EXPECT_EQ(InspectedSubject("CN=\"say \\\"hi\\\"\""), "CN=\"say \\\"hi\\\"\"");
  // What InspectCertificate shows of foreign certificates (an EV certificate's jurisdiction and
  // business category, multi-valued RDNs) parses back, so such imports keep a usable policy.
  EXPECT_EQ(InspectedSubject("OID.1.3.6.1.4.1.311.60.2.1.3=US, OID.2.5.4.15=Private Organization, "
                             "CN=ev.example"),
            "OID.1.3.6.1.4.1.311.60.2.1.3=US, OID.2.5.4.15=Private Organization, CN=ev.example");
  EXPECT_EQ(InspectedSubject("CN=a + OU=b, O=c"), "CN=a + OU=b, O=c");
}

TEST(CertificateNameTest, ValuesAreStoredUnescaped) {
  CertificateSubject s;
  s.subject = "CN=Contoso\\, Ltd, O=\"a; b\", OU=\\\"x\\\", C=US";
  X509Ptr cert = ParseDer(SelfSigned(s, Ec(EcCurve::kP256)));
  ASSERT_TRUE(cert);
  X509_NAME* name = X509_get_subject_name(cert.get());
  EXPECT_EQ(NameText(name, NID_commonName), "Contoso, Ltd");
  EXPECT_EQ(NameText(name, NID_organizationName), "a; b");
  EXPECT_EQ(NameText(name, NID_organizationalUnitName), "\"x\"");
  EXPECT_EQ(NameText(name, NID_countryName), "US");
  // Key Vault's types: C is a PrintableString, CN a UTF8String.
  const X509_NAME_ENTRY* country = X509_NAME_get_entry(name, 3);
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(country)), V_ASN1_PRINTABLESTRING);
  const X509_NAME_ENTRY* common = X509_NAME_get_entry(name, 0);
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(common)), V_ASN1_UTF8STRING);
}

// ==== CreateCertificateRequest ====

TEST(CertificateRequestTest, RequestVerifiesAndCarriesTheExtensions) {
  for (const KeyMaterial* key : {&Rsa(), &Ec(EcCurve::kP521)}) {
    CertificateSubject subject = Leaf("CN=req.test, O=Keyhaven", {"req.test"});
    subject.sans.ip_addresses = {"192.0.2.1"};
    StatusOr<std::string> der = CreateCertificateRequest(subject, *key);
    ASSERT_TRUE(der.ok()) << der.status().ToString();
    const unsigned char* p = U(*der);
    ReqPtr req(d2i_X509_REQ(nullptr, &p, long(der->size())));
    ASSERT_TRUE(req);
    EXPECT_EQ(X509_REQ_get_version(req.get()), X509_REQ_VERSION_1);
    PkeyPtr pub(X509_REQ_get_pubkey(req.get()));
    EXPECT_EQ(X509_REQ_verify(req.get(), pub.get()), 1);
    EXPECT_EQ(X509_REQ_get_signature_nid(req.get()),
              key->type() == KeyType::kRsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA512);
    EXPECT_EQ(NameText(X509_REQ_get_subject_name(req.get()), NID_commonName), "req.test");

    STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req.get());
    ASSERT_NE(extensions, nullptr);
    auto critical = [&](int nid) {
      const int index = X509v3_get_ext_by_NID(extensions, nid, -1);
      return index < 0 ? -1 : X509_EXTENSION_get_critical(X509v3_get_ext(extensions, index));
    };
    EXPECT_EQ(critical(NID_subject_alt_name), 0);
    EXPECT_EQ(critical(NID_ext_key_usage), 0);
    EXPECT_EQ(critical(NID_key_usage), 1);
    EXPECT_EQ(critical(NID_basic_constraints), 1);
    EXPECT_EQ(critical(NID_subject_key_identifier), -1);
    GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr));
    ASSERT_NE(names, nullptr);
    EXPECT_EQ(sk_GENERAL_NAME_num(names), 2);
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);

    TempDir dir;
    const std::string path = dir.Write("req.der", *der);
    EXPECT_TRUE(RunShell("openssl req -inform DER -in '" + path + "' -noout -verify"));
  }
}

// ==== PKCS#12 ====

struct Chain {
  std::string ca;
  std::string leaf;
};

const Chain& RsaChain() {  // an EC CA and an RSA leaf whose key is Rsa()
  static const Chain chain = [] {
    Chain c;
    c.ca = SelfSigned(Ca("CN=Chain CA"), Ec(EcCurve::kP256));
    c.leaf = IssuedBy(Leaf("CN=chain leaf", {"chain.test"}), Rsa(), c.ca, Ec(EcCurve::kP256));
    return c;
  }();
  return chain;
}

TEST(CertificatePkcs12Test, RoundTripsWithTheEmptyPassword) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pfx = EncodePkcs12({chain.leaf, chain.ca}, &Rsa());
  ASSERT_TRUE(pfx.ok()) << pfx.status().ToString();
  StatusOr<CertificateWithKey> parsed = ParsePkcs12(pfx->Reveal(), SecretBytes(), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  EXPECT_TRUE(SameKey(parsed->key, Rsa()));
  EXPECT_TRUE(SameKey(Rsa(), parsed->key));
  EXPECT_FALSE(parsed->key.is_hsm());
  EXPECT_TRUE(CanExportPrivateKey(parsed->key));

  // EC keys too.
  const std::string ec_der = SelfSigned(Leaf("CN=ec"), Ec(EcCurve::kP384));
  StatusOr<SecretBytes> ec_pfx = EncodePkcs12({ec_der}, &Ec(EcCurve::kP384));
  ASSERT_TRUE(ec_pfx.ok());
  StatusOr<CertificateWithKey> ec = ParsePkcs12(ec_pfx->Reveal(), SecretBytes(), true);
  ASSERT_TRUE(ec.ok()) << ec.status().ToString();
  EXPECT_EQ(ec->key.curve(), EcCurve::kP384);
  EXPECT_TRUE(SameKey(ec->key, Ec(EcCurve::kP384)));
}

TEST(CertificatePkcs12Test, EncodingIsWhatOpenSslWritesByDefault) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pfx = EncodePkcs12({chain.leaf, chain.ca}, &Rsa());
  ASSERT_TRUE(pfx.ok());
  // The MAC is over the empty password (not "no password"), with SHA-256.
  const unsigned char* p = pfx->RevealData();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, long(pfx->size())));
  ASSERT_TRUE(p12);
  EXPECT_EQ(PKCS12_verify_mac(p12.get(), "", 0), 1);
  EXPECT_EQ(PKCS12_verify_mac(p12.get(), nullptr, 0), 0);
  ERR_clear_error();
  const X509_ALGOR* mac_algorithm = nullptr;
  PKCS12_get0_mac(nullptr, &mac_algorithm, nullptr, nullptr, p12.get());
  ASSERT_NE(mac_algorithm, nullptr);
  const ASN1_OBJECT* mac_md = nullptr;
  X509_ALGOR_get0(&mac_md, nullptr, nullptr, mac_algorithm);
  EXPECT_EQ(OBJ_obj2nid(mac_md), NID_sha256);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* others = nullptr;
  ASSERT_EQ(PKCS12_parse(p12.get(), "", &key, &cert, &others), 1);
  EXPECT_EQ(ToDer(cert), chain.leaf);
  EXPECT_EQ(sk_X509_num(others), 1);
  EVP_PKEY_free(key);
  X509_free(cert);
  sk_X509_pop_free(others, X509_free);

  TempDir dir;
  const std::string path = dir.Write("out.pfx", pfx->Reveal());
  ASSERT_TRUE(RunShell("openssl pkcs12 -in '" + path + "' -passin pass: -info -noout > '" +
                       dir.Path("info") + "' 2>&1"));
  const std::string info = dir.Read("info");
  EXPECT_NE(info.find("MAC: sha256"), std::string::npos) << info;
  EXPECT_NE(info.find("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info;
  EXPECT_NE(info.find("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"), std::string::npos);
}

TEST(CertificatePkcs12Test, CertificatesOnlyHaveNoKey) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pfx = EncodePkcs12({chain.leaf, chain.ca}, nullptr);
  ASSERT_TRUE(pfx.ok()) << pfx.status().ToString();
  const unsigned char* p = pfx->RevealData();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, long(pfx->size())));
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* others = nullptr;
  ASSERT_EQ(PKCS12_parse(p12.get(), "", &key, &cert, &others), 1);
  EXPECT_EQ(key, nullptr);
  EXPECT_EQ(cert, nullptr);
  ASSERT_EQ(sk_X509_num(others), 2);
  EXPECT_EQ(ToDer(sk_X509_value(others, 0)), chain.leaf);
  sk_X509_pop_free(others, X509_free);
  EXPECT_TRUE(
      IsBadParameter(ParsePkcs12(pfx->Reveal(), SecretBytes(), false).status(), "no private key"));
}

TEST(CertificatePkcs12Test, ExportRefusals) {
  const Chain& chain = RsaChain();
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({chain.ca}, &Rsa()).status(), "any certificate"));
  EXPECT_TRUE(IsBadParameter(EncodePem({chain.ca}, &Rsa()).status(), "any certificate"));
  // A kept (imported) order may put the leaf after its CA: the key pairs with the leaf.
  auto kept = EncodePem({chain.ca, chain.leaf}, &Rsa());
  ASSERT_TRUE(kept.ok());
  auto reparsed = ParsePem(kept->Reveal(), /*preserve_order=*/true);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->chain_der, (std::vector<std::string>{chain.ca, chain.leaf}));
  auto pfx = EncodePkcs12({chain.ca, chain.leaf}, &Rsa());
  ASSERT_TRUE(pfx.ok());
  auto from_pfx = ParsePkcs12(pfx->Reveal(), SecretBytes(), /*preserve_order=*/false);
  ASSERT_TRUE(from_pfx.ok());
  EXPECT_EQ(from_pfx->chain_der.front(), chain.leaf);
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({}, nullptr).status(), "empty"));
  EXPECT_TRUE(IsBadParameter(EncodePem({"garbage"}, nullptr).status()));
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({chain.leaf}, &Oct()).status(), "exported"));
  EXPECT_TRUE(IsBadParameter(
      EncodePkcs12(std::vector<std::string>(kMaxCertificateChainLength + 1, chain.ca), nullptr)
          .status()));
  EXPECT_TRUE(CanExportPrivateKey(Rsa()));
  EXPECT_TRUE(CanExportPrivateKey(Ec(EcCurve::kP256K)));
  EXPECT_FALSE(CanExportPrivateKey(Oct()));
}

// Writes the key and chain as PEM files and runs `openssl pkcs12 -export` with `options`.
std::string OpenSslPfx(const TempDir& dir, const KeyMaterial& key, const Chain& chain,
                       const std::string& options) {
  const std::string key_pem = EncodePem({chain.leaf}, &key)->RevealString();
  const std::string key_path = dir.Write("key.pem", key_pem);
  const std::string leaf_path = dir.Write("leaf.pem", ToPem(chain.leaf));
  const std::string ca_path = dir.Write("ca.pem", ToPem(chain.ca));
  const std::string out = dir.Path("made.pfx");
  EXPECT_TRUE(RunShell("openssl pkcs12 -export -inkey '" + key_path + "' -in '" + leaf_path +
                       "' -certfile '" + ca_path + "' -out '" + out + "' " + options));
  return dir.Read("made.pfx");
}

TEST(CertificatePkcs12Test, ParsesOpenSslCommandOutputWithItsPassword) {
  const Chain& chain = RsaChain();
  TempDir dir;
  for (const char* options :
       {"-passout pass:s3cret", "-passout pass:s3cret -legacy", "-passout pass:s3cret -nomac"}) {
    SCOPED_TRACE(options);
    const std::string pfx = OpenSslPfx(dir, Rsa(), chain, options);
    ASSERT_FALSE(pfx.empty());
    StatusOr<CertificateWithKey> parsed =
        ParsePkcs12(pfx, SecretBytes(std::string_view("s3cret")), false);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
    EXPECT_TRUE(SameKey(parsed->key, Rsa()));
    for (const char* wrong : {"wrong", "s3cre", ""}) {
      EXPECT_TRUE(IsBadParameter(
          ParsePkcs12(pfx, SecretBytes(std::string_view(wrong)), false).status(),
          "The specified PKCS#12 X509 certificate content can not be read. Please check if "
          "certificate is in valid PKCS#12 format."))
          << wrong;
    }
  }
  // An empty password given to the openssl command also parses with ours.
  const std::string empty = OpenSslPfx(
      dir, Ec(EcCurve::kP256),
      [] {
        Chain c;
        c.ca = SelfSigned(Ca("CN=P256 CA"), Ec(EcCurve::kP521));
        c.leaf = IssuedBy(Leaf("CN=p256"), Ec(EcCurve::kP256), c.ca, Ec(EcCurve::kP521));
        return c;
      }(),
      "-passout pass:");
  StatusOr<CertificateWithKey> parsed = ParsePkcs12(empty, SecretBytes(), true);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(SameKey(parsed->key, Ec(EcCurve::kP256)));
}

// A PFX built directly with OpenSSL: the key (no localKeyId) and the certificates in `order`.
std::string RawPfx(EVP_PKEY* key, const std::vector<std::string>& order) {
  STACK_OF(X509)* certs = sk_X509_new_null();
  for (const std::string& der : order) sk_X509_push(certs, ParseDer(der).release());
  PKCS12* p12 = PKCS12_create("pw", nullptr, key, nullptr, certs, 0, 0, 0, 0, 0);
  EXPECT_NE(p12, nullptr);
  unsigned char* der = nullptr;
  const int size = i2d_PKCS12(p12, &der);
  std::string out(reinterpret_cast<char*>(der), size_t(size));
  OPENSSL_free(der);
  PKCS12_free(p12);
  sk_X509_pop_free(certs, X509_free);
  return out;
}

// The key as an EVP_PKEY, through Serialize()'s documented form (two header bytes, PKCS#8 DER).
PkeyPtr OpenSslKey(const KeyMaterial& key) {
  const SecretBytes serialized = key.Serialize();
  const unsigned char* p = serialized.RevealData() + 2;
  return PkeyPtr(d2i_AutoPrivateKey(nullptr, &p, long(serialized.size() - 2)));
}

TEST(CertificatePkcs12Test, FindsTheLeafAndHonoursPreserveOrder) {
  const Chain& chain = RsaChain();
  PkeyPtr key = OpenSslKey(Rsa());
  ASSERT_TRUE(key);
  const std::string pfx = RawPfx(key.get(), {chain.ca, chain.leaf});
  const SecretBytes password(std::string_view("pw"));
  StatusOr<CertificateWithKey> leaf_first = ParsePkcs12(pfx, password, false);
  ASSERT_TRUE(leaf_first.ok()) << leaf_first.status().ToString();
  EXPECT_EQ(leaf_first->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  StatusOr<CertificateWithKey> as_found = ParsePkcs12(pfx, password, true);
  ASSERT_TRUE(as_found.ok());
  EXPECT_EQ(as_found->chain_der, (std::vector<std::string>{chain.ca, chain.leaf}));
}

TEST(CertificatePkcs12Test, RefusesAKeyMatchingNoCertificate) {
  const Chain& chain = RsaChain();
  PkeyPtr other = OpenSslKey(OtherRsa());
  const std::string pfx = RawPfx(other.get(), {chain.leaf, chain.ca});
  EXPECT_TRUE(IsBadParameter(ParsePkcs12(pfx, SecretBytes(std::string_view("pw")), false).status(),
                             "does not match any"));
  const std::string no_certs = RawPfx(other.get(), {});
  EXPECT_TRUE(
      IsBadParameter(ParsePkcs12(no_certs, SecretBytes(std::string_view("pw")), false).status(),
                     "no certificate"));
}

TEST(CertificatePkcs12Test, GarbageAndOversizeInputAreBadParameter) {
  const Chain& chain = RsaChain();
  const SecretBytes none;
  EXPECT_TRUE(IsBadParameter(ParsePkcs12("", none, false).status()));
  EXPECT_TRUE(IsBadParameter(ParsePkcs12("not a pfx at all", none, false).status()));
  EXPECT_TRUE(IsBadParameter(
      ParsePkcs12(std::string(kMaxImportBytes + 1, '\x30'), none, false).status(), "larger"));
  const std::string pfx = EncodePkcs12({chain.leaf, chain.ca}, &Rsa())->RevealString();
  for (size_t cut = 0; cut < pfx.size(); cut += 97) {
    EXPECT_TRUE(IsBadParameter(ParsePkcs12(pfx.substr(0, cut), none, false).status())) << cut;
  }
  EXPECT_TRUE(IsBadParameter(ParsePkcs12(pfx + "x", none, false).status()));
  // Flipped bytes anywhere: refused (MAC) or, if the flip only hits the MAC data, still refused.
  for (size_t i = 0; i < pfx.size(); i += 61) {
    std::string flipped = pfx;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    EXPECT_FALSE(ParsePkcs12(flipped, none, false).ok()) << i;
  }
}

// ==== PEM ====

TEST(CertificatePemTest, RoundTripsAndHasTheDocumentedLayout) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pem = EncodePem({chain.leaf, chain.ca}, &Rsa());
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  const std::string text = pem->RevealString();
  EXPECT_EQ(text.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  const size_t first_cert = text.find("-----BEGIN CERTIFICATE-----\n");
  ASSERT_NE(first_cert, std::string::npos);
  EXPECT_EQ(text.substr(first_cert), ToPem(chain.leaf) + ToPem(chain.ca));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 64u);
    EXPECT_EQ(line.find('\r'), std::string::npos);
  }
  StatusOr<CertificateWithKey> parsed = ParsePem(text, false);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  EXPECT_TRUE(SameKey(parsed->key, Rsa()));

  StatusOr<SecretBytes> certs_only = EncodePem({chain.leaf, chain.ca}, nullptr);
  ASSERT_TRUE(certs_only.ok());
  EXPECT_EQ(certs_only->RevealString(), ToPem(chain.leaf) + ToPem(chain.ca));
  EXPECT_TRUE(IsBadParameter(ParsePem(certs_only->Reveal(), false).status(), "no private key"));
}

TEST(CertificatePemTest, AnyBlockOrderAndPreserveOrder) {
  const Chain& chain = RsaChain();
  const std::string key_pem = EncodePem({chain.leaf}, &Rsa())->RevealString();
  const std::string key_block = key_pem.substr(0, key_pem.find("-----BEGIN CERTIFICATE-----"));
  const std::string text =
      "junk before\n" + ToPem(chain.ca) + "between\n" + key_block + ToPem(chain.leaf) + "after\n";
  StatusOr<CertificateWithKey> leaf_first = ParsePem(text, false);
  ASSERT_TRUE(leaf_first.ok()) << leaf_first.status().ToString();
  EXPECT_EQ(leaf_first->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  StatusOr<CertificateWithKey> as_found = ParsePem(text, true);
  ASSERT_TRUE(as_found.ok());
  EXPECT_EQ(as_found->chain_der, (std::vector<std::string>{chain.ca, chain.leaf}));
}

TEST(CertificatePemTest, RefusesPkcs1AndOtherKeyFormats) {
  const Chain& chain = RsaChain();
  PkeyPtr key = OpenSslKey(Rsa());
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                                 nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  const std::string pkcs1(data, size_t(size));
  ASSERT_EQ(pkcs1.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(IsBadParameter(ParsePem(pkcs1 + ToPem(chain.leaf), false).status(), "PKCS#8"));

  BioPtr encrypted(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(encrypted.get(), key.get(), EVP_aes_256_cbc(), "pw", 2,
                                          nullptr, nullptr),
            1);
  const long encrypted_size = BIO_get_mem_data(encrypted.get(), &data);
  const std::string encrypted_pem(data, size_t(encrypted_size));
  ASSERT_EQ(encrypted_pem.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(
      IsBadParameter(ParsePem(encrypted_pem + ToPem(chain.leaf), false).status(), "PKCS#8"));
  EXPECT_TRUE(IsBadParameter(
      ParsePem("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n" + ToPem(chain.leaf),
               false)
          .status(),
      "unsupported block"));
}

TEST(CertificatePemTest, RefusesMismatchedMissingAndExtraParts) {
  const Chain& chain = RsaChain();
  const std::string key_pem = EncodePem({chain.leaf}, &Rsa())->RevealString();
  const std::string key_block = key_pem.substr(0, key_pem.find("-----BEGIN CERTIFICATE-----"));
  const std::string ec_der = SelfSigned(Leaf("CN=ec"), Ec(EcCurve::kP256));

  EXPECT_TRUE(
      IsBadParameter(ParsePem(key_block + ToPem(ec_der), false).status(), "does not match any"));
  EXPECT_TRUE(IsBadParameter(ParsePem(key_block, false).status(), "no certificate"));
  EXPECT_TRUE(IsBadParameter(ParsePem(key_block + key_block + ToPem(chain.leaf), false).status(),
                             "more than one private key"));
  std::string many = key_block;
  for (size_t i = 0; i <= kMaxCertificateChainLength; ++i) many += ToPem(chain.ca);
  EXPECT_TRUE(IsBadParameter(ParsePem(many, false).status(), "more than 10"));
}

TEST(CertificatePemTest, GarbageAndOversizeInputAreBadParameter) {
  EXPECT_TRUE(IsBadParameter(ParsePem("", false).status()));
  EXPECT_TRUE(IsBadParameter(ParsePem("hello", false).status()));
  EXPECT_TRUE(
      IsBadParameter(ParsePem(std::string(kMaxImportBytes + 1, 'a'), false).status(), "larger"));
  EXPECT_TRUE(IsBadParameter(
      ParsePem("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", false)
          .status()));
  EXPECT_TRUE(IsBadParameter(
      ParsePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false).status()));
  EXPECT_TRUE(IsBadParameter(ParsePem("-----BEGIN CERTIFICATE-----\nAAAA\n", false).status()));
  const std::string pem = EncodePem({RsaChain().leaf}, &Rsa())->RevealString();
  for (size_t cut = 0; cut < pem.size(); cut += 53) {
    EXPECT_FALSE(ParsePem(pem.substr(0, cut), false).ok()) << cut;
  }
}

// ==== Certificates made elsewhere ====

// A self-signed certificate for `key` made with plain OpenSSL: subject C=US, then O and OU in one
// multi-valued RDN, then CN, then organizationIdentifier (an attribute Key Vault has no name for).
std::string ForeignCertificate(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add = [&](const char* field, const char* value, int set) {
    EXPECT_EQ(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, U(value), -1, -1, set), 1);
  };
  add("C", "US", 0);
  add("O", "Org", 0);
  add("OU", "Unit", -1);  // joins the O's RDN
  add("CN", "foreign, inc", 0);
  add("organizationIdentifier", "VATDE-123", 0);
  X509_set_issuer_name(cert.get(), name);
  const EVP_MD* md = EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256();
  EXPECT_GT(X509_sign(cert.get(), key, md), 0);
  return ToDer(cert.get());
}

TEST(CertificateForeignTest, InspectsNamesAsWritten) {
  PkeyPtr key = OpenSslKey(Ec(EcCurve::kP256));
  const std::string der = ForeignCertificate(key.get());
  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->subject, "C=US, O=Org + OU=Unit, CN=\"foreign, inc\", OID.2.5.4.97=VATDE-123");
  EXPECT_EQ(info->issuer, info->subject);
  EXPECT_TRUE(info->sans.empty());
  EXPECT_TRUE(info->key_usage.empty());
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->curve, EcCurve::kP256);
}

TEST(CertificateForeignTest, RefusesKeysKeyVaultDoesNotSupport) {
  PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  PkeyPtr edwards(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  PkeyPtr p224(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-224"));
  struct Case {
    EVP_PKEY* key;
    const char* fragment;
  } cases[] = {{small.get(), "Unsupported key size"},
               {edwards.get(), "only RSA and EC"},
               {p224.get(), "curve is not supported"}};
  for (const Case& c : cases) {
    ASSERT_NE(c.key, nullptr);
    const std::string der = ForeignCertificate(c.key);
    BioPtr key_bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PKCS8PrivateKey(key_bio.get(), c.key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(key_bio.get(), &data);
    EXPECT_TRUE(IsBadParameter(
        ParsePem(std::string(data, size_t(size)) + ToPem(der), false).status(), c.fragment));
    PKCS12* p12 = PKCS12_create("pw", nullptr, c.key, ParseDer(der).get(), nullptr, 0, 0, 0, 0, 0);
    ASSERT_NE(p12, nullptr);
    unsigned char* pfx = nullptr;
    const int pfx_size = i2d_PKCS12(p12, &pfx);
    PKCS12_free(p12);
    EXPECT_TRUE(
        IsBadParameter(ParsePkcs12(std::string(reinterpret_cast<char*>(pfx), size_t(pfx_size)),
                                   SecretBytes(std::string_view("pw")), false)
                           .status(),
                       c.fragment));
    OPENSSL_free(pfx);
  }
  // Inspecting such certificates: RSA and EC report their size; other key types are refused.
  StatusOr<CertificateDetails> info = InspectCertificate(ForeignCertificate(p224.get()));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->key_type, KeyType::kEc);
  EXPECT_EQ(info->key_bits, 224);
  EXPECT_FALSE(info->curve.has_value());
  EXPECT_TRUE(IsBadParameter(InspectCertificate(ForeignCertificate(edwards.get())).status(),
                             "not an RSA or EC key"));
}

TEST(CertificateForeignTest, SuccessLeavesNoOpenSslErrorBehind) {
  const Chain& chain = RsaChain();
  const SecretBytes pfx = *EncodePkcs12({chain.leaf, chain.ca}, &Rsa());
  const SecretBytes pem = *EncodePem({chain.leaf, chain.ca}, &Rsa());
  ERR_clear_error();
  EXPECT_TRUE(ParsePkcs12(pfx.Reveal(), SecretBytes(), false).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(ParsePem(pem.Reveal(), false).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(InspectCertificate(chain.leaf).ok());
  EXPECT_TRUE(InspectCertificate(chain.ca).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(
      IssueCertificate(Leaf("CN=x"), Rsa(), AroundNow(), {&Ec(EcCurve::kP256), chain.ca}).ok());
  EXPECT_TRUE(CreateCertificateRequest(Leaf("CN=x"), Ec(EcCurve::kP384)).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(*CertificateSignedBy(chain.ca, chain.leaf));
  EXPECT_FALSE(*CertificateMatchesKey(chain.ca, Rsa()));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ==== InspectCertificate, OrderChain and friends on bad input ====

TEST(CertificateInspectTest, GarbageIsBadParameter) {
  const std::string der = RsaChain().leaf;
  EXPECT_TRUE(IsBadParameter(InspectCertificate("").status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate("garbage").status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate(der + der).status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate(der.substr(0, der.size() - 1)).status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate(ToPem(der)).status()));
  EXPECT_TRUE(IsBadParameter(CertificateMatchesKey("garbage", Rsa()).status()));
  EXPECT_TRUE(IsBadParameter(CertificateSignedBy(der, "garbage").status()));
  for (size_t i = 0; i < der.size(); i += 7) {  // flipped bytes: an error or a result, no crash
    std::string flipped = der;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    StatusOr<CertificateDetails> info = InspectCertificate(flipped);
    if (!info.ok()) {
      EXPECT_TRUE(IsBadParameter(info.status())) << i;
    }
  }
}

TEST(CertificateChainTest, OrderChainPutsTheLeafFirst) {
  const Chain& chain = RsaChain();
  StatusOr<std::vector<std::string>> ordered = OrderChain({chain.ca, chain.leaf}, Rsa(), false);
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(*ordered, (std::vector<std::string>{chain.leaf, chain.ca}));
  ordered = OrderChain({chain.ca, chain.leaf}, Rsa(), true);
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(*ordered, (std::vector<std::string>{chain.ca, chain.leaf}));
  ordered = OrderChain({chain.ca, chain.leaf}, Ec(EcCurve::kP256), false);  // the CA's key
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(*ordered, (std::vector<std::string>{chain.ca, chain.leaf}));
  EXPECT_TRUE(IsBadParameter(OrderChain({chain.ca, chain.leaf}, OtherRsa(), false).status(),
                             "does not match"));
  EXPECT_TRUE(IsBadParameter(OrderChain({chain.ca, chain.leaf}, Oct(), false).status()));
  EXPECT_TRUE(IsBadParameter(OrderChain({}, Rsa(), false).status(), "empty"));
  EXPECT_TRUE(IsBadParameter(OrderChain({chain.leaf, "junk"}, Rsa(), false).status()));
}

// ==== An EC key in a PKCS#11 token signs ====

std::shared_ptr<HsmToken> Token() {
  static std::shared_ptr<HsmToken> token = testing::OpenTestToken();
  return token;
}

TEST(CertificateHsmTest, HsmCaSignsALeafAndRequests) {
  StatusOr<KeyMaterial> ca_key = KeyMaterial::GenerateEcInHsm(Token(), EcCurve::kP256);
  ASSERT_TRUE(ca_key.ok()) << ca_key.status().ToString();
  ASSERT_TRUE(ca_key->is_hsm());
  EXPECT_FALSE(CanExportPrivateKey(*ca_key));
  const std::string ca_der = SelfSigned(Ca("CN=HSM CA"), *ca_key);
  const std::string leaf_der = IssuedBy(Leaf("CN=hsm leaf", {"hsm.test"}), Rsa(), ca_der, *ca_key);
  X509Ptr ca = ParseDer(ca_der);
  X509Ptr leaf = ParseDer(leaf_der);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_verify(ca.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(VerifyChain(leaf.get(), ca.get(), "hsm.test"), X509_V_OK);
  EXPECT_TRUE(*CertificateMatchesKey(ca_der, *ca_key));

  StatusOr<std::string> csr = CreateCertificateRequest(Leaf("CN=hsm csr"), *ca_key);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  const unsigned char* p = U(*csr);
  ReqPtr req(d2i_X509_REQ(nullptr, &p, long(csr->size())));
  ASSERT_TRUE(req);
  X509Ptr holder;
  EXPECT_EQ(X509_REQ_verify(req.get(), PublicKeyOf(ca_der, &holder)), 1);

  // Certificates of an HSM key go out without it.
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({ca_der}, &*ca_key).status(), "exported"));
  EXPECT_TRUE(IsBadParameter(EncodePem({ca_der}, &*ca_key).status(), "exported"));
  EXPECT_TRUE(EncodePkcs12({ca_der}, nullptr).ok());
  StatusOr<std::vector<std::string>> ordered = OrderChain({leaf_der, ca_der}, *ca_key, false);
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(ordered->front(), ca_der);
  EXPECT_TRUE(ca_key->DestroyInHsm().ok());
}

}  // namespace
}  // namespace kh::crypto
