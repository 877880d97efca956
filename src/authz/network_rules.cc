#include "authz/network_rules.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/ascii.h"

namespace kh::authz {
namespace {

bool ParseAddress(std::string_view text, std::array<uint8_t, 16>& out, bool& v4) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in_addr a4;
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out.fill(0);
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    v4 = true;
    return true;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    v4 = std::memcmp(out.data(), kMapped, 12) == 0;
    return true;
  }
  return false;
}

}  // namespace

StatusOr<IpNetwork> IpNetwork::Parse(std::string_view text) {
  IpNetwork n;
  size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  if (!ParseAddress(address, n.bytes_, n.v4_)) {
    return InvalidArgument("'" + std::string(text.substr(0, 64)) +
                           "' is not an IPv4 or IPv6 address or CIDR range.");
  }
  int bits = n.v4_ ? 32 : 128;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (ec != std::errc() || end != p.data() + p.size() || bits < 0 || bits > (n.v4_ ? 32 : 128)) {
      return InvalidArgument("'" + std::string(text.substr(0, 64)) +
                             "' has an invalid prefix length.");
    }
  }
  n.prefix_bits_ = n.v4_ ? 96 + bits : bits;
  // Canonical form: host bits cleared.
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(n.prefix_bits_ - i * 8, 0, 8);
    n.bytes_[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  return n;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  IpAddress a;
  bool v4;
  if (!ParseAddress(text, a.bytes_, v4)) return std::nullopt;
  return a;
}

bool IpNetwork::Contains(std::string_view address) const {
  auto a = IpAddress::Parse(address);
  return a && Contains(*a);
}

bool IpNetwork::Contains(const IpAddress& address) const {
  const std::array<uint8_t, 16>& a = address.bytes();
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(prefix_bits_ - i * 8, 0, 8);
    uint8_t mask = static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
    if ((a[i] & mask) != bytes_[i]) return false;
  }
  return true;
}

std::string IpNetwork::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (v4_) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(prefix_bits_ - 96);
  }
  inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix_bits_);
}

std::string EffectiveClientAddress(const NetworkConfig& config, std::string_view peer,
                                   std::string_view forwarded_for) {
  if (forwarded_for.empty() || config.trusted_proxies.empty()) return std::string(peer);
  auto peer_address = IpAddress::Parse(peer);
  bool trusted =
      peer_address && std::any_of(config.trusted_proxies.begin(), config.trusted_proxies.end(),
                                  [&](const IpNetwork& n) { return n.Contains(*peer_address); });
  if (!trusted) return std::string(peer);
  std::string_view first = forwarded_for.substr(0, forwarded_for.find(','));
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  return std::string(first.empty() ? peer : first);
}

VaultFirewall::VaultFirewall(const VaultNetworkRules& rules)
    : public_network_access_(rules.public_network_access),
      deny_by_default_(rules.acls_set && rules.default_action == "Deny") {
  if (!deny_by_default_) return;  // the rules are never consulted
  ip_rules_.reserve(rules.ip_rules.size());
  for (const std::string& rule : rules.ip_rules) {
    if (auto n = IpNetwork::Parse(rule); n.ok()) ip_rules_.push_back(*n);
  }
  for (const std::string& id : rules.virtual_network_rules) {
    virtual_network_rules_.push_back(AsciiLower(id));
  }
}

FirewallDecision VaultFirewall::Evaluate(const NetworkConfig& config,
                                         const FirewallRequest& request) const {
  FirewallDecision d{true, "", std::string(request.client_address)};
  // A private endpoint needs no firewall entry, and is the one way in when public network
  // access is disabled.
  if (request.via_private_link) return d;
  if (!public_network_access_) {
    d.allowed = false;
    d.inner_code = "ForbiddenByConnection";
    return d;
  }
  if (!deny_by_default_) return d;
  if (auto client = IpAddress::Parse(request.client_address)) {
    for (const IpNetwork& n : ip_rules_) {
      if (n.Contains(*client)) return d;
    }
    for (const std::string& id : virtual_network_rules_) {
      auto it = config.named_networks.find(id);
      if (it == config.named_networks.end()) continue;
      for (const IpNetwork& n : it->second) {
        if (n.Contains(*client)) return d;
      }
    }
  }
  d.allowed = false;
  d.inner_code = "ForbiddenByFirewall";
  return d;
}

FirewallDecision EvaluateFirewall(const VaultNetworkRules& rules, const NetworkConfig& config,
                                  const FirewallRequest& request) {
  return VaultFirewall(rules).Evaluate(config, request);
}

}  // namespace kh::authz
