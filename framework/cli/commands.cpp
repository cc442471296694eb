#include "commands.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/plugin_loader.hpp"
#include "core/spec.hpp"
#include "run/runner.hpp"
#include "wow/errors.hpp"
#include "wow/registry.hpp"

namespace po = boost::program_options;

namespace wow::cli {

po::variables_map parse_options(const std::vector<std::string>& args, const po::options_description& options,
                                const po::positional_options_description& positional, const std::string& verb) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError("wow " + verb + ": " + e.what() + " (see wow " + verb + " --help)");
  }
  return vm;
}

po::options_description common_options() {
  po::options_description o("Common options");
  o.add_options()("help,h", "show this help")(
      "plugin-dir", po::value<std::string>()->default_value(""),
      "more plugin folders (colon-separated), loaded after the built-in plugins and $WOW_PLUGIN_PATH");
  return o;
}

LoadedPlugins::LoadedPlugins(const std::string& dir) { plugins.load_search_path(plugin_search_path(dir), registry); }

namespace {

void print_params(const ParamSchema& params, const std::string& indent) {
  for (const auto& p : params) {
    std::string line = indent + p.name + " (" + p.type_name();
    if (!p.default_value.is_null())
      line += ", default " + p.default_value.dump();
    else
      line += ", optional";
    if (!p.range_text().empty()) line += ", range " + p.range_text();
    if (!p.choices.empty()) {
      line += ", one of";
      for (const auto& c : p.choices) line += " " + c;
    }
    std::printf("%s): %s\n", line.c_str(), p.description.c_str());
  }
}

}  // namespace

void print_usage() {
  std::printf(
      "wow - flow labeled datasets with Wasserstein-over-Wasserstein gradient flows\n\n"
      "Usage:\n"
      "  wow run SPEC.json [--set KEY=VALUE]... [--out DIR] [--threads N] [--force] [--quiet]\n"
      "  wow run --resume RUN_DIR [--set solver.params.steps=N] [--threads N] [--quiet]\n"
      "  wow sweep SPEC.json [--set KEY=VALUE]... [--out DIR] [--jobs N] [--threads T] [--force] [--quiet]\n"
      "  mpirun -np R wow sweep SPEC.json ...\n"
      "  wow compare RUN_DIR... [--out FILE.png] [--metric NAME]\n"
      "  wow status RUN_DIR... [--json]\n"
      "  wow --version\n"
      "  wow plugins [--json]\n"
      "  wow describe TYPE|spec\n"
      "  wow bench [--classes C] [--points n] [--dim d] [--projections L] [--steps K] ...\n\n"
      "Examples:\n"
      "  wow run experiments/rings.json\n"
      "  wow run experiments/rings.json --set solver.params.step_size=0.05 --out runs/rings_small_step\n"
      "  wow run experiments/rings.json --set "
      "functional.params.kernel='{\"type\":\"gaussian_sw\",\"params\":{\"h\":0.05}}'\n"
      "  wow run --resume runs/rings\n"
      "  wow run --resume runs/rings --set solver.params.steps=2000     # extend a finished run\n"
      "  wow sweep experiments/rings_gaussian_bandwidth_sweep.json --jobs 2   # again: resumes\n"
      "  wow compare runs/rings runs/rings_gaussian\n"
      "  wow status runs/rings\n"
      "  wow describe riesz_sw\n"
      "  wow bench --classes 10 --points 200 --dim 784 --projections 500\n\n"
      "Exit codes: 0 ok, 2 bad input, 3 diverged, 4 I/O failure during the run, 130 interrupted.\n"
      "Each verb has --help.\n");
}

int run_command(const std::vector<std::string>& args) {
  po::options_description o("wow run SPEC.json [options] | wow run --resume RUN_DIR [options]");
  o.add(common_options());
  o.add_options()("spec", po::value<std::string>(), "the experiment spec (JSON)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a spec value: --set solver.params.step_size=0.05 (value read as JSON when it parses, else a string)")(
      "out", po::value<std::string>(), "run directory (overrides output.dir)")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores); results do not depend on it")(
      "force", "replace an existing run directory (only one wow wrote, and not while it runs)")(
      "quiet,q", "no progress output")("resume", po::value<std::string>(),
                                       "continue the run in RUN_DIR from its last checkpoint");
  po::positional_options_description pos;
  pos.add("spec", 1);
  const auto vm = parse_options(args, o, pos, "run");
  if (vm.count("help")) {
    std::cout << o << "\nExample:\n  wow run experiments/rings.json --set solver.params.steps=100 --out runs/quick\n";
    return kExitOk;
  }
  if (vm["threads"].as<int>() < 0) throw InputError("--threads: must be >= 0");
  LoadedPlugins loaded(vm["plugin-dir"].as<std::string>());
  RunOptions options;
  options.force = vm.count("force") > 0;
  options.quiet = vm.count("quiet") > 0;
  options.threads = static_cast<std::size_t>(vm["threads"].as<int>());
  if (vm.count("resume")) {
    if (vm.count("spec") || vm.count("out"))
      throw InputError("wow run --resume takes no spec or --out: it reads RUN_DIR/resolved_spec.json");
    // The one override a resume accepts: a longer run (--set solver.params.steps=N), which also extends a complete one.
    if (vm.count("set")) {
      for (const auto& assignment : vm["set"].as<std::vector<std::string>>()) {
        const std::string key = "solver.params.steps=";
        Json steps;
        if (assignment.rfind(key, 0) == 0) {
          try {
            steps = parse_json_text(assignment.substr(key.size()), "--set " + key);
          } catch (const InputError&) {
          }
        }
        if (!steps.is_number_integer() || steps.get<std::int64_t>() < 0)
          throw InputError("wow run --resume: the only --set it takes is solver.params.steps=N (N a whole number)");
        options.resume_steps = steps.get<std::int64_t>();
      }
    }
    options.resume_dir = vm["resume"].as<std::string>();
    return run_flow(options, loaded.registry);
  }
  if (!vm.count("spec")) throw InputError("wow run: give a spec file (or --resume RUN_DIR); see wow run --help");
  const std::string path = vm["spec"].as<std::string>();
  Json raw = read_spec_file(path);
  if (raw.contains("sweep"))
    throw InputError(path + ": this spec has a \"sweep\" block: run it with wow sweep " + path +
                     " (or remove the block to run the base spec alone)");
  if (vm.count("set"))
    for (const auto& assignment : vm["set"].as<std::vector<std::string>>()) apply_override(raw, assignment);
  if (vm.count("out")) {
    if (!raw.contains("output") || !raw["output"].is_object()) raw["output"] = Json::object();
    raw["output"]["dir"] = vm["out"].as<std::string>();
  }
  try {
    options.spec = resolve_spec(raw, loaded.registry, std::filesystem::path(path).stem().string());
  } catch (const InputError& e) {
    throw InputError(path + ": " + e.what());
  }
  return run_flow(options, loaded.registry);
}

int plugins_command(const std::vector<std::string>& args) {
  po::options_description o("wow plugins [--json]");
  o.add(common_options());
  o.add_options()("json", "print every component as JSON");
  const auto vm = parse_options(args, o, {}, "plugins");
  if (vm.count("help")) {
    std::cout << o;
    return kExitOk;
  }
  LoadedPlugins loaded(vm["plugin-dir"].as<std::string>());
  if (vm.count("json")) {
    Json all = Json::array();
    for (const auto* info : loaded.registry.list()) {
      Json j{{"kind", info->kind}, {"type", info->type}, {"description", info->description}, {"plugin", info->origin}};
      j["params"] = Json::array();
      for (const auto& p : info->params) j["params"].push_back(p.describe());
      all.push_back(j);
    }
    std::printf("%s\n", all.dump(2).c_str());
    return kExitOk;
  }
  for (const auto& kind : loaded.registry.kinds()) {
    std::printf("%s:\n", kind.c_str());
    for (const auto* info : loaded.registry.list(kind)) {
      std::printf("  %s - %s\n", info->type.c_str(), info->description.c_str());
      print_params(info->params, "      ");
    }
  }
  return kExitOk;
}

int describe_command(const std::vector<std::string>& args) {
  po::options_description o("wow describe TYPE|spec");
  o.add(common_options());
  o.add_options()("type", po::value<std::string>(), "a component type id (e.g. riesz_sw), or \"spec\"");
  po::positional_options_description pos;
  pos.add("type", 1);
  const auto vm = parse_options(args, o, pos, "describe");
  if (vm.count("help") || !vm.count("type")) {
    std::cout << o;
    return vm.count("help") ? kExitOk : kExitBadInput;
  }
  const std::string type = vm["type"].as<std::string>();
  if (type == "spec") {
    std::printf("Spec keys (top level):\n");
    print_params(spec_schema(), "  ");
    std::printf("  output (object):\n");
    print_params(output_schema(), "      ");
    std::printf(
        "  sweep (object, read by wow sweep only; docs/sweeps.md):\n"
        "      grid ({PATH: [values]}): the cartesian product of the lists, first path varying slowest\n"
        "      zip ({PATH: [values]}): lists of one length varied together (one factor of the product)\n"
        "      seeds ([whole numbers], default [seed]): every setting runs once per seed\n"
        "      maximize ([metric names]): metrics where higher is better (summary.md ranks by them)\n"
        "      PATH: a dotted path of the resolved spec, as --set writes it; a whole component node may be swept\n");
    return kExitOk;
  }
  LoadedPlugins loaded(vm["plugin-dir"].as<std::string>());
  bool found = false;
  for (const auto* info : loaded.registry.list()) {
    if (info->type != type) continue;
    found = true;
    std::printf("%s (%s) - %s\n  from %s\n  params:\n", info->type.c_str(), info->kind.c_str(),
                info->description.c_str(), info->origin.c_str());
    print_params(info->params, "    ");
  }
  if (!found) {
    std::string valid;
    for (const auto* info : loaded.registry.list()) valid += " " + info->type;
    throw InputError("describe: unknown type \"" + type + "\"; valid: spec" + valid);
  }
  return kExitOk;
}

}  // namespace wow::cli
