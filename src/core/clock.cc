#include "core/clock.h"

namespace kh {

int64_t SystemClock::NowSeconds() const {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count() + offset_seconds_.load();
}

}  // namespace kh
