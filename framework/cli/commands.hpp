#pragma once
// The verbs of the `wow` command line. Each returns the process exit code; bad input throws InputError.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace wow::cli {

// Parses a verb's options; unknown or malformed options are bad input (InputError naming the verb), not crashes.
boost::program_options::variables_map parse_options(
    const std::vector<std::string>& args, const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional, const std::string& verb);

int run_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int describe_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
void print_usage();

}  // namespace wow::cli
