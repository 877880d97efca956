#include "server/hsm_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kh::server {
namespace {

constexpr char kPinVariable[] = "KEYHAVEN_PKCS11_PIN";

StatusOr<SecretBytes> ReadPin(const ServerConfig& config) {
  std::string pin;
  if (!config.pkcs11_pin_file.empty()) {
    std::ifstream in(config.pkcs11_pin_file);
    if (!in) return InvalidArgument("Cannot read the PIN file " + config.pkcs11_pin_file + ".");
    std::getline(in, pin);
    while (!pin.empty() && (pin.back() == '\r' || pin.back() == ' ')) pin.pop_back();
  } else if (const char* from_env = std::getenv(kPinVariable)) {
    pin = from_env;
  } else {
    return InvalidArgument("--pkcs11-token needs the token's user PIN: give --pkcs11-pin-file or "
                           "set " + std::string(kPinVariable) + ".");
  }
  SecretBytes secret{std::string_view(pin)};
  std::fill(pin.begin(), pin.end(), '\0');
  return secret;
}

}  // namespace

StatusOr<std::shared_ptr<crypto::HsmToken>> OpenConfiguredHsm(const ServerConfig& config) {
  if (config.pkcs11_token.empty()) return std::shared_ptr<crypto::HsmToken>();
  crypto::HsmTokenConfig hsm;
  if (!config.pkcs11_module.empty()) hsm.module_path = config.pkcs11_module;
  hsm.token_label = config.pkcs11_token;
  KH_ASSIGN_OR_RETURN(hsm.pin, ReadPin(config));
  return crypto::HsmToken::Open(hsm);
}

}  // namespace kh::server
