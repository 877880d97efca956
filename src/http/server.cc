#include "http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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
  std::optional<asio::ip::tcp::acceptor> acceptor;
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;
  SessionShared shared;
  int bound_port = 0;
  bool running = false;

  asio::io_context& NextContext() {
    next_context = (next_context + 1) % contexts.size();
    return *contexts[next_context];
  }

  void Accept() {
    acceptor->async_accept(NextContext(),
                           [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                             if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
                               return;
                             }
                             if (!ec) StartSession(std::move(socket), &shared);
                             Accept();
                           });
  }
};

HttpServer::HttpServer(ServerOptions options, TlsContext* tls) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->tls = tls;
}

HttpServer::~HttpServer() { Stop(0); }

Status HttpServer::Bind() {
  Impl& m = *impl_;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(m.options.address, ec);
  if (ec) return InvalidArgument("--listen has an invalid address: " + m.options.address);
  asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(m.options.port));
  for (int i = 0; i < m.options.io_threads; ++i) {
    m.contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  m.acceptor.emplace(*m.contexts[0]);
  m.acceptor->open(endpoint.protocol(), ec);
  if (!ec) m.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(endpoint, ec);
  if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + m.options.address + ":" +
                       std::to_string(m.options.port) + ": " + ec.message());
  }
  m.bound_port = m.acceptor->local_endpoint().port();
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
  m.Accept();
  for (auto& context : m.contexts) {
    m.io_threads.emplace_back([ctx = context.get()] {
      auto guard = asio::make_work_guard(*ctx);  // idle threads wait for connections
      ctx->run();
    });
  }
  m.running = true;
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop(int grace_seconds) {
  Impl& m = *impl_;
  if (!m.running) return;
  m.running = false;
  m.shared.stopping = true;
  asio::post(*m.contexts[0], [&m] {
    boost::system::error_code ignored;
    m.acceptor->close(ignored);
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
