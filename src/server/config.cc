#include "server/config.h"

#include <algorithm>
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

std::string ApplyListen(const std::vector<std::string>& values, ServerConfig& config) {
  if (values.empty()) {
    config.listen_address = "127.0.0.1";
    config.listen_port = 8443;
    config.extra_listen_addresses.clear();
    return "";
  }
  std::string first_address;
  int first_port = 0;
  std::vector<std::string> extra;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string address;
    int port = 0;
    if (!ParseListen(values[i], address, port)) {
      return "--listen must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443: " + values[i];
    }
    if (i == 0) {
      first_address = address;
      first_port = port;
      continue;
    }
    if (port != 0 && port != first_port) {
      return "every --listen shares the first one's port (" + values[0] + "); give " +
             std::to_string(first_port) + " or 0: " + values[i];
    }
    if (address == first_address || std::find(extra.begin(), extra.end(), address) != extra.end()) {
      return "--listen names " + address + " twice";
    }
    extra.push_back(address);
  }
  config.listen_address = first_address;
  config.listen_port = first_port;
  config.extra_listen_addresses = std::move(extra);
  return "";
}

}  // namespace kh::server
