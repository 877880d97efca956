#pragma once
// Test-only: SoftHSM2 tokens for the tests of one process. The first call makes a token
// directory under $TMPDIR, points SOFTHSM2_CONF at it and initializes two tokens, "kh-test-a"
// and "kh-test-b" (user PIN 1234), before any test loads the module (SoftHSM2 reads its
// configuration and token list once, at C_Initialize). Needs softhsm2-util (scripts/setup
// installs the softhsm2 package); a machine without it fails the test rather than skipping.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "crypto/hsm_token.h"

namespace kh::crypto::testing {

inline constexpr char kTestTokenA[] = "kh-test-a";
inline constexpr char kTestTokenB[] = "kh-test-b";
inline constexpr char kTestPin[] = "1234";

inline const std::string& SoftHsmTestDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/kh-softhsm-XXXXXX";
    if (!mkdtemp(pattern.data())) std::abort();
    const std::string tokens = pattern + "/tokens";
    const std::string conf = pattern + "/softhsm2.conf";
    if (std::system(("mkdir -p '" + tokens + "'").c_str()) != 0) std::abort();
    std::ofstream(conf) << "directories.tokendir = " << tokens
                        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    for (const char* label : {kTestTokenA, kTestTokenB}) {
      const std::string command = std::string("softhsm2-util --init-token --free --label ") +
                                  label + " --pin " + kTestPin + " --so-pin 5678 >/dev/null";
      if (std::system(command.c_str()) != 0) {
        ADD_FAILURE() << "softhsm2-util failed (is the softhsm2 package installed?)";
        std::abort();
      }
    }
    return pattern;
  }();
  return dir;
}

inline HsmTokenConfig SoftHsmTestConfig(const char* label = kTestTokenA) {
  SoftHsmTestDir();
  HsmTokenConfig config;
  config.token_label = label;
  config.pin = SecretBytes(std::string_view(kTestPin));
  return config;
}

// An open test token; fails the test if it cannot be opened.
inline std::shared_ptr<HsmToken> OpenTestToken(const char* label = kTestTokenA) {
  StatusOr<std::shared_ptr<HsmToken>> token = HsmToken::Open(SoftHsmTestConfig(label));
  if (!token.ok()) {
    ADD_FAILURE() << token.status().ToString();
    std::abort();
  }
  return *token;
}

}  // namespace kh::crypto::testing
