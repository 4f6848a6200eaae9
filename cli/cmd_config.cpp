// claw config get|set|unset|list (man/claw-config.5): the profiles in $CLAW_HOME/config.toml.
// get/set/unset act on the selected profile (--profile, CLAW_PROFILE, default_profile, "default").
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

struct Loaded {
  ConfigFile file;
  std::string profile;
};

std::optional<Loaded> Load(Context& ctx) {
  Result<ConfigFile> file = LoadConfig(ConfigPath());
  if (!file.ok()) {
    ctx.Fail(file.status(), file.status().code() == StatusCode::kInvalidArgument ? kExitData : ExitCodeFor(file.status()));
    return std::nullopt;
  }
  // Only the profile choice matters here; resolve it without validating the other settings.
  std::string profile = ctx.client_flags.profile;
  if (profile.empty()) profile = ProcessEnv()("CLAW_PROFILE").value_or("");
  if (profile.empty()) profile = file->default_profile.empty() ? "default" : file->default_profile;
  if (!IsValidProfileName(profile)) {
    ctx.Fail(Status::InvalidArgument("profile name '" + profile + "' is not 1-64 of [A-Za-z0-9_-]"));
    return std::nullopt;
  }
  return Loaded{std::move(file).value(), profile};
}

void RunGet(Context& ctx, const std::string& key) {
  auto c = Load(ctx);
  if (!c) return;
  std::optional<std::string> value;
  if (key == "default_profile") {
    if (!c->file.default_profile.empty()) value = c->file.default_profile;
  } else {
    Status s = ValidateSetting(key, "x");
    if (!s.ok() && s.message().rfind("unknown", 0) == 0) return ctx.Fail(s);
    auto p = c->file.profiles.find(c->profile);
    if (p != c->file.profiles.end()) {
      if (auto v = p->second.find(key); v != p->second.end()) value = v->second;
    }
  }
  if (!value) {
    return ctx.Fail(Status::NotFound("'" + key + "' is not set in profile '" + c->profile + "'",
                                     "claw config set " + key + " VALUE"));
  }
  if (ctx.json) {
    *ctx.out << ordered_json{{"profile", c->profile}, {"key", key}, {"value", *value}}.dump() << "\n";
  } else {
    *ctx.out << *value << "\n";
  }
}

void RunSet(Context& ctx, const std::string& key, const std::string& value, bool unset) {
  auto c = Load(ctx);
  if (!c) return;
  if (key == "default_profile") {
    if (!unset && !IsValidProfileName(value)) {
      return ctx.Fail(Status::InvalidArgument("profile name '" + value + "' is not 1-64 of [A-Za-z0-9_-]"));
    }
    c->file.default_profile = unset ? "" : value;
  } else if (unset) {
    Status s = ValidateSetting(key, "x");
    if (!s.ok() && s.message().rfind("unknown", 0) == 0) return ctx.Fail(s);
    auto p = c->file.profiles.find(c->profile);
    if (p != c->file.profiles.end()) p->second.erase(key);
  } else {
    Status s = ValidateSetting(key, value);
    if (!s.ok()) return ctx.Fail(s);
    std::string v = value;
    if (key == "server") {
      while (!v.empty() && v.back() == '/') v.pop_back();
    }
    c->file.profiles[c->profile][key] = v;
  }
  Status s = SaveConfig(ConfigPath(), c->file);
  if (!s.ok()) return ctx.Fail(s);
  if (ctx.json) {
    *ctx.out << ordered_json{{"profile", c->profile}, {"key", key}, {"value", unset ? ordered_json(nullptr) : ordered_json(value)}}.dump()
             << "\n";
  } else if (!ctx.quiet) {
    *ctx.err << (unset ? "unset " : "set ") << key << " in profile '" << c->profile << "' (" << ConfigPath()
             << ")\n";
  }
}

void RunList(Context& ctx) {
  auto c = Load(ctx);
  if (!c) return;
  if (ctx.json) {
    ordered_json profiles = ordered_json::object();
    for (const auto& [name, values] : c->file.profiles) {
      ordered_json p = ordered_json::object();
      for (const std::string& k : ProfileKeys()) {
        if (auto v = values.find(k); v != values.end()) p[k] = v->second;
      }
      profiles[name] = p;
    }
    *ctx.out << ordered_json{{"path", ConfigPath()},
                             {"default_profile", c->file.default_profile.empty() ? "default" : c->file.default_profile},
                             {"selected_profile", c->profile},
                             {"profiles", profiles}}
                    .dump()
             << "\n";
    return;
  }
  *ctx.out << "# " << ConfigPath() << " (selected profile: " << c->profile << ")\n";
  for (const auto& [name, values] : c->file.profiles) {
    for (const std::string& k : ProfileKeys()) {
      if (auto v = values.find(k); v != values.end()) *ctx.out << name << "." << k << " = " << v->second << "\n";
    }
  }
}

}  // namespace

void AddConfigCommands(CLI::App& app, Context& ctx) {
  auto* config = app.add_subcommand("config", "Read and change profiles in config.toml: config get|set|unset|list");
  config->require_subcommand(1);
  config->footer("Settings: server, key, agent_id, output (table|json), connect_timeout, timeout (seconds),\n"
                 "retries; and default_profile. See man 5 claw-config.");
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto* get = config->add_subcommand("get", "Print one setting of the selected profile");
  get->add_option("key", *key, "Setting name")->required();
  get->callback([&ctx, key] { RunGet(ctx, *key); });
  auto* set = config->add_subcommand("set", "Change one setting of the selected profile");
  set->add_option("key", *key, "Setting name")->required();
  set->add_option("value", *value, "New value")->required();
  set->callback([&ctx, key, value] { RunSet(ctx, *key, *value, false); });
  auto* unset = config->add_subcommand("unset", "Remove one setting from the selected profile");
  unset->add_option("key", *key, "Setting name")->required();
  unset->callback([&ctx, key] { RunSet(ctx, *key, "", true); });
  config->add_subcommand("list", "Print every profile's settings")->callback([&ctx] { RunList(ctx); });
}

}  // namespace claw::cli
