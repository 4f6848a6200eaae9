#include "cli/config.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace claw;
using namespace claw::cli;

namespace {

EnvFn FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigFile TwoProfiles() {
  ConfigFile f;
  f.default_profile = "prod";
  f.profiles["prod"] = {{"server", "https://prod.example"}, {"key", "alice"}, {"agent_id", "a-1"},
                        {"output", "table"}, {"retries", "5"}};
  f.profiles["dev"] = {{"server", "http://127.0.0.1:9000"}, {"key", "dev"}};
  return f;
}

std::string TempDir() {
  std::string dir = std::filesystem::temp_directory_path() / ("claw-config-test-XXXXXX");
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  return dir;
}

}  // namespace

TEST_CASE("settings come from flags, then environment, then the file, then defaults", "[cli]") {
  const ConfigFile f = TwoProfiles();
  SECTION("file only: the default profile") {
    Result<Settings> s = ResolveSettings(f, {}, FakeEnv({}));
    REQUIRE(s.ok());
    CHECK(s->profile == "prod");
    CHECK(s->server == "https://prod.example");
    CHECK(s->key == "alice");
    CHECK(s->agent_id == "a-1");
    CHECK(s->retries == 5);
    CHECK(s->timeout_ms == 30000);  // default
  }
  SECTION("environment over file") {
    Result<Settings> s = ResolveSettings(f, {}, FakeEnv({{"CLAW_SERVER", "http://env:1"}, {"CLAW_KEY", "envkey"},
                                                         {"CLAW_OUTPUT", "json"}}));
    REQUIRE(s.ok());
    CHECK(s->server == "http://env:1");
    CHECK(s->key == "envkey");
    CHECK(s->output == "json");
    CHECK(s->agent_id == "a-1");
  }
  SECTION("flags over environment") {
    ClientFlags flags;
    flags.server = "http://flag:2/";
    flags.key = "flagkey";
    flags.json = true;
    Result<Settings> s = ResolveSettings(f, flags, FakeEnv({{"CLAW_SERVER", "http://env:1"}, {"CLAW_KEY", "envkey"}}));
    REQUIRE(s.ok());
    CHECK(s->server == "http://flag:2");  // trailing slash dropped
    CHECK(s->key == "flagkey");
    CHECK(s->output == "json");
  }
  SECTION("profile: flag over CLAW_PROFILE over default_profile") {
    Result<Settings> env = ResolveSettings(f, {}, FakeEnv({{"CLAW_PROFILE", "dev"}}));
    REQUIRE(env.ok());
    CHECK(env->profile == "dev");
    CHECK(env->server == "http://127.0.0.1:9000");
    CHECK(env->agent_id.empty());
    ClientFlags flags;
    flags.profile = "prod";
    Result<Settings> flag = ResolveSettings(f, flags, FakeEnv({{"CLAW_PROFILE", "dev"}}));
    REQUIRE(flag.ok());
    CHECK(flag->profile == "prod");
  }
  SECTION("no file at all: built-in defaults") {
    Result<Settings> s = ResolveSettings(ConfigFile{}, {}, FakeEnv({}));
    REQUIRE(s.ok());
    CHECK(s->profile == "default");
    CHECK_FALSE(s->profile_exists);
    CHECK(s->server == "http://127.0.0.1:8080");
    CHECK(s->key == "default");
    CHECK(s->output == "table");
  }
  SECTION("a bad value names where it came from") {
    Result<Settings> s = ResolveSettings(f, {}, FakeEnv({{"CLAW_SERVER", "ftp://x"}}));
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message() == "CLAW_SERVER: server 'ftp://x' is not an http:// or https:// URL");
  }
}

TEST_CASE("config.toml round-trips and is written 0600", "[cli][io]") {
  const std::string dir = TempDir();
  const std::string path = dir + "/home/config.toml";
  ConfigFile f = TwoProfiles();
  f.profiles["dev"]["agent_id"] = "quote\"back\\slash";
  REQUIRE(SaveConfig(path, f).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Result<ConfigFile> back = LoadConfig(path);
  REQUIRE(back.ok());
  CHECK(back->default_profile == "prod");
  CHECK(back->profiles == f.profiles);
  std::filesystem::remove_all(dir);
}

TEST_CASE("config.toml errors: absent is empty, bad TOML is data loss, unknown keys named", "[cli][io]") {
  const std::string dir = TempDir();
  Result<ConfigFile> absent = LoadConfig(dir + "/none.toml");
  REQUIRE(absent.ok());
  CHECK(absent->profiles.empty());
  auto write = [&](const std::string& text) {
    std::ofstream(dir + "/c.toml") << text;
    return LoadConfig(dir + "/c.toml");
  };
  Result<ConfigFile> syntax = write("[profiles.a\nserver = 1\n");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.status().code() == StatusCode::kDataLoss);
  Result<ConfigFile> unknown = write("[profiles.a]\ncolour = \"red\"\n");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "config '" + dir + "/c.toml': profiles.a.colour: unknown setting 'colour'");
  Result<ConfigFile> numbers = write("[profiles.a]\nretries = 2\ntimeout = 9\n");
  REQUIRE(numbers.ok());
  CHECK(numbers->profiles["a"]["retries"] == "2");
  std::filesystem::remove_all(dir);
}
