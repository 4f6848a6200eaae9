// The client configuration file $CLAW_HOME/config.toml (man claw-config(5)) and how a
// command's effective settings are chosen: flags win over the environment, the environment
// over the file, the file over built-in defaults.
//
//   default_profile = "prod"
//   [profiles.prod]
//   server = "https://arena.example"   key = "alice"   agent_id = "..."   output = "table"
//   connect_timeout = 5   timeout = 30   retries = 3
//
// Not thread-safe (reads the process environment through the given EnvFn).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/status.h"

namespace claw::cli {

using ProfileValues = std::map<std::string, std::string>;

struct ConfigFile {
  std::string default_profile;                    // empty: "default"
  std::map<std::string, ProfileValues> profiles;  // name -> key -> value (text)
};

// The keys a profile may hold, in documentation order.
const std::vector<std::string>& ProfileKeys();
// InvalidArgument naming the key and the accepted values when `value` is not allowed.
Status ValidateSetting(const std::string& key, const std::string& value);
// Profile names are 1-64 chars of [A-Za-z0-9_-] (TOML bare keys).
bool IsValidProfileName(const std::string& name);

// $CLAW_HOME/config.toml (cli/context.h ClawHome()).
std::string ConfigPath();
// An absent file is an empty config. A malformed one is DataLoss naming the path and line
// (exit 8); an unknown key or bad value is InvalidArgument.
Result<ConfigFile> LoadConfig(const std::string& path);
// The TOML text SaveConfig writes (stable order, one table per profile).
std::string FormatConfig(const ConfigFile& config);
// Writes atomically with mode 0600 (creating $CLAW_HOME 0700 when needed).
Status SaveConfig(const std::string& path, const ConfigFile& config);

// Global flags of the client commands; empty means "not given".
struct ClientFlags {
  std::string profile;
  std::string server;
  std::string key;
  std::string passphrase_file;
  bool json = false;
};

// Environment lookup; nullopt when unset or empty.
using EnvFn = std::function<std::optional<std::string>(const std::string& name)>;
EnvFn ProcessEnv();

struct Settings {
  std::string profile;  // the selected profile's name
  bool profile_exists = false;
  std::string server = "http://127.0.0.1:8080";
  std::string key = "default";
  std::string agent_id;
  std::string output = "table";  // "table" or "json"
  std::int64_t connect_timeout_ms = 5000;
  std::int64_t timeout_ms = 30000;
  int retries = 3;  // retries after the first attempt
  std::string passphrase_file;
};

// Profile: --profile, CLAW_PROFILE, default_profile, "default". Then per key: flag, environment
// (CLAW_SERVER, CLAW_KEY, CLAW_AGENT_ID, CLAW_OUTPUT), profile, default. --json sets output.
// InvalidArgument for a bad profile name or value; an absent profile is not an error here.
Result<Settings> ResolveSettings(const ConfigFile& file, const ClientFlags& flags, const EnvFn& env);

}  // namespace claw::cli
