#include "report/plot.hpp"

#include <plplot/plplot.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "run/files.hpp"
#include "wow/errors.hpp"

namespace wow::plot {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw PlotError("plot '" + path + "': " + message);
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------------------------

// Colour map 0 layout; index 0 is also the page background.
constexpr PLINT kWhite = 0, kBlack = 1, kTargetGrey = 2, kGridGrey = 3, kFirstClass = 4;
constexpr int kClassColours = 10;
constexpr PLINT kFirstBand = kFirstClass + kClassColours;  // the class colours again, translucent (bands)
constexpr double kBandAlpha = 0.22;

// tab10 (matplotlib's default cycle), well separated hues that stay distinct on white.
constexpr std::array<std::array<PLINT, 3>, kClassColours> kTab10 = {{{31, 119, 180},
                                                                     {255, 127, 14},
                                                                     {44, 160, 44},
                                                                     {214, 39, 40},
                                                                     {148, 103, 189},
                                                                     {140, 86, 75},
                                                                     {227, 119, 194},
                                                                     {127, 127, 127},
                                                                     {188, 189, 34},
                                                                     {23, 190, 207}}};

PLINT class_colour(int label) {
  const int k = ((label % kClassColours) + kClassColours) % kClassColours;  // negative labels cycle too
  return kFirstClass + k;
}

PLINT band_colour(int label) { return class_colour(label) - kFirstClass + kFirstBand; }

// PLplot treats '#' as its text escape character; double it so user strings print verbatim.
std::string escape_text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    out += c;
    if (c == '#') out += '#';
  }
  return out;
}

// Running min/max over finite values.
struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

struct Limits {
  double lo, hi;
};

// Window for plotting x against y at one scale: the data's box padded on every side by `pad` times its longer
// span, then the shorter axis widened (about its centre) until the aspect (x span / y span) is within
// [1/max_aspect, max_aspect]. Empty data gives the unit square; a single point a square around it.
std::pair<Limits, Limits> equal_scale_window(const Extent& ex, const Extent& ey, double pad, double max_aspect,
                                             const std::string& path) {
  if (ex.empty() || ey.empty()) return {{0.0, 1.0}, {0.0, 1.0}};
  const double cx = 0.5 * ex.lo + 0.5 * ex.hi, cy = 0.5 * ey.lo + 0.5 * ey.hi;  // halves first: no overflow
  double hx = 0.5 * ex.hi - 0.5 * ex.lo, hy = 0.5 * ey.hi - 0.5 * ey.lo;
  double h = std::max(hx, hy);
  const double scale = std::max({1.0, std::abs(ex.lo), std::abs(ex.hi), std::abs(ey.lo), std::abs(ey.hi)});
  if (h <= 0.5e-12 * scale) {  // all points (nearly) coincide: span 1, or 20% of the coordinates' size
    const double m = std::max(std::abs(cx), std::abs(cy));
    hx = hy = h = m != 0.0 ? std::max(0.5, 0.1 * m) : 0.5;
  }
  hx += pad * 2.0 * h;
  hy += pad * 2.0 * h;
  hy = std::max(hy, hx / max_aspect);
  hx = std::max(hx, hy / max_aspect);
  const Limits lx{cx - hx, cx + hx}, ly{cy - hy, cy + hy};
  if (!std::isfinite(lx.hi - lx.lo) || !std::isfinite(ly.hi - ly.lo)) fail(path, "data range too large to plot");
  return {lx, ly};
}

// Axis limits with `pad` (fraction of the span) on both sides. Empty data gives [0, 1]; constant data is widened
// to +-`const_half` (or 10% of the value) so PLplot always gets a non-degenerate window.
Limits padded(const Extent& e, double pad, double const_half, const std::string& path) {
  if (e.empty()) return {0.0, 1.0};
  double lo = e.lo, hi = e.hi;
  const double scale = std::max({1.0, std::abs(lo), std::abs(hi)});
  if (hi - lo <= 1e-12 * scale) {
    const double mid = 0.5 * (lo + hi);
    const double half = mid != 0.0 ? std::max(const_half, 0.1 * std::abs(mid)) : const_half;
    lo = mid - half;
    hi = mid + half;
  }
  const double span = hi - lo;
  if (!std::isfinite(span)) fail(path, "data range too large to plot");
  return {lo - pad * span, hi + pad * span};
}

// ---------------------------------------------------------------------------------------------------------------
// PLplot session handling
// ---------------------------------------------------------------------------------------------------------------

// PLplot keeps process-wide state (stream table, current stream), so sessions must not interleave across threads.
std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

bool have_pngcairo() {
  constexpr int kCapacity = 128;
  std::array<const char*, kCapacity> menu{}, dev{};
  const char** menu_p = menu.data();
  const char** dev_p = dev.data();
  int n = kCapacity;
  plgFileDevs(&menu_p, &dev_p, &n);
  for (int i = 0; i < n && i < kCapacity; ++i)
    if (dev[i] != nullptr && std::strcmp(dev[i], "pngcairo") == 0) return true;
  return false;
}

// PLplot output goes to a fresh temporary file next to the target, renamed over it on success:
//  - PLplot exit()s the whole process when it cannot open its output, so creating the file first probes that it
//    will succeed (directory exists and is writable);
//  - PLplot rewrites "%n" in file names (family numbering), so it must not see the caller's name;
//  - a failed call leaves no half-written PNG behind.
class TempOutput {
 public:
  explicit TempOutput(const std::string& path) : path_(path) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    if (dir.string().find("%n") != std::string::npos)
      fail(path, "PLplot cannot write into a directory whose name contains \"%n\"");
    std::random_device rd;
    for (int attempt = 0; attempt < 16 && temp_.empty(); ++attempt) {
      char name[64];
      std::snprintf(name, sizeof name, ".wow-plot-%08x%08x.png", rd(), rd());
      const std::string candidate = (dir / name).string();
      if (std::FILE* f = std::fopen(candidate.c_str(), "wbx")) {  // "x": exclusive create
        std::fclose(f);
        temp_ = candidate;
      } else if (errno != EEXIST) {
        fail(path, "cannot create a file in " + dir.string() + ": " + std::strerror(errno));
      }
    }
    if (temp_.empty()) fail(path, "cannot create a temporary file in " + dir.string());
  }
  ~TempOutput() {
    if (!committed_) std::remove(temp_.c_str());
  }
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;

  const std::string& file() const { return temp_; }

  // Moves the finished temporary file to the target path.
  void commit() {
    std::error_code ec;
    const auto size = std::filesystem::file_size(temp_, ec);
    if (ec || size == 0) fail(path_, "PLplot produced no output");
    committed_ = true;  // commit_file removes the temporary file itself when it fails
    try {
      files::commit_file(temp_, path_);  // fsync, rename, fsync of the directory
    } catch (const IoError& e) {
      fail(path_, e.what());
    }
  }

 private:
  std::string path_, temp_;
  bool committed_ = false;
};

// One fresh PLplot stream writing one PNG page to `file`; always ended (plend1) and the caller's stream restored,
// so repeated calls in one process start from a clean state. `path` is the user's name, for messages.
class Session {
 public:
  // `text_scale` multiplies PLplot's default character height.
  Session(const std::string& path, const std::string& file, int width, int height, double text_scale) {
    if (!have_pngcairo()) fail(path, "PLplot device 'pngcairo' is not available (install plplot-driver-cairo)");
    plgstrm(&previous_);
    plmkstrm(&stream_);
    if (stream_ < 0) {
      plsstrm(previous_);
      fail(path, "cannot create a PLplot stream");
    }
    plsdev("pngcairo");
    plsfnam(file.c_str());
    plspage(0.0, 0.0, width, height, 0, 0);
    set_palette();
    plinit();
    plfont(1);  // sans-serif
    plschr(0.0, text_scale);
    pladv(0);
  }
  ~Session() {
    plsstrm(stream_);
    plend1();
    plsstrm(previous_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Device pixels per mm (PLplot measures text and symbols in mm; the pngcairo page is sized in pixels).
  static double pixels_per_mm() {
    PLFLT xmin = 0, xmax = 0, ymin = 0, ymax = 0, xp = 0, yp = 0;
    PLINT xlen = 0, ylen = 0, xoff = 0, yoff = 0;
    plgspa(&xmin, &xmax, &ymin, &ymax);  // after pladv(0) with one subpage: the whole page
    plgpage(&xp, &yp, &xlen, &ylen, &xoff, &yoff);
    return xmax > xmin ? xlen / (xmax - xmin) : 72.0 / 25.4;
  }

  // Character height in device pixels. PLplot's default height grows with the page, so for pages whose size
  // depends on a panel count an absolute height keeps text the same size however many panels there are.
  static void set_char_height_pixels(double px) { plschr(px / pixels_per_mm(), 1.0); }

 private:
  static void set_palette() {
    constexpr int n = kFirstBand + kClassColours;
    std::array<PLINT, n> r{}, g{}, b{};
    std::array<PLFLT, n> a{};
    a.fill(1.0);
    auto set = [&](int i, PLINT rr, PLINT gg, PLINT bb) {
      r[i] = rr;
      g[i] = gg;
      b[i] = bb;
    };
    set(kWhite, 255, 255, 255);
    set(kBlack, 0, 0, 0);
    set(kTargetGrey, 205, 205, 205);
    set(kGridGrey, 225, 225, 225);
    for (int i = 0; i < kClassColours; ++i) {
      set(kFirstClass + i, kTab10[i][0], kTab10[i][1], kTab10[i][2]);
      set(kFirstBand + i, kTab10[i][0], kTab10[i][1], kTab10[i][2]);
      a[kFirstBand + i] = kBandAlpha;
    }
    plscmap0n(n);
    plscmap0a(r.data(), g.data(), b.data(), a.data(), n);
  }

  PLINT previous_ = 0;
  PLINT stream_ = -1;
};

// Text in PLplot is sized in mm while our pages are sized in pixels; scale it with the image so labels keep the
// same proportion at any size.
double text_scale_for(int pixels, double reference) { return std::clamp(pixels / reference, 0.75, 4.0); }

// Viewport whose margins are given in character heights, so tick labels and axis labels fit at any text scale.
void viewport_in_chars(double left, double right, double bottom, double top) {
  PLFLT xmin = 0, xmax = 0, ymin = 0, ymax = 0, def_height = 0, height = 0;
  plgspa(&xmin, &xmax, &ymin, &ymax);
  plgchr(&def_height, &height);
  const double w = xmax - xmin, h = ymax - ymin;
  plvpor(left * height / w, 1.0 - right * height / w, bottom * height / h, 1.0 - top * height / h);
}

// Tick layout we choose ourselves (rather than PLplot's automatic ticks) so that we know every label string: that
// lets us size margins to fit and avoids PLplot's separate "(x10^k)" scale label, which falls outside the page.
struct Axis {
  double lo = 0.0, hi = 1.0;
  double step = 1.0;      // major tick spacing (in decades on a log axis)
  PLINT nsub = 0;         // minor intervals per major one; 0 lets PLplot choose
  bool log = false;       // values are log10 of the data; ticks at whole decades
  bool exponent = false;  // mantissa/exponent labels for very large or small values
  int decimals = 0;       // digits after the point (mantissa digits when `exponent`)
  // PLplot's own log ticks (with 2..9 minor ticks) always step by one decade; wider steps use linear ticks.
  bool plplot_log() const { return log && step == 1.0; }
};

// Smallest 1/2/5 x 10^k step giving at most `max_ticks` intervals over `span`.
double nice_step(double span, int max_ticks) {
  const double raw = span / max_ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) return m * mag;
  return 10.0 * mag;
}

// Linear axis over `l` with major ticks every `step`.
Axis linear_axis(const Limits& l, double step) {
  Axis a;
  a.lo = l.lo;
  a.hi = l.hi;
  a.step = step;
  const int step_exp = static_cast<int>(std::floor(std::log10(a.step) + 1e-9));
  const double max_abs = std::max(std::abs(l.lo), std::abs(l.hi));
  const int max_exp = static_cast<int>(std::floor(std::log10(max_abs)));
  a.exponent = max_exp >= 5 || max_exp < -3;
  a.decimals = a.exponent ? std::clamp(max_exp - step_exp, 0, 12) : std::clamp(-step_exp, 0, 15);
  return a;
}

Axis make_axis(const Limits& l, bool log, int max_ticks) {
  if (!log) return linear_axis(l, nice_step(l.hi - l.lo, max_ticks));
  // Whole decades; many decades are labelled every 2nd/5th/10th... one, with a minor tick per decade.
  Axis a;
  a.lo = l.lo;
  a.hi = l.hi;
  a.log = true;
  a.step = std::max(1.0, nice_step(l.hi - l.lo, max_ticks));
  a.nsub = a.step <= 10.0 && a.step > 1.0 ? static_cast<PLINT>(a.step) : 0;
  return a;
}

// Label text in PLplot's markup ("#u" raises to superscript) for tick value `v` on `a`.
std::string tick_text(const Axis& a, double v) {
  char buf[64];
  if (a.log) {
    const double k = std::round(v);
    if (std::abs(v - k) < 1e-6) return "10#u" + std::to_string(static_cast<long>(k));
    std::snprintf(buf, sizeof buf, "%.2g", std::pow(10.0, v));
    return buf;
  }
  if (std::abs(v) < 1e-6 * a.step) return "0";  // tick accumulation leaves 1e-17 where 0 is meant
  if (!a.exponent) {
    std::snprintf(buf, sizeof buf, "%.*f", a.decimals, v);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.*e", a.decimals, v);
  // "1.5e+06" -> "1.5e6", "2e-05" -> "2e-5".
  std::string s = buf;
  const auto e = s.find('e');
  std::string exp = s.substr(e + 1);
  const bool neg = exp[0] == '-';
  exp.erase(0, 1);
  exp.erase(0, std::min(exp.find_first_not_of('0'), exp.size() - 1));
  return s.substr(0, e + 1) + (neg ? "-" : "") + exp;
}

// Approximate width of a label in character heights (PLplot's character height is below the font's em size, so a
// digit is ~0.8 of it; points are narrow, superscripts smaller).
double label_width(const std::string& markup) {
  double w = 0.0;
  bool super = false;
  for (std::size_t i = 0; i < markup.size(); ++i) {
    if (markup[i] == '#' && i + 1 < markup.size()) {
      super = markup[++i] == 'u';
      continue;
    }
    w += (markup[i] == '.' ? 0.4 : 0.82) * (super ? 0.7 : 1.0);
  }
  return w;
}

// Widest tick label on `a`, in character heights.
double max_label_width(const Axis& a) {
  double w = 0.0;
  for (double k = std::ceil(a.lo / a.step); k * a.step <= a.hi; k += 1.0)
    w = std::max(w, label_width(tick_text(a, k * a.step)));
  return w;
}

// Number of major ticks of `a` inside its window.
int tick_count(const Axis& a) {
  return static_cast<int>(std::floor(a.hi / a.step + 1e-9) - std::ceil(a.lo / a.step - 1e-9)) + 1;
}

// Linear axis for a plot box `length_px` pixels long whose tick labels are `char_px` high: the finest 1/2/5 x 10^k
// step with at most `max_ticks` ticks whose labels keep clear of each other (x labels sit side by side, so their
// width counts; y labels are horizontal and stacked, so only their height does). A step that leaves fewer than two
// ticks is only taken when no step with two ticks fits at all, even with the gaps between labels halved.
Axis spaced_axis(const Limits& l, double length_px, double char_px, bool is_x, int max_ticks) {
  const double span = l.hi - l.lo;
  const double px_per_unit = length_px / span;
  auto clear = [&](const Axis& a, double gap) {
    const double needed = is_x ? (max_label_width(a) + gap) * char_px : (1.0 + gap) * char_px;
    return a.step * px_per_unit >= needed;
  };
  double step = std::pow(10.0, std::floor(std::log10(span)) - 2.0);
  std::optional<Axis> fallback;  // coarsest step with >= 2 ticks that still fits with halved gaps
  for (int i = 0; i < 30; ++i, step = nice_step(step * 1.01, 1)) {
    const Axis a = linear_axis(l, step);
    const int n = tick_count(a);
    if (n > max_ticks) continue;
    if (n >= 2 && clear(a, 0.5 * (is_x ? 1.2 : 1.0))) fallback = a;
    if (!clear(a, is_x ? 1.2 : 1.0)) continue;
    if (n >= 2 || !fallback) return a;
    return *fallback;
  }
  return fallback ? *fallback : linear_axis(l, nice_step(span, 2));
}

// Minor intervals per major step on a linear axis: PLplot's usual split (5 for a 1 or 5 mantissa, 4 for 2) if the
// minor ticks stay at least ~0.8 character heights apart, else halves, else none.
PLINT minor_intervals(const Axis& a, double px_per_unit, double char_px) {
  const double step_px = a.step * px_per_unit;
  const double min_gap = std::max(6.0, 0.8 * char_px);
  const double mantissa = a.step / std::pow(10.0, std::floor(std::log10(a.step) + 1e-9));
  const PLINT usual = std::abs(mantissa - 2.0) < 0.1 ? 4 : 5;
  if (step_px / usual >= min_gap) return usual;
  if (usual == 4 && step_px / 2.0 >= min_gap) return 2;
  return 1;
}

struct AxisPair {
  Axis x, y;
};

void label_callback(PLINT axis, PLFLT value, PLCHAR_NC_VECTOR label, PLINT length, PLPointer data) {
  const auto* axes = static_cast<const AxisPair*>(data);
  const std::string text = tick_text(axis == PL_Y_AXIS ? axes->y : axes->x, value);
  std::snprintf(label, static_cast<std::size_t>(std::max<PLINT>(length, 1)), "%s", text.c_str());
}

// Light grid lines at the major ticks of `axes` (in the current window).
void draw_grid(const AxisPair& axes) {
  plcol0(kGridGrey);
  plwidth(1.0);
  plbox(axes.x.plplot_log() ? "gl" : "g", axes.x.step, axes.x.nsub, axes.y.plplot_log() ? "gl" : "g", axes.y.step,
        axes.y.nsub);
}

// Box, ticks and our tick labels. The label callback reads `axes` only during this call.
void draw_box(const AxisPair& axes) {
  plcol0(kBlack);
  plwidth(1.0);
  plslabelfunc(label_callback, const_cast<AxisPair*>(&axes));  // PLplot's API takes a non-const pointer
  plbox(axes.x.plplot_log() ? "bcnstol" : "bcnsto", axes.x.step, axes.x.nsub,
        axes.y.plplot_log() ? "bcnstvol" : "bcnstvo", axes.y.step, axes.y.nsub);
  plslabelfunc(nullptr, nullptr);
}

void check_output(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0) fail(path, "output file missing or empty after writing");
}

// Points as small filled dots (Hershey symbol 17); `scale` multiplies the symbol size (the default, or the one last
// set with plssym(size_mm, ...)).
void draw_points(const std::vector<PLFLT>& x, const std::vector<PLFLT>& y, PLINT colour, double scale) {
  if (x.empty()) return;
  plcol0(colour);
  plssym(0.0, scale);
  plpoin(static_cast<PLINT>(x.size()), x.data(), y.data(), 17);
}

void validate_points(const Points2D& p, const std::string& what, const std::string& path) {
  if (p.x.size() != p.y.size())
    fail(path,
         what + ": x and y sizes differ (" + std::to_string(p.x.size()) + " vs " + std::to_string(p.y.size()) + ")");
  if (!p.label.empty() && p.label.size() != p.x.size())
    fail(path, what + ": label size " + std::to_string(p.label.size()) + " does not match point count " +
                   std::to_string(p.x.size()));
  if (p.x.size() > static_cast<std::size_t>(std::numeric_limits<PLINT>::max())) fail(path, what + ": too many points");
}

void check_size(int v, const char* name, const std::string& path) {
  if (v < 64 || v > 16384) fail(path, std::string(name) + " must be in [64, 16384] (got " + std::to_string(v) + ")");
}

// ---------------------------------------------------------------------------------------------------------------
// libpng writer
// ---------------------------------------------------------------------------------------------------------------

struct PngError {
  char message[256];
};

void png_error_cb(png_structp png, png_const_charp msg) {
  auto* err = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(err->message, sizeof err->message, "%s", msg != nullptr ? msg : "libpng error");
  png_longjmp(png, 1);
}

void png_warning_cb(png_structp, png_const_charp) {}  // warnings are not actionable for callers; stay quiet

// libpng reports errors by longjmp, so this function holds no objects with destructors that could be skipped.
// libpng's write callback: appends to the std::string behind the io pointer (the PNG is built in memory, then
// written atomically).
void png_append_cb(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}
void png_flush_cb(png_structp) {}

bool write_png_rows(std::string* out, const unsigned char* pixels, png_uint_32 width, png_uint_32 height, int channels,
                    PngError* err) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, err, png_error_cb, png_warning_cb);
  if (png == nullptr) {
    std::snprintf(err->message, sizeof err->message, "png_create_write_struct failed");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(err->message, sizeof err->message, "png_create_info_struct failed");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, png_append_cb, png_flush_cb);
  png_set_IHDR(png, info, width, height, 8, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const std::size_t stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  for (png_uint_32 row = 0; row < height; ++row) png_write_row(png, pixels + stride * row);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

// -----------------------------------------------------------------------------------------------------------------

void write_flow_panels(const std::string& png_path, const std::vector<std::string>& titles,
                       const std::vector<Points2D>& panels, const Points2D& target, int panel_pixels) {
  if (panels.empty()) fail(png_path, "no panels to draw");
  check_size(panel_pixels, "panel_pixels", png_path);
  if (panels.size() > 64) fail(png_path, "too many panels (" + std::to_string(panels.size()) + ", max 64)");
  validate_points(target, "target", png_path);
  for (std::size_t i = 0; i < panels.size(); ++i) validate_points(panels[i], "panel " + std::to_string(i), png_path);

  // Finite points only, grouped by colour so each class is one plpoin call.
  auto finite_xy = [](const Points2D& p, std::size_t i) { return std::isfinite(p.x[i]) && std::isfinite(p.y[i]); };
  Extent ex, ey;
  std::vector<PLFLT> tx, ty;
  for (std::size_t i = 0; i < target.x.size(); ++i) {
    if (!finite_xy(target, i)) continue;
    tx.push_back(target.x[i]);
    ty.push_back(target.y[i]);
    ex.add(target.x[i]);
    ey.add(target.y[i]);
  }
  struct Group {
    std::vector<PLFLT> x, y;
  };
  std::vector<std::map<PLINT, Group>> groups(panels.size());
  for (std::size_t k = 0; k < panels.size(); ++k) {
    const Points2D& p = panels[k];
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      if (!finite_xy(p, i)) continue;
      Group& g = groups[k][class_colour(p.label.empty() ? 0 : p.label[i])];
      g.x.push_back(p.x[i]);
      g.y.push_back(p.y[i]);
      ex.add(p.x[i]);
      ey.add(p.y[i]);
    }
  }

  // Same limits in every panel and one scale for x and y (a circle stays round); the box takes the data's shape.
  const auto [lx, ly] = equal_scale_window(ex, ey, 0.08, 3.0, png_path);
  const double aspect = (lx.hi - lx.lo) / (ly.hi - ly.lo);  // box width / height, in [1/3, 3]

  // Pixel layout of one panel. The panel's longer side is `panel_pixels`; the margins are in character heights (tick
  // labels left and below, title above) and the box fills the rest with the data's aspect. Tick steps depend on the
  // box size and the margins on the tick labels, so settle them together (a few rounds converge).
  const double side = panel_pixels;
  double ch = std::max(8.0, 0.034 * side);  // character height in pixels
  AxisPair axes;
  double ml = 0, mr = 0, bw = 0, bh = 0;
  const double mb = 2.6, mt = 2.4;  // in character heights
  for (int attempt = 0;; ++attempt) {
    ml = 4.0 * ch;  // first guess
    mr = 1.5 * ch;
    for (int round = 0; round < 4; ++round) {
      bh = std::min((side - ml - mr) / aspect, side - (mb + mt) * ch);  // the tighter side is exactly `side`
      bw = bh * aspect;
      if (bw < 1.0 || bh < 1.0) break;
      axes = {spaced_axis(lx, bw, ch, true, 5), spaced_axis(ly, bh, ch, false, 5)};
      axes.x.nsub = minor_intervals(axes.x, bw / (lx.hi - lx.lo), ch);
      axes.y.nsub = minor_intervals(axes.y, bh / (ly.hi - ly.lo), ch);
      ml = (max_label_width(axes.y) + 1.2) * ch;
      mr = std::max(1.2, 0.5 * max_label_width(axes.x) + 0.4) * ch;  // half of the last x label sticks out
    }
    bh = std::min((side - ml - mr) / aspect, side - (mb + mt) * ch);  // box for the final margins
    bw = bh * aspect;
    // Margins may take at most half of the panel's longer side (only tiny panels come near that).
    if ((bw >= 1.0 && bh >= 1.0 && std::max(bw, bh) >= 0.5 * side) || attempt == 7) break;
    ch *= 0.85;
  }
  if (bw < 1.0 || bh < 1.0) fail(png_path, "panel_pixels too small for the axis labels");
  const int panel_w = static_cast<int>(std::lround(ml + bw + mr));
  const int panel_h = static_cast<int>(std::lround((mb + mt) * ch + bh));

  const int n = static_cast<int>(panels.size());
  std::lock_guard lock(plplot_mutex());
  TempOutput out(png_path);
  {
    Session session(png_path, out.file(), n * panel_w, panel_h, 1.0);
    Session::set_char_height_pixels(ch);
    const double page_w = static_cast<double>(n) * panel_w;
    const double dot_mm = std::max(3.0, 0.025 * side) / Session::pixels_per_mm();
    for (int k = 0; k < n; ++k) {
      const double left = static_cast<double>(k) * panel_w + ml;
      plvpor(left / page_w, (left + bw) / page_w, mb * ch / panel_h, (mb * ch + bh) / panel_h);
      plwind(lx.lo, lx.hi, ly.lo, ly.hi);
      plssym(dot_mm, 1.0);
      draw_points(tx, ty, kTargetGrey, 1.0);
      for (const auto& [colour, g] : groups[k]) draw_points(g.x, g.y, colour, 1.0);
      draw_box(axes);
      const std::string title = static_cast<std::size_t>(k) < titles.size() ? titles[k] : std::string();
      if (!title.empty()) plmtex("t", 1.0, 0.5, 0.5, escape_text(title).c_str());
    }
  }
  out.commit();
}

void write_line_plot(const std::string& png_path, const std::string& title, const std::string& x_label,
                     const std::string& y_label, const std::vector<Series>& series, bool log_y, int width, int height) {
  PlotStyle style;
  style.log_y = log_y;
  style.width = width;
  style.height = height;
  write_series_plot(png_path, title, x_label, y_label, series, style);
}

void write_series_plot(const std::string& png_path, const std::string& title, const std::string& x_label,
                       const std::string& y_label, const std::vector<Series>& series, const PlotStyle& style) {
  const int width = style.width, height = style.height;
  check_size(width, "width", png_path);
  check_size(height, "height", png_path);
  for (std::size_t s = 0; s < series.size(); ++s) {
    const Series& one = series[s];
    const std::string which = "series " + std::to_string(s) + " ('" + one.name + "'): ";
    if (one.x.size() != one.y.size())
      fail(png_path, which + "x and y sizes differ (" + std::to_string(one.x.size()) + " vs " +
                         std::to_string(one.y.size()) + ")");
    if (one.lo.size() != one.hi.size() || (!one.lo.empty() && one.lo.size() != one.y.size()))
      fail(png_path, which + "lo and hi must both be empty or both have y's size");
  }

  // A log axis only if at least one value can be shown on it.
  auto any_positive = [&](bool of_x) {
    for (const Series& s : series)
      for (std::size_t i = 0; i < s.y.size(); ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]) && (of_x ? s.x[i] : s.y[i]) > 0.0) return true;
    return false;
  };
  const bool log_x = style.log_x && any_positive(true);
  const bool log_y = style.log_y && any_positive(false);
  auto shown = [](double v, bool log) { return std::isfinite(v) && (!log || v > 0.0); };
  auto map = [](double v, bool log) { return log ? std::log10(v) : v; };

  // Each series becomes runs of drawable points; a skipped value breaks the line instead of bridging the gap.
  struct Run {
    std::vector<PLFLT> x, y, lo, hi;  // lo/hi: the spread where it can be drawn, else the point itself
  };
  std::vector<std::vector<Run>> runs(series.size());
  Extent ex, ey;
  for (std::size_t s = 0; s < series.size(); ++s) {
    const Series& one = series[s];
    Run cur;
    for (std::size_t i = 0; i < one.x.size(); ++i) {
      const double x = one.x[i], y = one.y[i];
      if (!shown(x, log_x) || !shown(y, log_y)) {
        if (!cur.x.empty()) runs[s].push_back(std::move(cur));
        cur = Run{};
        continue;
      }
      const double yy = map(y, log_y);
      double lo = yy, hi = yy;
      if (!one.lo.empty() && shown(one.lo[i], log_y) && shown(one.hi[i], log_y)) {
        lo = std::min(yy, map(one.lo[i], log_y));
        hi = std::max(yy, map(one.hi[i], log_y));
      }
      cur.x.push_back(map(x, log_x));
      cur.y.push_back(yy);
      cur.lo.push_back(lo);
      cur.hi.push_back(hi);
      ex.add(cur.x.back());
      ey.add(lo);
      ey.add(hi);
    }
    if (!cur.x.empty()) runs[s].push_back(std::move(cur));
  }
  // A log axis is labelled at whole decades only; make sure at least two of them are in range.
  auto whole_decades = [](Extent& e) {
    if (!e.empty() && std::floor(e.hi) - std::ceil(e.lo) < 1.0) {
      e.lo = std::floor(e.lo);
      e.hi = std::max(std::ceil(e.hi), e.lo + 1.0);
    }
  };
  if (log_x) whole_decades(ex);
  if (log_y) whole_decades(ey);
  const Limits lx = padded(ex, 0.05, 0.5, png_path);
  const Limits ly = padded(ey, 0.05, 0.5, png_path);  // 0.5 = half a decade on a log axis

  std::lock_guard lock(plplot_mutex());
  TempOutput out(png_path);
  {
    Session session(png_path, out.file(), width, height, text_scale_for(std::min(width, height), 420.0));
    AxisPair axes{make_axis(lx, log_x, 7), make_axis(ly, log_y, 6)};
    // Left margin fits the widest (horizontal) y tick label plus the y label; below: tick labels plus x label.
    const double y_labels = max_label_width(axes.y);
    constexpr std::size_t kMaxLegendName = 48;
    std::vector<std::string> names(series.size());
    double legend_chars = 0.0;  // the legend's width in character heights, when it goes outside the box
    for (std::size_t s = 0; s < series.size(); ++s) {
      std::string name = series[s].name.empty() ? "series " + std::to_string(s) : series[s].name;
      if (name.size() > kMaxLegendName) name = name.substr(0, kMaxLegendName - 3) + "...";
      names[s] = escape_text(name);
      legend_chars = std::max(legend_chars, 0.65 * label_width(names[s]) + 5.5);
    }
    const bool outside = style.legend_outside && series.size() > 1;
    const double right = std::max(2.0, 0.5 * max_label_width(axes.x) + 0.5);
    const double right_margin = outside ? std::max(right, legend_chars + 1.0) : right;
    if (!log_x) {
      // A legend beside the box narrows it: choose x ticks whose labels keep clear of each other in what is left.
      PLFLT xmin = 0, xmax = 0, ymin = 0, ymax = 0, def_height = 0, char_height = 0;
      plgspa(&xmin, &xmax, &ymin, &ymax);
      plgchr(&def_height, &char_height);
      const double box_chars = (xmax - xmin) / char_height - (y_labels + 3.4) - right_margin;
      if (box_chars > 4.0) axes.x = spaced_axis(lx, box_chars, 1.0, true, 7);
    }
    viewport_in_chars(y_labels + 3.4, right_margin, 4.2, 3.0);
    plwind(axes.x.lo, axes.x.hi, axes.y.lo, axes.y.hi);
    draw_grid(axes);  // first, so the data lines cover it

    const double line_width = std::clamp(std::min(width, height) / 250.0, 1.0, 6.0);
    // Bands first, under every line.
    if (!style.error_bars) {
      for (std::size_t s = 0; s < series.size(); ++s) {
        if (series[s].lo.empty()) continue;
        plcol0(band_colour(static_cast<int>(s)));
        for (const Run& r : runs[s]) {
          if (r.x.size() < 2) continue;
          std::vector<PLFLT> px(r.x.begin(), r.x.end()), py(r.hi.begin(), r.hi.end());
          px.insert(px.end(), r.x.rbegin(), r.x.rend());
          py.insert(py.end(), r.lo.rbegin(), r.lo.rend());
          plfill(static_cast<PLINT>(px.size()), px.data(), py.data());
        }
      }
    }
    plwidth(line_width);
    for (std::size_t s = 0; s < series.size(); ++s) {
      const PLINT colour = class_colour(static_cast<int>(s));
      for (const Run& r : runs[s]) {
        if (style.error_bars) {
          plcol0(colour);
          if (!series[s].lo.empty()) {
            std::vector<PLFLT> x(r.x), lo(r.lo), hi(r.hi);
            plerry(static_cast<PLINT>(x.size()), x.data(), lo.data(), hi.data());
          }
          draw_points(r.x, r.y, colour, 1.5);
        }
        if (r.x.size() == 1) {
          draw_points(r.x, r.y, colour, 1.0);  // an isolated point has no line; mark it
        } else {
          plcol0(colour);
          plline(static_cast<PLINT>(r.x.size()), r.x.data(), r.y.data());
        }
      }
    }

    draw_box(axes);  // last, so lines do not hide ticks
    plmtex("b", 3.0, 0.5, 0.5, escape_text(x_label).c_str());
    plmtex("l", y_labels + 2.2, 0.5, 0.5, escape_text(y_label).c_str());
    // With the legend outside, the title is centred on the page (it may be wider than the box).
    PLFLT vx0 = 0, vx1 = 1, vy0 = 0, vy1 = 1;
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    const double title_at = outside && vx1 > vx0 ? std::clamp((0.5 - vx0) / (vx1 - vx0), 0.0, 1.5) : 0.5;
    plmtex("t", 1.2, title_at, 0.5, escape_text(title).c_str());

    if (series.size() > 1) {
      const std::size_t n = series.size();
      std::vector<const char*> text(n);
      std::vector<PLINT> opts(n, PL_LEGEND_LINE), text_colours(n, kBlack), line_colours(n), line_styles(n, 1);
      std::vector<PLFLT> line_widths(n, line_width);
      for (std::size_t s = 0; s < n; ++s) {
        text[s] = names[s].c_str();
        line_colours[s] = class_colour(static_cast<int>(s));
      }
      PLFLT legend_w = 0.0, legend_h = 0.0;
      const PLINT position =
          outside ? PL_POSITION_RIGHT | PL_POSITION_OUTSIDE : PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE;
      pllegend(&legend_w, &legend_h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, position, outside ? 0.01 : 0.02,
               outside ? 0.0 : 0.03, 0.06, kWhite, kBlack, 1, static_cast<PLINT>(n), 1, static_cast<PLINT>(n),
               opts.data(), 0.8, 0.85, 1.8, 0.0, text_colours.data(), text.data(), nullptr, nullptr, nullptr, nullptr,
               line_colours.data(), line_styles.data(), line_widths.data(), nullptr, nullptr, nullptr, nullptr);
    }
  }
  out.commit();
}

void write_image_grid(const std::string& png_path, const std::vector<double>& images, int rows, int cols, int h, int w,
                      int channels, double lo, double hi, int scale, int gap) {
  if (rows <= 0 || cols <= 0 || h <= 0 || w <= 0) fail(png_path, "rows, cols, h and w must be positive");
  if (channels != 1 && channels != 3) fail(png_path, "channels must be 1 or 3 (got " + std::to_string(channels) + ")");
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) fail(png_path, "need finite lo < hi");
  if (scale < 1 || scale > 64) fail(png_path, "scale must be in [1, 64]");
  if (gap < 0 || gap > 1024) fail(png_path, "gap must be in [0, 1024]");

  // 64-bit arithmetic: every factor is < 2^31, and the checks below keep products far from overflow.
  const std::uint64_t img_values = std::uint64_t(h) * std::uint64_t(w) * std::uint64_t(channels);
  const std::uint64_t expected = std::uint64_t(rows) * std::uint64_t(cols) * img_values;
  if (images.size() != expected)
    fail(png_path, "expected " + std::to_string(expected) + " values (rows*cols*h*w*channels), got " +
                       std::to_string(images.size()));
  const std::uint64_t out_w = std::uint64_t(cols) * w * scale + std::uint64_t(cols - 1) * gap;
  const std::uint64_t out_h = std::uint64_t(rows) * h * scale + std::uint64_t(rows - 1) * gap;
  constexpr std::uint64_t kMaxSide = 1u << 16, kMaxBytes = std::uint64_t(1) << 31;
  if (out_w > kMaxSide || out_h > kMaxSide || out_w * out_h * channels > kMaxBytes)
    fail(png_path, "output image too large (" + std::to_string(out_w) + "x" + std::to_string(out_h) + ")");

  const std::size_t W = out_w, H = out_h, C = static_cast<std::size_t>(channels);
  std::vector<unsigned char> pixels(W * H * C, 255);  // pre-filled white: the gaps stay white
  const double to_byte = 255.0 / (hi - lo);
  for (int gr = 0; gr < rows; ++gr) {
    for (int gc = 0; gc < cols; ++gc) {
      const double* img = images.data() + (std::size_t(gr) * cols + gc) * img_values;
      const std::size_t top = std::size_t(gr) * (std::size_t(h) * scale + gap);
      const std::size_t left = std::size_t(gc) * (std::size_t(w) * scale + gap);
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          for (std::size_t c = 0; c < C; ++c) {
            const double v = img[(std::size_t(y) * w + x) * C + c];
            const unsigned char byte =
                std::isnan(v) ? 0 : static_cast<unsigned char>(std::lround((std::clamp(v, lo, hi) - lo) * to_byte));
            for (int sy = 0; sy < scale; ++sy) {
              unsigned char* row = pixels.data() + ((top + std::size_t(y) * scale + sy) * W + left) * C;
              for (int sx = 0; sx < scale; ++sx) row[(std::size_t(x) * scale + sx) * C + c] = byte;
            }
          }
        }
      }
    }
  }

  std::string encoded;
  PngError err{};
  if (!write_png_rows(&encoded, pixels.data(), static_cast<png_uint_32>(W), static_cast<png_uint_32>(H), channels,
                      &err))
    fail(png_path, std::string("libpng: ") + err.message);
  try {
    files::write_atomic(png_path, encoded);  // never a truncated PNG in place, even on a crash
  } catch (const IoError& e) {
    fail(png_path, e.what());
  }
  check_output(png_path);
}

}  // namespace wow::plot
