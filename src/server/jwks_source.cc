#include "server/jwks_source.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "http/https_client.h"

namespace kh::server {
namespace {

constexpr std::chrono::seconds kFetchTimeout{10};

}  // namespace

StatusOr<std::string> FetchJwks(const authn::ExternalIssuerConfig& issuer) {
  if (issuer.jwks.rfind("https://", 0) == 0) {
    http::HttpsClient client({issuer.ca_file, kFetchTimeout});
    KH_ASSIGN_OR_RETURN(http::HttpResponse response,
                        client.Request("GET", issuer.jwks, {{"Accept", "application/json"}}, ""));
    if (response.status != 200) {
      return Unavailable(issuer.jwks + " answered HTTP " + std::to_string(response.status) + ".");
    }
    if (response.body.size() > authn::kMaxJwksBytes) {
      return InvalidArgument(issuer.jwks + " returned more than 1 MiB.");
    }
    return std::move(response.body);
  }
  if (issuer.jwks.rfind("http://", 0) == 0) {
    return InvalidArgument("A JWKS URL must use https: " + issuer.jwks);
  }
  std::ifstream in(issuer.jwks, std::ios::binary);
  if (!in) return InvalidArgument("Cannot read the JWKS file " + issuer.jwks + ".");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > authn::kMaxJwksBytes) {
    return InvalidArgument("The JWKS file " + issuer.jwks + " is larger than 1 MiB.");
  }
  return text.str();
}

}  // namespace kh::server
