/* test_conv2d.c: the im2col+GEMM convolution kernels against the naive direct loops, on
 * fixed shapes (the nets' layers, 1x1, depthwise, 'same' padding) and many random ones
 * (odd sizes, batch 1, stride 2-3, asymmetric padding, dilation, groups). Under wasm the
 * fast path runs twice, SIMD on and off. Gradients are checked to accumulate.
 *
 * Build and run (from the repository root):
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined -Isrc/kernels \
 *     tests/native/test_conv2d.c src/kernels/conv2d.c src/kernels/gemm.c \
 *     src/kernels/simd_switch.c -lm -o /tmp/test_conv2d && /tmp/test_conv2d
 *   emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror -Isrc/kernels -sALLOW_MEMORY_GROWTH \
 *     -sENVIRONMENT=node tests/native/test_conv2d.c src/kernels/conv2d.c src/kernels/gemm.c \
 *     src/kernels/simd_switch.c -o /tmp/test_conv2d.js \
 *     && node --no-experimental-fetch /tmp/test_conv2d.js
 * (emcc needs NODE_PATH=/usr/share/nodejs; node 20's fetch cannot load the .wasm by path.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/kernels/conv2d.h"
#include "../../src/kernels/simd_switch.h"

static int n_pass, n_fail;
static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;

static unsigned rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state >> 11);
}
static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (unsigned)(hi - lo + 1)); }
static float rnd_f(void) { return (float)((rnd() & 0xFFFFFF) / 8388608.0 - 1.0); }
static float* rnd_buf(size_t n) {
  float* p = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = rnd_f();
  return p;
}
static float* copy_buf(const float* a, size_t n) {
  float* p = malloc((n ? n : 1) * sizeof(float));
  if (n) memcpy(p, a, n * sizeof(float));
  return p;
}

/* |got - want| <= tol * (1 + max|want|), elementwise */
static int close_enough(const float* got, const float* want, size_t n, double tol) {
  double mx = 0;
  for (size_t i = 0; i < n; i++)
    if (fabs(want[i]) > mx) mx = fabs(want[i]);
  for (size_t i = 0; i < n; i++) {
    double e = fabs((double)got[i] - want[i]);
    if (!(e <= tol * (1.0 + mx))) return 0;
  }
  return 1;
}

static void check(int ok, const char* what, const Conv2dShape* s) {
  if (ok) {
    n_pass++;
    return;
  }
  n_fail++;
  printf("FAIL %s: N%d C%d H%d W%d K%d R%d S%d st%d,%d pad%d,%d,%d,%d dil%d,%d g%d simd%d\n",
         what, s->N, s->C, s->H, s->W, s->K, s->R, s->S, s->sh, s->sw, s->pt, s->pl, s->pb,
         s->pr, s->dh, s->dw, s->groups, kernel_simd_enabled);
}

/* Runs all four fast functions against the references; use_ws picks caller scratch vs
 * NULL. */
static void run_case(Conv2dShape s, int use_ws) {
  if (conv2d_shape_init(&s) != CONV2D_OK) {
    check(0, "shape_init", &s);
    return;
  }
  const size_t nx = (size_t)s.N * s.C * s.H * s.W, ny = (size_t)s.N * s.K * s.OH * s.OW;
  const size_t nw = (size_t)s.K * (s.C / s.groups) * s.R * s.S;
  const double tol = 2e-5 * sqrt((double)(s.C / s.groups) * s.R * s.S + s.K + s.N * s.OH * s.OW);
  float *x = rnd_buf(nx), *w = rnd_buf(nw), *b = rnd_buf(s.K), *dy = rnd_buf(ny);
  float *dx0 = rnd_buf(nx), *dw0 = rnd_buf(nw), *db0 = rnd_buf(s.K);
  float *y_ref = rnd_buf(ny), *dx_ref = copy_buf(dx0, nx), *dw_ref = copy_buf(dw0, nw),
        *db_ref = copy_buf(db0, s.K);
  conv2d_forward_scalar(&s, y_ref, x, w, b);
  conv2d_backward_input_scalar(&s, dx_ref, dy, w);
  conv2d_backward_weight_scalar(&s, dw_ref, dy, x);
  conv2d_backward_bias_scalar(&s, db_ref, dy);
  float* y_nob = rnd_buf(ny);
  conv2d_forward_scalar(&s, y_nob, x, w, NULL);

  size_t wsb = conv2d_workspace_bytes(&s);
  void* ws = use_ws ? malloc(wsb ? wsb : 1) : NULL;
  int modes = 1;
#ifdef __wasm_simd128__
  modes = 2;
#endif
  for (int m = 0; m < modes; m++) {
    kernel_simd_enabled = (m == 0);
    float *y = rnd_buf(ny), *dx = copy_buf(dx0, nx), *dw = copy_buf(dw0, nw), *db = copy_buf(db0, s.K);
    check(conv2d_forward(&s, y, x, w, b, ws) == 0 && close_enough(y, y_ref, ny, tol), "forward", &s);
    check(conv2d_forward(&s, y, x, w, NULL, ws) == 0 && close_enough(y, y_nob, ny, tol),
          "forward no bias", &s);
    check(conv2d_backward_input(&s, dx, dy, w, ws) == 0 && close_enough(dx, dx_ref, nx, tol),
          "backward_input", &s);
    check(conv2d_backward_weight(&s, dw, dy, x, ws) == 0 && close_enough(dw, dw_ref, nw, tol),
          "backward_weight", &s);
    conv2d_backward_bias(&s, db, dy);
    check(close_enough(db, db_ref, s.K, tol), "backward_bias", &s);
    free(y), free(dx), free(dw), free(db);
  }
  kernel_simd_enabled = 1;
  free(ws);
  free(x), free(w), free(b), free(dy), free(dx0), free(dw0), free(db0);
  free(y_ref), free(dx_ref), free(dw_ref), free(db_ref), free(y_nob);
}

static Conv2dShape shp(int N, int C, int H, int W, int K, int R, int S, int st, int pad, int dil,
                       int g) {
  Conv2dShape s = {N, C, H, W, K, R, S, st, st, pad, pad, pad, pad, dil, dil, g, 0, 0};
  return s;
}

/* The references themselves on a hand-computed case: 1 image, 1 channel, 3x3 input,
 * 2x2 kernel of ones, bias 0.5 -> sums of 2x2 windows. */
static void test_reference_by_hand(void) {
  Conv2dShape s = shp(1, 1, 3, 3, 1, 2, 2, 1, 0, 1, 1);
  conv2d_shape_init(&s);
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, b[1] = {0.5f}, y[4];
  conv2d_forward_scalar(&s, y, x, w, b);
  check(y[0] == 12.5f && y[1] == 16.5f && y[2] == 24.5f && y[3] == 28.5f, "by hand", &s);
  float dy[4] = {1, 0, 0, 1}, dx[9] = {0}, dx_want[9] = {1, 1, 0, 1, 2, 1, 0, 1, 1};
  conv2d_backward_input_scalar(&s, dx, dy, w);
  check(memcmp(dx, dx_want, sizeof dx) == 0, "by hand dx", &s);
}

static void test_shape_errors(void) {
  Conv2dShape s = shp(1, 4, 5, 5, 6, 3, 3, 1, 0, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_OK && s.OH == 3 && s.OW == 3, "valid", &s);
  s = shp(1, 4, 5, 5, 6, 3, 3, 1, 0, 1, 3);
  check(conv2d_shape_init(&s) == CONV2D_ERR_GROUPS, "groups", &s);
  s = shp(1, 4, 5, 5, 6, 3, 3, 0, 0, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_ERR_STRIDE, "stride", &s);
  s = shp(1, 4, 5, 5, 6, 3, 3, 1, -1, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_ERR_PADDING, "padding", &s);
  s = shp(1, 4, 5, 5, 6, 3, 3, 1, 0, 0, 1);
  check(conv2d_shape_init(&s) == CONV2D_ERR_DILATION, "dilation", &s);
  s = shp(1, 4, 2, 5, 6, 3, 3, 1, 0, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_ERR_OUTPUT, "output", &s);
  s = shp(1, 4, 5, 5, 6, 3, 3, 1, 0, 3, 1); /* dilated kernel spans 7 > 5 */
  check(conv2d_shape_init(&s) == CONV2D_ERR_OUTPUT, "dilated output", &s);
  s = shp(1, 0, 5, 5, 6, 3, 3, 1, 0, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_ERR_DIM, "dim", &s);
  s = shp(1, 4096, 512, 512, 6, 3, 3, 1, 1, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_ERR_TOO_BIG, "too big", &s);
  /* PyTorch's 'same' for an even kernel: k=4, dilation 1 -> total 3, left 1, right 2 */
  s = shp(2, 3, 7, 6, 2, 4, 4, 1, 0, 1, 1);
  s.pt = s.pl = 1;
  s.pb = s.pr = 2;
  check(conv2d_shape_init(&s) == CONV2D_OK && s.OH == 7 && s.OW == 6, "same even", &s);
  run_case(s, 1);
  /* batch 0 is a valid no-op */
  s = shp(0, 3, 7, 6, 2, 3, 3, 1, 1, 1, 1);
  check(conv2d_shape_init(&s) == CONV2D_OK && conv2d_forward(&s, NULL, NULL, NULL, NULL, NULL) == 0,
        "batch 0", &s);
}

int main(void) {
  test_reference_by_hand();
  test_shape_errors();
  /* the benchmark nets' layers at small batch (7 gives a partial image block) */
  run_case(shp(3, 1, 28, 28, 32, 3, 3, 1, 0, 1, 1), 1);
  run_case(shp(2, 32, 26, 26, 64, 3, 3, 1, 0, 1, 1), 1);
  run_case(shp(7, 1, 28, 28, 6, 5, 5, 1, 2, 1, 1), 1);
  run_case(shp(7, 6, 14, 14, 16, 5, 5, 1, 0, 1, 1), 0);
  /* 1x1 (pointwise: no im2col), 1x1 strided, depthwise, grouped, dilated */
  run_case(shp(3, 8, 5, 7, 12, 1, 1, 1, 0, 1, 1), 1);
  run_case(shp(3, 8, 5, 7, 12, 1, 1, 1, 0, 1, 4), 0);
  run_case(shp(2, 8, 9, 7, 6, 1, 1, 2, 0, 1, 2), 1);
  run_case(shp(2, 6, 9, 11, 6, 3, 3, 1, 1, 1, 6), 1);
  run_case(shp(2, 6, 9, 11, 12, 3, 3, 2, 1, 1, 6), 0);
  run_case(shp(2, 4, 12, 13, 6, 3, 3, 1, 2, 2, 2), 1);
  run_case(shp(1, 3, 11, 23, 5, 3, 5, 2, 1, 1, 1), 1);
  run_case(shp(1, 2, 17, 19, 3, 4, 4, 3, 1, 1, 1), 1);
  for (int t = 0; t < 250; t++) {
    Conv2dShape s;
    int g = rnd_int(1, 3);
    int Cg = rnd_int(1, 4), Kg = rnd_int(1, 4);
    if (rnd() % 5 == 0) Kg = 1, Cg = 1, g = rnd_int(2, 6); /* depthwise */
    s.N = rnd_int(1, 3);
    s.groups = g;
    s.C = Cg * g;
    s.K = Kg * g;
    s.R = rnd_int(1, 5);
    s.S = rnd() % 3 == 0 ? s.R : rnd_int(1, 5);
    s.sh = rnd_int(1, 3);
    s.sw = rnd() % 3 == 0 ? s.sh : rnd_int(1, 3);
    s.dh = rnd() % 4 == 0 ? 2 : 1;
    s.dw = rnd() % 4 == 0 ? rnd_int(1, 3) : s.dh;
    s.pt = rnd_int(0, 2), s.pb = rnd() % 2 ? s.pt : rnd_int(0, 3);
    s.pl = rnd_int(0, 2), s.pr = rnd() % 2 ? s.pl : rnd_int(0, 3);
    s.H = rnd_int(1, 13) + s.dh * (s.R - 1);
    s.W = rnd_int(1, 21) + s.dw * (s.S - 1);
    if (rnd() % 6 == 0) s.H = rnd_int(1, 4); /* padding must carry the kernel */
    Conv2dShape probe = s;
    if (conv2d_shape_init(&probe) != CONV2D_OK) {
      t--;
      continue;
    }
    run_case(s, (int)(rnd() % 2));
  }
  printf("test_conv2d: %d passed, %d failed\n", n_pass, n_fail);
  return n_fail != 0;
}
