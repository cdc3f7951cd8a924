/* test_batchnorm.c: batch-norm kernels against a double-precision oracle written here
 * (whose backward is itself checked by finite differences), for 2-D (HW = 1) and 4-D
 * inputs, with and without affine / running statistics, train and eval; gradients are
 * checked to accumulate. Under wasm the kernels run with SIMD on and off.
 *
 * Build and run (from the repository root):
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined \
 *     tests/native/test_batchnorm.c src/kernels/batchnorm.c src/kernels/simd_switch.c -lm \
 *     -o /tmp/test_batchnorm && /tmp/test_batchnorm
 *   emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror -sENVIRONMENT=node \
 *     tests/native/test_batchnorm.c src/kernels/batchnorm.c src/kernels/simd_switch.c \
 *     -o /tmp/test_batchnorm.js && node --no-experimental-fetch /tmp/test_batchnorm.js */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/kernels/batchnorm.h"
#include "../../src/kernels/simd_switch.h"

static int n_pass, n_fail;
static unsigned long long rng_state = 0xD1B54A32D192ED03ull;

static unsigned rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state >> 11);
}
static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (unsigned)(hi - lo + 1)); }
static float rnd_f(void) { return (float)((rnd() & 0xFFFFFF) / 8388608.0 - 1.0); }
static float* rnd_buf(size_t n, float scale, float offset) {
  float* p = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = rnd_f() * scale + offset;
  return p;
}
static float* copy_buf(const float* a, size_t n) {
  float* p = malloc((n ? n : 1) * sizeof(float));
  memcpy(p, a, n * sizeof(float));
  return p;
}

static void check(int ok, const char* what, int N, int C, int HW) {
  if (ok) {
    n_pass++;
    return;
  }
  n_fail++;
  printf("FAIL %s: N%d C%d HW%d simd%d\n", what, N, C, HW, kernel_simd_enabled);
}

static int close_d(const float* got, const double* want, size_t n, double tol) {
  for (size_t i = 0; i < n; i++)
    if (!(fabs(got[i] - want[i]) <= tol * (1.0 + fabs(want[i])))) return 0;
  return 1;
}

/* ---- oracle, in double ---- */
typedef struct {
  double *y, *mean, *invstd, *rm, *rv, *dx, *dg, *db;
} Oracle;

static void oracle_forward(int N, int C, int HW, double eps, const float* x, const float* g,
                           const float* b, double* y, double* mean, double* invstd, double* var_u) {
  double cnt = (double)N * HW;
  for (int c = 0; c < C; c++) {
    double s = 0, q = 0;
    for (int n = 0; n < N; n++)
      for (int i = 0; i < HW; i++) s += x[((size_t)n * C + c) * HW + i];
    double m = s / cnt;
    for (int n = 0; n < N; n++)
      for (int i = 0; i < HW; i++) {
        double d = x[((size_t)n * C + c) * HW + i] - m;
        q += d * d;
      }
    mean[c] = m;
    invstd[c] = 1.0 / sqrt(q / cnt + eps);
    if (var_u) var_u[c] = q / (cnt - 1);
    for (int n = 0; n < N; n++)
      for (int i = 0; i < HW; i++) {
        size_t o = ((size_t)n * C + c) * HW + i;
        y[o] = (x[o] - m) * invstd[c] * (g ? g[c] : 1.0) + (b ? b[c] : 0.0);
      }
  }
}

/* backward with batch statistics (train) or given constant statistics (eval) */
static void oracle_backward(int N, int C, int HW, int train, const float* x, const float* dy,
                            const float* g, const double* mean, const double* invstd, double* dx,
                            double* dg, double* db) {
  double cnt = (double)N * HW;
  for (int c = 0; c < C; c++) {
    double sdy = 0, sdyx = 0;
    for (int n = 0; n < N; n++)
      for (int i = 0; i < HW; i++) {
        size_t o = ((size_t)n * C + c) * HW + i;
        double xh = (x[o] - mean[c]) * invstd[c];
        sdy += dy[o];
        sdyx += dy[o] * xh;
      }
    dg[c] = sdyx;
    db[c] = sdy;
    double w = g ? g[c] : 1.0;
    for (int n = 0; n < N; n++)
      for (int i = 0; i < HW; i++) {
        size_t o = ((size_t)n * C + c) * HW + i;
        double xh = (x[o] - mean[c]) * invstd[c];
        dx[o] = train ? w * invstd[c] * (dy[o] - sdy / cnt - xh * sdyx / cnt) : w * invstd[c] * dy[o];
      }
  }
}

static double fd_loss(int N, int C, int HW, const float* x, const float* dy, const float* g,
                      const float* b, double* y) {
  double m[2], s[2], l = 0;
  oracle_forward(N, C, HW, 1e-5, x, g, b, y, m, s, NULL);
  for (size_t j = 0; j < (size_t)N * C * HW; j++) l += y[j] * dy[j];
  return l;
}

/* the oracle's train backward against central differences of its own forward */
static void test_oracle_fd(void) {
  const int N = 3, C = 2, HW = 5;
  const size_t n = (size_t)N * C * HW;
  float *x = rnd_buf(n, 1.f, 0.3f), *dy = rnd_buf(n, 1.f, 0.f), g[2] = {1.5f, -0.7f}, b[2] = {0.2f, 0.1f};
  double *y = malloc(n * 8), *dx = malloc(n * 8), mean[2], invstd[2], dg[2], db[2];
  oracle_forward(N, C, HW, 1e-5, x, g, b, y, mean, invstd, NULL);
  oracle_backward(N, C, HW, 1, x, dy, g, mean, invstd, dx, dg, db);
  /* Perturb a copy and evaluate the loss in a separate function: written inline, this
   * loop came out wrong from emcc 3.1.6 (clang 14) at -O3 -msimd128 (the SLP vectorizer
   * seemingly moved the second store above the first forward; -fno-slp-vectorize
   * avoided it; native gcc and clang were fine). */
  float* xp = copy_buf(x, n);
  int ok = 1;
  for (size_t i = 0; i < n; i++) {
    const float h = 1.f / 1024; /* exact in float, so x +- h is exact too */
    xp[i] = x[i] + h;
    double lp = fd_loss(N, C, HW, xp, dy, g, b, y);
    xp[i] = x[i] - h;
    double lm = fd_loss(N, C, HW, xp, dy, g, b, y);
    xp[i] = x[i];
    if (fabs((lp - lm) / (2 * h) - dx[i]) > 1e-3 * (1 + fabs(dx[i]))) ok = 0;
  }
  free(xp);
  check(ok, "oracle finite differences", N, C, HW);
  free(x), free(dy), free(y), free(dx);
}

static void run_case(int N, int C, int HW, int affine, int track) {
  const size_t n = (size_t)N * C * HW;
  const double eps = 1e-5, mom = 0.1;
  float *x = rnd_buf(n, 2.f, 0.5f), *dy = rnd_buf(n, 1.f, 0.f);
  float *g = affine ? rnd_buf(C, 1.f, 1.f) : NULL, *b = affine ? rnd_buf(C, 1.f, 0.f) : NULL;
  float *rm0 = rnd_buf(C, 0.5f, 0.f), *rv0 = rnd_buf(C, 0.5f, 1.f);
  float *dx0 = rnd_buf(n, 1.f, 0.f), *dg0 = rnd_buf(C, 1.f, 0.f), *db0 = rnd_buf(C, 1.f, 0.f);
  double *y_ref = malloc(n * 8), *dx_ref = malloc(n * 8), *mean = malloc(C * 8), *invstd = malloc(C * 8);
  double *var_u = malloc(C * 8), *dg_ref = malloc(C * 8), *db_ref = malloc(C * 8), *tmp = malloc(C * 8);
  oracle_forward(N, C, HW, eps, x, g, b, y_ref, mean, invstd, var_u);
  oracle_backward(N, C, HW, 1, x, dy, g, mean, invstd, dx_ref, dg_ref, db_ref);
  for (size_t i = 0; i < n; i++) dx_ref[i] += dx0[i];
  for (int c = 0; c < C; c++) dg_ref[c] += dg0[c], db_ref[c] += db0[c];
  const double tol = 2e-5;
  int modes = 1;
#ifdef __wasm_simd128__
  modes = 2;
#endif
  for (int m = 0; m < modes; m++) {
    kernel_simd_enabled = (m == 0);
    float *y = malloc(n * 4), *sm = malloc(C * 4), *si = malloc(C * 4);
    float *rm = track ? copy_buf(rm0, C) : NULL, *rv = track ? copy_buf(rv0, C) : NULL;
    int rc = batchnorm_forward_train(N, C, HW, eps, mom, y, sm, si, rm, rv, x, g, b);
    check(rc == 0 && close_d(y, y_ref, n, tol) && close_d(sm, mean, C, 1e-6) && close_d(si, invstd, C, 1e-6),
          "forward train", N, C, HW);
    if (track) {
      int ok = 1;
      for (int c = 0; c < C; c++) {
        double wm = (1 - mom) * rm0[c] + mom * mean[c], wv = (1 - mom) * rv0[c] + mom * var_u[c];
        if (fabs(rm[c] - wm) > 1e-6 * (1 + fabs(wm)) || fabs(rv[c] - wv) > 1e-6 * (1 + fabs(wv))) ok = 0;
      }
      check(ok, "running stats", N, C, HW);
    }
    /* the scalar reference must agree with the dispatched kernel */
    float *y2 = malloc(n * 4), *sm2 = malloc(C * 4), *si2 = malloc(C * 4);
    batchnorm_forward_train_scalar(N, C, HW, eps, mom, y2, sm2, si2, NULL, NULL, x, g, b);
    check(close_d(y2, y_ref, n, tol), "forward train scalar", N, C, HW);

    float *dx = copy_buf(dx0, n), *dg = copy_buf(dg0, C), *db = copy_buf(db0, C);
    batchnorm_backward(N, C, HW, dx, affine ? dg : NULL, affine ? db : NULL, dy, x, sm, si, g);
    check(close_d(dx, dx_ref, n, 5e-5), "backward dx", N, C, HW);
    if (affine) check(close_d(dg, dg_ref, C, 5e-5) && close_d(db, db_ref, C, 5e-5), "backward dg db", N, C, HW);
    float* dx_only = copy_buf(dx0, n);
    batchnorm_backward_scalar(N, C, HW, dx_only, NULL, NULL, dy, x, sm, si, g);
    check(close_d(dx_only, dx_ref, n, 5e-5), "backward scalar", N, C, HW);

    /* eval with the (original) running stats */
    double *ye = malloc(n * 8), *dxe = malloc(n * 8), *mr = malloc(C * 8), *ir = malloc(C * 8);
    for (int c = 0; c < C; c++) mr[c] = rm0[c], ir[c] = 1.0 / sqrt((double)rv0[c] + eps);
    for (int nn = 0; nn < N; nn++)
      for (int c = 0; c < C; c++)
        for (int i = 0; i < HW; i++) {
          size_t o = ((size_t)nn * C + c) * HW + i;
          ye[o] = (x[o] - mr[c]) * ir[c] * (g ? g[c] : 1.0) + (b ? b[c] : 0.0);
        }
    batchnorm_forward_eval(N, C, HW, eps, y, x, rm0, rv0, g, b);
    check(close_d(y, ye, n, tol), "forward eval", N, C, HW);
    batchnorm_forward_eval_scalar(N, C, HW, eps, y2, x, rm0, rv0, g, b);
    check(close_d(y2, ye, n, tol), "forward eval scalar", N, C, HW);
    oracle_backward(N, C, HW, 0, x, dy, g, mr, ir, dxe, dg_ref, tmp);
    for (size_t i = 0; i < n; i++) dxe[i] += dx0[i];
    for (int c = 0; c < C; c++) dg_ref[c] += dg0[c], tmp[c] += db0[c];
    memcpy(dx, dx0, n * 4), memcpy(dg, dg0, C * 4), memcpy(db, db0, C * 4);
    batchnorm_backward_eval(N, C, HW, eps, dx, dg, db, dy, x, rm0, rv0, g);
    check(close_d(dx, dxe, n, 5e-5) && close_d(dg, dg_ref, C, 5e-5) && close_d(db, tmp, C, 5e-5),
          "backward eval", N, C, HW);
    /* restore the train-mode dgamma reference for the next mode */
    oracle_backward(N, C, HW, 1, x, dy, g, mean, invstd, dx_ref, dg_ref, db_ref);
    for (size_t i = 0; i < n; i++) dx_ref[i] += dx0[i];
    for (int c = 0; c < C; c++) dg_ref[c] += dg0[c], db_ref[c] += db0[c];
    free(y), free(sm), free(si), free(rm), free(rv), free(y2), free(sm2), free(si2);
    free(dx), free(dg), free(db), free(dx_only), free(ye), free(dxe), free(mr), free(ir);
  }
  kernel_simd_enabled = 1;
  free(x), free(dy), free(g), free(b), free(rm0), free(rv0), free(dx0), free(dg0), free(db0);
  free(y_ref), free(dx_ref), free(mean), free(invstd), free(var_u), free(dg_ref), free(db_ref), free(tmp);
}

/* SIMD and scalar must agree exactly for HW == 1 (same double sums in the same order). */
static void test_1d_exact(void) {
#ifdef __wasm_simd128__
  const int N = 9, C = 11;
  const size_t n = (size_t)N * C;
  float *x = rnd_buf(n, 3.f, 1.f), *g = rnd_buf(C, 1.f, 1.f), *b = rnd_buf(C, 1.f, 0.f);
  float y[2][99], sm[2][11], si[2][11], rm[2][11], rv[2][11];
  for (int m = 0; m < 2; m++) {
    kernel_simd_enabled = m;
    for (int c = 0; c < C; c++) rm[m][c] = 0.f, rv[m][c] = 1.f;
    batchnorm_forward_train(N, C, 1, 1e-5, 0.1, y[m], sm[m], si[m], rm[m], rv[m], x, g, b);
  }
  kernel_simd_enabled = 1;
  check(!memcmp(y[0], y[1], sizeof y[0]) && !memcmp(sm[0], sm[1], sizeof sm[0]) &&
            !memcmp(si[0], si[1], sizeof si[0]) && !memcmp(rm[0], rm[1], sizeof rm[0]) &&
            !memcmp(rv[0], rv[1], sizeof rv[0]),
        "1d simd == scalar", N, C, 1);
  free(x), free(g), free(b);
#endif
}

int main(void) {
  test_oracle_fd();
  test_1d_exact();
  /* a single value per channel cannot be trained on */
  float one = 1.f, out, sm, si;
  check(batchnorm_forward_train(1, 1, 1, 1e-5, 0.1, &out, &sm, &si, NULL, NULL, &one, NULL, NULL) ==
            BATCHNORM_ERR_COUNT,
        "count 1", 1, 1, 1);
  run_case(64, 16, 1, 1, 1);
  run_case(2, 3, 1, 1, 1);
  run_case(5, 7, 1, 0, 0);
  run_case(1, 4, 9, 1, 1); /* batch 1 with spatial extent is fine */
  run_case(4, 6, 24 * 24, 1, 1);
  run_case(3, 2, 1031, 0, 1); /* plane longer than one folding block */
  for (int t = 0; t < 60; t++) {
    int HW = rnd() % 3 == 0 ? 1 : rnd_int(1, 40);
    int N = rnd_int(HW == 1 ? 2 : 1, 6);
    run_case(N, rnd_int(1, 9), HW, (int)(rnd() % 2), (int)(rnd() % 2));
  }
  printf("test_batchnorm: %d passed, %d failed\n", n_pass, n_fail);
  return n_fail != 0;
}
