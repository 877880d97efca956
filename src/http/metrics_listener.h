#pragma once
// The metrics listener: plain HTTP, GET /metrics only, on its own address and port and its own
// thread, so Prometheus can scrape without a token or the vault's TLS, and a slow scrape never
// takes an I/O thread from vault requests. Bind it to loopback or a management network.
#include <functional>
#include <memory>
#include <string>

#include "core/status_or.h"

namespace kh::http {

class MetricsListener {
 public:
  // Serves `render()`'s text at /metrics. Port 0 = any free port.
  static StatusOr<std::unique_ptr<MetricsListener>> Start(const std::string& address, int port,
                                                          std::function<std::string()> render);
  ~MetricsListener();  // stops serving
  int port() const;

 private:
  struct Impl;
  explicit MetricsListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kh::http
