#include "cli/certificate_commands.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/fake_transport.h"
#include "core/base64.h"

namespace kh::cli {
namespace {

using testing::FakeTransport;
using testing::Json;
using testing::RecordedRequest;
using testing::TokenResponse;

constexpr char kVaultUrl[] = "https://v.localhost:8443";

std::string Serialize(const SecretBytes& body) { return std::string(body.Reveal()); }

TEST(CertificateBodyTest, CreateBodyHasOnlyWhatWasGiven) {
  CertificateCreateArgs none;
  EXPECT_EQ(boost::json::serialize(CertificateCreateBody(none)), "{}");

  CertificateCreateArgs subject;
  subject.subject = "CN=a.example";
  EXPECT_EQ(boost::json::serialize(CertificateCreateBody(subject)),
            R"({"policy":{"x509_props":{"subject":"CN=a.example"}}})");

  CertificateCreateArgs all;
  all.subject = "CN=a.example";
  all.dns_names = {"a.example", "b.example"};
  all.issuer = "Unknown";
  all.kty = "EC";
  all.curve = "P-384";
  all.validity_months = 6;
  all.format = "pem";
  EXPECT_EQ(boost::json::serialize(CertificateCreateBody(all)),
            R"({"policy":{"key_props":{"kty":"EC","crv":"P-384"},)"
            R"("secret_props":{"contentType":"application/x-pem-file"},)"
            R"("x509_props":{"subject":"CN=a.example","sans":{"dns_names":["a.example",)"
            R"("b.example"]},"validity_months":6},"issuer":{"name":"Unknown"}}})");

  CertificateCreateArgs rsa;
  rsa.size = 4096;
  rsa.format = "pkcs12";
  EXPECT_EQ(boost::json::serialize(CertificateCreateBody(rsa)),
            R"({"policy":{"key_props":{"key_size":4096},)"
            R"("secret_props":{"contentType":"application/x-pkcs12"}}})");
}

TEST(CertificateBodyTest, PemIsTextWithTheArmourAnywhere) {
  EXPECT_TRUE(LooksLikePem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
  EXPECT_TRUE(LooksLikePem("Bag Attributes\n    localKeyID: 01\n-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_FALSE(LooksLikePem(std::string_view("\x30\x82\x0a\x1f\x02\x01\x03\x00", 8)));
  EXPECT_FALSE(LooksLikePem(""));
  EXPECT_FALSE(LooksLikePem("-----END CERTIFICATE-----"));
}

TEST(CertificateBodyTest, ImportBodyHasOnlyWhatWasGiven) {
  const std::string pfx("\x30\x82\x00\xff\"\\", 6);
  EXPECT_EQ(Serialize(CertificateImportBody(SecretBytes(std::string_view(pfx)), nullptr)),
            R"({"value":")" + Base64Encode(pfx) + R"("})");
  const SecretBytes password(std::string_view("p\"w"));
  EXPECT_EQ(Serialize(CertificateImportBody(SecretBytes(std::string_view(pfx)), &password)),
            R"({"value":")" + Base64Encode(pfx) + R"(","pwd":"p\"w"})");

  const std::string pem = "-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n";
  EXPECT_EQ(Serialize(CertificateImportBody(SecretBytes(std::string_view(pem)), nullptr)),
            R"({"value":"-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n",)"
            R"("policy":{"secret_props":{"contentType":"application/x-pem-file"}}})");
}

class CertificateCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Credentials c;
    c.tenant_id = "tenant-1";
    c.client_id = "client-1";
    c.client_secret = SecretBytes(std::string_view("s3cret"));
    c.source = "test";
    api_ = std::make_unique<ApiClient>(std::move(c), *ParseServerUrl("https://localhost:8443"),
                                       std::make_unique<FakeTransport>(&log_, &responses_));
    std::string templ = ::testing::TempDir() + "/certcmdXXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Session session() { return Session{*api_, OutputFormat::kJson, out_, in_}; }
  // The requests after the token request.
  std::vector<std::string> Calls() const {
    std::vector<std::string> calls;
    for (size_t i = 1; i < log_.size(); ++i) {
      calls.push_back(log_[i].method + " " + log_[i].url.substr(sizeof(kVaultUrl) - 1));
    }
    return calls;
  }
  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  static int Mode(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
  }

  std::vector<RecordedRequest> log_;
  std::deque<StatusOr<http::HttpResponse>> responses_;
  std::unique_ptr<ApiClient> api_;
  std::ostringstream out_;
  std::istringstream in_;
  std::string dir_;
  const CertificatePolling fast_{std::chrono::milliseconds(0), 60};
};

constexpr char kInProgress[] =
    R"({"id":"https://v.localhost:8443/certificates/c/pending","issuer":{"name":"Self"},)"
    R"("csr":"MIIC","status":"inProgress"})";
constexpr char kCompleted[] =
    R"({"id":"https://v.localhost:8443/certificates/c/pending","issuer":{"name":"Self"},)"
    R"("status":"completed","target":"https://v.localhost:8443/certificates/c"})";
constexpr char kCertificate[] =
    R"({"id":"https://v.localhost:8443/certificates/c/0123","cer":"MIIB","x5t":"abc"})";

TEST_F(CertificateCommandsTest, ANewCertificateIsSelfSignedAndAwaited) {
  responses_ = {TokenResponse(),
                Json(404, R"({"error":{"code":"CertificateNotFound","message":"no"}})"),
                Json(202, kInProgress),
                Json(200, kInProgress),
                Json(200, kCompleted),
                Json(200, kCertificate)};
  CertificateCreateArgs args;
  args.vault = "v";
  args.name = "c";
  args.subject = "CN=c.example";
  Status status = CreateCertificate(session(), args, fast_);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Calls(), (std::vector<std::string>{
                         "GET /certificates/c/policy?api-version=2025-07-01",
                         "POST /certificates/c/create?api-version=2025-07-01",
                         "GET /certificates/c/pending?api-version=2025-07-01",
                         "GET /certificates/c/pending?api-version=2025-07-01",
                         "GET /certificates/c/?api-version=2025-07-01",
                     }));
  EXPECT_EQ(log_[2].body,
            R"({"policy":{"x509_props":{"subject":"CN=c.example"},"issuer":{"name":"Self"}}})");
  EXPECT_NE(out_.str().find("\"cer\": \"MIIB\""), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("pending"), std::string::npos) << "only the certificate is printed";
}

TEST_F(CertificateCommandsTest, ANewVersionKeepsTheStoredIssuerAndStopsWhenItAwaitsAMerge) {
  const std::string unknown =
      R"({"id":"https://v.localhost:8443/certificates/c/pending",)"
      R"("issuer":{"name":"Unknown"},"csr":"MIICsr","status":"inProgress"})";
  responses_ = {TokenResponse(), Json(200, R"({"issuer":{"name":"Unknown"}})"), Json(202, unknown)};
  CertificateCreateArgs args;
  args.vault = "v";
  args.name = "c";
  Status status = CreateCertificate(session(), args, fast_);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(log_.size(), 3u) << "no polling: the operation waits for a merge";
  EXPECT_EQ(log_[2].body, "{}");
  EXPECT_NE(out_.str().find("\"csr\": \"MIICsr\""), std::string::npos) << out_.str();
}

TEST_F(CertificateCommandsTest, AFailedOperationIsPrintedAndAnError) {
  responses_ = {
      TokenResponse(), Json(202, kInProgress),
      Json(200, R"({"status":"failed","error":{"code":"IssuerError","message":"boom"}})")};
  CertificateCreateArgs args;
  args.vault = "v";
  args.name = "c";
  args.issuer = "MyIssuer";
  Status status = CreateCertificate(session(), args, fast_);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.azure_code(), "IssuerError");
  EXPECT_NE(status.message().find("boom"), std::string::npos);
  EXPECT_EQ(Calls()[0], "POST /certificates/c/create?api-version=2025-07-01")
      << "a given issuer needs no policy lookup";
  EXPECT_NE(out_.str().find("\"failed\""), std::string::npos) << out_.str();
}

TEST_F(CertificateCommandsTest, PollingEndsAndNoWaitDoesNotPoll) {
  responses_ = {TokenResponse(), Json(202, kInProgress), Json(200, kInProgress),
                Json(200, kInProgress)};
  CertificateCreateArgs args;
  args.vault = "v";
  args.name = "c";
  args.issuer = "Self";
  Status status = CreateCertificate(session(), args, {std::chrono::milliseconds(0), 2});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(log_.size(), 4u) << "the create and two polls";

  log_.clear();
  out_.str("");
  responses_ = {Json(202, kInProgress)};
  args.no_wait = true;
  ASSERT_TRUE(CreateCertificate(session(), args, fast_).ok());
  EXPECT_EQ(log_.size(), 1u);
  EXPECT_NE(out_.str().find("inProgress"), std::string::npos);
}

TEST_F(CertificateCommandsTest, DownloadWritesTheDecodedPfxAndNeverPrintsIt) {
  const std::string pfx("\x30\x82\x01\x00\x00\xff pfx-canary", 17);
  responses_ = {TokenResponse(),
                Json(200, R"({"id":"https://v.localhost:8443/secrets/c/0123","value":")" +
                              Base64Encode(pfx) + R"(","contentType":"application/x-pkcs12"})")};
  CertificateDownloadArgs args;
  args.vault = "v";
  args.name = "c";
  args.file = dir_ + "/c.pfx";
  args.format = "pfx";
  Status status = DownloadCertificate(session(), args);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Calls(), (std::vector<std::string>{"GET /secrets/c/?api-version=2025-07-01&"
                                               "outContentType=application%2Fx-pkcs12"}));
  EXPECT_EQ(ReadAll(args.file), pfx);
  EXPECT_EQ(Mode(args.file), 0600);
  EXPECT_EQ(out_.str().find(Base64Encode(pfx)), std::string::npos) << out_.str();
  boost::json::value summary = boost::json::parse(out_.str());
  EXPECT_EQ(summary, boost::json::parse(R"({"file":")" + args.file +
                                        R"(","format":"pfx","id":)"
                                        R"("https://v.localhost:8443/secrets/c/0123"})"));
}

TEST_F(CertificateCommandsTest, DownloadWritesPemAsItIs) {
  responses_ = {TokenResponse(),
                Json(200, R"({"id":"i","value":"-----BEGIN PRIVATE KEY-----\nkey-canary\n"})")};
  CertificateDownloadArgs args;
  args.vault = "v";
  args.name = "c";
  args.version = "0123";
  args.file = dir_ + "/c.pem";
  // An existing, world-readable file is made private before the key is written into it.
  std::ofstream(args.file) << "an older, longer file that must be gone entirely";
  ASSERT_EQ(::chmod(args.file.c_str(), 0644), 0);
  ASSERT_TRUE(DownloadCertificate(session(), args).ok());
  EXPECT_EQ(Calls()[0],
            "GET /secrets/c/0123?api-version=2025-07-01&outContentType=application%2Fx-pem-file");
  EXPECT_EQ(ReadAll(args.file), "-----BEGIN PRIVATE KEY-----\nkey-canary\n");
  EXPECT_EQ(Mode(args.file), 0600);
  EXPECT_EQ(out_.str().find("key-canary"), std::string::npos) << out_.str();
}

TEST_F(CertificateCommandsTest, ImportSendsTheFileAndPasswordAndPrintsNeither) {
  const std::string pfx("\x30\x82\x02\x00 pfx", 8);
  std::ofstream(dir_ + "/in.pfx", std::ios::binary) << pfx;
  std::ofstream(dir_ + "/pw") << "pw-canary\n";
  responses_ = {TokenResponse(), Json(200, kCertificate)};
  CertificateImportArgs args;
  args.vault = "v";
  args.name = "c";
  args.file = dir_ + "/in.pfx";
  args.password_file = dir_ + "/pw";
  Status status = ImportCertificate(session(), args);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Calls(),
            (std::vector<std::string>{"POST /certificates/c/import?api-version=2025-07-01"}));
  EXPECT_EQ(log_[1].body, R"({"value":")" + Base64Encode(pfx) + R"(","pwd":"pw-canary"})");
  EXPECT_EQ(out_.str().find("pw-canary"), std::string::npos);
  EXPECT_NE(out_.str().find("\"cer\""), std::string::npos);

  args.file = dir_ + "/missing.pfx";
  EXPECT_EQ(ImportCertificate(session(), args).azure_code(), "FileError");
  std::ofstream(dir_ + "/empty.pem");
  args.file = dir_ + "/empty.pem";
  EXPECT_FALSE(ImportCertificate(session(), args).ok());
}

TEST_F(CertificateCommandsTest, PurgeAndBackup) {
  responses_ = {TokenResponse(), Json(204, ""), Json(200, R"({"value":"AAEC_w"})")};
  ASSERT_TRUE(PurgeCertificate(session(), "v", "c").ok());
  const std::string file = dir_ + "/c.backup";
  ASSERT_TRUE(BackupCertificate(session(), "v", "c", file).ok());
  EXPECT_EQ(Calls(), (std::vector<std::string>{
                         "DELETE /deletedcertificates/c?api-version=2025-07-01",
                         "POST /certificates/c/backup?api-version=2025-07-01",
                     }));
  EXPECT_EQ(ReadAll(file), std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(Mode(file), 0600);
  EXPECT_TRUE(out_.str().empty());
}

}  // namespace
}  // namespace kh::cli
