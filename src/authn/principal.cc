#include "authn/principal.h"

namespace kh::authn {

Fields Principal::ToFields() const {
  Fields f;
  f.Set("client_id", client_id);
  f.Set("object_id", object_id);
  f.Set("display_name", display_name);
  f.Set("secret_hash", secret_hash);
  f.SetBool("bootstrap_admin", bootstrap_admin);
  return f;
}

Principal Principal::FromFields(const Fields& f) {
  Principal p;
  p.client_id = f.GetOr("client_id", "");
  p.object_id = f.GetOr("object_id", "");
  p.display_name = f.GetOr("display_name", "");
  p.secret_hash = f.GetOr("secret_hash", "");
  p.bootstrap_admin = f.GetBool("bootstrap_admin", false);
  return p;
}

}  // namespace kh::authn
