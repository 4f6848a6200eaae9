// claw keygen, claw keys list|show|export-public|import|passwd|rm (man/claw-keys.1).
// Parses flags and prints; the keystore does the work (keystore/keystore.h).
#include <sodium.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "keystore/keystore.h"

namespace claw::cli {
namespace {

namespace ks = claw::keystore;
using nlohmann::ordered_json;

// Usage and missing things keep their general exit codes; everything else is a keystore
// failure (wrong passphrase, edited file, key exists, unreadable directory).
void FailKeys(Context& ctx, const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound) {
    ctx.Fail(s);
  } else {
    ctx.Fail(s, kExitKeystore);
  }
}

ks::Keystore OpenStore(Context& ctx) {
  ks::Keystore store(ClawHome());
  store.SetWarningHandler(
      [&ctx](const std::string& text) { *ctx.err << ctx.prog << ": warning: " << text << "\n"; });
  return store;
}

ordered_json InfoJson(const ks::KeyInfo& k) {
  ordered_json j = {{"name", k.name},
                    {"public_key", k.public_key},
                    {"fingerprint", k.fingerprint},
                    {"path", k.path}};
  if (!k.problem.empty()) {
    j["error"] = k.problem;
    return j;
  }
  j["kdf"] = {{"alg", "argon2id13"}, {"opslimit", k.opslimit}, {"memlimit", k.memlimit}};
  j["loose_permissions"] = k.loose_permissions;
  return j;
}

void PrintInfo(Context& ctx, const ks::KeyInfo& k) {
  if (ctx.json) {
    *ctx.out << InfoJson(k).dump() << "\n";
    return;
  }
  *ctx.out << "name:        " << k.name << "\n"
           << "public_key:  " << k.public_key << "\n"
           << "fingerprint: " << k.fingerprint << "\n"
           << "file:        " << k.path << "\n"
           << "kdf:         argon2id13 opslimit=" << k.opslimit << " memlimit=" << k.memlimit
           << "\n";
}

struct SealOptions {
  std::string name = "default";
  std::string passphrase_file;
  std::string new_passphrase_file;
  std::string seed_file;
  bool force = false;
  ks::KdfLimits limits;
};

void AddKdfFlags(CLI::App* cmd, SealOptions& o) {
  cmd->add_option("--kdf-ops", o.limits.opslimit,
                  "Argon2id passes (default 2, libsodium INTERACTIVE; 1..64)");
  cmd->add_option("--kdf-mem", o.limits.memlimit,
                  "Argon2id memory in bytes (default 67108864 = 64 MiB, INTERACTIVE)");
}

void WarnWeakLimits(Context& ctx, const ks::KdfLimits& l) {
  if ((l.opslimit != 0 && l.opslimit < crypto_pwhash_OPSLIMIT_INTERACTIVE) ||
      (l.memlimit != 0 && l.memlimit < crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
    *ctx.err << ctx.prog << ": warning: kdf limits below libsodium's interactive profile make "
             << "the passphrase easy to guess; use them only for tests\n";
  }
}

// Refuses before asking for a passphrase; Seal's link(2) still guards against a race.
Status CheckAbsent(const ks::Keystore& store, const SealOptions& o) {
  CLAW_RETURN_IF_ERROR(ks::ValidateKeyName(o.name));
  if (o.force || ::access(store.KeyPath(o.name).c_str(), F_OK) != 0) return Status::Ok();
  return Status::AlreadyExists("key '" + o.name + "' exists",
                               "use --force to replace it (the old key is lost for good), or "
                               "choose another --name");
}

Result<ks::Secret> NewPassphrase(const std::string& file, const std::string& name,
                                 bool is_new_key) {
  ks::PassphraseSource src;
  src.file = file;
  src.confirm = true;
  src.prompt = "Passphrase for new key '" + name + "'";
  if (!is_new_key) {
    src.env.clear();  // CLAW_KEYSTORE_PASSPHRASE is the current one
    src.prompt = "New passphrase for key '" + name + "'";
  }
  auto pass = ks::ReadPassphrase(src);
  if (!is_new_key && !pass.ok() && file.empty()) {
    return Status(pass.status().code(), pass.status().message(), "pass --new-passphrase-file FILE");
  }
  return pass;
}

void RunSeal(Context& ctx, const SealOptions& o, bool import) {
  auto store = OpenStore(ctx);
  Status s = CheckAbsent(store, o);
  if (!s.ok()) return FailKeys(ctx, s);
  Result<ks::Secret> seed = ks::Secret();
  if (import) seed = ks::ReadSeedFile(o.seed_file);
  if (!seed.ok()) return FailKeys(ctx, seed.status());
  WarnWeakLimits(ctx, o.limits);
  auto pass = NewPassphrase(o.passphrase_file, o.name, true);
  if (!pass.ok()) return FailKeys(ctx, pass.status());
  auto info = import ? store.Import(o.name, *seed, *pass, o.force, o.limits)
                     : store.Generate(o.name, *pass, o.force, o.limits);
  if (!info.ok()) return FailKeys(ctx, info.status());
  PrintInfo(ctx, *info);
}

void RunPasswd(Context& ctx, const SealOptions& o) {
  auto store = OpenStore(ctx);
  auto info = store.Info(o.name);
  if (!info.ok()) return FailKeys(ctx, info.status());
  WarnWeakLimits(ctx, o.limits);
  ks::PassphraseSource old_src;
  old_src.file = o.passphrase_file;
  old_src.prompt = "Current passphrase for key '" + o.name + "'";
  auto old_pass = ks::ReadPassphrase(old_src);
  if (!old_pass.ok()) return FailKeys(ctx, old_pass.status());
  // Check the old passphrase before asking for a new one.
  auto key = store.Load(o.name, *old_pass);
  if (!key.ok()) return FailKeys(ctx, key.status());
  auto new_pass = NewPassphrase(o.new_passphrase_file, o.name, false);
  if (!new_pass.ok()) return FailKeys(ctx, new_pass.status());
  Status s = store.ChangePassphrase(o.name, *old_pass, *new_pass, o.limits);
  if (!s.ok()) return FailKeys(ctx, s);
  if (ctx.json) {
    *ctx.out << ordered_json{{"name", o.name}, {"passphrase_changed", true}}.dump() << "\n";
  } else {
    *ctx.out << "changed the passphrase of key '" << o.name << "'\n";
  }
}

void RunList(Context& ctx) {
  auto keys = OpenStore(ctx).List();
  if (!keys.ok()) return FailKeys(ctx, keys.status());
  if (ctx.json) {
    ordered_json arr = ordered_json::array();
    for (const auto& k : *keys) arr.push_back(InfoJson(k));
    *ctx.out << arr.dump() << "\n";
    return;
  }
  for (const auto& k : *keys) {
    if (!k.problem.empty()) {
      *ctx.out << k.name << "  (unreadable: " << k.problem << ")\n";
    } else {
      *ctx.out << k.name << "  " << k.fingerprint << "  " << k.public_key << "\n";
    }
  }
}

void RunShow(Context& ctx, const std::string& name, bool public_only) {
  auto info = OpenStore(ctx).Info(name);
  if (!info.ok()) return FailKeys(ctx, info.status());
  if (!public_only) return PrintInfo(ctx, *info);
  if (ctx.json) {
    *ctx.out << ordered_json{{"name", info->name},
                             {"public_key", info->public_key},
                             {"fingerprint", info->fingerprint}}
                    .dump()
             << "\n";
  } else {
    *ctx.out << info->public_key << "\n";
  }
}

void RunRemove(Context& ctx, const std::string& name) {
  auto store = OpenStore(ctx);
  Status s = store.Remove(name);
  if (!s.ok()) return FailKeys(ctx, s);
  if (ctx.json) {
    *ctx.out
        << ordered_json{{"name", name}, {"removed", true}, {"path", store.KeyPath(name)}}.dump()
        << "\n";
  } else {
    *ctx.out << "removed key '" << name << "' (" << store.KeyPath(name) << ")\n";
  }
}

void AddKeygen(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SealOptions>();
  auto* cmd = app.add_subcommand("keygen", "Generate an Ed25519 key and seal it in the keystore");
  cmd->add_option("--name", o->name, "Key name (default \"default\")");
  cmd->add_flag("--force", o->force, "Replace an existing key of that name (it is lost)");
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "Read the passphrase from this file (one trailing newline ignored)");
  AddKdfFlags(cmd, *o);
  cmd->callback([&ctx, o] { RunSeal(ctx, *o, false); });
}

void AddImport(CLI::App* keys, Context& ctx) {
  auto o = std::make_shared<SealOptions>();
  auto* cmd = keys->add_subcommand("import", "Seal an existing 32-byte Ed25519 seed");
  cmd->add_option("name", o->name, "Key name")->required();
  cmd->add_option("--seed-file", o->seed_file, "32 raw bytes, or hex or base64 text of them")
      ->required();
  cmd->add_flag("--force", o->force, "Replace an existing key of that name (it is lost)");
  cmd->add_option("--passphrase-file", o->passphrase_file, "Read the passphrase from this file");
  AddKdfFlags(cmd, *o);
  cmd->callback([&ctx, o] { RunSeal(ctx, *o, true); });
}

void AddPasswd(CLI::App* keys, Context& ctx) {
  auto o = std::make_shared<SealOptions>();
  auto* cmd = keys->add_subcommand("passwd", "Change a key's passphrase");
  cmd->add_option("name", o->name, "Key name")->required();
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "Read the current passphrase from this file");
  cmd->add_option("--new-passphrase-file", o->new_passphrase_file,
                  "Read the new passphrase from this file");
  AddKdfFlags(cmd, *o);
  cmd->callback([&ctx, o] { RunPasswd(ctx, *o); });
}

void AddByName(CLI::App* keys, Context& ctx, const char* verb, const char* help,
               void (*run)(Context&, const std::string&)) {
  auto name = std::make_shared<std::string>();
  auto* cmd = keys->add_subcommand(verb, help);
  cmd->add_option("name", *name, "Key name")->required();
  cmd->callback([&ctx, name, run] { run(ctx, *name); });
}

}  // namespace

void AddKeyCommands(CLI::App& app, Context& ctx) {
  AddKeygen(app, ctx);
  auto* keys = app.add_subcommand("keys", "Manage the keystore (see man claw-keys)");
  keys->require_subcommand(1);
  keys->add_subcommand("list", "List keys: name, fingerprint, public key (no passphrase)")
      ->callback([&ctx] { RunList(ctx); });
  AddByName(keys, ctx, "show", "Show a key's public header (no passphrase)",
            [](Context& c, const std::string& n) { RunShow(c, n, false); });
  AddByName(keys, ctx, "export-public", "Print a key's public key (base64url)",
            [](Context& c, const std::string& n) { RunShow(c, n, true); });
  AddImport(keys, ctx);
  AddPasswd(keys, ctx);
  AddByName(keys, ctx, "rm", "Delete a key file for good (no passphrase asked)", &RunRemove);
}

}  // namespace claw::cli
