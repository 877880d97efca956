#include "http/metrics_listener.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace kh::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);

class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
 public:
  MetricsSession(asio::ip::tcp::socket socket, const std::function<std::string()>* render)
      : stream_(std::move(socket)), render_(render) {}

  void Read() {
    request_ = {};
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read(stream_, buffer_, request_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (!ec) self->Answer();
                      });
  }

 private:
  void Answer() {
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    response->version(request_.version());
    response->keep_alive(request_.keep_alive());
    const bool metrics =
        request_.target() == "/metrics" || request_.target().starts_with("/metrics?");
    if (request_.method() != bhttp::verb::get || !metrics) {
      response->result(bhttp::status::not_found);
      response->set(bhttp::field::content_type, "text/plain");
      response->body() = "Only GET /metrics is served here.\n";
    } else {
      response->result(bhttp::status::ok);
      response->set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response->body() = (*render_)();
    }
    response->prepare_payload();
    bhttp::async_write(
        stream_, *response, [self = shared_from_this(), response](beast::error_code ec, size_t) {
          if (ec || !response->keep_alive()) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            return;
          }
          self->Read();
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::empty_body> request_;
  const std::function<std::string()>* render_;
};

}  // namespace

struct MetricsListener::Impl {
  asio::io_context context{1};
  asio::ip::tcp::acceptor acceptor{context};
  std::function<std::string()> render;
  std::thread thread;
  int port = 0;

  void Accept() {
    acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) std::make_shared<MetricsSession>(std::move(socket), &render)->Read();
      Accept();
    });
  }
};

StatusOr<std::unique_ptr<MetricsListener>> MetricsListener::Start(
    const std::string& address, int port, std::function<std::string()> render) {
  auto impl = std::make_unique<Impl>();
  impl->render = std::move(render);
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return InvalidArgument("--metrics-listen has an invalid address: " + address);
  asio::ip::tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen for metrics on " + address + ":" + std::to_string(port) +
                       ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->Accept();
  impl->thread = std::thread([raw = impl.get()] {
    auto guard = asio::make_work_guard(raw->context);
    raw->context.run();
  });
  return std::unique_ptr<MetricsListener>(new MetricsListener(std::move(impl)));
}

MetricsListener::MetricsListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsListener::~MetricsListener() {
  asio::post(impl_->context, [raw = impl_.get()] {
    boost::system::error_code ignored;
    raw->acceptor.close(ignored);
  });
  impl_->context.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int MetricsListener::port() const { return impl_->port; }

}  // namespace kh::http
