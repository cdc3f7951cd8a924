/* test_gemm.c: gemm_f32 (packed, blocked; SIMD micro-kernel under wasm) against the naive
 * gemm_f32_scalar, over all four transpose combinations, alpha/beta variants (beta 0 on a
 * NaN-filled C), sizes 0..67 on each axis, padded strides and a few shapes that cross the
 * cache-block boundaries. Natively this checks packing, blocking and edge clipping with the
 * plain-C micro-kernel; under wasm it runs everything twice, SIMD off and on.
 * It does not test speed (bench/gemm.mjs does).
 *
 * native (scalar path, sanitizers), from the repo root:
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined \
 *       tests/native/test_gemm.c src/kernels/gemm.c src/kernels/simd_switch.c -lm \
 *       -o /tmp/test_gemm && /tmp/test_gemm
 * wasm (SIMD and scalar paths under node; SINGLE_FILE because emcc 3.1.6's glue would
 * try to fetch() the .wasm under Node 20):
 *   NODE_PATH=/usr/share/nodejs emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror \
 *       -sALLOW_MEMORY_GROWTH=1 -sSINGLE_FILE=1 tests/native/test_gemm.c src/kernels/gemm.c \
 *       src/kernels/simd_switch.c -o /tmp/test_gemm.js && node /tmp/test_gemm.js
 */
#include "../../src/kernels/gemm.h"
#include "../../src/kernels/simd_switch.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_passed, g_failed;

static uint32_t g_rng = 12345u;
static float rnd(void) { /* uniform in [-1, 1) */
    g_rng = g_rng * 1664525u + 1013904223u;
    return (float)(g_rng >> 8) / 8388608.0f - 1.0f;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* One case: C = alpha op(A) op(B) + beta C with every stride padded by pad elements.
 * Padding of A and B holds NaN (must never be used); padding of C holds a sentinel that
 * must survive. beta == 0 fills C with NaN (must not leak). Returns 1 if it passed. */
static int check(int tA, int tB, int M, int N, int K, float alpha, float beta, int pad) {
    const int arows = tA ? K : M, acols = tA ? M : K;
    const int brows = tB ? N : K, bcols = tB ? K : N;
    const int lda = acols + pad, ldb = bcols + pad, ldc = N + pad;
    /* +1 so that 0-sized matrices still get a valid pointer */
    float* A = malloc(((size_t)arows * lda + 1) * sizeof(float));
    float* B = malloc(((size_t)brows * ldb + 1) * sizeof(float));
    float* C0 = malloc(((size_t)M * ldc + 1) * sizeof(float));
    float* Cref = malloc(((size_t)M * ldc + 1) * sizeof(float));
    float* Ctest = malloc(((size_t)M * ldc + 1) * sizeof(float));
    if (!A || !B || !C0 || !Cref || !Ctest) {
        fprintf(stderr, "test_gemm: out of memory\n");
        exit(2);
    }
    for (int i = 0; i < arows; i++)
        for (int j = 0; j < lda; j++) A[(size_t)i * lda + j] = j < acols ? rnd() : NAN;
    for (int i = 0; i < brows; i++)
        for (int j = 0; j < ldb; j++) B[(size_t)i * ldb + j] = j < bcols ? rnd() : NAN;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < ldc; j++)
            C0[(size_t)i * ldc + j] = j >= N ? 1234.5f : beta == 0.0f ? NAN : rnd();
    memcpy(Cref, C0, ((size_t)M * ldc + 1) * sizeof(float));
    memcpy(Ctest, C0, ((size_t)M * ldc + 1) * sizeof(float));

    int ok = 1;
    const int rr = gemm_f32_scalar(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, Cref, ldc);
    const int rt = gemm_f32(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, Ctest, ldc);
    if (rr != 0 || rt != 0) ok = 0;
    double worst = 0.0;
    int wi = -1, wj = -1;
    for (int i = 0; i < M && ok; i++) {
        for (int j = 0; j < ldc; j++) {
            const size_t ij = (size_t)i * ldc + j;
            if (j >= N) { /* padding of C: untouched */
                if (!same_bits(Ctest[ij], 1234.5f)) { ok = 0; wi = i; wj = j; break; }
                continue;
            }
            /* error bound for a float sum whose order differs: relative to sum |a||b| */
            double mag = 0.0;
            if (alpha != 0.0f) {
                for (int p = 0; p < K; p++) {
                    const float a = tA ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
                    const float b = tB ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
                    mag += fabs((double)a * b);
                }
                mag *= fabs(alpha);
            }
            if (beta != 0.0f) mag += fabs((double)beta * C0[ij]);
            const double tol = 1e-5 * sqrt(K > 1 ? K : 1) * mag + 1e-30;
            const double err = fabs((double)Ctest[ij] - Cref[ij]);
            if (!(err <= tol)) { /* catches NaN too */
                ok = 0; wi = i; wj = j; worst = err;
                break;
            }
        }
    }
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        if (g_failed <= 10)
            fprintf(stderr,
                    "FAIL simd=%d tA=%d tB=%d M=%d N=%d K=%d alpha=%g beta=%g pad=%d ret=%d/%d "
                    "at (%d,%d): got %g want %g (err %g)\n",
                    KERNEL_USE_SIMD, tA, tB, M, N, K, alpha, beta, pad, rt, rr, wi, wj,
                    wi >= 0 ? Ctest[(size_t)wi * ldc + wj] : 0.0,
                    wi >= 0 ? Cref[(size_t)wi * ldc + wj] : 0.0, worst);
    }
    free(A); free(B); free(C0); free(Cref); free(Ctest);
    return ok;
}

/* alpha == 0 must not read A or B (BLAS semantics): NaN there must not leak. */
static void check_alpha_zero(void) {
    float A[6], B[6], C[4] = {1, 2, 3, 4};
    for (int i = 0; i < 6; i++) A[i] = B[i] = NAN;
    int ok = gemm_f32(0, 0, 2, 2, 3, 0.0f, A, 3, B, 2, 0.5f, C, 2) == 0;
    ok = ok && C[0] == 0.5f && C[1] == 1.0f && C[2] == 1.5f && C[3] == 2.0f;
    float C2[4] = {NAN, NAN, NAN, NAN};
    ok = ok && gemm_f32(1, 1, 2, 2, 3, 0.0f, A, 2, B, 3, 0.0f, C2, 2) == 0;
    ok = ok && C2[0] == 0.0f && C2[1] == 0.0f && C2[2] == 0.0f && C2[3] == 0.0f;
    if (ok) g_passed++;
    else { g_failed++; fprintf(stderr, "FAIL alpha == 0\n"); }
}

/* Exact small product, so that a wrong-but-consistent pair of implementations would fail. */
static void check_known_values(void) {
    const float A[6] = {1, 2, 3, 4, 5, 6};          /* (2, 3) */
    const float B[6] = {7, 8, 9, 10, 11, 12};       /* (3, 2) */
    float C[4] = {NAN, NAN, NAN, NAN};
    const float want[4] = {58, 64, 139, 154};
    int ok = gemm_f32(0, 0, 2, 2, 3, 1.0f, A, 3, B, 2, 0.0f, C, 2) == 0;
    for (int i = 0; i < 4; i++) ok = ok && C[i] == want[i];
    /* op(A) = A^T with A stored (3, 2) = the same numbers read as columns */
    const float At[6] = {1, 4, 2, 5, 3, 6};
    float C2[4] = {1, 1, 1, 1};
    ok = ok && gemm_f32(1, 0, 2, 2, 3, 2.0f, At, 2, B, 2, -1.0f, C2, 2) == 0;
    for (int i = 0; i < 4; i++) ok = ok && C2[i] == 2.0f * want[i] - 1.0f;
    if (ok) g_passed++;
    else { g_failed++; fprintf(stderr, "FAIL known values\n"); }
}

static void run_suite(void) {
    static const float alphas[] = {1.0f, 1.0f, 1.0f, -0.75f, 2.5f};
    static const float betas[] = {0.0f, 1.0f, -0.5f, 0.0f, 1.0f};
    int v = 0; /* rotates the variant so that every sweep sees every combination */

    check_known_values();
    check_alpha_zero();

    /* small full cube, every transpose and alpha/beta variant */
    static const int cube[] = {0, 1, 3, 4, 5, 8, 9, 17};
    const int nc = (int)(sizeof cube / sizeof cube[0]);
    for (int a = 0; a < nc; a++)
        for (int b = 0; b < nc; b++)
            for (int c = 0; c < nc; c++)
                for (int t = 0; t < 4; t++)
                    for (int ab = 0; ab < 5; ab++)
                        check(t & 1, t >> 1, cube[a], cube[b], cube[c], alphas[ab], betas[ab],
                              (a + b + c + t) % 3 == 0 ? 3 : 0);

    /* each axis swept over 0..67, the other two over a few values around the tile sizes */
    static const int others[] = {1, 4, 7, 8, 13, 33};
    const int no = (int)(sizeof others / sizeof others[0]);
    for (int axis = 0; axis < 3; axis++)
        for (int s = 0; s <= 67; s++)
            for (int x = 0; x < no; x++)
                for (int y = 0; y < no; y++) {
                    int d[3];
                    d[axis] = s;
                    d[(axis + 1) % 3] = others[x];
                    d[(axis + 2) % 3] = others[y];
                    const int t = v % 4, ab = (v / 4) % 5, pad = (v % 7 == 0) ? 5 : (v % 3 == 0);
                    check(t & 1, t >> 1, d[0], d[1], d[2], alphas[ab], betas[ab], pad);
                    v++;
                }

    /* shapes that cross the K, M and N cache blocks (K > 320, M > 192, N > 2048) and the
     * tall-skinny layouts of convolution, with padded strides */
    static const int big[][3] = {
        {300, 200, 700}, {1000, 40, 29}, {37, 70, 1289}, {9, 2100, 20}, {200, 67, 641},
        {64, 72, 2304}, {577, 64, 27},
    };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        for (int t = 0; t < 4; t++)
            check(t & 1, t >> 1, big[i][0], big[i][1], big[i][2], alphas[(i + t) % 5],
                  betas[(i + t) % 5], (int)(i + t) % 2 * 3);
}

int main(void) {
#ifdef __wasm_simd128__
    kernel_simd_enabled = 0;
    run_suite();
    kernel_simd_enabled = 1;
#endif
    run_suite();
    printf("test_gemm: %d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
