#pragma once
// Thin typed wrappers over CBLAS so templated code can call one name for float and double.
#include <cstddef>

namespace wow::blas {

// C (m x n, ldc) = A (m x k) * B^T, where B is (n x k); all row-major.
void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
             std::size_t ldb, float* c, std::size_t ldc);
void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
             std::size_t ldb, double* c, std::size_t ldc);
// C (m x n, ldc) = A^T * B, where A is (k x m, lda) and B is (k x n, ldb); all row-major.
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
             std::size_t ldb, float* c, std::size_t ldc);
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
             std::size_t ldb, double* c, std::size_t ldc);

// BLAS threads. The engine calls BLAS on fixed blocks with one BLAS thread each, for bit-identical results.
// C (m x n) = A (m x k) * B (k x n), row-major.
void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
             std::size_t ldb, float* c, std::size_t ldc);
void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
             std::size_t ldb, double* c, std::size_t ldc);

void set_threads(int threads);
// "OpenBLAS 0.3.21 ... core=Haswell ..." : library, version/config and the core type in use.
const char* describe();

}  // namespace wow::blas
