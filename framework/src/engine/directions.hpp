#pragma once
// Random projection directions on the unit sphere S^{d-1}, drawn anew each step from counter-based streams.
//   gaussian:   normalised standard Gaussian vectors (i.i.d. uniform on the sphere)
//   orthogonal: blocks of min(d, L) directions made exactly orthonormal (QR of a Gaussian block with sign fix,
//               so each block is a Haar-random orthonormal frame); lowers the variance of SW estimates
//   qmc:        a scrambled Halton set (random linear digit scrambling per step and coordinate, plus a jitter in
//               the finest cell) mapped through the inverse normal CDF and normalised: every direction is uniform on
//               the sphere, every coordinate of the set is stratified
#include <cstddef>
#include <cstdint>
#include <string>

#include "wow/interfaces.hpp"

namespace wow {

// Writes `count` unit directions of dimension `dim` (row-major count x dim) for (seed, step).
template <class T>
void draw_directions(DirectionKind kind, std::uint64_t seed, std::uint64_t step, std::size_t count, std::size_t dim,
                     T* out, const ProjectionBackend& backend);

DirectionKind parse_direction_kind(const std::string& name);

}  // namespace wow
