#include "http/session.h"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "core/ascii.h"
#include "http/tls_context.h"

namespace kh::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;

constexpr int kLingerSeconds = 5;
constexpr size_t kMaxLingerBytes = 16 * 1024 * 1024;

// The Host header without its port, lower-cased ("[::1]:8443" -> "[::1]").
std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return AsciiLower(host.substr(0, close == std::string_view::npos ? host.size() : close + 1));
  }
  size_t colon = host.rfind(':');
  return AsciiLower(colon == std::string_view::npos ? host : host.substr(0, colon));
}

// The peer's address as the firewall and its messages show it: an IPv4 client of a dual-stack
// IPv6 listener ("::ffff:127.0.0.2") as plain IPv4.
std::string ClientAddressText(asio::ip::address address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, SessionShared* shared, bool private_link)
      : stream_(std::move(socket), *shared->tls), shared_(shared), private_link_(private_link) {
    shared_->connections++;
    boost::system::error_code ec;
    auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) client_address_ = ClientAddressText(endpoint.address());
  }
  ~Session() { shared_->connections--; }

  void Run() {
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(shared_->options->handshake_timeout_seconds));
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) return;
                              self->tls_version_ = NegotiatedProtocol(self->stream_.native_handle());
                              self->ReadHeader();
                            });
  }

 private:
  void ReadHeader() {
    if (shared_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(api::kMaxHeaderBytes);
    // The largest limit of any route; OnHeader narrows it once the request is admitted.
    parser_->body_limit(api::kMaxBackupFileBytes);
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(shared_->options->request_timeout_seconds));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    request_started_ = std::chrono::steady_clock::now();
    admission_.reset();
    request_ = api::Request{};
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "RequestHeaderFieldsTooLarge", "The request headers are too large.");
    }
    if (ec == bhttp::error::body_limit) return SendTooLarge();
    if (ec) return Close();  // timeouts, resets and garbage all end the connection
    const auto& header = parser_->get();
    request_.method = std::string(header.method_string());
    request_.target = std::string(header.target());
    request_.host = HostWithoutPort(header[bhttp::field::host]);
    request_.client_address = client_address_;
    request_.via_private_link = private_link_;
    request_.tls_version = tls_version_;
    for (const auto& field : header) {
      request_.headers[AsciiLower(field.name_string())] = std::string(field.value());
    }
    keep_alive_ = header.keep_alive();
    if (parser_->content_length() && *parser_->content_length() > api::kMaxBackupFileBytes) {
      return SendTooLarge();
    }
    auto admitted = shared_->api->Admit(request_);
    if (auto* early = std::get_if<api::Response>(&admitted)) {
      // The body (if any) was not read: the connection cannot be reused.
      if (!parser_->is_done()) DiscardBodyThenClose();
      return Write(std::move(*early));
    }
    admission_ = std::move(std::get<api::Admission>(admitted));
    max_body_ = shared_->api->MaxBodyBytes(*admission_);
    if (parser_->content_length() && *parser_->content_length() > max_body_) {
      return SendTooLarge();
    }
    parser_->body_limit(max_body_);
    if (parser_->is_done()) return Dispatch();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec == bhttp::error::body_limit) return self->SendTooLarge();
                        if (ec) return self->Close();
                        self->Dispatch();
                      });
  }

  void Dispatch() {
    request_.body = parser_->release().body();
    beast::get_lowest_layer(stream_).expires_never();
    if (shared_->api->RunsInline(request_, *admission_)) {
      // Reads and key operations never wait on a commit and are short: serving them here saves
      // two thread hand-offs per request. Anything that may block (writes, slow hashing, key
      // generation) goes to workers.
      shared_->in_flight++;
      api::Response response = shared_->api->Handle(request_, *admission_);
      shared_->in_flight--;
      return Write(std::move(response));
    }
    shared_->in_flight++;
    // Anything that may change state first waits for the audit log to show it can record it
    // (fail-closed): a few milliseconds at most, without holding this thread.
    shared_->api->BeforeChange([self = shared_from_this()](std::optional<api::Response> refusal) {
      asio::post(self->stream_.get_executor(), [self, refusal = std::move(refusal)]() mutable {
        if (refusal) {
          self->shared_->in_flight--;
          return self->Write(std::move(*refusal));
        }
        self->DispatchChange();
      });
    });
  }

  void DispatchChange() {
    // Writes that can wait for their commit without holding a thread (secret set) start here;
    // the response is built and written back on this connection's I/O thread.
    bool started = shared_->api->TryHandleAsync(
        request_, *admission_, [self = shared_from_this()](std::function<api::Response()> build) {
          asio::post(self->stream_.get_executor(), [self, build = std::move(build)] {
            self->shared_->in_flight--;
            self->request_.body.clear();
            self->Write(build());
          });
        });
    if (started) return;
    asio::post(*shared_->workers, [self = shared_from_this()] {
      api::Response response = self->shared_->api->Handle(self->request_, *self->admission_);
      self->request_.body.clear();
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->shared_->in_flight--;
        self->Write(std::move(response));
      });
    });
  }

  // After answering a request whose body we will not read, keep reading (and discarding) for a
  // while before closing: closing at once would reset the connection while the client is still
  // sending, and the client would never see our answer.
  void DiscardBodyThenClose() {
    keep_alive_ = false;
    linger_ = true;
  }

  void Linger() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(kLingerSeconds));
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_bytes_ += n;
                              if (ec || self->lingered_bytes_ > kMaxLingerBytes) {
                                return self->Close();
                              }
                              self->Linger();
                            });
  }

  void SendTooLarge() {
    DiscardBodyThenClose();
    SendError(413, "RequestTooLarge",
              "The request body is larger than " + std::to_string(max_body_) + " bytes.");
  }

  void SendError(int status, const std::string& code, const std::string& message) {
    DiscardBodyThenClose();
    api::Response r;
    r.status = status;
    r.body = R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})";
    Write(std::move(r));
  }

  void Write(api::Response response) {
    // Every answer to a request that got as far as its header is audited, denials included.
    if (!request_.method.empty()) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - request_started_);
      shared_->api->Audit(request_, admission_ ? &*admission_ : nullptr, response,
                          elapsed.count());
    }
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    res->set(bhttp::field::server, "Keyhaven");
    bool has_type = false;
    for (auto& [name, value] : response.headers) {
      if (AsciiLower(name) == "content-type") has_type = true;
      res->set(name, value);
    }
    if (!response.body.empty() && !has_type) {
      res->set(bhttp::field::content_type, "application/json; charset=utf-8");
    }
    res->body() = std::move(response.body);
    bool keep = keep_alive_ && !shared_->stopping;
    res->keep_alive(keep);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(shared_->options->request_timeout_seconds));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep](beast::error_code ec, size_t) {
                         if (!ec && self->linger_) return self->Linger();
                         if (ec || !keep) return self->Close();
                         self->ReadHeader();
                       });
  }

  void Close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_)
          .socket()
          .shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  SessionShared* shared_;
  const bool private_link_;  // accepted by the private listener
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  api::Request request_;
  std::optional<api::Admission> admission_;
  std::string client_address_;
  std::string tls_version_;
  bool keep_alive_ = true;
  size_t max_body_ = api::kMaxBodyBytes;  // for the request being read
  std::chrono::steady_clock::time_point request_started_;
  bool linger_ = false;
  size_t lingered_bytes_ = 0;
  std::array<char, 16 * 1024> scratch_;
};

}  // namespace

void StartSession(asio::ip::tcp::socket socket, SessionShared* shared, bool private_link) {
  if (shared->connections >= shared->options->max_connections || shared->stopping) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  std::make_shared<Session>(std::move(socket), shared, private_link)->Run();
}

}  // namespace kh::http
