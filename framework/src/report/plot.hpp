#pragma once
// PNG output for experiments: scatter snapshots of 2-D flows, line plots (PLplot, "pngcairo" device) and raw
// image grids (libpng). Every function writes one file and throws PlotError naming the path on failure.
// PLplot is not thread-safe; calls into it are serialised internally.
#include <stdexcept>
#include <string>
#include <vector>

namespace wow::plot {

struct PlotError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One panel of 2-D points with an integer class label per point (label may be empty: all class 0).
struct Points2D {
  std::vector<double> x, y;
  std::vector<int> label;
};

// Snapshots of a 2-D flow side by side: one panel per snapshot, same axis limits for all panels, titles[i] above
// panel i (missing titles are left blank). Each class gets its own tab10 colour (cycling); the target points (labels
// ignored) are drawn first in light grey in every panel. Non-finite points are skipped.
// Both axes share one scale (a circle stays round); the limits are the data's bounding box padded by 8% of its
// longer side, and the plot box takes the data's aspect ratio, clamped to [1:3, 3:1] (the shorter axis is widened
// beyond that). panel_pixels is each panel's longer side, labels included; text and dots scale with it. Ticks are
// chosen so that there are at most 5 labelled ones per axis and their labels do not collide.
void write_flow_panels(const std::string& png_path, const std::vector<std::string>& titles,
                       const std::vector<Points2D>& panels, const Points2D& target, int panel_pixels = 360);

struct Series {
  std::string name;
  std::vector<double> x, y;
  // Optional spread around y (both empty, or both the size of y): a shaded band, or error bars with
  // PlotStyle::error_bars. Non-finite entries are skipped.
  std::vector<double> lo, hi;
};

struct PlotStyle {
  bool log_x = false;           // log10 x axis (non-positive x skipped; linear when none is positive)
  bool log_y = false;           // log10 y axis (likewise)
  bool error_bars = false;      // draw lo/hi as error bars with a marker at each point, not as a band
  bool legend_outside = false;  // the legend right of the plot box (many or long names), not over the data
  int width = 800;
  int height = 500;
};

// Line plot with axes, labels, title and a legend when there is more than one series. Non-finite points break
// the line. log_y uses a log10 axis (non-positive values are skipped; if no positive value remains, the axis
// falls back to linear).
void write_line_plot(const std::string& png_path, const std::string& title, const std::string& x_label,
                     const std::string& y_label, const std::vector<Series>& series, bool log_y = false, int width = 800,
                     int height = 500);
// The same with bands or error bars and optional log axes (sweep and compare plots).
void write_series_plot(const std::string& png_path, const std::string& title, const std::string& x_label,
                       const std::string& y_label, const std::vector<Series>& series, const PlotStyle& style);

// rows x cols grid of images; `images` holds rows*cols images in row-major grid order, each h*w*channels values
// row-major with interleaved channels (channels 1 = grayscale, 3 = RGB). Values are clipped to [lo, hi] and mapped
// to 0..255 (NaN -> 0); images are upscaled by the integer factor `scale` (nearest) and separated by `gap`
// white pixels (output pixels, not scaled). Written with libpng as 8-bit gray or RGB.
void write_image_grid(const std::string& png_path, const std::vector<double>& images, int rows, int cols, int h, int w,
                      int channels, double lo, double hi, int scale = 2, int gap = 1);

}  // namespace wow::plot
