#include "server/config.h"

#include <charconv>

namespace kh::server {

bool ParseListen(const std::string& text, std::string& address, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  int p = -1;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || p < 0 || p > 65535) {
    return false;
  }
  address = host;
  port = p;
  return true;
}

}  // namespace kh::server
