#pragma once
// The vault firewall (Azure's networkAcls), as a pure function of the vault's rules, the
// server's network configuration and the client's address. Evaluated on the data plane only,
// before authentication. Thread-safe (immutable after construction).
//
// Order (azure-kv-governance.md section 4): a request through a private endpoint (the server's
// private listener) is allowed; publicNetworkAccess Disabled denies everything else; no rules or
// defaultAction Allow allows; an ipRule or a named network (the stand-in for a virtual-network
// rule) containing the client allows; otherwise deny.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status_or.h"

namespace kh::authz {

// One IPv4 or IPv6 address, held as 16 bytes (IPv4 as IPv4-mapped IPv6). Parse a client's
// address once, then match it against many networks.
class IpAddress {
 public:
  // "127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1"; nullopt for anything else.
  static std::optional<IpAddress> Parse(std::string_view text);
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

 private:
  std::array<uint8_t, 16> bytes_{};
};

// An IPv4 or IPv6 address or CIDR block. IPv4 addresses are held as IPv4-mapped IPv6, so
// "127.0.0.1" matches a client seen as "::ffff:127.0.0.1".
class IpNetwork {
 public:
  static StatusOr<IpNetwork> Parse(std::string_view text);
  bool Contains(std::string_view address) const;
  bool Contains(const IpAddress& address) const;
  // Canonical text: "1.2.3.4/32", "10.0.0.0/8", "::1/128".
  std::string ToString() const;

 private:
  std::array<uint8_t, 16> bytes_{};
  int prefix_bits_ = 128;  // over the 16-byte form
  bool v4_ = false;
};

// Server-wide configuration: trusted reverse proxies and named networks.
struct NetworkConfig {
  std::vector<IpNetwork> trusted_proxies;
  std::map<std::string, std::vector<IpNetwork>> named_networks;  // by lower-cased id
};

// One vault's rules, as stored.
struct VaultNetworkRules {
  bool public_network_access = true;
  bool acls_set = false;
  std::string default_action = "Allow";            // Allow | Deny
  std::vector<std::string> ip_rules;               // canonical CIDRs
  std::vector<std::string> virtual_network_rules;  // ids of named networks
};

struct FirewallDecision {
  bool allowed = true;
  std::string inner_code;  // ForbiddenByFirewall | ForbiddenByConnection
  std::string client_address;
};

// How a request reached the server.
struct FirewallRequest {
  std::string_view client_address;  // the effective client (see EffectiveClientAddress)
  bool via_private_link = false;    // arrived on the private listener (a private endpoint)
};

// One vault's rules, parsed once (every ipRule becomes an IpNetwork) and then judged many
// times. Immutable, so thread-safe. Rules that do not parse (never stored: the management
// plane validates them) match nothing.
class VaultFirewall {
 public:
  explicit VaultFirewall(const VaultNetworkRules& rules);
  FirewallDecision Evaluate(const NetworkConfig& config, const FirewallRequest& request) const;

 private:
  bool public_network_access_;
  bool deny_by_default_;
  std::vector<IpNetwork> ip_rules_;
  std::vector<std::string> virtual_network_rules_;  // lower-cased, as NetworkConfig's keys
};

// The address the firewall judges: the socket peer, or the first X-Forwarded-For entry when the
// peer is a trusted proxy.
std::string EffectiveClientAddress(const NetworkConfig& config, std::string_view peer,
                                   std::string_view forwarded_for);

// Parses `rules` and judges one request (VaultFirewall without keeping the parsed form).
FirewallDecision EvaluateFirewall(const VaultNetworkRules& rules, const NetworkConfig& config,
                                  const FirewallRequest& request);

}  // namespace kh::authz
