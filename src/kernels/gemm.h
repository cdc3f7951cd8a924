/* gemm.h: row-major single-precision matrix multiply with BLAS-like semantics, the
 * workhorse behind convolution (im2col) and Linear layers.
 * It is not a general BLAS: one precision, row-major only, single thread. */
#ifndef KINDLING_GEMM_H
#define KINDLING_GEMM_H

/* C = alpha * op(A) @ op(B) + beta * C, with op(X) = X (trans == 0) or X^T (trans != 0).
 *   op(A) is (M, K), op(B) is (K, N), C is (M, N); all row-major, and lda/ldb/ldc are the
 *   row strides (in elements) of A, B and C as they are stored:
 *   A is (M, K) with lda >= K, or (K, M) with lda >= M when transA;
 *   B is (K, N) with ldb >= N, or (N, K) with ldb >= K when transB; ldc >= N.
 * beta == 0 makes C write-only: whatever C held (NaN included) does not reach the result.
 * alpha == 0 or K == 0 give C = beta * C without reading A or B.
 * M, N or K <= 0 is an empty product. Pointers and strides are not validated: the
 * caller (the ABI layer) checks shapes before calling.
 * Returns 0, or -1 when the packing workspace could not be allocated; C is then unchanged.
 * gemm_f32 packs panels of op(A) and op(B) into a static workspace that is grown on demand
 * and kept between calls, so it is not safe to call from two threads at once. */
int gemm_f32(int transA, int transB, int M, int N, int K, float alpha,
             const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

/* The naive triple loop: the reference that gemm_f32 is tested against. Never fails. */
int gemm_f32_scalar(int transA, int transB, int M, int N, int K, float alpha,
                    const float* A, int lda, const float* B, int ldb, float beta,
                    float* C, int ldc);

#endif
