#include "report/curve_overlay.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "report/plot.hpp"

namespace wow {

void draw_curve_overlay(const std::string& png_path, const std::string& title, const std::string& y_label,
                        const std::vector<CurveGroup>& groups) {
  std::vector<plot::Series> series;
  bool positive = true;
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
        positive = positive && v > 0.0;
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
  plot::PlotStyle style;
  style.log_y = positive;
  style.width = 900;
  style.height = 560;
  plot::write_series_plot(png_path, title, "step", positive ? y_label + " (log scale)" : y_label, series, style);
}

}  // namespace wow
