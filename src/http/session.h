#pragma once
// One TLS connection: handshake, then requests in turn (keep-alive), each read in two phases
// (header, then body only if the Api admits the request).
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "api/api.h"
#include "http/server.h"

namespace boost::asio::ssl {
class context;
}

namespace kh::http {

struct SessionShared {
  api::Api* api;
  boost::asio::ssl::context* tls;
  boost::asio::thread_pool* workers;
  const ServerOptions* options;
  std::atomic<size_t> connections{0};
  std::atomic<size_t> in_flight{0};
  std::atomic<bool> stopping{false};
};

// `private_link`: the socket came from the private listener (api::Request::via_private_link).
void StartSession(boost::asio::ip::tcp::socket socket, SessionShared* shared, bool private_link);

}  // namespace kh::http
