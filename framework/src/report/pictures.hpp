#pragma once
// The pictures of a finished run, drawn from its snapshots on disk (so a resumed run draws the whole history):
//   loss.png                 the loss curve
//   flow.png                 2-D data: up to six snapshots side by side over the grey target
//   flow_pca.png             other non-image data: the same, in the target's first two principal components
//   images/step_NNNNNN.png   image data: one row per class (10 particles each) at every snapshot, clipped to the
//                            target's value range
//   images/class_K.png       image data: a strip over time per class (8 particles x up to 10 snapshots)
#include "run/run_directory.hpp"
#include "wow/cloud.hpp"

namespace wow {

void draw_run_pictures(const RunDirectory& run, const LabeledCloud<double>& source, const LabeledCloud<double>& target);

}  // namespace wow
