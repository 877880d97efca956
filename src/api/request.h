#pragma once
// Transport-neutral HTTP request and response. The http module fills a Request from Beast and
// writes a Response back; nothing here knows Beast or sockets.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kh::api {

// Limits on outside input enforced by the http module before a Request is built.
constexpr size_t kMaxBodyBytes = 256 * 1024;
// Whole-vault backup files uploaded to /admin/vault-backup/{verify,restore} (authenticated
// callers only: the larger limit applies once the request is admitted).
constexpr size_t kMaxBackupFileBytes = size_t{256} * 1024 * 1024;
constexpr size_t kMaxHeaderBytes = 16 * 1024;

struct Request {
  std::string method;  // upper case: GET, PUT, ...
  std::string host;    // Host header without the port, lower-cased
  std::string target;  // raw request-target (path and query, still percent-encoded)
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string client_address;
  // Arrived on the server's private listener: Azure's private endpoint, which passes the vault
  // firewall and is the only way in when publicNetworkAccess is Disabled.
  bool via_private_link = false;
  std::string tls_version;  // "TLSv1.3": the connection's protocol, for the audit record

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON unless a Content-Type header says otherwise
};

}  // namespace kh::api
