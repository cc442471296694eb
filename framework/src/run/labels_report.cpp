#include "run/labels_report.hpp"

#include <vector>

#include "report/label_matching.hpp"
#include "wow/params.hpp"

namespace wow {

template <class T>
void write_labels(const RunDirectory& run, const LabeledCloud<T>& flowed, const LabeledCloud<double>& initial,
                  const LabeledCloud<T>& target) {
  const LabelMatching match = match_labels(flowed, target);
  const std::size_t m = target.classes(), d = flowed.dim;
  constexpr std::size_t kReportDirections = 1000;
  const std::vector<double> theta = evaluator_directions(kReportDirections, d);
  const LabeledCloud<double> final_state = flowed.template cast<double>();
  const LabeledCloud<double> goal = target.template cast<double>();
  Json cost = Json::array(), sw_initial = Json::array(), sw_final = Json::array();
  double matched = 0.0;
  for (std::size_t i = 0; i < flowed.classes(); ++i) {
    cost.push_back(std::vector<double>(match.cost.begin() + static_cast<std::ptrdiff_t>(i * m),
                                       match.cost.begin() + static_cast<std::ptrdiff_t>((i + 1) * m)));
    const std::size_t k = match.assignment[i];
    matched += match.cost[i * m + k] / static_cast<double>(flowed.classes());
    const auto& src = flowed.layout;
    const auto& tgt = target.layout;
    sw_initial.push_back(
        sliced_w2(initial.row(src.offsets[i]), src.size(i), goal.row(tgt.offsets[k]), tgt.size(k), d, theta));
    sw_final.push_back(
        sliced_w2(final_state.row(src.offsets[i]), src.size(i), goal.row(tgt.offsets[k]), tgt.size(k), d, theta));
  }
  Json j = Json::object();
  j["assignment"] = match.assignment;
  j["cost"] = cost;
  j["mean_matched_cost"] = matched;
  j["sw2_initial"] = sw_initial;
  j["sw2_final"] = sw_final;
  j["sw2_directions"] = kReportDirections;
  run.write_json("labels.json", j);
}

template void write_labels(const RunDirectory&, const LabeledCloud<float>&, const LabeledCloud<double>&,
                           const LabeledCloud<float>&);
template void write_labels(const RunDirectory&, const LabeledCloud<double>&, const LabeledCloud<double>&,
                           const LabeledCloud<double>&);

}  // namespace wow
