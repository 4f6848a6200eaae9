// POSIX file operations the keystore needs: private directories, whole-file reads and
// crash-safe replacement. Errors name the path and the OS reason.
//
// Thread safety: functions on paths; concurrent writers of one path race (last rename wins).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sim/engine/status.h"

namespace claw::keystore {

// Creates `dir` (and missing parents) with mode 0700. An existing directory is left as is.
Status EnsurePrivateDir(const std::string& dir);

// Whole file. NotFound when absent; IOError otherwise (permission, not a regular file).
Result<std::string> ReadWholeFile(const std::string& path);

// Permission bits of `path` (st_mode & 07777). NotFound when absent.
Result<mode_t> FileMode(const std::string& path);

// Writes `data` to a 0600 temp file in the directory of `path`, fsyncs it, moves it to `path`
// and fsyncs the directory, so a crash leaves the old or the new file, never a mix.
// Without `overwrite`, AlreadyExists if `path` exists (checked atomically by link(2)).
Status AtomicWriteFile(const std::string& path, const std::string& data, bool overwrite);

// Unlinks `path` and fsyncs its directory. NotFound when absent.
Status RemoveFile(const std::string& path);

// Regular entries of `dir`, unsorted. NotFound when `dir` is absent.
Result<std::vector<std::string>> ListDir(const std::string& dir);

}  // namespace claw::keystore
