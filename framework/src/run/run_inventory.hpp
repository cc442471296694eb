#pragma once
// What a run directory may hold, so that `--force` replaces only what wow made (docs/reliability.md): a directory
// whose status.json and resolved_spec.json parse as ours and that holds nothing else unknown. The same rule guards
// sweep directories.
#include <string>

namespace wow {

// The one rule for "this is a wow run directory", used by --force, --resume, `wow status` and sweeps: status.json and
// resolved_spec.json there parse as wow's. Returns "" when it is, else why not (naming the file). Touches nothing.
std::string why_not_a_run_directory(const std::string& dir);

// Throws InputError, naming `dir` and what was found there, unless `dir` may be replaced by a new run:
// an empty directory, or a wow run directory with no foreign entry. Refuses a plain file, a symbolic link, the
// filesystem root, the home directory, the working directory and any of its parents. Touches nothing.
// With check_lock, a directory whose lock another process holds is refused too.
void require_replaceable_run_directory(const std::string& dir, bool check_lock = true);

// Why `dir` may never be replaced ("the home directory", ...), or "" when nothing protects it.
std::string protected_directory_reason(const std::string& dir);

// The first entry under `dir` (relative path) that a run does not write, or "" when there is none.
std::string foreign_run_entry(const std::string& dir);

// Removes every entry of run directory `dir` except its lock file (the caller holds that lock).
void clear_run_directory(const std::string& dir);

}  // namespace wow
