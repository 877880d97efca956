// HSM-protected keys: creation and import into the PKCS#11 token, their stored form, token
// copies for backup and restore, and the private/secret-key operations mapped to PKCS#11
// mechanisms:
//   RS*      CKM_RSA_PKCS over DigestInfo || digest     RSNULL  CKM_RSA_PKCS over the value
//   PS*      CKM_RSA_PKCS_PSS (MGF1 same hash, salt = digest length)
//   ES*      CKM_ECDSA (the token's r || s is JOSE's form already)
//   RSA1_5   CKM_RSA_PKCS                               RSA-OAEP  CKM_RSA_PKCS_OAEP (SHA-1)
//   RSA-OAEP-256  CKM_RSA_X_509, then OAEP decoding here (internal/oaep.h)
//   A*GCM    CKM_AES_GCM     A*CBC  CKM_AES_CBC     A*CBCPAD  CKM_AES_CBC_PAD
//   A*KW / CKM_AES_KEY_WRAP(_PAD)  C_WrapKey / C_UnwrapKey with the same mechanisms
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>

#include "crypto/hash.h"
#include "crypto/internal/key_material_hsm.h"
#include "crypto/internal/oaep.h"
#include "crypto/internal/pkcs11_token.h"
#include "crypto/key_material.h"
#include "crypto/rng.h"

namespace kh::crypto {
namespace internal {
namespace {

using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using ParamBldPtr = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;

constexpr size_t kObjectIdBytes = 16;
constexpr char kObjectLabel[] = "keyhaven";
constexpr uint8_t kTypeRsa = 'R';
constexpr uint8_t kTypeEc = 'E';
constexpr uint8_t kTypeOct = 'O';
constexpr size_t kMaxShortField = 255;

Pkcs11Token& Token(const KeyMaterialState& key) { return key.hsm->pkcs11(); }

CK_OBJECT_CLASS ObjectClass(KeyType type) {
  return type == KeyType::kOct ? CKO_SECRET_KEY : CKO_PRIVATE_KEY;
}

// DER of the curve's OID, the CKA_EC_PARAMS value.
std::string EcParams(EcCurve curve) {
  switch (curve) {
    case EcCurve::kP256:
      return {"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10};
    case EcCurve::kP256K:
      return {"\x06\x05\x2b\x81\x04\x00\x0a", 7};
    case EcCurve::kP384:
      return {"\x06\x05\x2b\x81\x04\x00\x22", 7};
    case EcCurve::kP521:
      return {"\x06\x05\x2b\x81\x04\x00\x23", 7};
  }
  return {};
}

// The DER DigestInfo prefix that PKCS#1 v1.5 signing puts before the digest (RFC 8017 9.2).
std::string DigestInfoPrefix(std::string_view digest) {
  if (digest == "SHA256") return {"\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20", 19};
  if (digest == "SHA384") return {"\x30\x41\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x02\x05\x00\x04\x30", 19};
  return {"\x30\x51\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x03\x05\x00\x04\x40", 19};
}

CK_MECHANISM_TYPE HashMechanism(std::string_view digest) {
  if (digest == "SHA1") return CKM_SHA_1;
  if (digest == "SHA256") return CKM_SHA256;
  if (digest == "SHA384") return CKM_SHA384;
  return CKM_SHA512;
}

CK_RSA_PKCS_MGF_TYPE Mgf(std::string_view digest) {
  if (digest == "SHA1") return CKG_MGF1_SHA1;
  if (digest == "SHA256") return CKG_MGF1_SHA256;
  if (digest == "SHA384") return CKG_MGF1_SHA384;
  return CKG_MGF1_SHA512;
}

// Usage and protection every Keyhaven key object gets: a private token object that cannot
// leave the token in the clear or wrapped.
std::vector<Pkcs11Attribute> ProtectedTemplate(std::string_view id) {
  return {BoolAttr(CKA_TOKEN, true),       BoolAttr(CKA_PRIVATE, true),
          BoolAttr(CKA_SENSITIVE, true),   BoolAttr(CKA_EXTRACTABLE, false),
          BytesAttr(CKA_ID, id),           BytesAttr(CKA_LABEL, kObjectLabel)};
}

void Wipe(std::vector<Pkcs11Attribute>& templ) {
  for (auto& a : templ) std::fill(a.value.begin(), a.value.end(), '\0');
}

// A public-only RSA key from its big-endian modulus and exponent.
StatusOr<PkeyPtr> PublicRsa(std::string_view n, std::string_view e) {
  BignumPtr bn_n(BN_bin2bn(UBytes(n), static_cast<int>(n.size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(UBytes(e), static_cast<int>(e.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return OpenSslError("RSA public key");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpenSslError("RSA public key");
  }
  return PkeyPtr(raw);
}

// A public-only EC key from its SEC1 uncompressed point.
StatusOr<PkeyPtr> PublicEc(EcCurve curve, std::string_view point) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, GroupName(curve), 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return OpenSslError("EC public key");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return BadParameter("The token returned an EC point that is not on the curve.");
  }
  return PkeyPtr(raw);
}

// CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 2.40); some tokens give the bare
// point. Returns the bare point.
std::string_view UnwrapEcPoint(std::string_view value) {
  if (value.size() >= 2 && static_cast<uint8_t>(value[0]) == 0x04) {
    size_t header = 2;
    size_t length = static_cast<uint8_t>(value[1]);
    if (length == 0x81 && value.size() >= 3) {
      header = 3;
      length = static_cast<uint8_t>(value[2]);
    }
    if (length != 0x81 && header + length == value.size()) return value.substr(header);
  }
  return value;
}

std::string SpkiDer(const EVP_PKEY* pkey) {
  OsslPtr<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free> ctx(OSSL_ENCODER_CTX_new_for_pkey(
      pkey, EVP_PKEY_PUBLIC_KEY, "DER", "SubjectPublicKeyInfo", nullptr));
  unsigned char* der = nullptr;
  size_t size = 0;
  if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &der, &size) != 1) {
    std::fputs("keyhaven: encoding a public key failed\n", stderr);
    std::abort();
  }
  std::string out(reinterpret_cast<char*>(der), size);
  OPENSSL_free(der);
  return out;
}

StatusOr<PkeyPtr> PkeyFromSpki(std::string_view der, const char* type) {
  EVP_PKEY* raw = nullptr;
  OsslPtr<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free> ctx(OSSL_DECODER_CTX_new_for_pkey(
      &raw, "DER", "SubjectPublicKeyInfo", type, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
  const unsigned char* data = UBytes(der);
  size_t remaining = der.size();
  if (!ctx || OSSL_DECODER_from_data(ctx.get(), &data, &remaining) != 1 || !raw ||
      remaining != 0) {
    EVP_PKEY_free(raw);
    return BadParameter("The stored key material is malformed.");
  }
  ERR_clear_error();
  return PkeyPtr(raw);
}

// The state of a new HSM key whose object `id` the token now holds.
StatusOr<std::unique_ptr<KeyMaterialState>> HsmState(std::shared_ptr<HsmToken> hsm,
                                                     std::string id, KeyType type,
                                                     PkeyPtr public_key, int oct_bits) {
  std::unique_ptr<KeyMaterialState> state;
  if (type == KeyType::kOct) {
    state = std::make_unique<KeyMaterialState>();
    state->type = KeyType::kOct;
    state->bits = oct_bits;
  } else {
    KH_ASSIGN_OR_RETURN(state, StateFromPkey(std::move(public_key), type));
  }
  KH_ASSIGN_OR_RETURN(state->hsm_handle, hsm->pkcs11().Find(id, ObjectClass(type)));
  state->hsm = std::move(hsm);
  state->hsm_id = std::move(id);
  return state;
}

StatusOr<std::unique_ptr<KeyMaterialState>> CopyState(const KeyMaterialState& key) {
  auto copy = std::make_unique<KeyMaterialState>();
  copy->type = key.type;
  copy->curve = key.curve;
  copy->bits = key.bits;
  copy->hsm = key.hsm;
  if (key.pkey) {
    if (EVP_PKEY_up_ref(key.pkey.get()) != 1) return OpenSslError("EVP_PKEY_up_ref");
    copy->pkey.reset(key.pkey.get());
  }
  return copy;
}

StatusOr<SecretBytes> TokenDecrypt(const KeyMaterialState& key, const CK_MECHANISM& mechanism,
                                   std::string_view input, CipherMode mode) {
  StatusOr<SecretBytes> out = Token(key).Decrypt(key.hsm_handle, mechanism, input);
  if (!out.ok() && out.status().code() == StatusCode::kInvalidArgument) {
    return DecryptionFailed(mode);
  }
  return out;
}

}  // namespace

StatusOr<std::string> HsmSign(const KeyMaterialState& key, const SignatureAlgorithmInfo& info,
                              std::string_view digest) {
  switch (info.scheme) {
    case SignatureScheme::kRsaPkcs1: {
      CK_MECHANISM mech{CKM_RSA_PKCS, nullptr, 0};
      return Token(key).Sign(key.hsm_handle, mech, DigestInfoPrefix(info.digest) + std::string(digest));
    }
    case SignatureScheme::kRsaRaw: {
      CK_MECHANISM mech{CKM_RSA_PKCS, nullptr, 0};
      return Token(key).Sign(key.hsm_handle, mech, digest);
    }
    case SignatureScheme::kRsaPss: {
      CK_RSA_PKCS_PSS_PARAMS pss{HashMechanism(info.digest), Mgf(info.digest), info.digest_size};
      CK_MECHANISM mech{CKM_RSA_PKCS_PSS, &pss, sizeof(pss)};
      return Token(key).Sign(key.hsm_handle, mech, digest);
    }
    case SignatureScheme::kEcdsa: {
      CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
      return Token(key).Sign(key.hsm_handle, mech, digest);
    }
    case SignatureScheme::kHmac:
      break;
  }
  return Incompatible("signing", "Algorithm '" + std::string(info.name) +
                                     "' is not available for oct-HSM keys, which are AES keys.");
}

StatusOr<SecretBytes> HsmRsaDecrypt(const KeyMaterialState& key,
                                    const EncryptionAlgorithmInfo& info,
                                    std::string_view ciphertext) {
  if (info.mode == CipherMode::kRsaPkcs1) {
    CK_MECHANISM mech{CKM_RSA_PKCS, nullptr, 0};
    return TokenDecrypt(key, mech, ciphertext, info.mode);
  }
  if (info.oaep_digest == "SHA1") {
    CK_RSA_PKCS_OAEP_PARAMS oaep{CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, nullptr, 0};
    CK_MECHANISM mech{CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
    return TokenDecrypt(key, mech, ciphertext, info.mode);
  }
  CK_MECHANISM raw{CKM_RSA_X_509, nullptr, 0};
  KH_ASSIGN_OR_RETURN(SecretBytes encoded, TokenDecrypt(key, raw, ciphertext, info.mode));
  const size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()));
  StatusOr<SecretBytes> message = OaepDecode(encoded, k, info.oaep_digest);
  if (!message.ok()) return DecryptionFailed(info.mode);
  return message;
}

StatusOr<std::string> HsmAesGcmEncrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view aad, std::string_view plaintext,
                                       std::string* tag) {
  CK_GCM_PARAMS gcm{reinterpret_cast<CK_BYTE*>(const_cast<char*>(iv.data())),
                    iv.size(),
                    iv.size() * 8,
                    reinterpret_cast<CK_BYTE*>(const_cast<char*>(aad.data())),
                    aad.size(),
                    kAesGcmTagSize * 8};
  CK_MECHANISM mech{CKM_AES_GCM, &gcm, sizeof(gcm)};
  KH_ASSIGN_OR_RETURN(std::string out, Token(key).Encrypt(key.hsm_handle, mech, plaintext));
  if (out.size() != plaintext.size() + kAesGcmTagSize) return Internal("AES-GCM: bad output size");
  *tag = out.substr(plaintext.size());
  out.resize(plaintext.size());
  return out;
}

StatusOr<SecretBytes> HsmAesGcmDecrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view aad, std::string_view ciphertext,
                                       std::string_view tag) {
  CK_GCM_PARAMS gcm{reinterpret_cast<CK_BYTE*>(const_cast<char*>(iv.data())),
                    iv.size(),
                    iv.size() * 8,
                    reinterpret_cast<CK_BYTE*>(const_cast<char*>(aad.data())),
                    aad.size(),
                    tag.size() * 8};
  CK_MECHANISM mech{CKM_AES_GCM, &gcm, sizeof(gcm)};
  std::string input = std::string(ciphertext) + std::string(tag);  // PKCS#11: tag appended
  return TokenDecrypt(key, mech, input, CipherMode::kAesGcm);
}

StatusOr<std::string> HsmAesCbcEncrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view plaintext, bool pad) {
  CK_MECHANISM mech{pad ? CKM_AES_CBC_PAD : CKM_AES_CBC, const_cast<char*>(iv.data()), iv.size()};
  return Token(key).Encrypt(key.hsm_handle, mech, plaintext);
}

StatusOr<SecretBytes> HsmAesCbcDecrypt(const KeyMaterialState& key, std::string_view iv,
                                       std::string_view ciphertext, bool pad) {
  CK_MECHANISM mech{pad ? CKM_AES_CBC_PAD : CKM_AES_CBC, const_cast<char*>(iv.data()), iv.size()};
  return TokenDecrypt(key, mech, ciphertext, pad ? CipherMode::kAesCbcPad : CipherMode::kAesCbc);
}

StatusOr<std::string> HsmAesKeyWrap(const KeyMaterialState& key, std::string_view key_to_wrap,
                                    bool pad) {
  CK_MECHANISM mech{pad ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP, nullptr, 0};
  return Token(key).WrapBytes(key.hsm_handle, mech, key_to_wrap);
}

StatusOr<SecretBytes> HsmAesKeyUnwrap(const KeyMaterialState& key, std::string_view wrapped,
                                      bool pad) {
  CK_MECHANISM mech{pad ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP, nullptr, 0};
  StatusOr<SecretBytes> out = Token(key).UnwrapBytes(key.hsm_handle, mech, wrapped);
  if (!out.ok() && out.status().code() == StatusCode::kInvalidArgument) {
    return DecryptionFailed(pad ? CipherMode::kAesKwPad : CipherMode::kAesKw);
  }
  return out;
}

SecretBytes SerializeHsm(const KeyMaterialState& key, uint8_t version) {
  std::string out;
  out.push_back(static_cast<char>(version));
  out.push_back(static_cast<char>(kTagHsm));
  out.push_back(static_cast<char>(key.type == KeyType::kRsa  ? kTypeRsa
                                  : key.type == KeyType::kEc ? kTypeEc
                                                             : kTypeOct));
  const std::string& serial = key.hsm->serial();
  out.push_back(static_cast<char>(std::min(serial.size(), kMaxShortField)));
  out.append(serial.substr(0, kMaxShortField));
  out.push_back(static_cast<char>(key.hsm_id.size()));
  out.append(key.hsm_id);
  out.push_back(static_cast<char>(key.bits >> 8));
  out.push_back(static_cast<char>(key.bits & 0xff));
  if (key.pkey) out.append(SpkiDer(key.pkey.get()));
  return SecretBytes(std::string_view(out));
}

StatusOr<std::unique_ptr<KeyMaterialState>> DeserializeHsm(std::string_view payload,
                                                           const std::shared_ptr<HsmToken>& hsm) {
  Status malformed = BadParameter("The stored key material is malformed.");
  auto take_short = [&](std::string_view& in, std::string& field) {
    if (in.empty() || in.size() < size_t{1} + static_cast<uint8_t>(in[0])) return false;
    field = std::string(in.substr(1, static_cast<uint8_t>(in[0])));
    in.remove_prefix(1 + field.size());
    return true;
  };
  if (payload.empty()) return malformed;
  const uint8_t type_tag = static_cast<uint8_t>(payload[0]);
  payload.remove_prefix(1);
  std::string serial, id;
  if (!take_short(payload, serial) || !take_short(payload, id) || id.empty() ||
      payload.size() < 2) {
    return malformed;
  }
  const int bits = (static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]);
  payload.remove_prefix(2);
  KH_RETURN_IF_ERROR(RequireHsmToken(hsm));
  if (serial != hsm->serial().substr(0, kMaxShortField)) {
    return BadParameter(
        "The key's material lives in another HSM token (serial " + serial +
        ") than the one this server uses (serial " + hsm->serial() +
        "); HSM-protected keys restore only to a server using the same token.");
  }
  switch (type_tag) {
    case kTypeRsa: {
      KH_ASSIGN_OR_RETURN(PkeyPtr pkey, PkeyFromSpki(payload, "RSA"));
      return HsmState(hsm, id, KeyType::kRsa, std::move(pkey), 0);
    }
    case kTypeEc: {
      KH_ASSIGN_OR_RETURN(PkeyPtr pkey, PkeyFromSpki(payload, "EC"));
      return HsmState(hsm, id, KeyType::kEc, std::move(pkey), 0);
    }
    case kTypeOct:
      if (bits != 128 && bits != 192 && bits != 256) return malformed;
      return HsmState(hsm, id, KeyType::kOct, nullptr, bits);
    default:
      return malformed;
  }
}

}  // namespace internal

using internal::BadParameter;
using internal::BoolAttr;
using internal::BytesAttr;
using internal::KeyMaterialState;
using internal::Pkcs11Attribute;
using internal::UlongAttr;

StatusOr<KeyMaterial> KeyMaterial::GenerateRsaInHsm(std::shared_ptr<HsmToken> hsm, int bits,
                                                    int64_t public_exponent) {
  KH_RETURN_IF_ERROR(RequireHsmToken(hsm));
  KH_RETURN_IF_ERROR(internal::CheckRsaGeneration(bits, public_exponent));
  std::string e;
  for (int64_t v = public_exponent; v > 0; v >>= 8) e.insert(e.begin(), static_cast<char>(v & 0xff));
  const std::string id = RandomBytes(internal::kObjectIdBytes);
  std::vector<Pkcs11Attribute> pub = {BoolAttr(CKA_TOKEN, false),
                                      UlongAttr(CKA_MODULUS_BITS, static_cast<CK_ULONG>(bits)),
                                      BytesAttr(CKA_PUBLIC_EXPONENT, e), BoolAttr(CKA_VERIFY, true),
                                      BoolAttr(CKA_ENCRYPT, true)};
  std::vector<Pkcs11Attribute> priv = internal::ProtectedTemplate(id);
  priv.push_back(BoolAttr(CKA_SIGN, true));
  priv.push_back(BoolAttr(CKA_DECRYPT, true));
  KH_ASSIGN_OR_RETURN(std::vector<std::string> values,
                      hsm->pkcs11().GenerateKeyPair(CKM_RSA_PKCS_KEY_PAIR_GEN, pub, priv,
                                                    {CKA_MODULUS, CKA_PUBLIC_EXPONENT}));
  KH_ASSIGN_OR_RETURN(internal::PkeyPtr pkey, internal::PublicRsa(values[0], values[1]));
  KH_ASSIGN_OR_RETURN(auto state,
                      internal::HsmState(std::move(hsm), id, KeyType::kRsa, std::move(pkey), 0));
  return KeyMaterial(std::move(state));
}

StatusOr<KeyMaterial> KeyMaterial::GenerateEcInHsm(std::shared_ptr<HsmToken> hsm, EcCurve curve) {
  KH_RETURN_IF_ERROR(RequireHsmToken(hsm));
  const std::string id = RandomBytes(internal::kObjectIdBytes);
  std::vector<Pkcs11Attribute> pub = {BoolAttr(CKA_TOKEN, false),
                                      BytesAttr(CKA_EC_PARAMS, internal::EcParams(curve)),
                                      BoolAttr(CKA_VERIFY, true)};
  std::vector<Pkcs11Attribute> priv = internal::ProtectedTemplate(id);
  priv.push_back(BoolAttr(CKA_SIGN, true));
  KH_ASSIGN_OR_RETURN(
      std::vector<std::string> values,
      hsm->pkcs11().GenerateKeyPair(CKM_EC_KEY_PAIR_GEN, pub, priv, {CKA_EC_POINT}));
  KH_ASSIGN_OR_RETURN(internal::PkeyPtr pkey,
                      internal::PublicEc(curve, internal::UnwrapEcPoint(values[0])));
  KH_ASSIGN_OR_RETURN(auto state,
                      internal::HsmState(std::move(hsm), id, KeyType::kEc, std::move(pkey), 0));
  return KeyMaterial(std::move(state));
}

namespace {

std::vector<Pkcs11Attribute> AesTemplate(std::string_view id) {
  std::vector<Pkcs11Attribute> templ = internal::ProtectedTemplate(id);
  templ.push_back(UlongAttr(CKA_CLASS, CKO_SECRET_KEY));
  templ.push_back(UlongAttr(CKA_KEY_TYPE, CKK_AES));
  for (CK_ATTRIBUTE_TYPE usage : {CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP}) {
    templ.push_back(BoolAttr(usage, true));
  }
  return templ;
}

}  // namespace

StatusOr<KeyMaterial> KeyMaterial::GenerateOctInHsm(std::shared_ptr<HsmToken> hsm, int bits) {
  KH_RETURN_IF_ERROR(RequireHsmToken(hsm));
  KH_RETURN_IF_ERROR(internal::CheckOctBits(bits));
  const std::string id = RandomBytes(internal::kObjectIdBytes);
  std::vector<Pkcs11Attribute> templ = AesTemplate(id);
  templ.push_back(UlongAttr(CKA_VALUE_LEN, static_cast<CK_ULONG>(bits / 8)));
  KH_RETURN_IF_ERROR(hsm->pkcs11().GenerateKey(CKM_AES_KEY_GEN, templ));
  KH_ASSIGN_OR_RETURN(auto state,
                      internal::HsmState(std::move(hsm), id, KeyType::kOct, nullptr, bits));
  return KeyMaterial(std::move(state));
}

StatusOr<KeyMaterial> KeyMaterial::ImportToHsm(std::shared_ptr<HsmToken> hsm,
                                               const JwkKeyComponents& jwk) {
  KH_RETURN_IF_ERROR(RequireHsmToken(hsm));
  // The same completeness and consistency checks as a software import; the checked software
  // copy only supplies the public key and is wiped when it goes out of scope.
  KH_ASSIGN_OR_RETURN(KeyMaterial checked, Import(jwk));
  const std::string id = RandomBytes(internal::kObjectIdBytes);
  std::vector<Pkcs11Attribute> templ;
  internal::PkeyPtr public_key;
  switch (jwk.kty) {
    case KeyType::kRsa: {
      templ = internal::ProtectedTemplate(id);
      templ.push_back(UlongAttr(CKA_CLASS, CKO_PRIVATE_KEY));
      templ.push_back(UlongAttr(CKA_KEY_TYPE, CKK_RSA));
      templ.push_back(BoolAttr(CKA_SIGN, true));
      templ.push_back(BoolAttr(CKA_DECRYPT, true));
      templ.push_back(BytesAttr(CKA_MODULUS, jwk.n));
      templ.push_back(BytesAttr(CKA_PUBLIC_EXPONENT, jwk.e));
      templ.push_back(BytesAttr(CKA_PRIVATE_EXPONENT, jwk.d.Reveal()));
      templ.push_back(BytesAttr(CKA_PRIME_1, jwk.p.Reveal()));
      templ.push_back(BytesAttr(CKA_PRIME_2, jwk.q.Reveal()));
      templ.push_back(BytesAttr(CKA_EXPONENT_1, jwk.dp.Reveal()));
      templ.push_back(BytesAttr(CKA_EXPONENT_2, jwk.dq.Reveal()));
      templ.push_back(BytesAttr(CKA_COEFFICIENT, jwk.qi.Reveal()));
      KH_ASSIGN_OR_RETURN(public_key, internal::PublicRsa(jwk.n, jwk.e));
      break;
    }
    case KeyType::kEc: {
      const EcCurve curve = *checked.curve();
      const size_t size = CurveCoordinateSize(curve);
      std::string d(size - jwk.d.size(), '\0');
      d.append(jwk.d.Reveal());
      templ = internal::ProtectedTemplate(id);
      templ.push_back(UlongAttr(CKA_CLASS, CKO_PRIVATE_KEY));
      templ.push_back(UlongAttr(CKA_KEY_TYPE, CKK_EC));
      templ.push_back(BoolAttr(CKA_SIGN, true));
      templ.push_back(BytesAttr(CKA_EC_PARAMS, internal::EcParams(curve)));
      templ.push_back(BytesAttr(CKA_VALUE, d));
      std::fill(d.begin(), d.end(), '\0');
      const PublicJwk pub = checked.PublicComponents();
      KH_ASSIGN_OR_RETURN(public_key, internal::PublicEc(curve, "\x04" + pub.x + pub.y));
      break;
    }
    case KeyType::kOct:
      templ = AesTemplate(id);
      templ.push_back(BytesAttr(CKA_VALUE, jwk.k.Reveal()));
      break;
  }
  Status created = hsm->pkcs11().CreateObject(templ);
  internal::Wipe(templ);
  KH_RETURN_IF_ERROR(created);
  KH_ASSIGN_OR_RETURN(auto state, internal::HsmState(std::move(hsm), id, jwk.kty,
                                                     std::move(public_key), checked.size_bits()));
  return KeyMaterial(std::move(state));
}

bool KeyMaterial::is_hsm() const { return state_->hsm != nullptr; }

StatusOr<KeyMaterial> KeyMaterial::HsmCopyForBackup() const {
  if (!state_->hsm) return Internal("not an HSM key");
  // One copy per version, found again by an id derived from the live object's.
  const std::string id = Sha256("keyhaven-backup-copy\n" + state_->hsm_id).substr(0, 16);
  internal::Pkcs11Token& token = state_->hsm->pkcs11();
  const CK_OBJECT_CLASS object_class = internal::ObjectClass(state_->type);
  KH_ASSIGN_OR_RETURN(auto copy, internal::CopyState(*state_));
  StatusOr<CK_OBJECT_HANDLE> existing = token.Find(id, object_class);
  if (existing.ok()) {
    copy->hsm_handle = *existing;
  } else {
    KH_RETURN_IF_ERROR(token.CopyObject(state_->hsm_handle, id));
    KH_ASSIGN_OR_RETURN(copy->hsm_handle, token.Find(id, object_class));
  }
  copy->hsm_id = id;
  return KeyMaterial(std::move(copy));
}

StatusOr<KeyMaterial> KeyMaterial::HsmCopyForRestore() const {
  if (!state_->hsm) return Internal("not an HSM key");
  const std::string id = RandomBytes(internal::kObjectIdBytes);
  internal::Pkcs11Token& token = state_->hsm->pkcs11();
  KH_RETURN_IF_ERROR(token.CopyObject(state_->hsm_handle, id));
  KH_ASSIGN_OR_RETURN(auto copy, internal::CopyState(*state_));
  KH_ASSIGN_OR_RETURN(copy->hsm_handle, token.Find(id, internal::ObjectClass(state_->type)));
  copy->hsm_id = id;
  return KeyMaterial(std::move(copy));
}

Status KeyMaterial::DestroyInHsm() const {
  if (!state_->hsm) return Status::Ok();
  return state_->hsm->pkcs11().DestroyObject(state_->hsm_handle);
}

}  // namespace kh::crypto
