#pragma once
// Shared by the certificate tests (certificate_issue_test.cc, certificate_formats_test.cc):
// OpenSSL handles, per-process test keys, subjects, signing helpers, a scratch directory for the
// openssl command, and a CA-signed RSA chain.
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

#include "crypto/certificate.h"
#include "crypto/key_material_test_util.h"
#include "crypto/softhsm_test_util.h"

namespace kh::crypto::cert_test {

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

inline const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

inline X509Ptr ParseDer(std::string_view der) {
  const unsigned char* p = U(der);
  return X509Ptr(d2i_X509(nullptr, &p, long(der.size())));
}

inline std::string ToDer(X509* cert) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<char*>(der), size_t(size));
  OPENSSL_free(der);
  return out;
}

inline std::string ToPem(std::string_view der) {
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
inline Ext GetExt(X509* cert, int nid) {
  Ext ext;
  ext.value = X509_get_ext_d2i(cert, nid, &ext.critical, nullptr);
  return ext;
}

inline std::string OctetString(const ASN1_OCTET_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     size_t(ASN1_STRING_length(s)));
}

inline std::string NameText(X509_NAME* name, int nid) {
  char buffer[256] = {};
  const int n = X509_NAME_get_text_by_NID(name, nid, buffer, sizeof(buffer));
  return n < 0 ? std::string() : std::string(buffer, size_t(n));
}

inline EVP_PKEY* PublicKeyOf(std::string_view der, X509Ptr* holder) {
  *holder = ParseDer(der);
  return X509_get0_pubkey(holder->get());
}

// ---- Keys, shared per process (RSA generation is slow) ----

inline const KeyMaterial& Rsa() {
  static const KeyMaterial key = *KeyMaterial::GenerateRsa(2048);
  return key;
}
inline const KeyMaterial& OtherRsa() {
  static const KeyMaterial key = *KeyMaterial::GenerateRsa(2048);
  return key;
}
inline const KeyMaterial& Ec(EcCurve curve) {
  static const KeyMaterial keys[] = {
      *KeyMaterial::GenerateEc(EcCurve::kP256), *KeyMaterial::GenerateEc(EcCurve::kP256K),
      *KeyMaterial::GenerateEc(EcCurve::kP384), *KeyMaterial::GenerateEc(EcCurve::kP521)};
  return keys[static_cast<size_t>(curve)];
}
inline const KeyMaterial& Oct() {
  static const KeyMaterial key = *KeyMaterial::GenerateOct(256);
  return key;
}

// Whether two keys are the same key pair: same public components, and a signature by `a`
// verifies with `b`.
inline bool SameKey(const KeyMaterial& a, const KeyMaterial& b) {
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

inline CertificateValidity AroundNow(int64_t days = 30) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  return CertificateValidity{now - 3600, now + days * kDay};
}

inline CertificateSubject Leaf(std::string subject, std::vector<std::string> dns = {}) {
  CertificateSubject s;
  s.subject = std::move(subject);
  s.sans.dns_names = std::move(dns);
  s.ekus = {"1.3.6.1.5.5.7.3.1"};
  s.key_usage = {"digitalSignature", "keyEncipherment"};
  return s;
}

inline CertificateSubject Ca(std::string subject) {
  CertificateSubject s;
  s.subject = std::move(subject);
  s.key_usage = {"keyCertSign", "cRLSign"};
  return s;
}

inline std::string SelfSigned(const CertificateSubject& subject, const KeyMaterial& key,
                              CertificateValidity validity = AroundNow()) {
  StatusOr<std::string> der = IssueCertificate(subject, key, validity, {});
  EXPECT_TRUE(der.ok()) << der.status().ToString();
  return der.ok() ? *der : std::string();
}

inline std::string IssuedBy(const CertificateSubject& subject, const KeyMaterial& key,
                            const std::string& ca_der, const KeyMaterial& ca_key) {
  StatusOr<std::string> der = IssueCertificate(subject, key, AroundNow(), {&ca_key, ca_der});
  EXPECT_TRUE(der.ok()) << der.status().ToString();
  return der.ok() ? *der : std::string();
}

// The RFC 5280 chain check a strict TLS client makes (purpose SSL server, host name).
inline int VerifyChain(X509* leaf, X509* ca, const char* host) {
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
inline bool RunShell(const std::string& command) {
  const bool redirects = command.find("2>") != std::string::npos;
  return std::system((command + (redirects ? "" : " 2>/dev/null")).c_str()) == 0;
}

// An EC CA and an RSA leaf signed by it.
struct Chain {
  std::string ca;
  std::string leaf;
};

inline const Chain& RsaChain() {  // an EC CA and an RSA leaf whose key is Rsa()
  static const Chain chain = [] {
    Chain c;
    c.ca = SelfSigned(Ca("CN=Chain CA"), Ec(EcCurve::kP256));
    c.leaf = IssuedBy(Leaf("CN=chain leaf", {"chain.test"}), Rsa(), c.ca, Ec(EcCurve::kP256));
    return c;
  }();
  return chain;
}

}  // namespace kh::crypto::cert_test
