#pragma once
// Transport: sends one HTTP request and returns the complete response (any status) or a
// transport error (Unavailable/Internal from http::HttpsClient). Production uses
// MakeHttpsTransport; tests substitute a fake. Implementations need not be thread-safe.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status_or.h"
#include "http/https_client.h"

namespace kh::cli {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual StatusOr<http::HttpResponse> Send(std::string_view method, std::string_view url,
                                            const std::map<std::string, std::string>& headers,
                                            std::string_view body) = 0;
};

std::unique_ptr<Transport> MakeHttpsTransport(http::HttpsClientOptions options);

}  // namespace kh::cli
