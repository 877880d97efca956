#include "domain/key_record.h"

#include <algorithm>

namespace kh::domain {
namespace {

constexpr std::string_view kMaterialField = "material";

std::string JoinOps(const std::vector<std::string>& ops) {
  std::string out;
  for (const auto& op : ops) {
    if (!out.empty()) out += ',';
    out += op;
  }
  return out;
}

std::vector<std::string> SplitOps(std::string_view joined) {
  std::vector<std::string> ops;
  while (!joined.empty()) {
    size_t comma = joined.find(',');
    ops.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return ops;
}

}  // namespace

void KeyMetadataToFields(const KeyVersion& k, Fields& f) {
  f.Set("name", k.name);
  f.Set("kty", k.kty);
  f.Set("key_ops", JoinOps(k.key_ops));
  f.SetMap("tags", k.tags);
  f.SetBool("enabled", k.attributes.enabled);
  if (k.attributes.not_before) {
    f.SetInt("nbf", *k.attributes.not_before);
  } else {
    f.Erase("nbf");
  }
  if (k.attributes.expires) {
    f.SetInt("exp", *k.attributes.expires);
  } else {
    f.Erase("exp");
  }
  f.SetInt("created", k.attributes.created);
  f.SetInt("updated", k.attributes.updated);
  f.SetBool("exportable", k.exportable);
  f.SetBool("managed", k.managed);
}

Fields KeyToFields(const KeyVersion& k) {
  Fields f;
  KeyMetadataToFields(k, f);
  if (k.material) f.Set(kMaterialField, k.material->Serialize().Reveal());
  return f;
}

KeyVersion KeyFromFields(std::string_view version, const Fields& f) {
  KeyVersion k;
  k.name = f.GetOr("name", "");
  k.version = std::string(version);
  k.kty = f.GetOr("kty", "");
  k.key_ops = SplitOps(f.GetOr("key_ops", ""));
  k.tags = f.GetMap("tags");
  k.attributes.enabled = f.GetBool("enabled", true);
  k.attributes.not_before = f.GetInt("nbf");
  k.attributes.expires = f.GetInt("exp");
  k.attributes.created = f.GetInt("created").value_or(0);
  k.attributes.updated = f.GetInt("updated").value_or(0);
  k.exportable = f.GetBool("exportable", false);
  k.managed = f.GetBool("managed", false);
  return k;
}

StatusOr<crypto::KeyMaterial> KeyMaterialFromFields(const Fields& f,
                                                    const std::shared_ptr<crypto::HsmToken>& hsm) {
  std::optional<std::string> bytes = f.Get(kMaterialField);
  if (!bytes) return Internal("A stored key version has no key material.");
  SecretBytes serialized{std::string_view(*bytes)};
  std::fill(bytes->begin(), bytes->end(), '\0');
  auto material = crypto::KeyMaterial::Deserialize(serialized, hsm);
  // A stored record is authenticated, so only HSM material fails for a reason worth telling:
  // no token or another token is configured (BadParameter, kept), or the token lost the object.
  if (!material.ok() && material.status().code() != StatusCode::kInvalidArgument) {
    return Internal("A stored key version has unreadable key material: " +
                    material.status().message());
  }
  return material;
}

void SetKeyMaterial(Fields& f, const crypto::KeyMaterial& material) {
  f.Set(kMaterialField, material.Serialize().Reveal());
}

std::string KtyOf(const crypto::KeyMaterial& material) {
  std::string kty(crypto::KeyTypeName(material.type()));
  return material.is_hsm() ? kty + "-HSM" : kty;
}

Status ValidateKeyOps(const std::vector<std::string>& ops) {
  for (const std::string& op : ops) {
    bool known = std::any_of(std::begin(kAllKeyOps), std::end(kAllKeyOps),
                             [&](const char* name) { return op == name; });
    if (!known) {
      std::string quoted = op.substr(0, crypto::kMaxQuotedNameLength);
      return InvalidArgument("Invalid key operation '" + quoted +
                             "'. Valid values are: encrypt, decrypt, sign, verify, wrapKey, "
                             "unwrapKey, import, export.");
    }
  }
  return Status::Ok();
}

std::vector<std::string> DefaultKeyOps(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::kRsa:
      return {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"};
    case crypto::KeyType::kEc:
      return {"sign", "verify"};
    case crypto::KeyType::kOct:
      return {"encrypt", "decrypt", "wrapKey", "unwrapKey"};
  }
  return {};
}

}  // namespace kh::domain
