#include "sweep/sweep_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "report/plot.hpp"
#include "run/files.hpp"
#include "run/metrics_log.hpp"
#include "run/run_directory.hpp"
#include "run/run_status.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

// The shortest text that reads back as the same double (loss.csv's 0.2053356574, not 0.20533565740000001).
std::string number17(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string short_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The value of `metric` ("final_loss" or a metrics.csv name) in a result, when it has one.
std::optional<double> metric_of(const PointResult& r, const std::string& metric) {
  if (metric == "final_loss") return r.final_loss;
  const auto it = r.metrics.find(metric);
  if (it == r.metrics.end()) return std::nullopt;
  return it->second;
}

struct Stats {
  double mean = 0.0, std = 0.0;
  std::size_t n = 0;
};

Stats stats_of(const std::vector<double>& v) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  for (const double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0.0;
    for (const double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(v.size() - 1));  // sample std over seeds
  }
  return s;
}

// The settings of the sweep (points differing only by seed), in plan order, with the points of each.
struct Setting {
  std::string text;
  const SweepPoint* first = nullptr;
  std::vector<std::size_t> points;
};

std::vector<Setting> settings_of(const SweepPlan& plan) {
  std::vector<Setting> out;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const SweepPoint& p = plan.points[i];
    auto it = std::find_if(out.begin(), out.end(), [&](const Setting& s) { return s.text == p.setting; });
    if (it == out.end()) {
      out.push_back({p.setting, &p, {}});
      it = out.end() - 1;
    }
    it->points.push_back(i);
  }
  return out;
}

Stats setting_stats(const Setting& s, const std::vector<PointResult>& results, const std::string& metric) {
  std::vector<double> values;
  for (const auto i : s.points)
    if (results[i].status == "complete")
      if (const auto v = metric_of(results[i], metric); v && std::isfinite(*v)) values.push_back(*v);
  return stats_of(values);
}

bool maximized(const SweepPlan& plan, const std::string& metric) {
  return std::find(plan.maximize.begin(), plan.maximize.end(), metric) != plan.maximize.end();
}

// "h=0.05, step_size=0.1": a setting as legends show it.
std::string setting_label(const SweepPlan& plan, const SweepPoint& point) {
  std::string text;
  for (std::size_t p = 0; p < plan.paths.size(); ++p)
    text.append(text.empty() ? "" : ", ")
        .append(plan.labels[p])
        .append("=")
        .append(value_text(point.values[plan.paths[p]]));
  return text.empty() ? "(base spec)" : text;
}

}  // namespace

PointResult read_point_result(const std::string& run_dir) {
  PointResult r;
  r.run_dir = run_dir;
  std::error_code ec;
  if (!std::filesystem::exists(run_dir, ec)) {
    r.status = "pending";
    return r;
  }
  try {
    const RunState state = read_run_state(run_dir);
    r.status = state.status;
    if (r.status == "running" && !state.alive) r.status = "interrupted";  // killed
    r.message = state.message;
    r.steps = state.step;
    r.wall_s = state.elapsed_s;
  } catch (const InputError&) {
    r.status = "pending";  // killed before its first status: nothing ran yet
    return r;
  }
  const auto rows = RunDirectory(run_dir).read_loss();
  for (const auto& row : rows) {
    r.loss.step.push_back(static_cast<double>(row.step));
    r.loss.value.push_back(row.loss);
  }
  if (!rows.empty()) {
    r.final_loss = rows.back().loss;
    if (!r.wall_s) r.wall_s = rows.back().elapsed_s;
  }
  for (const auto& row : MetricsLog::read(run_dir + "/metrics.csv")) r.metrics[row.name] = row.value;
  return r;
}

std::vector<std::string> metric_names(const std::vector<PointResult>& results) {
  std::set<std::string> names;
  for (const auto& r : results)
    for (const auto& [name, value] : r.metrics) names.insert(name);
  return {names.begin(), names.end()};
}

void write_sweep_csv(const std::string& path, const SweepPlan& plan, const std::vector<PointResult>& results) {
  const auto metrics = metric_names(results);
  std::string out;
  for (const auto& p : plan.paths) out += csv_field(p) + ",";
  out += "seed,status,final_loss";
  for (const auto& m : metrics) out += "," + csv_field(m);
  out += ",steps,wall_s,run_dir\n";
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const SweepPoint& p = plan.points[i];
    const PointResult& r = results[i];
    for (const auto& path : plan.paths) {
      const Json& v = p.values[path];
      out += csv_field(v.is_string() ? v.get<std::string>() : v.dump()) + ",";
    }
    out += std::to_string(p.seed) + "," + r.status + "," + (r.final_loss ? number17(*r.final_loss) : "");
    for (const auto& m : metrics) {
      const auto it = r.metrics.find(m);
      out.append(",").append(it == r.metrics.end() ? std::string() : number17(it->second));
    }
    char wall[32] = "";
    if (r.wall_s) std::snprintf(wall, sizeof wall, "%.3f", *r.wall_s);
    out += "," + std::to_string(r.steps) + "," + wall + "," + csv_field(r.run_dir) + "\n";
  }
  files::write_atomic(path, out);
}

void write_sweep_summary(const std::string& path, const SweepPlan& plan, const std::vector<PointResult>& results,
                         const std::vector<std::string>& pictures) {
  const auto settings = settings_of(plan);
  std::map<std::string, int> counts;
  for (const auto& r : results) ++counts[r.status];
  std::string md = "# Sweep " + plan.name + "\n\n";
  md += std::to_string(plan.points.size()) + " points (" + std::to_string(settings.size()) + " settings x " +
        std::to_string(plan.seeds.size()) + " seeds):";
  bool first = true;
  for (const auto& [status, n] : counts) {
    md += std::string(first ? " " : ", ") + std::to_string(n) + " " + status;
    first = false;
  }
  md += ".\n\n";
  for (std::size_t p = 0; p < plan.paths.size(); ++p) {
    std::set<std::string> seen;
    std::string values;
    for (const auto& pt : plan.points)
      if (seen.insert(value_text(pt.values[plan.paths[p]])).second)
        values.append(values.empty() ? "" : ", ").append(value_text(pt.values[plan.paths[p]]));
    md += "- `" + plan.paths[p] + "` (" + plan.labels[p] + "): " + values + "\n";
  }
  std::string seeds;
  for (const auto s : plan.seeds) seeds.append(seeds.empty() ? "" : ", ").append(std::to_string(s));
  md += "- seeds: " + seeds + "\n\n";

  bool any_failure = false;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& r = results[i];
    if (r.status == "complete") continue;
    if (!any_failure) md += "## Points not complete\n\n| point | status | why |\n|---|---|---|\n";
    any_failure = true;
    std::string why = r.message;
    std::replace(why.begin(), why.end(), '|', '/');
    std::replace(why.begin(), why.end(), '\n', ' ');
    md += "| " + plan.points[i].name + " | " + r.status + " | " + why + " |\n";
  }
  if (any_failure) md += "\nMeans below are over the complete points only.\n\n";

  std::vector<std::string> metrics{"final_loss"};
  for (const auto& m : metric_names(results)) metrics.push_back(m);
  for (const auto& metric : metrics) {
    const bool max = maximized(plan, metric);
    md += "## " + metric + " (" + (max ? "higher" : "lower") + " is better)\n\n| rank |";
    for (const auto& l : plan.labels) md += " " + l + " |";
    md += " mean | std | seeds |\n|---|";
    for (std::size_t p = 0; p < plan.labels.size(); ++p) md += "---|";
    md += "---|---|---|\n";
    std::vector<std::pair<const Setting*, Stats>> rows;
    for (const auto& s : settings) rows.emplace_back(&s, setting_stats(s, results, metric));
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
      if ((a.second.n > 0) != (b.second.n > 0)) return a.second.n > 0;  // settings with no value last
      return max ? a.second.mean > b.second.mean : a.second.mean < b.second.mean;
    });
    int rank = 0;
    for (const auto& [s, st] : rows) {
      md.append("| ").append(st.n > 0 ? std::to_string(++rank) : std::string("-")).append(" |");
      for (const auto& path : plan.paths) md.append(" ").append(value_text(s->first->values[path])).append(" |");
      if (st.n > 0)
        md.append(" ")
            .append(short_number(st.mean))
            .append(" | ")
            .append(st.n > 1 ? short_number(st.std) : "-")
            .append(" |");
      else
        md.append(" - | - |");
      md.append(" ").append(std::to_string(st.n)).append("/").append(std::to_string(s->points.size())).append(" |\n");
    }
    md += "\n";
  }
  if (!pictures.empty()) {
    md += "## Plots\n\n";
    for (const auto& p : pictures) md += "![" + p + "](" + p + ")\n\n";
  }
  files::write_atomic(path, md);
}

std::vector<std::string> draw_sweep_plots(const std::string& dir, const SweepPlan& plan,
                                          const std::vector<PointResult>& results) {
  std::vector<std::string> written;
  const auto settings = settings_of(plan);
  std::vector<CurveGroup> groups;
  for (const auto& s : settings) {
    CurveGroup g{setting_label(plan, *s.first), {}};
    for (const auto i : s.points)
      if (!results[i].loss.step.empty()) g.curves.push_back(results[i].loss);
    groups.push_back(std::move(g));
  }
  draw_curve_overlay(dir + "/loss.png", plan.name + ": loss (mean over seeds, band min-max)", "loss", groups);
  written.push_back("loss.png");

  std::vector<std::string> metrics{"final_loss"};
  for (const auto& m : metric_names(results)) metrics.push_back(m);
  for (std::size_t p = 0; p < plan.paths.size(); ++p) {
    const std::string& path = plan.paths[p];
    bool numeric = true;
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& pt : plan.points) {
      const Json& v = pt.values[path];
      numeric = numeric && v.is_number();
      if (v.is_number()) {
        lo = std::min(lo, v.get<double>());
        hi = std::max(hi, v.get<double>());
      }
    }
    if (!numeric) continue;
    // One line per combination of the other swept values.
    for (const auto& metric : metrics) {
      std::vector<plot::Series> series;
      for (const auto& s : settings) {
        std::string others;
        for (std::size_t q = 0; q < plan.paths.size(); ++q)
          if (q != p)
            others.append(others.empty() ? "" : ", ")
                .append(plan.labels[q] + "=" + value_text(s.first->values[plan.paths[q]]));
        auto it = std::find_if(series.begin(), series.end(), [&](const plot::Series& x) { return x.name == others; });
        if (it == series.end()) {
          series.push_back(plot::Series{others, {}, {}, {}, {}});
          it = series.end() - 1;
        }
        const Stats st = setting_stats(s, results, metric);
        it->x.push_back(s.first->values[path].get<double>());
        it->y.push_back(st.n > 0 ? st.mean : NAN);
        it->lo.push_back(st.n > 0 ? st.mean - st.std : NAN);
        it->hi.push_back(st.n > 0 ? st.mean + st.std : NAN);
      }
      for (auto& s : series) {  // along x, whatever the grid order
        std::vector<std::size_t> order(s.x.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return s.x[a] < s.x[b]; });
        plot::Series sorted{s.name, {}, {}, {}, {}};
        for (const auto i : order) {
          sorted.x.push_back(s.x[i]);
          sorted.y.push_back(s.y[i]);
          sorted.lo.push_back(s.lo[i]);
          sorted.hi.push_back(s.hi[i]);
        }
        s = std::move(sorted);
      }
      // A log metric axis when the means are positive and span decades (a converged setting next to a failed one).
      double y_lo = INFINITY, y_hi = 0.0;
      bool y_positive = true;
      for (const auto& one : series)
        for (const double y : one.y)
          if (std::isfinite(y)) {
            y_positive = y_positive && y > 0.0;
            y_lo = std::min(y_lo, y);
            y_hi = std::max(y_hi, y);
          }
      plot::PlotStyle style;
      style.log_y = y_positive && y_hi > 100.0 * y_lo;
      style.error_bars = true;
      style.legend_outside = true;
      style.log_x = lo > 0.0 && hi > 20.0 * lo;
      std::string file = metric + "_vs_" + plan.labels[p] + ".png";
      for (auto& c : file)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
      const std::string title = metric + " against " + plan.labels[p] + " (mean +/- std over seeds)";
      plot::write_series_plot(dir + "/" + file, title, plan.labels[p] + (style.log_x ? " (log scale)" : ""),
                              metric + (style.log_y ? " (log scale)" : ""), series, style);
      written.push_back(file);
    }
  }
  return written;
}

}  // namespace wow
