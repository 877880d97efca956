// KeyMaterial creation, import, storage and public export. The operations are in
// key_encryption.cc and key_signing.cc.
#include "crypto/key_material.h"

#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "crypto/internal/key_material_hsm.h"
#include "crypto/internal/key_material_state.h"
#include "crypto/internal/openssl_util.h"
#include "crypto/rng.h"

namespace kh::crypto {
namespace {

using internal::BadParameter;
using internal::GroupName;
using internal::StateFromPkey;
using internal::KeyMaterialState;
using internal::OpenSslError;
using internal::OsslPtr;
using internal::PkeyPtr;
using internal::UBytes;
using BignumPtr = OsslPtr<BIGNUM, BN_clear_free>;
using DecoderCtxPtr = OsslPtr<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using EncoderCtxPtr = OsslPtr<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free>;
using ParamBldPtr = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

// Serialize() layout: kFormatVersion, a type tag, then the payload.
constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kTagRsa = 'R';
constexpr uint8_t kTagEc = 'E';
constexpr uint8_t kTagOct = 'O';
constexpr size_t kHeaderSize = 2;
// A 4096-bit RSA PKCS#8 DER is about 2.4 KB; this only bounds the work done on garbage input.
constexpr size_t kMaxSerializedBytes = 16 * 1024;
// 4096 bits, plus a leading zero byte some encoders add.
constexpr size_t kMaxRsaComponentBytes = kMaxRsaKeyBits / 8 + 1;
// OpenSSL refuses public exponents over 64 bits for large moduli.
constexpr size_t kMaxRsaExponentBytes = 8;



// A BIGNUM from big-endian bytes. Secret values go to a "secure" BIGNUM: OSSL_PARAM_BLD then
// keeps them in a block that OSSL_PARAM_free wipes.
BignumPtr ToBignum(std::string_view bytes, bool secret) {
  BignumPtr bn(secret ? BN_secure_new() : BN_new());
  if (!bn || !BN_bin2bn(UBytes(bytes), static_cast<int>(bytes.size()), bn.get())) return nullptr;
  if (secret) BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
  return bn;
}

// Builds an EVP_PKEY of `type` ("RSA", "EC") from params and runs OpenSSL's full key-pair check
// (RSA: primality of p and q, n = p*q, d, dp, dq and qi against p, q and e; EC: point on the
// curve, private scalar in range, public = d*G).
StatusOr<PkeyPtr> FromDataChecked(const char* type, const OSSL_PARAM* params,
                                  std::string_view invalid_message) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, const_cast<OSSL_PARAM*>(params)) != 1) {
    return BadParameter(std::string(invalid_message));
  }
  PkeyPtr pkey(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_check(check.get()) != 1) return BadParameter(std::string(invalid_message));
  return pkey;
}

StatusOr<std::unique_ptr<KeyMaterialState>> ImportRsa(const JwkKeyComponents& jwk) {
  const std::string_view secrets[] = {jwk.d.Reveal(),  jwk.p.Reveal(),  jwk.q.Reveal(),
                                      jwk.dp.Reveal(), jwk.dq.Reveal(), jwk.qi.Reveal()};
  bool complete = !jwk.n.empty() && !jwk.e.empty();
  for (std::string_view s : secrets) complete = complete && !s.empty();
  if (!complete) return BadParameter("The RSA key must contain n, e, d, p, q, dp, dq and qi.");
  if (jwk.n.size() > kMaxRsaComponentBytes) {
    return BadParameter("Unsupported key size. RSA keys must have 2048 to 4096 bits.");
  }
  for (std::string_view s : secrets) {
    if (s.size() > jwk.n.size()) return BadParameter("The RSA key's private members are too long.");
  }
  if (jwk.e.size() > kMaxRsaExponentBytes || (jwk.e.back() & 1) == 0) {
    return BadParameter("The RSA public exponent must be odd and at most 64 bits.");
  }
  BignumPtr n = ToBignum(jwk.n, false);
  BignumPtr e = ToBignum(jwk.e, false);
  if (!n || !e) return OpenSslError("RSA import");
  if (BN_is_one(e.get())) return BadParameter("The RSA public exponent must be at least 3.");
  const int bits = BN_num_bits(n.get());
  if (bits < kMinRsaKeyBits || bits > kMaxRsaKeyBits) {
    return BadParameter("Unsupported key size (" + std::to_string(bits) +
                        "). RSA keys must have 2048 to 4096 bits.");
  }
  const char* const names[] = {OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                               OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                               OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  BignumPtr private_parts[6];
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OpenSslError("RSA import");
  }
  for (size_t i = 0; i < 6; ++i) {
    private_parts[i] = ToBignum(secrets[i], true);
    if (!private_parts[i] ||
        OSSL_PARAM_BLD_push_BN(bld.get(), names[i], private_parts[i].get()) != 1) {
      return OpenSslError("RSA import");
    }
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return OpenSslError("RSA import");
  KH_ASSIGN_OR_RETURN(PkeyPtr pkey,
                      FromDataChecked("RSA", params.get(),
                                      "The RSA key is not valid: its private members do not "
                                      "match its public members."));
  return StateFromPkey(std::move(pkey), KeyType::kRsa);
}

StatusOr<std::unique_ptr<KeyMaterialState>> ImportEc(const JwkKeyComponents& jwk) {
  KH_ASSIGN_OR_RETURN(EcCurve curve, ParseCurve(jwk.crv));
  if (jwk.x.empty() || jwk.y.empty() || jwk.d.empty()) {
    return BadParameter("The EC key must contain crv, x, y and d.");
  }
  const size_t size = CurveCoordinateSize(curve);
  if (jwk.x.size() > size || jwk.y.size() > size || jwk.d.size() > size) {
    return BadParameter("The EC key's x, y and d must be " + std::to_string(size) +
                        " bytes each for curve " + std::string(CurveName(curve)) + ".");
  }
  // SEC1 uncompressed point: 04 || x || y, each coordinate left-padded to the curve size.
  std::string point(1 + 2 * size, '\0');
  point[0] = 0x04;
  point.replace(1 + size - jwk.x.size(), jwk.x.size(), jwk.x);
  point.replace(1 + 2 * size - jwk.y.size(), jwk.y.size(), jwk.y);
  BignumPtr d = ToBignum(jwk.d.Reveal(), true);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!d || !bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, GroupName(curve), 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1) {
    return OpenSslError("EC import");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return OpenSslError("EC import");
  KH_ASSIGN_OR_RETURN(PkeyPtr pkey,
                      FromDataChecked("EC", params.get(),
                                      "The EC key is not valid: its point is not on the curve or "
                                      "does not match d."));
  return StateFromPkey(std::move(pkey), KeyType::kEc);
}

StatusOr<std::unique_ptr<KeyMaterialState>> OctState(SecretBytes k) {
  KH_RETURN_IF_ERROR(internal::CheckOctBits(static_cast<int>(k.size() * 8)));
  auto state = std::make_unique<KeyMaterialState>();
  state->type = KeyType::kOct;
  state->bits = static_cast<int>(k.size() * 8);
  state->oct = std::move(k);
  return state;
}

// Unencrypted PKCS#8 DER of pkey after a kHeaderSize-byte header. Aborts on failure: only
// allocation can fail for a key OpenSSL built itself.
SecretBytes EncodePkcs8(const EVP_PKEY* pkey, uint8_t tag) {
  EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(pkey, OSSL_KEYMGMT_SELECT_ALL, "DER",
                                                  "PrivateKeyInfo", nullptr));
  unsigned char* der = nullptr;
  size_t der_size = 0;
  if (!ctx || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0 ||
      OSSL_ENCODER_to_data(ctx.get(), &der, &der_size) != 1) {
    std::fputs("keyhaven: PKCS#8 encoding of a key failed\n", stderr);
    std::abort();
  }
  SecretBytes out(kHeaderSize + der_size);
  out.MutableData()[0] = kFormatVersion;
  out.MutableData()[1] = tag;
  std::copy(der, der + der_size, out.MutableData() + kHeaderSize);
  OPENSSL_clear_free(der, der_size);
  return out;
}

StatusOr<PkeyPtr> DecodePkcs8(std::string_view der, const char* type) {
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", "PrivateKeyInfo", type,
                                                  EVP_PKEY_KEYPAIR, nullptr, nullptr));
  const unsigned char* data = UBytes(der);
  size_t remaining = der.size();
  if (!ctx || OSSL_DECODER_from_data(ctx.get(), &data, &remaining) != 1 || raw == nullptr) {
    EVP_PKEY_free(raw);
    return BadParameter("The stored key material is malformed.");
  }
  PkeyPtr pkey(raw);
  if (remaining != 0) return BadParameter("The stored key material is malformed.");
  ERR_clear_error();  // decoders that were tried and did not match may have left entries
  return pkey;
}

}  // namespace

KeyMaterial::KeyMaterial(std::unique_ptr<KeyMaterialState> state) : state_(std::move(state)) {}
KeyMaterial::KeyMaterial(KeyMaterial&&) noexcept = default;
KeyMaterial& KeyMaterial::operator=(KeyMaterial&&) noexcept = default;
KeyMaterial::~KeyMaterial() = default;

StatusOr<KeyMaterial> KeyMaterial::GenerateRsa(int bits, int64_t public_exponent) {
  KH_RETURN_IF_ERROR(internal::CheckRsaGeneration(bits, public_exponent));
  BignumPtr e(BN_new());
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!e || BN_set_word(e.get(), static_cast<BN_ULONG>(public_exponent)) != 1 || !ctx ||
      EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return OpenSslError("RSA key generation failed");
  }
  KH_ASSIGN_OR_RETURN(auto state, StateFromPkey(PkeyPtr(raw), KeyType::kRsa));
  return KeyMaterial(std::move(state));
}

StatusOr<KeyMaterial> KeyMaterial::GenerateEc(EcCurve curve) {
  PkeyPtr pkey(EVP_EC_gen(GroupName(curve)));
  if (!pkey) return OpenSslError("EC key generation failed");
  KH_ASSIGN_OR_RETURN(auto state, StateFromPkey(std::move(pkey), KeyType::kEc));
  return KeyMaterial(std::move(state));
}

StatusOr<KeyMaterial> KeyMaterial::GenerateOct(int bits) {
  KH_RETURN_IF_ERROR(internal::CheckOctBits(bits));
  KH_ASSIGN_OR_RETURN(auto state, OctState(RandomSecret(static_cast<size_t>(bits / 8))));
  return KeyMaterial(std::move(state));
}

StatusOr<KeyMaterial> KeyMaterial::Import(const JwkKeyComponents& jwk) {
  std::unique_ptr<KeyMaterialState> state;
  switch (jwk.kty) {
    case KeyType::kRsa: {
      KH_ASSIGN_OR_RETURN(state, ImportRsa(jwk));
      break;
    }
    case KeyType::kEc: {
      KH_ASSIGN_OR_RETURN(state, ImportEc(jwk));
      break;
    }
    case KeyType::kOct: {
      if (jwk.k.empty()) return BadParameter("The oct key must contain k.");
      KH_ASSIGN_OR_RETURN(state, OctState(jwk.k));
      break;
    }
  }
  return KeyMaterial(std::move(state));
}

SecretBytes KeyMaterial::Serialize() const {
  if (state_->hsm) return internal::SerializeHsm(*state_, kFormatVersion);
  switch (state_->type) {
    case KeyType::kRsa:
      return EncodePkcs8(state_->pkey.get(), kTagRsa);
    case KeyType::kEc:
      return EncodePkcs8(state_->pkey.get(), kTagEc);
    case KeyType::kOct:
      break;
  }
  SecretBytes out(kHeaderSize + state_->oct.size());
  out.MutableData()[0] = kFormatVersion;
  out.MutableData()[1] = kTagOct;
  std::copy(state_->oct.RevealData(), state_->oct.RevealData() + state_->oct.size(),
            out.MutableData() + kHeaderSize);
  return out;
}

StatusOr<KeyMaterial> KeyMaterial::Deserialize(const SecretBytes& serialized,
                                               const std::shared_ptr<HsmToken>& hsm) {
  if (serialized.size() <= kHeaderSize || serialized.size() > kMaxSerializedBytes ||
      serialized.RevealData()[0] != kFormatVersion) {
    return BadParameter("The stored key material is malformed.");
  }
  const std::string_view payload = serialized.Reveal().substr(kHeaderSize);
  std::unique_ptr<KeyMaterialState> state;
  switch (serialized.RevealData()[1]) {
    case kTagRsa: {
      KH_ASSIGN_OR_RETURN(PkeyPtr pkey, DecodePkcs8(payload, "RSA"));
      KH_ASSIGN_OR_RETURN(state, StateFromPkey(std::move(pkey), KeyType::kRsa));
      break;
    }
    case kTagEc: {
      KH_ASSIGN_OR_RETURN(PkeyPtr pkey, DecodePkcs8(payload, "EC"));
      KH_ASSIGN_OR_RETURN(state, StateFromPkey(std::move(pkey), KeyType::kEc));
      break;
    }
    case kTagOct: {
      KH_ASSIGN_OR_RETURN(state, OctState(SecretBytes(payload)));
      break;
    }
    case internal::kTagHsm: {
      KH_ASSIGN_OR_RETURN(state, internal::DeserializeHsm(payload, hsm));
      break;
    }
    default:
      return BadParameter("The stored key material is malformed.");
  }
  return KeyMaterial(std::move(state));
}

KeyType KeyMaterial::type() const { return state_->type; }
int KeyMaterial::size_bits() const { return state_->bits; }

std::optional<EcCurve> KeyMaterial::curve() const {
  if (state_->type != KeyType::kEc) return std::nullopt;
  return state_->curve;
}

PublicJwk KeyMaterial::PublicComponents() const {
  PublicJwk jwk;
  jwk.kty = state_->type;
  if (state_->type == KeyType::kOct) return jwk;
  // Reads a public parameter of the key; pad = 0 means minimal length. Only allocation can fail.
  auto read = [this](const char* name, size_t pad) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(state_->pkey.get(), name, &raw) != 1) {
      std::fputs("keyhaven: reading a public key parameter failed\n", stderr);
      std::abort();
    }
    OsslPtr<BIGNUM, BN_free> bn(raw);
    std::string out(pad ? pad : static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
    BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(out.size()));
    return out;
  };
  if (state_->type == KeyType::kRsa) {
    jwk.n = read(OSSL_PKEY_PARAM_RSA_N, 0);
    jwk.e = read(OSSL_PKEY_PARAM_RSA_E, 0);
  } else {
    const size_t size = CurveCoordinateSize(state_->curve);
    jwk.crv = std::string(CurveName(state_->curve));
    jwk.x = read(OSSL_PKEY_PARAM_EC_PUB_X, size);
    jwk.y = read(OSSL_PKEY_PARAM_EC_PUB_Y, size);
  }
  return jwk;
}

}  // namespace kh::crypto
