#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <mutex>
#include <unordered_map>

#include "core/ascii.h"

namespace kh::http {

std::string NegotiatedProtocol(ssl_st* connection) { return SSL_get_version(connection); }

namespace {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// Loads the leaf and the CA (as chain) into `ctx`.
Status UseCertificate(SSL_CTX* ctx, const crypto::CertificateAndKey& leaf,
                      const std::string& ca_pem) {
  std::unique_ptr<BIO, BioDeleter> cert_bio(
      BIO_new_mem_buf(leaf.certificate_pem.data(), int(leaf.certificate_pem.size())));
  std::unique_ptr<X509, X509Deleter> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<BIO, BioDeleter> key_bio(
      BIO_new_mem_buf(leaf.private_key_pem.RevealData(), int(leaf.private_key_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<BIO, BioDeleter> ca_bio(BIO_new_mem_buf(ca_pem.data(), int(ca_pem.size())));
  X509* ca = PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr);
  if (!cert || !key || !ca) {
    X509_free(ca);
    return Internal("could not load a TLS certificate");
  }
  if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1 ||
      SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
    X509_free(ca);
    return Internal("could not install a TLS certificate");
  }
  return Status::Ok();
}

void ApplyProtocolPolicy(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2: forward-secret AEAD suites only.
  SSL_CTX_set_cipher_list(ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305");
}

bool IsVaultLabel(std::string_view label) {
  if (label.empty() || label.size() > 24) return false;
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

struct TlsContext::Impl {
  boost::asio::ssl::context main{boost::asio::ssl::context::tls_server};
  crypto::CertificateAndKey ca;
  std::string domain;
  std::mutex mu;
  std::unordered_map<std::string, SslCtxPtr> by_host;

  // The context for `host`, minting its certificate on first use. nullptr keeps the default.
  SSL_CTX* ForHost(std::string host) {
    host = AsciiLower(host);
    std::string suffix = "." + domain;
    if (host.size() <= suffix.size() ||
        host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0 ||
        !IsVaultLabel(std::string_view(host).substr(0, host.size() - suffix.size()))) {
      return nullptr;
    }
    std::lock_guard lock(mu);
    auto it = by_host.find(host);
    if (it != by_host.end()) return it->second.get();
    auto leaf = crypto::IssueServerCertificate(ca, {host}, {}, kLeafValidityDays);
    if (!leaf.ok()) return nullptr;
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return nullptr;
    ApplyProtocolPolicy(ctx.get());
    if (!UseCertificate(ctx.get(), *leaf, ca.certificate_pem).ok()) return nullptr;
    if (by_host.size() >= kMaxMintedCertificates) by_host.clear();
    SSL_CTX* raw = ctx.get();
    by_host.emplace(std::move(host), std::move(ctx));
    return raw;
  }

  static int OnServerName(SSL* ssl, int* /*alert*/, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!name) return SSL_TLSEXT_ERR_OK;
    SSL_CTX* ctx = static_cast<Impl*>(arg)->ForHost(name);
    if (ctx) SSL_set_SSL_CTX(ssl, ctx);
    return SSL_TLSEXT_ERR_OK;
  }
};

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

boost::asio::ssl::context& TlsContext::context() { return impl_->main; }

StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(crypto::CertificateAndKey ca,
                                                         std::string domain) {
  auto impl = std::make_unique<Impl>();
  impl->ca = std::move(ca);
  impl->domain = std::move(domain);
  SSL_CTX* ctx = impl->main.native_handle();
  ApplyProtocolPolicy(ctx);
  KH_ASSIGN_OR_RETURN(crypto::CertificateAndKey leaf,
                      crypto::IssueServerCertificate(impl->ca, {impl->domain}, {"127.0.0.1", "::1"},
                                                     kLeafValidityDays));
  KH_RETURN_IF_ERROR(UseCertificate(ctx, leaf, impl->ca.certificate_pem));
  SSL_CTX_set_tlsext_servername_callback(ctx, &Impl::OnServerName);
  SSL_CTX_set_tlsext_servername_arg(ctx, impl.get());
  return std::unique_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

}  // namespace kh::http
