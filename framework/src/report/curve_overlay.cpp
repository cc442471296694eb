#include "report/curve_overlay.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "report/plot.hpp"

namespace wow {

void draw_curve_overlay(const std::string& png_path, const std::string& title, const std::string& y_label,
                        const std::vector<CurveGroup>& groups) {
  std::vector<plot::Series> series;
  std::size_t values_seen = 0, positive_values = 0;
  double lowest = INFINITY, highest = 0.0;
  for (const auto& group : groups) {
    // step -> values of the runs that reached it
    std::map<double, std::vector<double>> at;
    for (const auto& c : group.curves)
      for (std::size_t i = 0; i < c.step.size() && i < c.value.size(); ++i) at[c.step[i]].push_back(c.value[i]);
    plot::Series s;
    s.name = group.name;
    const bool band = group.curves.size() > 1;
    for (const auto& [step, values] : at) {
      double sum = 0.0, lo = values.front(), hi = values.front();
      for (const double v : values) {
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        ++values_seen;
        if (v > 0.0) {
          ++positive_values;
          lowest = std::min(lowest, v);
          highest = std::max(highest, v);
        }
      }
      s.x.push_back(step);
      s.y.push_back(sum / static_cast<double>(values.size()));
      if (band) {
        s.lo.push_back(lo);
        s.hi.push_back(hi);
      }
    }
    series.push_back(std::move(s));
  }
  // Log scale when the curves span decades; values at or below zero (a float32 estimate of a loss at its noise floor)
  // are then left out of the lines rather than flattening every curve.
  const bool positive = positive_values >= 0.5 * static_cast<double>(values_seen) && highest > 100.0 * lowest;
  plot::PlotStyle style;
  style.log_y = positive;
  style.legend_outside = true;
  style.width = 1000;
  style.height = 560;
  plot::write_series_plot(png_path, title, "step", positive ? y_label + " (log scale)" : y_label, series, style);
}

}  // namespace wow
