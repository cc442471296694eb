#pragma once
// The verbs of the `wow` command line. Each returns the process exit code; bad input throws InputError.
#include <string>
#include <vector>

namespace wow::cli {

int run_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int describe_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
void print_usage();

}  // namespace wow::cli
