// CLI11 wiring of `keyhaven certificate ...` (see command_wiring.h); the commands are in
// certificate_commands.cc.
#include <CLI/CLI.hpp>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cli/certificate_commands.h"
#include "cli/command_wiring.h"

namespace kh::cli {
namespace {

struct CertificateFlags {
  std::string vault;
  std::string name;
  std::string version;
  std::string file;
};

CLI::App* AddSubcommand(CLI::App* parent, const char* name, const char* help, CertificateFlags* f,
                        bool with_name) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->add_option("--vault", f->vault, "Vault name")->required();
  if (with_name) sub->add_option("--name", f->name, "Certificate name")->required();
  return sub;
}

void AddCreate(CLI::App* certificate, Action* action) {
  auto args = std::make_shared<CertificateCreateArgs>();
  // Values of the optional flags; copied into args only when given.
  auto text = std::make_shared<std::array<std::string, 5>>();  // subject issuer kty curve format
  auto numbers = std::make_shared<std::array<int, 2>>();       // size validity-months
  CLI::App* sub = certificate->add_subcommand(
      "create", "Create a certificate (a new version if it exists) and wait until it is issued");
  sub->add_option("--vault", args->vault, "Vault name")->required();
  sub->add_option("--name", args->name, "Certificate name")->required();
  const std::vector<std::pair<CLI::Option*, std::optional<std::string>*>> texts = {
      {sub->add_option("--subject", (*text)[0], "Subject, e.g. \"CN=www.example.com\""),
       &args->subject},
      {sub->add_option("--issuer", (*text)[1],
                       "Self (self-signed), Unknown (merge a certificate signed elsewhere) or "
                       "an issuer's name; default: Self for a new certificate, the stored "
                       "policy's issuer for a new version"),
       &args->issuer},
      {sub->add_option("--kty", (*text)[2], "Key type (default RSA)")
           ->check(CLI::IsMember({"RSA", "EC", "RSA-HSM", "EC-HSM"})),
       &args->kty},
      {sub->add_option("--curve", (*text)[3], "EC curve: P-256, P-256K, P-384, P-521"),
       &args->curve},
      {sub->add_option("--format", (*text)[4],
                       "Content type of the certificate's secret (default pkcs12)")
           ->check(CLI::IsMember({"pkcs12", "pem"})),
       &args->format},
  };
  const std::vector<std::pair<CLI::Option*, std::optional<int>*>> ints = {
      {sub->add_option("--size", (*numbers)[0], "RSA key size: 2048, 3072 or 4096"), &args->size},
      {sub->add_option("--validity-months", (*numbers)[1], "Validity in months (default 12)"),
       &args->validity_months},
  };
  sub->add_option("--dns", args->dns_names, "DNS name (subject alternative name); repeatable")
      ->delimiter(',');
  sub->add_flag("--no-wait", args->no_wait,
                "Print the pending operation instead of waiting for the certificate");
  // The callback reads the values through `text` and `numbers`, so it keeps them alive as long
  // as CLI11 may write into them.
  sub->callback([=] {
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i].first->count() > 0) *texts[i].second = (*text)[i];
    }
    for (size_t i = 0; i < ints.size(); ++i) {
      if (ints[i].first->count() > 0) *ints[i].second = (*numbers)[i];
    }
    *action = [=](const Session& s) { return CreateCertificate(s, *args); };
  });
}

void AddImport(CLI::App* certificate, Action* action) {
  auto args = std::make_shared<CertificateImportArgs>();
  auto password_file = std::make_shared<std::string>();
  CLI::App* sub = certificate->add_subcommand(
      "import", "Import a certificate and its private key from a PFX or PEM file");
  sub->add_option("--vault", args->vault, "Vault name")->required();
  sub->add_option("--name", args->name, "Certificate name")->required();
  sub->add_option("--file", args->file, "PFX (PKCS#12) or PEM file (PKCS#8 key and certificates)")
      ->required();
  CLI::Option* password_opt = sub->add_option("--password-file", *password_file,
                                              "File holding the PFX password (one line)");
  sub->callback([=] {
    if (password_opt->count() > 0) args->password_file = *password_file;
    *action = [=](const Session& s) { return ImportCertificate(s, *args); };
  });
}

void AddDownload(CLI::App* certificate, Action* action) {
  auto args = std::make_shared<CertificateDownloadArgs>();
  CLI::App* sub = certificate->add_subcommand(
      "download", "Write a certificate and its private key to a file (mode 0600)");
  sub->add_option("--vault", args->vault, "Vault name")->required();
  sub->add_option("--name", args->name, "Certificate name")->required();
  sub->add_option("--version", args->version, "Version (default: the latest)");
  sub->add_option("--file", args->file, "Output file (created with mode 0600)")->required();
  sub->add_option("--format", args->format, "pem (text) or pfx (PKCS#12, no password)")
      ->check(CLI::IsMember({"pem", "pfx"}))
      ->capture_default_str();
  sub->callback([=] { *action = [=](const Session& s) { return DownloadCertificate(s, *args); }; });
}

}  // namespace

void AddCertificateCommands(CLI::App& app, Action* action) {
  CLI::App* certificate =
      app.add_subcommand("certificate", "Manage the certificates of a vault (data plane)");
  certificate->require_subcommand(1);
  AddCreate(certificate, action);
  AddImport(certificate, action);

  auto show = std::make_shared<CertificateFlags>();
  AddSubcommand(certificate, "show", "Show a certificate, its policy and attributes", show.get(),
                true)
      ->add_option("--version", show->version, "Version (default: the latest)");
  certificate->get_subcommand("show")->callback([=] {
    *action = [=](const Session& s) {
      return ShowCertificate(s, show->vault, show->name, show->version);
    };
  });

  using ByName = Status (*)(const Session&, std::string_view, std::string_view);
  const std::vector<std::tuple<const char*, const char*, ByName>> by_name = {
      {"versions", "List the versions of a certificate", ListCertificateVersions},
      {"delete",
       "Delete a certificate with its key and secret (soft delete: recoverable until purged)",
       DeleteCertificate},
      {"recover", "Recover a deleted certificate", RecoverCertificate},
      {"purge", "Permanently delete a deleted certificate", PurgeCertificate},
  };
  for (const auto& [name, help, run] : by_name) {
    auto f = std::make_shared<CertificateFlags>();
    AddSubcommand(certificate, name, help, f.get(), true)->callback([=, run = run] {
      *action = [=](const Session& s) { return run(s, f->vault, f->name); };
    });
  }
  using ByVault = Status (*)(const Session&, std::string_view);
  const std::vector<std::tuple<const char*, const char*, ByVault>> by_vault = {
      {"list", "List the certificates of a vault", ListCertificates},
      {"list-deleted", "List the deleted certificates of a vault", ListDeletedCertificates},
  };
  for (const auto& [name, help, run] : by_vault) {
    auto f = std::make_shared<CertificateFlags>();
    AddSubcommand(certificate, name, help, f.get(), false)->callback([=, run = run] {
      *action = [=](const Session& s) { return run(s, f->vault); };
    });
  }

  auto backup = std::make_shared<CertificateFlags>();
  CLI::App* backup_cmd = AddSubcommand(
      certificate, "backup", "Write a certificate's backup blob to a file", backup.get(), true);
  backup_cmd->add_option("--file", backup->file, "Output file (created with mode 0600)")
      ->required();
  backup_cmd->callback([=] {
    *action = [=](const Session& s) {
      return BackupCertificate(s, backup->vault, backup->name, backup->file);
    };
  });
  auto restore = std::make_shared<CertificateFlags>();
  CLI::App* restore_cmd = AddSubcommand(
      certificate, "restore", "Restore a certificate from a backup file", restore.get(), false);
  restore_cmd->add_option("--file", restore->file, "Backup file")->required();
  restore_cmd->callback([=] {
    *action = [=](const Session& s) {
      return RestoreCertificate(s, restore->vault, restore->file);
    };
  });

  AddDownload(certificate, action);
}

}  // namespace kh::cli
