#pragma once
// Principals: the callers Keyhaven knows. A service principal has a client id (appid), an object
// id (oid) and a client secret, stored only as a slow salted hash.
#include <string>

#include "core/fields.h"

namespace kh::authn {

struct Principal {
  std::string client_id;  // appid
  std::string object_id;  // oid
  std::string display_name;
  std::string secret_hash;  // crypto::HashPassword output
  bool bootstrap_admin = false;

  Fields ToFields() const;
  static Principal FromFields(const Fields& f);
};

// What a verified access token says about its caller.
struct Caller {
  std::string object_id;
  std::string client_id;
  std::string tenant_id;
  std::string audience;
  int64_t expires = 0;
};

}  // namespace kh::authn
