#pragma once
// Highway's vectorised quicksort, compiled here for every x86 instruction set and chosen when the library loads,
// with a fixed seed for its pivot sampling. The library's hwy::Sorter (1.0.3) asks the kernel for 24 random bytes
// (a getrandom system call, about 1.1 us) on every call: more than sorting a few hundred keys, and the engine sorts
// thousands of segments per step. Callers pass unique keys (or keys whose equal ones are interchangeable), so the
// result does not depend on the pivots.
#include <cstddef>
#include <cstdint>

namespace wow::vector_sort {

void ascending(std::uint64_t* keys, std::size_t n);
void ascending(float* keys, std::size_t n);
void ascending(double* keys, std::size_t n);

// Sorts n float values with their positions when n is small enough for the sorting network of this machine (at
// most 64 with AVX-512, 32 with AVX2; returns false otherwise, and always on other instruction sets): sorted[i] is
// the i-th smallest value and index[i] (when not null) its position in `values`. `sorted` may be `values`.
bool small_ascending_with_index(const float* values, std::size_t n, float* sorted, std::uint32_t* index);

// The same for any n, with `scratch` (n keys) for classes too large for the network.
void ascending_with_index(const float* values, std::size_t n, float* sorted, std::uint32_t* index,
                          std::uint64_t* scratch);

// The instruction set the sort runs with on this machine ("AVX3", "AVX2", ...), for the bench's report.
const char* target_name();

}  // namespace wow::vector_sort
