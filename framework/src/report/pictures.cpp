#include "report/pictures.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "data/npy.hpp"
#include "report/plot.hpp"

namespace wow {

namespace {

struct Snapshot {
  std::int64_t step;
  std::vector<double> values;  // rows x dim in class order
};

std::vector<std::string> snapshot_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/snapshots", ec)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("step_") && name.ends_with(".npy") && name.find("_labels") == std::string::npos)
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Up to `most` snapshots evenly spread over the run, always the first and the last.
std::vector<Snapshot> load_snapshots(const RunDirectory& run, std::size_t most) {
  const auto names = snapshot_names(run.dir());
  std::vector<Snapshot> out;
  const std::size_t count = std::min(most, names.size());
  for (std::size_t p = 0; p < count; ++p) {
    const std::size_t at = count == 1 ? 0 : p * (names.size() - 1) / (count - 1);
    out.push_back({std::stoll(names[at].substr(5, 6)), npy::read(run.path("snapshots/" + names[at])).values});
  }
  return out;
}

std::vector<int> class_labels(const ClassLayout& layout) {
  std::vector<int> labels;
  for (std::size_t c = 0; c < layout.classes(); ++c) labels.insert(labels.end(), layout.size(c), static_cast<int>(c));
  return labels;
}

// The target's top two principal directions (power iteration on the covariance; deterministic start).
std::vector<double> principal_plane(const LabeledCloud<double>& target) {
  const std::size_t d = target.dim, n = target.rows();
  std::vector<double> mean(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) mean[j] += target.row(i)[j] / static_cast<double>(n);
  std::vector<double> basis(2 * d, 0.0);
  for (std::size_t k = 0; k < 2; ++k) {
    double* v = basis.data() + k * d;
    for (std::size_t j = 0; j < d; ++j) v[j] = std::cos(static_cast<double>(j * (k + 1)) + 0.5);
    for (int iter = 0; iter < 100; ++iter) {
      std::vector<double> w(d, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        double dot = 0.0;
        for (std::size_t j = 0; j < d; ++j) dot += (target.row(i)[j] - mean[j]) * v[j];
        for (std::size_t j = 0; j < d; ++j) w[j] += dot * (target.row(i)[j] - mean[j]);
      }
      if (k == 1) {  // stay orthogonal to the first component
        double dot = 0.0;
        for (std::size_t j = 0; j < d; ++j) dot += w[j] * basis[j];
        for (std::size_t j = 0; j < d; ++j) w[j] -= dot * basis[j];
      }
      double norm = 0.0;
      for (double x : w) norm += x * x;
      norm = std::sqrt(norm);
      if (norm == 0.0) break;
      for (std::size_t j = 0; j < d; ++j) v[j] = w[j] / norm;
    }
  }
  return basis;
}

plot::Points2D to_plane(const std::vector<double>& values, std::size_t dim, const std::vector<double>& basis,
                        const std::vector<int>& labels) {
  plot::Points2D pts;
  const std::size_t rows = values.size() / dim;
  for (std::size_t i = 0; i < rows; ++i) {
    double a = 0.0, b = 0.0;
    for (std::size_t j = 0; j < dim; ++j) {
      a += values[i * dim + j] * (basis.empty() ? (j == 0) : basis[j]);
      b += values[i * dim + j] * (basis.empty() ? (j == 1) : basis[dim + j]);
    }
    pts.x.push_back(a);
    pts.y.push_back(b);
    pts.label.push_back(labels.empty() ? 0 : labels[i]);
  }
  return pts;
}

void draw_scatter(const RunDirectory& run, const LabeledCloud<double>& source, const LabeledCloud<double>& target) {
  const bool planar = source.dim == 2;
  const std::vector<double> basis = planar ? std::vector<double>{} : principal_plane(target);
  const auto labels = class_labels(source.layout);
  std::vector<std::string> titles;
  std::vector<plot::Points2D> panels;
  for (const auto& s : load_snapshots(run, 6)) {
    titles.push_back("step " + std::to_string(s.step));
    panels.push_back(to_plane(s.values, source.dim, basis, labels));
  }
  if (panels.empty()) return;
  plot::write_flow_panels(run.path(planar ? "flow.png" : "flow_pca.png"), titles, panels,
                          to_plane(target.points, target.dim, basis, {}));
}

void draw_images(const RunDirectory& run, const LabeledCloud<double>& source, const LabeledCloud<double>& target) {
  const auto& shape = source.image_shape;
  const int h = static_cast<int>(shape[0]), w = static_cast<int>(shape[1]), channels = static_cast<int>(shape[2]);
  // Clip to the target's range: that is what the flowed images should look like.
  const bool target_is_image = !target.image_shape.empty();
  const double lo = target_is_image ? target.value_lo : source.value_lo;
  const double hi = target_is_image ? target.value_hi : source.value_hi;
  const std::size_t classes = source.classes(), dim = source.dim;
  std::filesystem::create_directories(run.path("images"));
  const auto snapshots = load_snapshots(run, 1000000);
  // One row per class, as many columns as the largest class has images (up to 10): a distillation run with one
  // image per class gets one column, not nine empty ones; few images are drawn larger.
  std::size_t per_row = 1;
  for (std::size_t c = 0; c < classes; ++c)
    per_row = std::max(per_row, std::min<std::size_t>(10, source.layout.size(c)));
  const int scale = per_row <= 2 ? 6 : per_row <= 5 ? 4 : 2;
  // Images of a snapshot into `grid` (rows = classes, `columns` wide) from column `first` on.
  const auto place = [&](const std::vector<double>& values, std::vector<double>& grid, std::size_t columns,
                         std::size_t first) {
    for (std::size_t c = 0; c < classes; ++c)
      for (std::size_t k = 0; k < std::min(per_row, source.layout.size(c)); ++k)
        std::copy_n(values.begin() + static_cast<std::ptrdiff_t>((source.layout.offsets[c] + k) * dim), dim,
                    grid.begin() + static_cast<std::ptrdiff_t>((c * columns + first + k) * dim));
  };
  for (const auto& s : snapshots) {
    std::vector<double> grid(classes * per_row * dim, lo);
    place(s.values, grid, per_row, 0);
    plot::write_image_grid(run.path("images/" + step_name(s.step) + ".png"), grid, static_cast<int>(classes),
                           static_cast<int>(per_row), h, w, channels, lo, hi, scale);
  }
  // The first and the last snapshot side by side: each class's images at the start, then at the end.
  if (snapshots.size() >= 2) {
    std::vector<double> grid(classes * 2 * per_row * dim, lo);
    place(snapshots.front().values, grid, 2 * per_row, 0);
    place(snapshots.back().values, grid, 2 * per_row, per_row);
    plot::write_image_grid(run.path("images/start_and_end.png"), grid, static_cast<int>(classes),
                           static_cast<int>(2 * per_row), h, w, channels, lo, hi, scale);
  }
  // Strips over time: rows are particles, columns are (up to 10) snapshots.
  constexpr std::size_t kParticles = 8, kTimes = 10;
  const auto times = load_snapshots(run, kTimes);
  for (std::size_t c = 0; c < classes; ++c) {
    const std::size_t rows = std::min(kParticles, source.layout.size(c));
    std::vector<double> grid(rows * times.size() * dim, lo);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t t = 0; t < times.size(); ++t)
        std::copy_n(times[t].values.begin() + static_cast<std::ptrdiff_t>((source.layout.offsets[c] + r) * dim), dim,
                    grid.begin() + static_cast<std::ptrdiff_t>((r * times.size() + t) * dim));
    plot::write_image_grid(run.path("images/class_" + std::to_string(c) + ".png"), grid, static_cast<int>(rows),
                           static_cast<int>(times.size()), h, w, channels, lo, hi);
  }
}

}  // namespace

void draw_run_pictures(const RunDirectory& run, const LabeledCloud<double>& source,
                       const LabeledCloud<double>& target) {
  std::vector<plot::Series> loss{plot::Series{std::string(1, 'F'), {}, {}, {}, {}}};
  for (const auto& r : run.loss()) {
    loss[0].x.push_back(static_cast<double>(r.step));
    loss[0].y.push_back(r.loss);
  }
  const bool positive = std::all_of(loss[0].y.begin(), loss[0].y.end(), [](double v) { return v > 0; });
  plot::write_line_plot(run.path("loss.png"), "loss", "step", positive ? "F (log scale)" : "F", loss, positive);
  const auto& shape = source.image_shape;
  const bool image =
      shape.size() == 3 && shape[0] * shape[1] * shape[2] == source.dim && (shape[2] == 1 || shape[2] == 3);
  if (image)
    draw_images(run, source, target);
  else
    draw_scatter(run, source, target);
}

}  // namespace wow
