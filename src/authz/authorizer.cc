#include "authz/authorizer.h"

namespace kh::authz {

Decision Authorizer::Check(const Subject& subject, std::string_view action,
                           std::string_view scope) const {
  if (!admin_object_id_.empty() && subject.object_id == admin_object_id_) {
    return Decision{true, "bootstrap administrator"};
  }
  return Decision{false,
                  "Caller is not authorized to perform action on resource.\r\nIf role "
                  "assignments, deny assignments or role definitions were changed recently, "
                  "please observe propagation time.\r\nCaller: oid=" +
                      subject.object_id + ";appid=" + subject.client_id + "\r\nAction: '" +
                      std::string(action) + "'\r\nResource: '" + std::string(scope) + "'"};
}

}  // namespace kh::authz
