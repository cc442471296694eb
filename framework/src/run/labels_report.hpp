#pragma once
// Private to the run loop: labels.json at the end of a run.
#include "run/run_directory.hpp"
#include "wow/cloud.hpp"

namespace wow {

// labels.json: exact OT costs between every flowed class and every target class, the class matching, and the
// sliced W_2 (1 000 fixed directions) between each class and its matched target class at x_0 and at the end.
template <class T>
void write_labels(const RunDirectory& run, const LabeledCloud<T>& flowed, const LabeledCloud<double>& initial,
                  const LabeledCloud<T>& target);

}  // namespace wow
