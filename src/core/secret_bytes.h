#pragma once
// SecretBytes: the only container for key material and secret values in memory.
// - zeroed when freed or reassigned (explicit_bzero, which the compiler may not elide);
// - no operator<< and no implicit conversion to string, so it cannot reach a log by accident;
// - equality is constant-time;
// - raw bytes only through the greppable accessors Reveal()/RevealString().
// Not thread-safe for concurrent mutation; copies are deep.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kh {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);
  explicit SecretBytes(std::string_view bytes);
  SecretBytes(const uint8_t* data, size_t size);
  SecretBytes(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Deliberately verbose names: every use of raw secret bytes should stand out in review.
  const uint8_t* RevealData() const { return data_; }
  uint8_t* MutableData() { return data_; }
  std::string_view Reveal() const {
    return std::string_view(reinterpret_cast<const char*>(data_), size_);
  }
  // A copy into an ordinary string (e.g. to hand to a JSON serializer). Prefer Reveal().
  std::string RevealString() const { return std::string(Reveal()); }

  void Resize(size_t size);  // keeps the prefix; new bytes are zero
  void Clear();

  bool operator==(const SecretBytes& other) const;  // constant time in the length
  bool operator!=(const SecretBytes& other) const { return !(*this == other); }

 private:
  void Wipe();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Constant-time comparison for two byte strings of possibly different length
// (the length itself is not hidden).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kh
