/* test_pool2d.c: pooling kernels against naive oracles written here independently, on
 * output-size cases recorded from PyTorch 1.13 (F.max_pool2d), NaN / -inf windows, and
 * many random configurations (odd sizes, stride 1-3, padding, dilation, ceil_mode).
 * Under wasm the max pool runs with SIMD on and off (the 2x2 stride-2 SIMD path).
 *
 * Build and run (from the repository root):
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined \
 *     tests/native/test_pool2d.c src/kernels/pool2d.c src/kernels/simd_switch.c -lm \
 *     -o /tmp/test_pool2d && /tmp/test_pool2d
 *   emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror -sENVIRONMENT=node \
 *     tests/native/test_pool2d.c src/kernels/pool2d.c src/kernels/simd_switch.c \
 *     -o /tmp/test_pool2d.js && node --no-experimental-fetch /tmp/test_pool2d.js */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/kernels/pool2d.h"
#include "../../src/kernels/simd_switch.h"

static int n_pass, n_fail;
static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;

static unsigned rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state >> 11);
}
static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (unsigned)(hi - lo + 1)); }
/* coarse values so that ties (first maximum wins) happen often */
static float rnd_f(void) { return (float)rnd_int(-8, 8) * 0.25f; }

static void check(int ok, const char* what, const Pool2dShape* s) {
  if (ok) {
    n_pass++;
    return;
  }
  n_fail++;
  printf("FAIL %s: N%d C%d H%d W%d k%d,%d s%d,%d p%d,%d d%d,%d ceil%d simd%d\n", what, s->N, s->C,
         s->H, s->W, s->kh, s->kw, s->sh, s->sw, s->ph, s->pw, s->dh, s->dw, s->ceil_mode,
         kernel_simd_enabled);
}

static int same_f(const float* a, const float* b, size_t n, float tol) {
  for (size_t i = 0; i < n; i++) {
    if (isnan(a[i]) && isnan(b[i])) continue;
    if (a[i] == b[i]) continue; /* also equal infinities */
    if (!(fabsf(a[i] - b[i]) <= tol * (1.f + fabsf(b[i])))) return 0;
  }
  return 1;
}

/* ---- oracles: every kernel tap, in PyTorch's row-major order ---- */
static void max_oracle(const Pool2dShape* s, float* y, int32_t* idx, const float* x) {
  for (int p = 0; p < s->N * s->C; p++)
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        float best = -INFINITY;
        int bi = -1;
        for (int i = 0; i < s->kh; i++)
          for (int j = 0; j < s->kw; j++) {
            int ih = oh * s->sh - s->ph + i * s->dh, iw = ow * s->sw - s->pw + j * s->dw;
            if (ih < 0 || ih >= s->H || iw < 0 || iw >= s->W) continue;
            float v = x[(p * s->H + ih) * s->W + iw];
            if (bi < 0) bi = ih * s->W + iw;
            if (v > best || isnan(v)) best = v, bi = ih * s->W + iw;
          }
        if (bi < 0) { /* no tap inside: PyTorch still names its first tap past the padding */
          int ih = oh * s->sh - s->ph, iw = ow * s->sw - s->pw;
          while (ih < 0) ih += s->dh;
          while (iw < 0) iw += s->dw;
          bi = ih * s->W + iw;
        }
        y[(p * s->OH + oh) * s->OW + ow] = best;
        idx[(p * s->OH + oh) * s->OW + ow] = bi;
      }
}

static void avg_oracle(const Pool2dShape* s, int cip, int dov, float* y, float* dx_unit_grad,
                       const float* x) {
  /* y, and dx for dy = 1 everywhere (each input's sum of 1/divisor over its windows) */
  memset(dx_unit_grad, 0, sizeof(float) * s->N * s->C * s->H * s->W);
  for (int p = 0; p < s->N * s->C; p++)
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        int in_pad = 0, in_img = 0;
        double sum = 0;
        for (int i = 0; i < s->kh; i++)
          for (int j = 0; j < s->kw; j++) {
            int ih = oh * s->sh - s->ph + i, iw = ow * s->sw - s->pw + j;
            /* taps inside input + padding count for count_include_pad */
            if (ih < s->H + s->ph && iw < s->W + s->pw) in_pad++;
            if (ih < 0 || ih >= s->H || iw < 0 || iw >= s->W) continue;
            in_img++;
            sum += x[(p * s->H + ih) * s->W + iw];
          }
        int div = dov ? dov : cip ? in_pad : in_img;
        y[(p * s->OH + oh) * s->OW + ow] = in_img ? (float)(sum / div) : 0.f;
        if (!in_img) continue;
        for (int i = 0; i < s->kh; i++)
          for (int j = 0; j < s->kw; j++) {
            int ih = oh * s->sh - s->ph + i, iw = ow * s->sw - s->pw + j;
            if (ih < 0 || ih >= s->H || iw < 0 || iw >= s->W) continue;
            dx_unit_grad[(p * s->H + ih) * s->W + iw] += 1.f / div;
          }
      }
}

static void test_output_sizes(void) {
  /* {I, k, s, p, d, ceil_mode, O from PyTorch (0: PyTorch raises)} */
  static const int t[][7] = {
      {5, 2, 2, 0, 1, 1, 3},  {5, 2, 2, 0, 1, 0, 2},  {4, 3, 2, 1, 1, 1, 3},  {6, 3, 2, 1, 1, 1, 4},
      {7, 3, 3, 1, 1, 1, 3},  {8, 3, 3, 0, 1, 1, 3},  {2, 2, 2, 1, 1, 1, 2},  {1, 1, 1, 0, 1, 1, 1},
      {10, 4, 3, 2, 2, 1, 4}, {10, 4, 3, 2, 2, 0, 3}, {9, 3, 2, 1, 2, 1, 4},  {11, 5, 4, 2, 1, 1, 4},
      {3, 3, 3, 1, 1, 1, 2},  {13, 2, 3, 1, 1, 1, 5}, {6, 2, 4, 1, 1, 1, 2},  {8, 2, 2, 1, 3, 0, 4},
      {9, 5, 1, 1, 2, 0, 3},  {11, 2, 4, 1, 2, 0, 3}, {1, 2, 2, 1, 3, 0, 0},  {14, 2, 1, 1, 1, 1, 15},
      {7, 4, 4, 2, 2, 1, 2},  {3, 2, 3, 0, 1, 1, 1},  {14, 2, 3, 1, 3, 1, 5}, {9, 4, 4, 2, 2, 1, 3},
      {1, 5, 2, 1, 3, 1, 0},  {9, 5, 2, 2, 2, 0, 3},  {2, 2, 3, 1, 1, 1, 1},  {7, 4, 1, 1, 1, 0, 6},
      {14, 1, 3, 0, 2, 0, 5}, {10, 1, 1, 0, 3, 1, 10}, {1, 5, 3, 2, 1, 1, 1}, {9, 1, 1, 0, 3, 0, 9},
      {5, 2, 4, 1, 3, 0, 1},  {3, 1, 3, 0, 2, 1, 1},  {11, 4, 4, 2, 2, 0, 3}, {12, 5, 3, 1, 3, 0, 1},
      {5, 3, 4, 1, 3, 1, 1},  {7, 1, 4, 0, 1, 0, 2},  {11, 1, 3, 0, 2, 1, 4}, {1, 5, 3, 2, 2, 0, 0}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    Pool2dShape s = {1, 1, t[i][0], 3, t[i][1], 1, t[i][2], 1, t[i][3], 0, t[i][4], 1, t[i][5], 0, 0};
    int rc = pool2d_shape_init(&s);
    check(t[i][6] ? (rc == 0 && s.OH == t[i][6]) : rc == POOL2D_ERR_OUTPUT, "output size", &s);
  }
  Pool2dShape s = {1, 1, 5, 5, 3, 3, 1, 1, 2, 0, 1, 1, 0, 0, 0};
  check(pool2d_shape_init(&s) == POOL2D_ERR_PADDING, "pad > k/2", &s);
  s.ph = 1, s.sh = 0;
  check(pool2d_shape_init(&s) == POOL2D_ERR_STRIDE, "stride 0", &s);
  s.sh = 1, s.dw = 0;
  check(pool2d_shape_init(&s) == POOL2D_ERR_DILATION, "dilation 0", &s);
  s.dw = 1, s.kw = 0;
  check(pool2d_shape_init(&s) == POOL2D_ERR_KERNEL, "kernel 0", &s);
  s.kw = 3, s.H = 0;
  check(pool2d_shape_init(&s) == POOL2D_ERR_DIM, "H 0", &s);
}

static void run_max(Pool2dShape s, int special) {
  if (pool2d_shape_init(&s)) {
    check(0, "max shape", &s);
    return;
  }
  size_t nx = (size_t)s.N * s.C * s.H * s.W, ny = (size_t)s.N * s.C * s.OH * s.OW;
  float *x = malloc(nx * 4 + 4), *y_ref = malloc(ny * 4 + 4), *dy = malloc(ny * 4 + 4);
  int32_t* i_ref = malloc(ny * 4 + 4);
  for (size_t i = 0; i < nx; i++) x[i] = rnd_f();
  if (special) /* sprinkle NaN and -inf: NaN wins, all -inf keeps the first tap */
    for (size_t i = 0; i < nx; i++) {
      unsigned r = rnd() % 8;
      if (r == 0) x[i] = NAN;
      else if (r < 4) x[i] = -INFINITY;
    }
  for (size_t i = 0; i < ny; i++) dy[i] = rnd_f();
  max_oracle(&s, y_ref, i_ref, x);
  float* dx_ref = calloc(nx + 1, 4);
  for (size_t o = 0; o < ny; o++) /* an index outside the plane (empty window) is skipped */
    if (i_ref[o] < s.H * s.W) dx_ref[(o / ((size_t)s.OH * s.OW)) * s.H * s.W + i_ref[o]] += dy[o];
  int modes = 1;
#ifdef __wasm_simd128__
  modes = 2;
#endif
  for (int m = 0; m < modes; m++) {
    kernel_simd_enabled = (m == 0);
    float *y = malloc(ny * 4 + 4), *y2 = malloc(ny * 4 + 4), *dx = calloc(nx + 1, 4);
    int32_t* idx = malloc(ny * 4 + 4);
    maxpool2d_forward(&s, y, idx, x);
    check(same_f(y, y_ref, ny, 0) && memcmp(idx, i_ref, ny * 4) == 0, "max forward", &s);
    maxpool2d_forward(&s, y2, NULL, x);
    check(same_f(y2, y_ref, ny, 0), "max forward no idx", &s);
    maxpool2d_forward_scalar(&s, y2, idx, x);
    check(same_f(y2, y_ref, ny, 0) && memcmp(idx, i_ref, ny * 4) == 0, "max scalar", &s);
    maxpool2d_backward(&s, dx, dy, idx);
    check(same_f(dx, dx_ref, nx, 0), "max backward", &s);
    free(y), free(y2), free(dx), free(idx);
  }
  kernel_simd_enabled = 1;
  free(x), free(y_ref), free(dy), free(i_ref), free(dx_ref);
}

static void run_avg(Pool2dShape s, int cip, int dov) {
  s.dh = s.dw = 1;
  if (pool2d_shape_init(&s)) {
    check(0, "avg shape", &s);
    return;
  }
  size_t nx = (size_t)s.N * s.C * s.H * s.W, ny = (size_t)s.N * s.C * s.OH * s.OW;
  float *x = malloc(nx * 4), *y = malloc(ny * 4), *y_ref = malloc(ny * 4);
  float *dx = malloc(nx * 4), *dx_ref = malloc(nx * 4), *ones = malloc(ny * 4);
  for (size_t i = 0; i < nx; i++) x[i] = rnd_f() + 0.1f * rnd_f();
  for (size_t i = 0; i < ny; i++) ones[i] = 1.f;
  avg_oracle(&s, cip, dov, y_ref, dx_ref, x);
  avgpool2d_forward(&s, cip, dov, y, x);
  check(same_f(y, y_ref, ny, 1e-5f), cip ? "avg forward cip" : "avg forward", &s);
  for (size_t i = 0; i < nx; i++) dx[i] = 0.5f, dx_ref[i] += 0.5f; /* accumulates */
  avgpool2d_backward(&s, cip, dov, dx, ones);
  check(same_f(dx, dx_ref, nx, 1e-5f), cip ? "avg backward cip" : "avg backward", &s);
  free(x), free(y), free(y_ref), free(dx), free(dx_ref), free(ones);
}

static void run_adaptive(int N, int C, int H, int W, int OH, int OW) {
  Pool2dShape s = {N, C, H, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, OH, OW};
  size_t nx = (size_t)N * C * H * W, ny = (size_t)N * C * OH * OW;
  float *x = malloc(nx * 4), *y = malloc(ny * 4), *dx = calloc(nx, 4), *dy = malloc(ny * 4);
  float *y_ref = malloc(ny * 4), *dx_ref = calloc(nx, 4);
  for (size_t i = 0; i < nx; i++) x[i] = rnd_f();
  for (size_t i = 0; i < ny; i++) dy[i] = rnd_f();
  for (int p = 0; p < N * C; p++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        /* floor / ceil through doubles, unlike the kernel's integer arithmetic */
        int h0 = (int)floor((double)oh * H / OH), h1 = (int)ceil((double)(oh + 1) * H / OH);
        int w0 = (int)floor((double)ow * W / OW), w1 = (int)ceil((double)(ow + 1) * W / OW);
        double sum = 0;
        for (int ih = h0; ih < h1; ih++)
          for (int iw = w0; iw < w1; iw++) sum += x[(p * H + ih) * W + iw];
        int cnt = (h1 - h0) * (w1 - w0);
        y_ref[(p * OH + oh) * OW + ow] = (float)(sum / cnt);
        for (int ih = h0; ih < h1; ih++)
          for (int iw = w0; iw < w1; iw++) dx_ref[(p * H + ih) * W + iw] += dy[(p * OH + oh) * OW + ow] / cnt;
      }
  adaptive_avgpool2d_forward(N, C, H, W, OH, OW, y, x);
  check(same_f(y, y_ref, ny, 1e-6f), "adaptive forward", &s);
  adaptive_avgpool2d_backward(N, C, H, W, OH, OW, dx, dy);
  check(same_f(dx, dx_ref, nx, 1e-6f), "adaptive backward", &s);
  free(x), free(y), free(dx), free(dy), free(y_ref), free(dx_ref);
}

int main(void) {
  test_output_sizes();
  /* the nets' pools, and 2x2 stride 2 at odd sizes with ceil_mode (SIMD edge columns) */
  Pool2dShape a = {3, 5, 24, 24, 2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0};
  run_max(a, 0);
  for (int H = 1; H <= 19; H += 3)
    for (int W = 2; W <= 21; W++) {
      Pool2dShape b = {2, 2, H + 1, W, 2, 2, 2, 2, 0, 0, 1, 1, (int)(rnd() % 2), 0, 0};
      run_max(b, 0);
      run_max(b, 1);
    }
  for (int t = 0; t < 400; t++) {
    Pool2dShape s;
    s.N = rnd_int(1, 2), s.C = rnd_int(1, 3);
    s.kh = rnd_int(1, 4), s.kw = rnd() % 2 ? s.kh : rnd_int(1, 4);
    s.sh = rnd_int(1, 3), s.sw = rnd() % 2 ? s.sh : rnd_int(1, 3);
    if (rnd() % 3 == 0) s.sh = s.kh, s.sw = s.kw;
    s.ph = rnd_int(0, s.kh / 2), s.pw = rnd_int(0, s.kw / 2);
    s.dh = rnd() % 3 ? 1 : 2, s.dw = rnd() % 3 ? 1 : rnd_int(1, 3);
    s.ceil_mode = (int)(rnd() % 2);
    s.H = rnd_int(1, 15), s.W = rnd_int(1, 17);
    Pool2dShape probe = s;
    if (pool2d_shape_init(&probe)) {
      t--;
      continue;
    }
    run_max(s, t % 5 == 0);
    probe.dh = probe.dw = 1;
    if (pool2d_shape_init(&probe) == 0) {
      int dov = rnd() % 4 == 0 ? rnd_int(1, 7) : 0;
      run_avg(s, 0, dov);
      run_avg(s, 1, 0);
    }
  }
  run_adaptive(2, 3, 7, 7, 1, 1);
  run_adaptive(1, 2, 10, 7, 3, 4);
  run_adaptive(2, 1, 5, 9, 5, 9);
  run_adaptive(1, 1, 4, 6, 7, 11); /* output larger than input: windows overlap */
  for (int t = 0; t < 40; t++)
    run_adaptive(1, 2, rnd_int(1, 13), rnd_int(1, 13), rnd_int(1, 8), rnd_int(1, 8));
  printf("test_pool2d: %d passed, %d failed\n", n_pass, n_fail);
  return n_fail != 0;
}
