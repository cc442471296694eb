// wow: the WoWFlow command line. Errors are one "error:" line on stderr; exit codes follow design.md.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/exception_type.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

int main(int argc, char** argv) {
  // A full disk or a file-size limit must surface as a failed write (exit 4, checkpoint kept), not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  // A flow step allocates and frees the same buffers every step (the functional's k x k matrices: 320 KB each at
  // 200 classes). glibc would map and unmap those above 128 KB, or trim them off the heap, each time, and the page
  // faults cost more than the functional (measured at C = M = 100: 4.7 ms against 1.8 ms per step). Keep them.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    wow::cli::print_usage();
    return args.empty() ? wow::kExitBadInput : wow::kExitOk;
  }
  if (args[0] == "--version" || args[0] == "version") {
#ifdef WOW_HAVE_MPI
    const char* mpi = ", sweeps under MPI";
#else
    const char* mpi = "";
#endif
    std::printf("wow %s (WoWFlow), plugin API %d%s\n", WOW_VERSION, WOW_PLUGIN_API_VERSION, mpi);
    return wow::kExitOk;
  }
  const std::string verb = args[0];
  args.erase(args.begin());
  try {
    if (verb == "run") return wow::cli::run_command(args);
    if (verb == "plugins") return wow::cli::plugins_command(args);
    if (verb == "describe") return wow::cli::describe_command(args);
    if (verb == "bench") return wow::cli::bench_command(args);
    if (verb == "status") return wow::cli::status_command(args);
    if (verb == "sweep") return wow::cli::sweep_command(args);
    if (verb == "compare") return wow::cli::compare_command(args);
    throw wow::InputError("unknown command \"" + verb +
                          "\"; valid: run, sweep, compare, status, plugins, describe, bench (see wow --help)");
  } catch (const wow::InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return wow::kExitBadInput;
  } catch (const wow::IoError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return wow::kExitIoFailure;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory\n");
    return wow::kExitIoFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal error: %s\n", e.what());
    return 1;
  } catch (...) {
    // Never an abort: an exception of any type (a plugin's int, say) still ends in one line.
    std::fprintf(stderr, "error: internal error: an exception of type %s\n", wow::current_exception_type().c_str());
    return 1;
  }
}
