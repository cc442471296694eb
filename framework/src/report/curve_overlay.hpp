#pragma once
// Curves of several runs on one plot (sweep loss.png, `wow compare`): runs of one group (the seeds of a sweep
// setting) are drawn as their mean with a band from their minimum to their maximum at each step.
#include <string>
#include <vector>

namespace wow {

struct Curve {
  std::vector<double> step, value;
};

struct CurveGroup {
  std::string name;           // legend text
  std::vector<Curve> curves;  // one per run; a group of one run is a plain line
};

// Writes the overlay to `png_path` (log y when the values span decades and most are positive). Steps are matched across
// the runs of a group; a step missing from some run (a shorter or unfinished run) is drawn from the runs that have it.
void draw_curve_overlay(const std::string& png_path, const std::string& title, const std::string& y_label,
                        const std::vector<CurveGroup>& groups);

}  // namespace wow
