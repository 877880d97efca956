#include "http/https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <exception>
#include <utility>
#include <vector>

#include "core/ascii.h"

namespace kh::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::string_view kDefaultUserAgent = "keyhaven-https-client/1";

// The parts of a request URL the client needs.
struct Target {
  std::string host;  // name or address, no brackets
  bool host_is_name = true;
  uint16_t port = 443;
  std::string host_header;  // host[:port], IPv6 in brackets
  std::string target;       // origin-form: /path?query
  std::string Where() const { return host_header; }
};

std::string Lower(std::string_view s) { return AsciiLower(s); }

bool IsLocalhost(std::string_view host) {
  std::string h = Lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  constexpr std::string_view kSuffix = ".localhost";
  return h == "localhost" || (h.size() > kSuffix.size() &&
                              h.compare(h.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0);
}

StatusOr<Target> ParseTarget(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return InvalidArgument("HTTPS client: not an absolute URL");
  const boost::urls::url_view& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::https) {
    return InvalidArgument("HTTPS client: only https:// URLs are supported");
  }
  if (u.has_userinfo()) return InvalidArgument("HTTPS client: user info in URLs is not supported");
  Target t;
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      t.host = u.host_name();
      break;
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      t.host = u.host_address();
      t.host_is_name = false;
      break;
    default:
      return InvalidArgument("HTTPS client: unsupported host in URL");
  }
  if (t.host.empty()) return InvalidArgument("HTTPS client: URL has no host");
  if (u.has_port() && !u.port().empty()) {
    if (u.port_number() == 0) return InvalidArgument("HTTPS client: bad port in URL");
    t.port = u.port_number();
  }
  std::string host_for_header =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  t.host_header = t.port == 443 ? host_for_header : host_for_header + ":" + std::to_string(t.port);
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  return t;
}

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Errors that mean "the peer closed a kept-alive connection before answering".
bool IsStaleConnectionError(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

class HttpsClient::Impl {
 public:
  explicit Impl(HttpsClientOptions options) : options_(std::move(options)) {}

  StatusOr<HttpResponse> Request(std::string_view method, std::string_view url,
                                 const std::map<std::string, std::string>& headers,
                                 std::string_view body) {
    KH_ASSIGN_OR_RETURN(Target target, ParseTarget(url));
    KH_RETURN_IF_ERROR(EnsureTlsContext());
    bhttp::request<bhttp::string_body> req;
    KH_RETURN_IF_ERROR(BuildRequest(method, target, headers, body, &req));
    const Clock::time_point deadline = Clock::now() + options_.timeout;

    bool reused = stream_ != nullptr && conn_host_ == target.host && conn_port_ == target.port;
    if (!reused) Close();
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (stream_ == nullptr) KH_RETURN_IF_ERROR(Connect(target, deadline));
      bool got_some = false;
      beast::error_code ec;
      StatusOr<HttpResponse> response = Exchange(req, target, deadline, &got_some, &ec);
      if (response.ok()) return response;
      Close();
      // A kept-alive connection the server already closed: nothing was processed, so retrying
      // once on a fresh connection is safe even for non-idempotent methods.
      if (!(reused && attempt == 0 && !got_some && IsStaleConnectionError(ec))) return response;
      reused = false;
    }
    return Internal("HTTPS request to " + target.Where() + " failed");
  }

 private:
  Status EnsureTlsContext() {
    if (tls_ready_) return Status::Ok();
    beast::error_code ec;
    ssl_ctx_.set_verify_mode(ssl::verify_peer, ec);
    if (!ec) {
      if (options_.ca_file.empty()) {
        ssl_ctx_.set_default_verify_paths(ec);
      } else {
        ssl_ctx_.load_verify_file(options_.ca_file, ec);
      }
    }
    if (ec) {
      return Unavailable("HTTPS client: cannot load trusted CA certificates" +
                         (options_.ca_file.empty() ? std::string() : " from " + options_.ca_file) +
                         ": " + ec.message());
    }
    SSL_CTX_set_min_proto_version(ssl_ctx_.native_handle(), TLS1_2_VERSION);
    tls_ready_ = true;
    return Status::Ok();
  }

  static Status BuildRequest(std::string_view method, const Target& target,
                             const std::map<std::string, std::string>& headers,
                             std::string_view body, bhttp::request<bhttp::string_body>* req) {
    bhttp::verb verb = bhttp::string_to_verb(method);
    if (verb == bhttp::verb::unknown) return InvalidArgument("HTTPS client: unknown method");
    req->method(verb);
    req->target(target.target);
    req->version(11);
    bool has_user_agent = false;
    for (const auto& [name, value] : headers) {
      std::string lower = Lower(name);
      if (lower.empty() || HasLineBreakOrNul(name) || HasLineBreakOrNul(value)) {
        return InvalidArgument("HTTPS client: invalid header '" + lower + "'");
      }
      if (lower == "host" || lower == "content-length" || lower == "transfer-encoding" ||
          lower == "connection") {
        continue;  // owned by the client
      }
      if (lower == "user-agent") has_user_agent = true;
      req->set(name, value);
    }
    req->set(bhttp::field::host, target.host_header);
    if (!has_user_agent) req->set(bhttp::field::user_agent, kDefaultUserAgent);
    req->body().assign(body.data(), body.size());
    req->prepare_payload();
    if (!body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
        verb == bhttp::verb::patch) {
      req->content_length(body.size());
    }
    return Status::Ok();
  }

  // Runs one asynchronous operation to completion on the private io_context. Timeouts come from
  // the tcp_stream's expiry, which only async operations honour; hence async + run().
  template <typename Initiate>
  beast::error_code RunOp(Initiate&& initiate) {
    beast::error_code result = asio::error::would_block;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  Status Connect(const Target& target, Clock::time_point deadline) {
    const std::string where = target.Where();
    std::vector<tcp::endpoint> endpoints;
    if (IsLocalhost(target.host)) {
      endpoints.emplace_back(asio::ip::address_v4::loopback(), target.port);
    } else {
      tcp::resolver resolver(ioc_);
      tcp::resolver::results_type results;
      beast::error_code ec = RunOp([&](auto handler) {
        resolver.async_resolve(
            target.host, std::to_string(target.port),
            [&results, handler](beast::error_code e, tcp::resolver::results_type r) mutable {
              results = std::move(r);
              handler(e);
            });
      });
      if (ec) return Unavailable("cannot resolve " + target.host + ": " + ec.message());
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    auto stream = std::make_unique<Stream>(ioc_, ssl_ctx_);
    beast::get_lowest_layer(*stream).expires_at(deadline);
    beast::error_code ec = RunOp(
        [&](auto handler) { beast::get_lowest_layer(*stream).async_connect(endpoints, handler); });
    if (ec == beast::error::timeout) return TimedOut(where, "connecting");
    if (ec) return Unavailable("cannot connect to " + where + ": " + ec.message());

    if (target.host_is_name &&
        !SSL_set_tlsext_host_name(stream->native_handle(), target.host.c_str())) {
      return Internal("HTTPS client: cannot set SNI for " + where);
    }
    stream->set_verify_mode(ssl::verify_peer);
    stream->set_verify_callback(ssl::host_name_verification(target.host));
    beast::get_lowest_layer(*stream).expires_at(deadline);
    ec = RunOp([&](auto handler) { stream->async_handshake(ssl::stream_base::client, handler); });
    if (ec == beast::error::timeout) return TimedOut(where, "in the TLS handshake");
    if (ec) return Unavailable("TLS handshake with " + where + " failed: " + ec.message());

    stream_ = std::move(stream);
    conn_host_ = target.host;
    conn_port_ = target.port;
    buffer_.clear();
    return Status::Ok();
  }

  StatusOr<HttpResponse> Exchange(bhttp::request<bhttp::string_body>& req, const Target& target,
                                  Clock::time_point deadline, bool* got_some,
                                  beast::error_code* error) {
    const std::string where = target.Where();
    beast::get_lowest_layer(*stream_).expires_at(deadline);
    beast::error_code ec = RunOp([&](auto handler) { bhttp::async_write(*stream_, req, handler); });
    if (ec) {
      *error = ec;
      if (ec == beast::error::timeout) return TimedOut(where, "sending the request");
      return Unavailable("sending the request to " + where + " failed: " + ec.message());
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxResponseBodyBytes);
    if (req.method() == bhttp::verb::head) parser.skip(true);
    ec = RunOp([&](auto handler) { bhttp::async_read(*stream_, buffer_, parser, handler); });
    *got_some = parser.got_some();
    if (ec) {
      *error = ec;
      if (ec == beast::error::timeout) return TimedOut(where, "waiting for the response");
      if (ec == bhttp::error::body_limit) {
        return Unavailable("response from " + where + " is larger than the client accepts");
      }
      return Unavailable("reading the response from " + where + " failed: " + ec.message());
    }

    bhttp::response<bhttp::string_body> res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name = Lower(field.name_string());
      auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) Close();
    return out;
  }

  Status TimedOut(const std::string& where, std::string_view phase) const {
    return Unavailable("request to " + where + " timed out " + std::string(phase) + " (limit " +
                       std::to_string(options_.timeout.count()) + "s)");
  }

  void Close() {
    if (stream_ != nullptr) {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(*stream_).close();
    }
    stream_.reset();
    conn_host_.clear();
    conn_port_ = 0;
    buffer_.clear();
  }

  HttpsClientOptions options_;
  asio::io_context ioc_{1};
  ssl::context ssl_ctx_{ssl::context::tls_client};
  bool tls_ready_ = false;
  std::unique_ptr<Stream> stream_;
  std::string conn_host_;
  uint16_t conn_port_ = 0;
  beast::flat_buffer buffer_;
};

HttpsClient::HttpsClient(HttpsClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

StatusOr<HttpResponse> HttpsClient::Request(std::string_view method, std::string_view url,
                                            const std::map<std::string, std::string>& headers,
                                            std::string_view body) {
  try {
    return impl_->Request(method, url, headers, body);
  } catch (const std::exception& e) {
    // Boost/OpenSSL exceptions never carry request data; keep them inside this module.
    return Internal(std::string("HTTPS client failure: ") + e.what());
  }
}

}  // namespace kh::http
