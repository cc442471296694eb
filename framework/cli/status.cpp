// `wow status DIR... [--json]`: one line per run directory (or a JSON object each), read without the run's lock.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "run/run_status.hpp"
#include "wow/errors.hpp"

namespace po = boost::program_options;

namespace wow::cli {

int status_command(const std::vector<std::string>& args) {
  po::options_description o("wow status RUN_DIR... [--json]");
  o.add_options()("help,h", "show this help")("json", "print a JSON object per run (an array for several)")(
      "dir", po::value<std::vector<std::string>>(), "run directories");
  po::positional_options_description pos;
  pos.add("dir", -1);
  const auto vm = parse_options(args, o, pos, "status");
  if (vm.count("help")) {
    std::cout << o
              << "\nStates: complete, running (its process alive, or gone: then resume it), interrupted, failed, "
                 "diverged.\n";
    return kExitOk;
  }
  if (!vm.count("dir")) throw InputError("wow status: give a run directory (see wow status --help)");
  const auto dirs = vm["dir"].as<std::vector<std::string>>();
  Json all = Json::array();
  for (const auto& dir : dirs) {
    const RunState state = read_run_state(dir);
    if (vm.count("json"))
      all.push_back(to_json(state));
    else
      std::printf("%s\n", one_line(state).c_str());
  }
  if (vm.count("json")) std::printf("%s\n", (dirs.size() == 1 ? all[0] : all).dump(2).c_str());
  return kExitOk;
}

}  // namespace wow::cli
