// Loading an Ed25519 signing key by name for the protocol commands, and reading input files.
//
// Shared by cmd_sign.cpp, cmd_commit.cpp and cmd_dpop.cpp. Not thread-safe (prompts on a TTY).
#pragma once

#include <optional>
#include <string>

#include "cli/context.h"
#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::cli {

// Unseals key `name` from ClawHome() with the passphrase from `passphrase_file`, the
// environment or a prompt. On failure reports through ctx.Fail (keystore failures exit 7)
// and returns nullopt. The returned bytes are the 64-byte libsodium secret key.
std::optional<client::Bytes> LoadSecretKey(Context& ctx, const std::string& name,
                                           const std::string& passphrase_file);
// The public key of key `name` (no passphrase needed). Reports failures like LoadSecretKey.
std::optional<client::Bytes> LoadPublicKey(Context& ctx, const std::string& name);

// Whole file as bytes. NotFound / IOError with the path quoted.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace claw::cli
