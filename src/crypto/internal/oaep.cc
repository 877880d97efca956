#include "crypto/internal/oaep.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>

namespace kh::crypto::internal {
namespace {

// All-ones if a == b, else zero; no data-dependent branch.
uint32_t EqualMask(uint32_t a, uint32_t b) {
  uint32_t x = a ^ b;
  return static_cast<uint32_t>((static_cast<uint64_t>(x) - 1) >> 32);
}

// MGF1 (RFC 8017 B.2.1) of seed, XORed into out[0, size).
bool XorMgf1(const EVP_MD* md, const uint8_t* seed, size_t seed_size, uint8_t* out, size_t size) {
  const size_t h = static_cast<size_t>(EVP_MD_get_size(md));
  uint8_t block[EVP_MAX_MD_SIZE];
  std::string input(reinterpret_cast<const char*>(seed), seed_size);
  input.append(4, '\0');
  for (uint32_t counter = 0, done = 0; done < size; ++counter) {
    for (int i = 0; i < 4; ++i) input[seed_size + i] = static_cast<char>(counter >> (24 - 8 * i));
    unsigned int got = 0;
    if (EVP_Digest(input.data(), input.size(), block, &got, md, nullptr) != 1) return false;
    for (size_t i = 0; i < h && done < size; ++i, ++done) out[done] ^= block[i];
  }
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(input.data(), input.size());
  return true;
}

}  // namespace

StatusOr<SecretBytes> OaepDecode(const SecretBytes& encoded, size_t k, std::string_view digest) {
  const EVP_MD* md = digest == "SHA1" ? EVP_sha1() : EVP_sha256();
  const size_t h = static_cast<size_t>(EVP_MD_get_size(md));
  Status invalid = InvalidArgument("OAEP decoding failed.");
  if (encoded.size() > k || k < 2 * h + 2) return invalid;
  SecretBytes em(k);
  std::copy(encoded.RevealData(), encoded.RevealData() + encoded.size(),
            em.MutableData() + (k - encoded.size()));
  uint8_t* seed = em.MutableData() + 1;
  uint8_t* db = em.MutableData() + 1 + h;
  const size_t db_size = k - h - 1;
  uint8_t label_hash[EVP_MAX_MD_SIZE];
  if (!XorMgf1(md, db, db_size, seed, h) || !XorMgf1(md, seed, h, db, db_size) ||
      EVP_Digest("", 0, label_hash, nullptr, md, nullptr) != 1) {
    return Internal("OAEP decoding failed to hash.");
  }
  uint32_t good = EqualMask(em.RevealData()[0], 0);
  good &= EqualMask(static_cast<uint32_t>(CRYPTO_memcmp(db, label_hash, h)), 0);
  // DB = lHash || PS (zeros) || 0x01 || M: find the first non-zero byte after lHash, which must
  // be 0x01, scanning every byte whatever is found.
  uint32_t found = 0;
  size_t message_start = 0;
  for (size_t i = h; i < db_size; ++i) {
    const uint32_t is_one = EqualMask(db[i], 1);
    const uint32_t is_zero = EqualMask(db[i], 0);
    const uint32_t first = ~found & is_one;
    message_start = (first & static_cast<uint32_t>(i + 1)) | (~first & message_start);
    good &= found | is_zero | is_one;  // before the separator only zeros may appear
    found |= is_one;
  }
  good &= found;
  if (!good) return invalid;
  return SecretBytes(std::string_view(reinterpret_cast<const char*>(db + message_start),
                                      db_size - message_start));
}

}  // namespace kh::crypto::internal
