#pragma once
// Authorizer: decides whether a caller may perform an action. Pure: no I/O, no clock.
//
// Deny by default. Until role assignments and access policies land (issue 3), the only grant is
// the bootstrap administrator's: it may do everything; every other principal nothing.
// Actions use Azure's names, e.g. "Microsoft.KeyVault/vaults/secrets/getSecret/action" (data)
// or "Microsoft.KeyVault/vaults/write" (management).
#include <string>
#include <string_view>

namespace kh::authz {

struct Subject {
  std::string object_id;
  std::string client_id;
};

struct Decision {
  bool allowed = false;
  std::string reason;  // safe to show the caller
};

class Authorizer {
 public:
  explicit Authorizer(std::string bootstrap_admin_object_id)
      : admin_object_id_(std::move(bootstrap_admin_object_id)) {}

  Decision Check(const Subject& subject, std::string_view action, std::string_view scope) const;

 private:
  std::string admin_object_id_;
};

}  // namespace kh::authz
