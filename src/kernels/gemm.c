/* gemm.c: row-major f32 GEMM, C = alpha * op(A) @ op(B) + beta * C (see gemm.h).
 *
 * Goto/BLIS structure: K is cut into blocks of about KC_MAX, N into blocks of NC_MAX and
 * M into blocks of MC_MAX; for each (K, N) block a panel of op(B) is packed, for each
 * (M, K) block a panel of op(A) is packed, and a 4x8 micro-kernel walks the packed
 * panels. Transposes are folded into packing, so the micro-kernel sees one layout:
 *   packed A: ceil(mc/4) micro-panels, each (kc, 4)  -- the 4 rows' values for one k adjacent
 *   packed B: ceil(nc/8) micro-panels, each (kc, 8)  -- the 8 columns' values for one k adjacent
 * Rows and columns past the matrix edge are packed as zeros, so the micro-kernel always
 * computes a full 4x8 tile; only the write-back to C is clipped.
 *
 * The 4x8 tile (8 f32x4 accumulators, 2 B vectors, 1 broadcast A) is the measured best
 * for V8's 16 wasm SIMD registers (see shared PERF-NOTES.md). With SIMD off (and always
 * natively) the same blocking runs a plain-C micro-kernel, so native tests exercise the
 * packing, blocking and edge logic that the SIMD path relies on.
 *
 * Not here: threads, other precisions, column-major. The workspace is one static buffer,
 * so gemm_f32 is not reentrant. */
#include "gemm.h"
#include "simd_switch.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define MR 4       /* rows of the register tile */
#define NR 8       /* columns of the register tile (two f32x4) */
/* block sizes (overridable with -D for tuning) */
#ifndef KC_MAX
#define KC_MAX 320 /* a (kc, 8) B micro-panel plus a (kc, 4) A micro-panel stay in L1 */
#endif
#ifndef MC_MAX
#define MC_MAX 192 /* the packed (mc, kc) A block stays in L2 */
#endif
#ifndef NC_MAX
#define NC_MAX 2048 /* the packed (kc, nc) B block stays in L3 */
#endif

/* ---------------------------------------------------------------------------------- */
/* reference */

int gemm_f32_scalar(int transA, int transB, int M, int N, int K, float alpha,
                    const float* A, int lda, const float* B, int ldb, float beta,
                    float* C, int ldc) {
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            float sum = 0.0f;
            if (alpha != 0.0f) {
                for (int p = 0; p < K; p++) {
                    float a = transA ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
                    float b = transB ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
                    sum += a * b;
                }
            }
            float* c = &C[(size_t)i * ldc + j];
            /* beta == 0 must not read C: 0 * NaN would leak the NaN */
            *c = beta == 0.0f ? alpha * sum : alpha * sum + beta * *c;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* workspace: grown on demand, never shrunk, never freed (one per process) */

static float* g_ws_raw;  /* as returned by malloc */
static float* g_ws;      /* g_ws_raw rounded up to 16 bytes */
static size_t g_ws_cap;  /* floats usable from g_ws */

static float* workspace(size_t nfloats) {
    if (nfloats <= g_ws_cap) return g_ws;
    /* allocate before freeing so that a failure leaves the old buffer usable */
    float* raw = (float*)malloc((nfloats + 4) * sizeof(float));
    if (!raw) return NULL;
    free(g_ws_raw);
    g_ws_raw = raw;
    g_ws = (float*)(((uintptr_t)raw + 15) & ~(uintptr_t)15);
    g_ws_cap = nfloats;
    return g_ws;
}

/* ---------------------------------------------------------------------------------- */
/* packing */

/* Each packing loop walks the source matrix along its rows, so that reads are long
 * sequential streams: on the tall-skinny shapes the packed operand comes from DRAM, and
 * packing it column-wise (a new cache line, often a new page, per few values) was
 * 1.2-2x slower. Packing is ~10% of the time on those shapes. */

#ifdef __wasm_simd128__
/* (r0; r1; r2; r3) -> its transpose, written as 4 vectors at dst, dst + stride, ... */
static inline void store_transpose_4x4(float* dst, size_t stride, v128_t r0, v128_t r1,
                                       v128_t r2, v128_t r3) {
    const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
    const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
    const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
    const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    wasm_v128_store(dst, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
    wasm_v128_store(dst + stride, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
    wasm_v128_store(dst + 2 * stride, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
    wasm_v128_store(dst + 3 * stride, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
}
#endif

/* op(A)[i0 : i0+mc, p0 : p0+kc] -> ap: ceil(mc/MR) micro-panels of (kc, MR), the rows
 * past mc zero. */
static void pack_a(int transA, const float* A, size_t lda, int i0, int mc, int p0, int kc,
                   float* ap) {
    if (!transA) {
        /* A is (M, K): each micro-panel reads MR rows side by side, 4 k at a time */
        for (int ir = 0; ir < mc; ir += MR, ap += (size_t)MR * kc) {
            const int mr = mc - ir < MR ? mc - ir : MR;
            const float* a = A + (size_t)(i0 + ir) * lda + p0;
            float* dst = ap;
            int k = 0;
            if (mr == MR) {
#ifdef __wasm_simd128__
                for (; k + 4 <= kc; k += 4, dst += 4 * MR)
                    store_transpose_4x4(dst, MR, wasm_v128_load(a + k),
                                        wasm_v128_load(a + lda + k),
                                        wasm_v128_load(a + 2 * lda + k),
                                        wasm_v128_load(a + 3 * lda + k));
#endif
            }
            for (; k < kc; k++, dst += MR)
                for (int r = 0; r < MR; r++) dst[r] = r < mr ? a[(size_t)r * lda + k] : 0.0f;
        }
    } else {
        /* A is (K, M): row k of A holds op(A)[:, k]; scatter it MR values per micro-panel */
        for (int k = 0; k < kc; k++) {
            const float* a = A + (size_t)(p0 + k) * lda + i0;
            float* dst = ap + (size_t)k * MR;
            int ir = 0;
            for (; ir + MR <= mc; ir += MR, dst += (size_t)MR * kc) {
#ifdef __wasm_simd128__
                wasm_v128_store(dst, wasm_v128_load(a + ir));
#else
                for (int r = 0; r < MR; r++) dst[r] = a[ir + r];
#endif
            }
            if (ir < mc)
                for (int r = 0; r < MR; r++) dst[r] = ir + r < mc ? a[ir + r] : 0.0f;
        }
    }
}

/* op(B)[p0 : p0+kc, j0 : j0+nc] -> bp: ceil(nc/NR) micro-panels of (kc, NR), the
 * columns past nc zero. */
static void pack_b(int transB, const float* B, size_t ldb, int p0, int kc, int j0, int nc,
                   float* bp) {
    if (!transB) {
        /* B is (K, N): row k of B holds op(B)[k, :]; scatter it NR values per micro-panel */
        for (int k = 0; k < kc; k++) {
            const float* b = B + (size_t)(p0 + k) * ldb + j0;
            float* dst = bp + (size_t)k * NR;
            int jr = 0;
            for (; jr + NR <= nc; jr += NR, dst += (size_t)NR * kc) {
#ifdef __wasm_simd128__
                wasm_v128_store(dst, wasm_v128_load(b + jr));
                wasm_v128_store(dst + 4, wasm_v128_load(b + jr + 4));
#else
                for (int c = 0; c < NR; c++) dst[c] = b[jr + c];
#endif
            }
            if (jr < nc)
                for (int c = 0; c < NR; c++) dst[c] = jr + c < nc ? b[jr + c] : 0.0f;
        }
    } else {
        /* B is (N, K): each micro-panel reads NR rows side by side, 4 k at a time */
        for (int jr = 0; jr < nc; jr += NR, bp += (size_t)NR * kc) {
            const int nr = nc - jr < NR ? nc - jr : NR;
            const float* b = B + (size_t)(j0 + jr) * ldb + p0;
            float* dst = bp;
            int k = 0;
            if (nr == NR) {
#ifdef __wasm_simd128__
                for (; k + 4 <= kc; k += 4, dst += 4 * NR) {
                    store_transpose_4x4(dst, NR, wasm_v128_load(b + k),
                                        wasm_v128_load(b + ldb + k),
                                        wasm_v128_load(b + 2 * ldb + k),
                                        wasm_v128_load(b + 3 * ldb + k));
                    store_transpose_4x4(dst + 4, NR, wasm_v128_load(b + 4 * ldb + k),
                                        wasm_v128_load(b + 5 * ldb + k),
                                        wasm_v128_load(b + 6 * ldb + k),
                                        wasm_v128_load(b + 7 * ldb + k));
                }
#endif
            }
            for (; k < kc; k++, dst += NR)
                for (int c = 0; c < NR; c++) dst[c] = c < nr ? b[(size_t)c * ldb + k] : 0.0f;
        }
    }
}

/* ---------------------------------------------------------------------------------- */
/* micro-kernels: acc(4, 8) = sum_k a(k, :)^T b(k, :); then C = alpha * acc + beta * C on
 * the valid (mr, nr) corner. beta == 0 never reads C. */

static void store_tile_clipped(const float* t, /* (MR, NR) */
                               float* c, size_t ldc, int mr, int nr, float alpha, float beta) {
    for (int i = 0; i < mr; i++) {
        for (int j = 0; j < nr; j++) {
            const float v = alpha * t[i * NR + j];
            float* cij = &c[(size_t)i * ldc + j];
            *cij = beta == 0.0f ? v : v + beta * *cij;
        }
    }
}

static void ukernel_4x8_scalar(int kc, const float* a, /* (kc, MR) */
                               const float* b,          /* (kc, NR) */
                               float* c, size_t ldc, int mr, int nr, float alpha, float beta) {
    float acc[MR * NR] = {0};
    for (int k = 0; k < kc; k++) {
        for (int i = 0; i < MR; i++) {
            const float ai = a[i];
            for (int j = 0; j < NR; j++) acc[i * NR + j] += ai * b[j];
        }
        a += MR;
        b += NR;
    }
    store_tile_clipped(acc, c, ldc, mr, nr, alpha, beta);
}

#ifdef __wasm_simd128__
static inline void store_row_simd(float* c, v128_t lo, v128_t hi, v128_t valpha, float beta) {
    lo = wasm_f32x4_mul(lo, valpha);
    hi = wasm_f32x4_mul(hi, valpha);
    if (beta == 1.0f) {
        lo = wasm_f32x4_add(lo, wasm_v128_load(c));
        hi = wasm_f32x4_add(hi, wasm_v128_load(c + 4));
    } else if (beta != 0.0f) {
        const v128_t vbeta = wasm_f32x4_splat(beta);
        lo = wasm_f32x4_add(lo, wasm_f32x4_mul(vbeta, wasm_v128_load(c)));
        hi = wasm_f32x4_add(hi, wasm_f32x4_mul(vbeta, wasm_v128_load(c + 4)));
    }
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
}

static void ukernel_4x8_wasmsimd(int kc, const float* a, /* (kc, MR) */
                                 const float* b,          /* (kc, NR) */
                                 float* c, size_t ldc, int mr, int nr, float alpha,
                                 float beta) {
    v128_t c0l = wasm_f32x4_splat(0.0f), c0h = c0l, c1l = c0l, c1h = c0l;
    v128_t c2l = c0l, c2h = c0l, c3l = c0l, c3h = c0l;
    /* Not unrolled on purpose: unrolled by 2 or 4, clang interleaves the steps, which keeps
     * 4 B vectors live, V8 then spills accumulators, and speed drops from ~45 to ~32 GFLOP/s. */
    for (int k = 0; k < kc; k++) {
        const v128_t bl = wasm_v128_load(b);
        const v128_t bh = wasm_v128_load(b + 4);
        v128_t av = wasm_v128_load32_splat(a + 0);
        c0l = wasm_f32x4_add(c0l, wasm_f32x4_mul(av, bl));
        c0h = wasm_f32x4_add(c0h, wasm_f32x4_mul(av, bh));
        av = wasm_v128_load32_splat(a + 1);
        c1l = wasm_f32x4_add(c1l, wasm_f32x4_mul(av, bl));
        c1h = wasm_f32x4_add(c1h, wasm_f32x4_mul(av, bh));
        av = wasm_v128_load32_splat(a + 2);
        c2l = wasm_f32x4_add(c2l, wasm_f32x4_mul(av, bl));
        c2h = wasm_f32x4_add(c2h, wasm_f32x4_mul(av, bh));
        av = wasm_v128_load32_splat(a + 3);
        c3l = wasm_f32x4_add(c3l, wasm_f32x4_mul(av, bl));
        c3h = wasm_f32x4_add(c3h, wasm_f32x4_mul(av, bh));
        a += MR;
        b += NR;
    }
    if (mr == MR && nr == NR) {
        const v128_t valpha = wasm_f32x4_splat(alpha);
        store_row_simd(c, c0l, c0h, valpha, beta);
        store_row_simd(c + ldc, c1l, c1h, valpha, beta);
        store_row_simd(c + 2 * ldc, c2l, c2h, valpha, beta);
        store_row_simd(c + 3 * ldc, c3l, c3h, valpha, beta);
    } else {
        float t[MR * NR];
        wasm_v128_store(t + 0, c0l);
        wasm_v128_store(t + 4, c0h);
        wasm_v128_store(t + 8, c1l);
        wasm_v128_store(t + 12, c1h);
        wasm_v128_store(t + 16, c2l);
        wasm_v128_store(t + 20, c2h);
        wasm_v128_store(t + 24, c3l);
        wasm_v128_store(t + 28, c3h);
        store_tile_clipped(t, c, ldc, mr, nr, alpha, beta);
    }
}
#endif

/* ---------------------------------------------------------------------------------- */
/* driver */

/* Splits n into the fewest blocks of at most max, of equal size rounded up to a multiple
 * of unit, so that K = 288 is one block of 288 rather than 256 + 32. */
static int block_size(int n, int max, int unit) {
    const int nblocks = (n + max - 1) / max;
    const int b = (n + nblocks - 1) / nblocks;
    return (b + unit - 1) / unit * unit;
}

static void scale_c(int M, int N, float beta, float* C, size_t ldc) {
    if (beta == 1.0f) return;
    for (int i = 0; i < M; i++) {
        float* c = C + (size_t)i * ldc;
        if (beta == 0.0f) {
            for (int j = 0; j < N; j++) c[j] = 0.0f;
        } else {
            for (int j = 0; j < N; j++) c[j] *= beta;
        }
    }
}

int gemm_f32(int transA, int transB, int M, int N, int K, float alpha,
             const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    if (M <= 0 || N <= 0) return 0;
    if (K <= 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, (size_t)ldc);
        return 0;
    }
    const int kc_blk = block_size(K, KC_MAX, 1);
    const int mc_blk = block_size(M, MC_MAX, MR);
    const int nc_blk = block_size(N, NC_MAX, NR);
    float* ws = workspace((size_t)mc_blk * kc_blk + (size_t)kc_blk * nc_blk);
    if (!ws) return -1;
    float* ap = ws;                            /* (mc_blk / MR) micro-panels of (kc, MR) */
    float* bp = ws + (size_t)mc_blk * kc_blk;  /* (nc_blk / NR) micro-panels of (kc, NR) */
    const int use_simd = KERNEL_USE_SIMD;
    (void)use_simd;

    for (int jc = 0; jc < N; jc += nc_blk) {
        const int nc = N - jc < nc_blk ? N - jc : nc_blk;
        for (int pc = 0; pc < K; pc += kc_blk) {
            const int kc = K - pc < kc_blk ? K - pc : kc_blk;
            /* the first K block applies beta; later ones accumulate onto it */
            const float beta_k = pc == 0 ? beta : 1.0f;
            pack_b(transB, B, (size_t)ldb, pc, kc, jc, nc, bp);
            for (int ic = 0; ic < M; ic += mc_blk) {
                const int mc = M - ic < mc_blk ? M - ic : mc_blk;
                pack_a(transA, A, (size_t)lda, ic, mc, pc, kc, ap);
                /* B micro-panel outer: it stays in L1 while the A micro-panels stream
                 * through from L2 */
                for (int jr = 0; jr < nc; jr += NR) {
                    const int nr = nc - jr < NR ? nc - jr : NR;
                    const float* b = bp + (size_t)jr * kc;
                    for (int ir = 0; ir < mc; ir += MR) {
                        const int mr = mc - ir < MR ? mc - ir : MR;
                        const float* a = ap + (size_t)ir * kc;
                        float* c = C + (size_t)(ic + ir) * ldc + jc + jr;
#ifdef __wasm_simd128__
                        if (use_simd) {
                            ukernel_4x8_wasmsimd(kc, a, b, c, (size_t)ldc, mr, nr, alpha, beta_k);
                            continue;
                        }
#endif
                        ukernel_4x8_scalar(kc, a, b, c, (size_t)ldc, mr, nr, alpha, beta_k);
                    }
                }
            }
        }
    }
    return 0;
}
