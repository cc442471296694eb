#include "engine/blas.hpp"

#include <cblas.h>

#include <string>

namespace wow::blas {

namespace {
int to_int(std::size_t v) { return static_cast<int>(v); }
}  // namespace

void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
             std::size_t ldb, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, to_int(m), to_int(n), to_int(k), 1.0F, a, to_int(lda), b,
              to_int(ldb), 0.0F, c, to_int(ldc));
}
void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
             std::size_t ldb, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, to_int(m), to_int(n), to_int(k), 1.0, a, to_int(lda), b,
              to_int(ldb), 0.0, c, to_int(ldc));
}
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
             std::size_t ldb, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, to_int(m), to_int(n), to_int(k), 1.0F, a, to_int(lda), b,
              to_int(ldb), 0.0F, c, to_int(ldc));
}
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
             std::size_t ldb, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, to_int(m), to_int(n), to_int(k), 1.0, a, to_int(lda), b,
              to_int(ldb), 0.0, c, to_int(ldc));
}

void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
             std::size_t ldb, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, to_int(m), to_int(n), to_int(k), 1.0F, a, to_int(lda), b,
              to_int(ldb), 0.0F, c, to_int(ldc));
}
void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
             std::size_t ldb, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, to_int(m), to_int(n), to_int(k), 1.0, a, to_int(lda), b,
              to_int(ldb), 0.0, c, to_int(ldc));
}

void set_threads(int threads) { openblas_set_num_threads(threads); }

const char* describe() {
  static const std::string text =
      std::string("OpenBLAS ") + openblas_get_config() + "; core=" + openblas_get_corename();
  return text.c_str();
}

}  // namespace wow::blas
