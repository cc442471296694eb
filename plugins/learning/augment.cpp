#include "augment.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "engine/rng.hpp"
#include "wow/errors.hpp"

namespace wow::learning {

namespace {

namespace F = torch::nn::functional;

// DSA's ranges: scale by up to 1.2 per axis, rotate up to 15 degrees, shift (crop with zero padding) up to 1/8 of
// the side, cut out a square of half the side, brightness +-0.5, contrast x 0.5-1.5.
constexpr double kScale = 1.2, kRotateDegrees = 15.0, kShift = 0.125, kCutout = 0.5;

// Resample through a 2 x 3 affine map of normalised coordinates (zero outside the image).
torch::Tensor affine(const torch::Tensor& images, double m00, double m01, double m02, double m10, double m11,
                     double m12) {
  const torch::Tensor theta = torch::tensor({m00, m01, m02, m10, m11, m12}, images.options().requires_grad(false))
                                  .view({1, 2, 3})
                                  .expand({images.size(0), 2, 3});
  const torch::Tensor grid = F::affine_grid(theta, images.sizes(), /*align_corners=*/true);
  return F::grid_sample(
      images, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(true));
}

}  // namespace

Augmentation Augmentation::draw(const std::string& policy, std::uint64_t seed, std::uint64_t step) {
  auto stream = rng::stream(seed, rng::Purpose::Augmentation, step, 0);
  Augmentation aug;
  if (policy == "none") return aug;
  if (policy == "dsa") {
    aug.kind = augmentation_transforms()[stream.below(augmentation_transforms().size())];
  } else {
    if (std::find(augmentation_transforms().begin(), augmentation_transforms().end(), policy) ==
        augmentation_transforms().end())
      throw InputError("augmentation \"" + policy + "\" is unknown");
    aug.kind = policy;
  }
  aug.a = stream.uniform();
  aug.b = stream.uniform();
  aug.c = stream.uniform();
  return aug;
}

torch::Tensor Augmentation::apply(const torch::Tensor& images) const {
  if (kind == "scale") {
    const double lo = 1.0 / kScale;
    return affine(images, lo + a * (kScale - lo), 0, 0, 0, lo + b * (kScale - lo), 0);
  }
  if (kind == "rotate") {
    const double angle = (a - 0.5) * 2.0 * kRotateDegrees * std::numbers::pi / 180.0;
    return affine(images, std::cos(angle), std::sin(angle), 0, -std::sin(angle), std::cos(angle), 0);
  }
  if (kind == "crop") {
    // A shift by whole pixels (the zero-padded crop of DSA): normalised coordinates span 2 over side - 1 pixels.
    const auto shift = [&](double u, std::int64_t side) {
      const auto most = static_cast<std::int64_t>(std::floor(kShift * static_cast<double>(side)));
      const auto pixels = static_cast<double>(static_cast<std::int64_t>(u * static_cast<double>(2 * most + 1)) - most);
      return side > 1 ? 2.0 * pixels / static_cast<double>(side - 1) : 0.0;
    };
    return affine(images, 1, 0, shift(a, images.size(3)), 0, 1, shift(b, images.size(2)));
  }
  if (kind == "cutout") {
    const std::int64_t h = images.size(2), w = images.size(3);
    const auto half_h = static_cast<std::int64_t>(kCutout * static_cast<double>(h) / 2.0);
    const auto half_w = static_cast<std::int64_t>(kCutout * static_cast<double>(w) / 2.0);
    const auto cy = static_cast<std::int64_t>(a * static_cast<double>(h));
    const auto cx = static_cast<std::int64_t>(b * static_cast<double>(w));
    torch::Tensor mask = torch::ones({1, 1, h, w}, images.options().requires_grad(false));
    mask.index_put_({0, 0, torch::indexing::Slice(std::max<std::int64_t>(0, cy - half_h), std::min(h, cy + half_h)),
                     torch::indexing::Slice(std::max<std::int64_t>(0, cx - half_w), std::min(w, cx + half_w))},
                    0.0);
    return images * mask;
  }
  if (kind == "colour") {
    // Brightness, then saturation (towards the pixel's channel mean), then contrast (towards the image's mean).
    torch::Tensor out = images + (a - 0.5);
    out = out.mean(1, true) + (out - out.mean(1, true)) * (b * 2.0);
    return out.mean({1, 2, 3}, true) + (out - out.mean({1, 2, 3}, true)) * (c + 0.5);
  }
  return images;
}

}  // namespace wow::learning
