/* test_optim_update.c: the fused optimizer kernels (src/kernels/optim_update.c).
 * - dispatching kernel vs its _scalar reference, bit for bit, for n = 0..67 and a few
 *   longer odd n, unaligned pointers, every option combination, 3 steps each; under
 *   wasm the dispatch runs the SIMD path (and, switched off, the scalar one);
 * - guards past the end of every buffer stay untouched (SIMD tails);
 * - failed calls (missing buffer, bad step) change nothing;
 * - a few values worked out by hand.
 * Agreement with PyTorch itself is checked by the fixture tests (bit-exact against
 * PyTorch 1.13 run with ATEN_CPU_CAPABILITY=default, where nothing is fused).
 *
 * Build and run:
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined \
 *     tests/native/test_optim_update.c src/kernels/optim_update.c src/kernels/simd_switch.c \
 *     -lm -o /tmp/test_optim_update && /tmp/test_optim_update
 *   emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror \
 *     tests/native/test_optim_update.c src/kernels/optim_update.c src/kernels/simd_switch.c \
 *     -o /tmp/test_optim_update.js && node --no-experimental-fetch /tmp/test_optim_update.js
 *   (Emscripten 3.1.6's glue tries fetch() on Node 20 without --no-experimental-fetch;
 *    Debian's emcc needs NODE_PATH=/usr/share/nodejs when it emits JS.) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/kernels/optim_update.h"
#include "../../src/kernels/simd_switch.h"

static int passed, failed;

static void check(int ok, const char* what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    if (failed <= 20) printf("FAIL: %s\n", what);
  }
}

/* ---- deterministic inputs */
static uint32_t rng_state = 12345u;
static float frand(void) {   /* uniform in [-1, 1) */
  rng_state = rng_state * 1664525u + 1013904223u;
  return (float)((double)(rng_state >> 8) / 8388608.0 - 1.0);
}

#define GUARD 6
#define GUARD_VAL -12345.678f
#define NBUF 5   /* param, grad, three state buffers */

/* Buffers of n floats at a chosen misalignment, followed by guard values. */
typedef struct {
  float* base[NBUF];
  float* b[NBUF];
  size_t n;
} Bufs;

static int bufs_alloc(Bufs* s, size_t n, int offset) {
  s->n = n;
  for (int k = 0; k < NBUF; k++) {
    s->base[k] = malloc((n + GUARD + 4) * sizeof(float));
    if (!s->base[k]) return 0;
    s->b[k] = s->base[k] + offset;
    for (size_t i = 0; i < n + GUARD; i++) s->b[k][i] = GUARD_VAL;
  }
  return 1;
}

static void bufs_free(Bufs* s) {
  for (int k = 0; k < NBUF; k++) free(s->base[k]);
}

static void bufs_copy(Bufs* dst, const Bufs* src) {
  for (int k = 0; k < NBUF; k++) memcpy(dst->b[k], src->b[k], (src->n + GUARD) * sizeof(float));
}

static int same_bits(const Bufs* a, const Bufs* b) {
  for (int k = 0; k < NBUF; k++)
    for (size_t i = 0; i < a->n; i++) {
      float x = a->b[k][i], y = b->b[k][i];
      if (isnan(x) && isnan(y)) continue;
      if (memcmp(&x, &y, sizeof x) != 0) return 0;
    }
  return 1;
}

static int guards_ok(const Bufs* a) {
  for (int k = 0; k < NBUF; k++)
    for (size_t i = a->n; i < a->n + GUARD; i++)
      if (a->b[k][i] != GUARD_VAL) return 0;
  return 1;
}

/* Fill param/grad with mixed magnitudes (zeros included); states non-negative where
 * the optimizer keeps squares. */
static void fill(Bufs* s, int nonneg_state) {
  for (size_t i = 0; i < s->n; i++) {
    s->b[0][i] = 2.0f * frand();
    float g = frand();
    s->b[1][i] = (i % 7 == 3) ? 0.0f : g * powf(10.0f, 3.0f * frand());
    for (int k = 2; k < NBUF; k++) {
      float v = 0.1f * frand();
      s->b[k][i] = nonneg_state ? v * v : v;
    }
  }
}

enum { K_SGD, K_ADAM, K_RMSPROP, K_ADAGRAD, K_ADADELTA };

/* One kernel call on buffers s; use_scalar picks the _scalar reference. Option bits
 * select the flags of each optimizer; step is 1-based. */
static int call(int kind, int opt, Bufs* s, int step, int use_scalar) {
  float *p = s->b[0], *g = s->b[1], *a = s->b[2], *b = s->b[3], *c = s->b[4];
  size_t n = s->n;
  switch (kind) {
    case K_SGD: {
      double momentum = (opt & 1) ? 0.9 : 0.0;
      double dampening = (opt & 2) ? 0.1 : 0.0;
      double wd = (opt & 4) ? 1e-2 : 0.0;
      int nesterov = (opt & 8) && !(opt & 2) && momentum != 0;
      int maximize = (opt & 16) != 0;
      float* buf = momentum != 0 ? a : NULL;
      return use_scalar
          ? sgd_update_scalar(p, g, buf, n, 0.05, momentum, dampening, wd, nesterov, maximize, step == 1)
          : sgd_update(p, g, buf, n, 0.05, momentum, dampening, wd, nesterov, maximize, step == 1);
    }
    case K_ADAM: {
      int amsgrad = opt & 1, maximize = (opt & 2) != 0, decoupled = (opt & 4) != 0;
      double wd = (opt & 8) ? 0.05 : 0.0;
      return use_scalar
          ? adam_update_scalar(p, g, a, b, amsgrad ? c : NULL, n, step, 1e-2, 0.9, 0.999, 1e-8,
                               wd, amsgrad, maximize, decoupled)
          : adam_update(p, g, a, b, amsgrad ? c : NULL, n, step, 1e-2, 0.9, 0.999, 1e-8, wd,
                        amsgrad, maximize, decoupled);
    }
    case K_RMSPROP: {
      int centered = opt & 1, maximize = (opt & 2) != 0;
      double momentum = (opt & 4) ? 0.9 : 0.0;
      double wd = (opt & 8) ? 1e-2 : 0.0;
      return use_scalar
          ? rmsprop_update_scalar(p, g, a, centered ? b : NULL, momentum > 0 ? c : NULL, n,
                                  0.01, 0.99, 1e-8, wd, momentum, centered, maximize)
          : rmsprop_update(p, g, a, centered ? b : NULL, momentum > 0 ? c : NULL, n, 0.01,
                           0.99, 1e-8, wd, momentum, centered, maximize);
    }
    case K_ADADELTA: {
      int maximize = opt & 1;
      double wd = (opt & 2) ? 0.1 : 0.0;
      double rho = (opt & 4) ? 0.95 : 0.9;
      return use_scalar ? adadelta_update_scalar(p, g, a, b, n, 1.0, rho, 1e-6, wd, maximize)
                        : adadelta_update(p, g, a, b, n, 1.0, rho, 1e-6, wd, maximize);
    }
    default: {
      int maximize = opt & 1;
      double wd = (opt & 2) ? 0.1 : 0.0;
      double lr_decay = (opt & 4) ? 0.01 : 0.0;
      return use_scalar
          ? adagrad_update_scalar(p, g, a, n, step, 0.1, lr_decay, wd, 1e-10, maximize)
          : adagrad_update(p, g, a, n, step, 0.1, lr_decay, wd, 1e-10, maximize);
    }
  }
}

static const int nopts[] = {32, 16, 16, 8, 8};
static const char* kname[] = {"sgd", "adam", "rmsprop", "adagrad", "adadelta"};

/* dispatch (SIMD when enabled) vs scalar reference, 3 steps, bitwise */
static void test_simd_vs_scalar(int simd) {
  static const size_t extra[] = {101, 255, 1023};
  kernel_simd_enabled = simd;
  for (int kind = 0; kind < 5; kind++) {
    int all_same = 1, all_guards = 1, all_rc = 1;
    for (int opt = 0; opt < nopts[kind]; opt++) {
      for (int ni = 0; ni < 68 + 3; ni++) {
        size_t n = ni < 68 ? (size_t)ni : extra[ni - 68];
        int offset = ni % 3;   /* misaligned starts */
        Bufs ref, dut;
        if (!bufs_alloc(&ref, n, offset) || !bufs_alloc(&dut, n, (offset + 1) % 3)) {
          check(0, "allocation");
          return;
        }
        fill(&ref, kind != K_SGD);
        bufs_copy(&dut, &ref);
        for (int step = 1; step <= 3; step++) {
          /* fresh gradient each step, identical for both */
          for (size_t i = 0; i < n; i++) dut.b[1][i] = ref.b[1][i] = frand() * 3.0f;
          int r1 = call(kind, opt, &ref, step, 1);
          int r2 = call(kind, opt, &dut, step, 0);
          if (r1 != OPTIM_OK || r2 != OPTIM_OK) all_rc = 0;
        }
        if (!same_bits(&ref, &dut)) {
          all_same = 0;
          if (failed < 20) printf("  mismatch %s opt=%d n=%zu simd=%d\n", kname[kind], opt, n, simd);
        }
        if (!guards_ok(&ref) || !guards_ok(&dut)) all_guards = 0;
        bufs_free(&ref);
        bufs_free(&dut);
      }
    }
    char what[96];
    snprintf(what, sizeof what, "%s: dispatch == scalar bitwise (simd=%d)", kname[kind], simd);
    check(all_same, what);
    snprintf(what, sizeof what, "%s: guards past n untouched (simd=%d)", kname[kind], simd);
    check(all_guards, what);
    snprintf(what, sizeof what, "%s: all calls return OPTIM_OK (simd=%d)", kname[kind], simd);
    check(all_rc, what);
  }
}

/* failed calls return the error and write nothing */
static void test_errors(void) {
  float p[9], g[9], a[9], b[9];
  for (int i = 0; i < 9; i++) { p[i] = (float)i; g[i] = 1.0f; a[i] = 0.5f; b[i] = 0.25f; }
  float p0[9], a0[9], b0[9];
  memcpy(p0, p, sizeof p); memcpy(a0, a, sizeof a); memcpy(b0, b, sizeof b);
  int unchanged;
#define UNCHANGED() (memcmp(p, p0, sizeof p) == 0 && memcmp(a, a0, sizeof a) == 0 && \
                     memcmp(b, b0, sizeof b) == 0)
  check(sgd_update(p, g, NULL, 9, 0.1, 0.9, 0, 0, 0, 0, 0) == OPTIM_ERR_NULL, "sgd: momentum without buffer");
  check(sgd_update(NULL, g, NULL, 9, 0.1, 0, 0, 0, 0, 0, 0) == OPTIM_ERR_NULL, "sgd: NULL param");
  check(sgd_update(NULL, NULL, NULL, 0, 0.1, 0.9, 0, 0, 0, 0, 1) == OPTIM_OK, "sgd: n == 0 with NULLs is a no-op");
  check(adam_update(p, g, a, b, NULL, 9, 1, 1e-3, 0.9, 0.999, 1e-8, 0, 1, 0, 0) == OPTIM_ERR_NULL,
        "adam: amsgrad without max_exp_avg_sq");
  check(adam_update(p, g, a, b, NULL, 9, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0) == OPTIM_ERR_STEP,
        "adam: step 0");
  check(adam_update(p, g, a, b, NULL, 9, NAN, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0) == OPTIM_ERR_STEP,
        "adam: step NaN");
  check(adam_update_scalar(p, g, NULL, b, NULL, 9, 1, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0) == OPTIM_ERR_NULL,
        "adam_scalar: NULL exp_avg");
  check(rmsprop_update(p, g, a, NULL, b, 9, 0.01, 0.99, 1e-8, 0, 0.9, 1, 0) == OPTIM_ERR_NULL,
        "rmsprop: centered without grad_avg");
  check(rmsprop_update(p, g, a, b, NULL, 9, 0.01, 0.99, 1e-8, 0, 0.9, 0, 0) == OPTIM_ERR_NULL,
        "rmsprop: momentum without buffer");
  check(adagrad_update(p, g, a, 9, 0, 0.01, 0, 0, 1e-10, 0) == OPTIM_ERR_STEP, "adagrad: step 0");
  check(adagrad_update(p, g, a, 9, 3, 0.01, -0.5, 0, 1e-10, 0) == OPTIM_ERR_STEP,
        "adagrad: 1 + (step-1)*lr_decay == 0");
  check(adagrad_update(p, g, NULL, 9, 1, 0.01, 0, 0, 1e-10, 0) == OPTIM_ERR_NULL, "adagrad: NULL state_sum");
  check(adadelta_update(p, g, a, NULL, 9, 1.0, 0.9, 1e-6, 0, 0) == OPTIM_ERR_NULL, "adadelta: NULL acc_delta");
  unchanged = UNCHANGED();
  check(unchanged, "failed calls leave param and state unchanged");
  check(strlen(optim_status_string(OPTIM_ERR_NULL)) > 0 && strlen(optim_status_string(42)) > 0,
        "status strings");
#undef UNCHANGED
}

/* values worked out by hand (float32 arithmetic as in PyTorch) */
static void test_values(void) {
  for (int simd = 0; simd <= 1; simd++) {
    kernel_simd_enabled = simd;
    float p[5] = {1, 1, 1, 1, 1}, g[5] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, buf[5];
    sgd_update(p, g, NULL, 5, 0.1, 0, 0, 0, 0, 0, 0);
    check(p[0] == 1.0f + (float)-0.1 * 0.5f && p[4] == p[0], "sgd plain: p - lr*g");
    sgd_update(p, g, buf, 5, 0.1, 0.9, 0, 0, 0, 0, 1);
    check(buf[0] == 0.5f && buf[4] == 0.5f, "sgd: first step momentum buffer is a clone of d_p");
    sgd_update(p, g, buf, 5, 0.1, 0.9, 0, 0, 0, 0, 0);
    check(buf[0] == 0.5f * 0.9f + 1.0f * 0.5f && buf[4] == buf[0], "sgd: buf*momentum + (1-dampening)*d_p");
    float q[5] = {0, 0, 0, 0, 0};
    sgd_update(q, g, NULL, 5, 0.1, 0, 0, 0, 0, 1, 0);
    check(q[0] == 0.05f && q[4] == 0.05f, "sgd maximize ascends");

    /* Adam's first step moves every coordinate by about lr, against the gradient */
    float ap[6] = {0.5f, -1, 2, 0, 3, -4}, ag[6] = {1e-3f, -2, 30, 0.25f, -1e-2f, 7};
    float m[6] = {0}, v[6] = {0};
    float a0[6];
    memcpy(a0, ap, sizeof ap);
    adam_update(ap, ag, m, v, NULL, 6, 1, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0);
    int ok = 1;
    for (int i = 0; i < 6; i++) {
      double step = (double)ap[i] - a0[i];
      double want = ag[i] > 0 ? -1e-3 : 1e-3;
      if (fabs(step - want) > 1e-5) ok = 0;
    }
    check(ok, "adam first step = -lr * sign(grad)");

    /* AdamW with zero gradient only decays: p * (1 - lr*wd) */
    float wp[5] = {2, 2, 2, 2, 2}, z[5] = {0}, wm[5] = {0}, wv[5] = {0};
    adam_update(wp, z, wm, wv, NULL, 5, 1, 0.1, 0.9, 0.999, 1e-8, 0.5, 0, 0, 1);
    check(wp[0] == 2.0f * (float)(1 - 0.1 * 0.5) && wp[4] == wp[0], "adamw: decoupled decay");

    /* Adagrad first step: p - clr * g / (|g| + eps) */
    float dp[5] = {1, 1, 1, 1, 1}, dg[5] = {2, 2, 2, 2, 2}, ds[5] = {0};
    adagrad_update(dp, dg, ds, 5, 1, 0.1, 0, 0, 1e-10, 0);
    check(ds[0] == 4.0f && dp[0] == 1.0f + ((float)-0.1 * 2.0f) / (2.0f + (float)1e-10) && dp[4] == dp[0],
          "adagrad first step");

    /* RMSprop first step: square_avg = (1-alpha) g^2 */
    float rp[5] = {1, 1, 1, 1, 1}, rg[5] = {3, 3, 3, 3, 3}, rs[5] = {0};
    rmsprop_update(rp, rg, rs, NULL, NULL, 5, 0.01, 0.99, 1e-8, 0, 0, 0, 0);
    float s_want = 0.0f * 0.99f + ((float)(1 - 0.99) * 3.0f) * 3.0f;
    check(rs[0] == s_want && rs[4] == s_want, "rmsprop square_avg");
    check(rp[0] == 1.0f + ((float)-0.01 * 3.0f) / (sqrtf(s_want) + (float)1e-8) && rp[4] == rp[0],
          "rmsprop param update");
  }
}

int main(void) {
  test_simd_vs_scalar(0);
#ifdef __wasm_simd128__
  test_simd_vs_scalar(1);
#endif
  test_errors();
  test_values();
#ifdef __wasm_simd128__
  kernel_simd_enabled = 1;
#endif
  printf("test_optim_update: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
