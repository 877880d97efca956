#include "http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "http/session.h"

namespace kh::http {

namespace asio = boost::asio;

struct HttpServer::Impl {
  ServerOptions options;
  api::Api* api;
  TlsContext* tls;
  // One single-threaded io_context per I/O thread: a connection lives on one thread for its
  // whole life, so its handlers need no strand and no thread wakes another for every read.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  size_t next_context = 0;
  struct Listener {
    asio::ip::tcp::acceptor acceptor;
    bool private_link;
  };
  std::vector<std::unique_ptr<Listener>> listeners;  // all on contexts[0]
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;
  SessionShared shared;
  int bound_port = 0;
  int bound_private_port = 0;
  bool running = false;

  asio::io_context& NextContext() {
    next_context = (next_context + 1) % contexts.size();
    return *contexts[next_context];
  }

  // Every acceptor runs on contexts[0], so NextContext() is only ever called from that thread.
  void Accept(Listener* l) {
    l->acceptor.async_accept(NextContext(),
                             [this, l](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                               if (ec == asio::error::operation_aborted || !l->acceptor.is_open())
                                 return;
                               if (!ec) StartSession(std::move(socket), &shared, l->private_link);
                               Accept(l);
                             });
  }

  // Opens one listener; returns the port it bound. `v6_only` keeps an IPv6 wildcard from also
  // taking the IPv4 side of a port another listener binds.
  StatusOr<int> Listen(const std::string& text, int port, bool private_link, bool v6_only,
                       const char* flag) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(text, ec);
    if (ec) return InvalidArgument(std::string(flag) + " has an invalid address: " + text);
    asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    auto l =
        std::make_unique<Listener>(Listener{asio::ip::tcp::acceptor(*contexts[0]), private_link});
    l->acceptor.open(endpoint.protocol(), ec);
    if (!ec) l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && v6_only && address.is_v6()) l->acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) l->acceptor.bind(endpoint, ec);
    if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      std::string shown = address.is_v6() ? "[" + text + "]" : text;
      return Unavailable("cannot listen on " + shown + ":" + std::to_string(port) + ": " +
                         ec.message());
    }
    int bound = l->acceptor.local_endpoint().port();
    listeners.push_back(std::move(l));
    return bound;
  }
};

HttpServer::HttpServer(ServerOptions options, TlsContext* tls) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->tls = tls;
}

HttpServer::~HttpServer() { Stop(0); }

Status HttpServer::Bind() {
  Impl& m = *impl_;
  for (int i = 0; i < m.options.io_threads; ++i) {
    m.contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  bool shared_port = !m.options.extra_addresses.empty();
  KH_ASSIGN_OR_RETURN(m.bound_port,
                      m.Listen(m.options.address, m.options.port, false, shared_port, "--listen"));
  for (const std::string& address : m.options.extra_addresses) {
    KH_RETURN_IF_ERROR(m.Listen(address, m.bound_port, false, true, "--listen").status());
  }
  if (!m.options.private_address.empty()) {
    KH_ASSIGN_OR_RETURN(m.bound_private_port,
                        m.Listen(m.options.private_address, m.options.private_port, true, false,
                                 "--private-listen"));
  }
  return Status::Ok();
}

void HttpServer::Start(api::Api* api) {
  Impl& m = *impl_;
  m.api = api;
  m.workers = std::make_unique<asio::thread_pool>(m.options.worker_threads);
  m.shared.api = m.api;
  m.shared.tls = &m.tls->context();
  m.shared.workers = m.workers.get();
  m.shared.options = &m.options;
  for (auto& listener : m.listeners) m.Accept(listener.get());
  for (auto& context : m.contexts) {
    m.io_threads.emplace_back([ctx = context.get()] {
      auto guard = asio::make_work_guard(*ctx);  // idle threads wait for connections
      ctx->run();
    });
  }
  m.running = true;
}

int HttpServer::port() const { return impl_->bound_port; }

int HttpServer::private_port() const { return impl_->bound_private_port; }

void HttpServer::Stop(int grace_seconds) {
  Impl& m = *impl_;
  if (!m.running) return;
  m.running = false;
  m.shared.stopping = true;
  asio::post(*m.contexts[0], [&m] {
    boost::system::error_code ignored;
    for (auto& listener : m.listeners) listener->acceptor.close(ignored);
  });
  // In-flight requests finish and their responses are written; idle connections close at
  // their next read.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  while (m.shared.in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the last writes flush
  m.workers->join();
  for (auto& context : m.contexts) context->stop();
  for (auto& t : m.io_threads) t.join();
  m.io_threads.clear();
}

}  // namespace kh::http
