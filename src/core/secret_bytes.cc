#include "core/secret_bytes.h"

#include <string.h>

#include <cstring>

namespace kh {
namespace {

uint8_t* Allocate(size_t size) {
  if (size == 0) return nullptr;
  // Core dumps are disabled process-wide by the server (prctl), not per allocation.
  return new uint8_t[size]();
}

}  // namespace

SecretBytes::SecretBytes(size_t size) : data_(Allocate(size)), size_(size) {}
SecretBytes::SecretBytes(std::string_view bytes) : SecretBytes(bytes.size()) {
  if (size_) std::memcpy(data_, bytes.data(), size_);
}
SecretBytes::SecretBytes(const uint8_t* data, size_t size) : SecretBytes(size) {
  if (size_) std::memcpy(data_, data, size_);
}
SecretBytes::SecretBytes(const SecretBytes& other) : SecretBytes(other.data_, other.size_) {}
SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}
SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    SecretBytes copy(other);
    *this = std::move(copy);
  }
  return *this;
}
SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}
SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  if (data_) {
    explicit_bzero(data_, size_);
    delete[] data_;
  }
  data_ = nullptr;
  size_ = 0;
}

void SecretBytes::Clear() { Wipe(); }

void SecretBytes::Resize(size_t size) {
  SecretBytes bigger(size);
  if (size_ && size) std::memcpy(bigger.data_, data_, size_ < size ? size_ : size);
  *this = std::move(bigger);
}

bool SecretBytes::operator==(const SecretBytes& other) const {
  return ConstantTimeEquals(Reveal(), other.Reveal());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = diff | (static_cast<uint8_t>(a[i]) ^ static_cast<uint8_t>(b[i]));
  }
  return diff == 0;
}

}  // namespace kh
