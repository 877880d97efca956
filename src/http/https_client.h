#pragma once
// HttpsClient: a small synchronous HTTPS/1.1 client (Beast + Asio + OpenSSL) for the CLI and the
// C++ integration tests. It is not used by the server.
//
// Contract:
// - Request() takes an absolute https:// URL. Hosts "localhost" and "*.localhost" are connected to
//   127.0.0.1 (glibc does not resolve *.localhost) while SNI, certificate checks and the Host
//   header keep the name; other hosts go through the system resolver.
// - The server certificate is verified against `ca_file` (or the system trust store when empty)
//   and against the URL's host name. There is no way to turn verification off.
// - One connection is kept per client and reused for the next request to the same host and port
//   when the server allows keep-alive; a reused connection that turns out to be closed is retried
//   once on a fresh connection.
// - `timeout` bounds each request as a whole (connect, handshake, write, read).
// - Errors: InvalidArgument (bad URL, non-https scheme), Unavailable (resolve, connect, TLS,
//   timeout, connection lost, response too large), Internal (unexpected failures). Messages name
//   the host and port but never the request body or header values. HTTP error statuses are NOT
//   errors here: any complete response is returned as an HttpResponse.
// - Thread-compatible: use one client per thread.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status_or.h"

namespace kh::http {

struct HttpsClientOptions {
  std::string ca_file;  // PEM bundle to trust; empty = system default
  std::chrono::seconds timeout{30};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by ", "
  std::string body;
};

class HttpsClient {
 public:
  // Largest response body accepted; bigger responses fail with Unavailable.
  static constexpr size_t kMaxResponseBodyBytes = 64 * 1024 * 1024;

  explicit HttpsClient(HttpsClientOptions options);
  ~HttpsClient();
  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends one request. `headers` names are case-insensitive; Host, Content-Length and (unless
  // given) User-Agent are set by the client.
  StatusOr<HttpResponse> Request(std::string_view method, std::string_view url,
                                 const std::map<std::string, std::string>& headers,
                                 std::string_view body);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kh::http
