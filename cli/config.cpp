#include "cli/config.h"

#include <cstdlib>
#include <sstream>
#include <toml.hpp>

#include "cli/context.h"
#include "keystore/file_io.h"

namespace claw::cli {
namespace {

bool AllDigits(const std::string& s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsNumericKey(const std::string& key) {
  return key == "connect_timeout" || key == "timeout" || key == "retries";
}

// A TOML basic string.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char* hex = "0123456789ABCDEF";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

Result<std::string> ValueText(const toml::value& v, const std::string& where) {
  if (v.is_string()) return std::string(v.as_string().str);
  if (v.is_integer()) return std::to_string(v.as_integer());
  return Status::InvalidArgument("'" + where + "' must be a string or an integer");
}

}  // namespace

const std::vector<std::string>& ProfileKeys() {
  static const std::vector<std::string> kKeys = {"server", "key", "agent_id", "output",
                                                 "connect_timeout", "timeout", "retries"};
  return kKeys;
}

bool IsValidProfileName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateSetting(const std::string& key, const std::string& value) {
  if (key == "server") {
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
      return Status::InvalidArgument("server '" + value + "' is not an http:// or https:// URL",
                                     "e.g. http://127.0.0.1:8080");
    }
  } else if (key == "output") {
    if (value != "table" && value != "json") {
      return Status::InvalidArgument("output '" + value + "' must be table or json");
    }
  } else if (key == "connect_timeout" || key == "timeout") {
    if (!AllDigits(value, 6) || std::stol(value) < 1) {
      return Status::InvalidArgument(key + " '" + value + "' must be whole seconds, at least 1");
    }
  } else if (key == "retries") {
    if (!AllDigits(value, 2) || std::stoi(value) > 10) {
      return Status::InvalidArgument("retries '" + value + "' must be 0 to 10");
    }
  } else if (key == "key" || key == "agent_id") {
    if (value.empty()) return Status::InvalidArgument(key + " must not be empty");
  } else {
    std::string known;
    for (const std::string& k : ProfileKeys()) known += (known.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("unknown setting '" + key + "'", "settings: " + known +
                                                                         ", and default_profile");
  }
  return Status::Ok();
}

std::string ConfigPath() { return ClawHome() + "/config.toml"; }

Result<ConfigFile> LoadConfig(const std::string& path) {
  ConfigFile config;
  Result<std::string> text = keystore::ReadWholeFile(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return config;
    return text.status();
  }
  toml::value root;
  try {
    std::istringstream in(*text);
    root = toml::parse(in, path);
  } catch (const std::exception& e) {
    return Status::DataLoss("config '" + path + "' is not valid TOML: " + e.what(),
                            "fix the file or remove it and use 'claw config set'");
  }
  auto bad = [&](const std::string& m) {
    return Status::InvalidArgument("config '" + path + "': " + m, "see man 5 claw-config");
  };
  for (const auto& [top, v] : root.as_table()) {
    if (top == "default_profile") {
      if (!v.is_string() || !IsValidProfileName(v.as_string().str)) {
        return bad("default_profile must be a profile name");
      }
      config.default_profile = v.as_string().str;
    } else if (top == "profiles") {
      if (!v.is_table()) return bad("'profiles' must be a table");
      for (const auto& [name, body] : v.as_table()) {
        if (!IsValidProfileName(name) || !body.is_table()) {
          return bad("'profiles." + name + "' must be a table with a plain name");
        }
        ProfileValues& values = config.profiles[name];
        for (const auto& [key, value] : body.as_table()) {
          const std::string where = "profiles." + name + "." + key;
          Result<std::string> t = ValueText(value, where);
          if (!t.ok()) return bad(t.status().message());
          Status s = ValidateSetting(key, *t);
          if (!s.ok()) return bad(where + ": " + s.message());
          values[key] = *t;
        }
      }
    } else {
      return bad("unknown key '" + top + "' (expected default_profile and [profiles.NAME])");
    }
  }
  return config;
}

std::string FormatConfig(const ConfigFile& config) {
  std::string out =
      "# claw client configuration (man 5 claw-config); 'claw config set' rewrites this file.\n";
  if (!config.default_profile.empty()) out += "default_profile = " + Quote(config.default_profile) + "\n";
  for (const auto& [name, values] : config.profiles) {
    out += "\n[profiles." + name + "]\n";
    for (const std::string& key : ProfileKeys()) {
      auto it = values.find(key);
      if (it == values.end()) continue;
      out += key + " = " + (IsNumericKey(key) && AllDigits(it->second, 9) ? it->second : Quote(it->second)) + "\n";
    }
  }
  return out;
}

Status SaveConfig(const std::string& path, const ConfigFile& config) {
  const std::size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    CLAW_RETURN_IF_ERROR(keystore::EnsurePrivateDir(path.substr(0, slash)));
  }
  return keystore::AtomicWriteFile(path, FormatConfig(config), /*overwrite=*/true);
}

EnvFn ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

Result<Settings> ResolveSettings(const ConfigFile& file, const ClientFlags& flags, const EnvFn& env) {
  Settings s;
  if (!flags.profile.empty()) {
    s.profile = flags.profile;
  } else if (auto p = env("CLAW_PROFILE")) {
    s.profile = *p;
  } else if (!file.default_profile.empty()) {
    s.profile = file.default_profile;
  } else {
    s.profile = "default";
  }
  if (!IsValidProfileName(s.profile)) {
    return Status::InvalidArgument("profile name '" + s.profile + "' is not 1-64 of [A-Za-z0-9_-]");
  }
  auto it = file.profiles.find(s.profile);
  s.profile_exists = it != file.profiles.end();
  const ProfileValues empty;
  const ProfileValues& values = s.profile_exists ? it->second : empty;
  // flag > environment > file; empty when none gives a value.
  auto pick = [&](const std::string& flag, const char* env_name, const std::string& key,
                  const std::string& origin_flag) -> Result<std::optional<std::string>> {
    std::optional<std::string> v;
    std::string origin;
    if (!flag.empty()) {
      v = flag;
      origin = origin_flag;
    } else if (env_name && env(env_name)) {
      v = env(env_name);
      origin = env_name;
    } else if (auto f = values.find(key); f != values.end()) {
      v = f->second;
      origin = "profile '" + s.profile + "'";
    }
    if (v) {
      Status ok = ValidateSetting(key, *v);
      if (!ok.ok()) return ok.WithContext(origin);
    }
    return v;
  };
  struct Row {
    const std::string* flag;
    const char* env;
    const char* key;
    const char* origin;
  };
  const std::string none;
  const Row rows[] = {{&flags.server, "CLAW_SERVER", "server", "--server"},
                      {&flags.key, "CLAW_KEY", "key", "--key"},
                      {&none, "CLAW_AGENT_ID", "agent_id", ""},
                      {&none, "CLAW_OUTPUT", "output", ""},
                      {&none, nullptr, "connect_timeout", ""},
                      {&none, nullptr, "timeout", ""},
                      {&none, nullptr, "retries", ""}};
  for (const Row& row : rows) {
    Result<std::optional<std::string>> v = pick(*row.flag, row.env, row.key, row.origin);
    if (!v.ok()) return v.status();
    if (!*v) continue;
    const std::string& text = **v;
    const std::string key = row.key;
    if (key == "server") s.server = text;
    else if (key == "key") s.key = text;
    else if (key == "agent_id") s.agent_id = text;
    else if (key == "output") s.output = text;
    else if (key == "connect_timeout") s.connect_timeout_ms = std::stol(text) * 1000;
    else if (key == "timeout") s.timeout_ms = std::stol(text) * 1000;
    else if (key == "retries") s.retries = std::stoi(text);
  }
  while (!s.server.empty() && s.server.back() == '/') s.server.pop_back();
  if (flags.json) s.output = "json";
  s.passphrase_file = flags.passphrase_file;
  return s;
}

}  // namespace claw::cli
