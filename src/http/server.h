#pragma once
// HttpServer: HTTPS/1.1 listener and sessions (Beast + Asio). Asio threads do I/O and serve GETs
// (short reads); every other request's handler runs on a worker pool, because writes block on
// durable commits and group commit needs many of them waiting at once (DESIGN.md section 5).
//
// Limits: header and body size, per-phase timeouts (a slow or silent client is disconnected),
// and a connection cap. Bind() takes the port (so a caller listening on port 0 learns it before
// building the Api, whose URLs name it); Start() begins serving; Stop() stops accepting, lets
// in-flight requests finish and write their responses, then closes everything.
//
// Listeners: `address` and every one of `extra_addresses` share one port (vault URLs name one
// port); an optional private listener has its own, and requests that arrive on it are marked
// api::Request::via_private_link (Azure's private endpoint).
#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "core/status_or.h"
#include "http/tls_context.h"

namespace kh::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 8443;  // 0 = any free port
  // More addresses on the same port (the one `address` got, when `port` is 0).
  std::vector<std::string> extra_addresses;
  // The private listener (private endpoint); none when empty. Its port 0 = any free port.
  std::string private_address;
  int private_port = 0;
  int io_threads = 2;
  int worker_threads = 64;
  size_t max_connections = 10000;
  int handshake_timeout_seconds = 10;
  int request_timeout_seconds = 30;  // reading one request's header and body, or idling
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, TlsContext* tls);
  ~HttpServer();

  Status Bind();
  int port() const;          // the bound port, after Bind()
  int private_port() const;  // the private listener's bound port, after Bind(); 0 = none
  void Start(api::Api* api);
  // Graceful: waits up to `grace_seconds` for in-flight requests.
  void Stop(int grace_seconds = 10);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kh::http
