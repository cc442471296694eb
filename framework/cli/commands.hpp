#pragma once
// The verbs of the `wow` command line. Each returns the process exit code; bad input throws InputError.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "core/plugin_loader.hpp"
#include "wow/registry.hpp"

namespace wow::cli {

// Parses a verb's options; unknown or malformed options are bad input (InputError naming the verb), not crashes.
boost::program_options::variables_map parse_options(
    const std::vector<std::string>& args, const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional, const std::string& verb);

// --help and --plugin-dir, which every verb takes.
boost::program_options::options_description common_options();

// The registry with every plugin loaded; it must outlive every component it creates.
struct LoadedPlugins {
  PluginSet plugins;  // declared first so it is destroyed last: factories live in its libraries
  Registry registry;
  explicit LoadedPlugins(const std::string& dir);
};

int run_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int describe_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
int sweep_command(const std::vector<std::string>& args);
int compare_command(const std::vector<std::string>& args);
void print_usage();

}  // namespace wow::cli
