#pragma once
// TlsContext: the server's TLS configuration (TLS 1.2 and 1.3 only) and its SNI: a leaf
// certificate for `{domain}` (plus 127.0.0.1 and ::1) at start, and one per `{vault}.{domain}`
// minted by the internal CA on first use and cached (Node refuses a `*.localhost` wildcard,
// so every vault host gets its own SAN). Thread-safe.
#include <memory>
#include <string>

#include "core/status_or.h"
#include "crypto/x509.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;  // OpenSSL's SSL, as Asio's native_handle() gives it

namespace kh::http {

constexpr size_t kMaxMintedCertificates = 4096;

// The protocol a handshake settled on: "TLSv1.3", "TLSv1.2".
std::string NegotiatedProtocol(ssl_st* connection);

constexpr int kLeafValidityDays = 397;

class TlsContext {
 public:
  static StatusOr<std::unique_ptr<TlsContext>> Create(crypto::CertificateAndKey ca,
                                                      std::string domain);
  ~TlsContext();

  boost::asio::ssl::context& context();

 private:
  struct Impl;
  explicit TlsContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kh::http
