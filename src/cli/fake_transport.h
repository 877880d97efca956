#pragma once
// FakeTransport (tests only): records every request and answers from a queue of canned
// responses, so CLI code can be tested without a server. An empty queue answers 500.
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "cli/api_client.h"

namespace kh::cli::testing {

struct RecordedRequest {
  std::string method;
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
};

class FakeTransport final : public Transport {
 public:
  // Shared log, so a test can inspect it after handing the transport to an ApiClient.
  explicit FakeTransport(std::vector<RecordedRequest>* log,
                         std::deque<StatusOr<http::HttpResponse>>* responses)
      : log_(log), responses_(responses) {}

  StatusOr<http::HttpResponse> Send(std::string_view method, std::string_view url,
                                    const std::map<std::string, std::string>& headers,
                                    std::string_view body) override {
    log_->push_back({std::string(method), std::string(url), headers, std::string(body)});
    if (responses_->empty()) return http::HttpResponse{500, {}, ""};
    StatusOr<http::HttpResponse> next = std::move(responses_->front());
    responses_->pop_front();
    return next;
  }

 private:
  std::vector<RecordedRequest>* log_;
  std::deque<StatusOr<http::HttpResponse>>* responses_;
};

inline http::HttpResponse Json(int status, std::string body) {
  return http::HttpResponse{status, {{"content-type", "application/json"}}, std::move(body)};
}

inline http::HttpResponse TokenResponse(std::string token = "tok-123") {
  return Json(200,
              R"({"access_token":")" + token + R"(","expires_in":3599,"token_type":"Bearer"})");
}

}  // namespace kh::cli::testing
