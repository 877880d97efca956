#pragma once
// WipeString: zeroes a std::string's bytes before it is cleared. For buffers that held a secret
// only briefly (a token response, a serialized request body) before moving into SecretBytes.
#include <string.h>  // explicit_bzero

#include <string>

namespace kh::cli {

inline void WipeString(std::string& text) {
  if (!text.empty()) explicit_bzero(text.data(), text.size());
  text.clear();
}

}  // namespace kh::cli
