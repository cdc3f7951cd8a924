/* test_math_ops.c: the math-ops half of the ABI (k_clamp, k_where, k_min_dim, k_sort,
 * k_topk, k_norm, k_var, k_prod, pow / maximum / minimum, the new unary kinds, the range
 * factories and k_grad_fn) run natively under AddressSanitizer (leaks included) and
 * UndefinedBehaviorSanitizer: forward, backward through each node, the failure paths, and
 * every tensor released at the end. Values are small hand-worked cases; PyTorch parity is
 * tests/math-ops.test.js's job. Built by ./build.sh native with every source file. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../src/kernels/elementwise.h"
#include "../../src/kindling.h"

static int n_pass, n_fail;
static void check(int ok, const char* what) {
  if (ok) n_pass++;
  else n_fail++, printf("FAIL %s\n", what);
}

static int32_t vec(const float* v, int n, int requires_grad) {
  int32_t h = k_empty(0, 1, (int32_t[]){n});
  memcpy(k_data(h), v, (size_t)n * 4);
  if (requires_grad) k_set_requires_grad(h, 1);
  return h;
}
static float at(int32_t h, int i) { return ((float*)k_data(h))[i]; }
static int32_t iat(int32_t h, int i) { return ((int32_t*)k_data(h))[i]; }
/* .grad[i] of h (NaN when None); the handle k_grad makes is released again. */
static float grad_at(int32_t h, int i) {
  int32_t g = k_grad(h);
  float r = g > 0 ? at(g, i) : NAN;
  if (g > 0) k_release(g);
  return r;
}

int main(void) {
  const float xs[6] = {3, -1, 4, -1.5f, 5, 0};
  int32_t x = vec(xs, 6, 1);

  /* sort descending, backward scatters through the indices */
  int32_t v = k_sort(x, 0, 1, 0), idx = k_scratch()[0];
  check(v > 0 && at(v, 0) == 5 && at(v, 5) == -1.5f && iat(idx, 0) == 4 && iat(idx, 5) == 3, "sort descending");
  const char* name = k_grad_fn(v, 0);
  check(name && strcmp(name, "SortBackward0") == 0, "sort grad_fn name");
  int32_t w = vec((float[]){1, 2, 3, 4, 5, 6}, 6, 0);
  int32_t prod = k_binary(BIN_MUL, v, w), s = k_sum(prod, 0x7fff, 0, 0);
  check(k_backward(s, 0, 0) == 0, "sort backward runs");
  check(grad_at(x, 4) == 1 && grad_at(x, 3) == 6 && grad_at(x, 0) == 3, "sort backward scatters");
  k_set_grad(x, 0);

  /* topk, min over a dim (and its indices), argmin */
  int32_t t = k_topk(x, 2, 0, 0), ti = k_scratch()[0];
  check(t > 0 && at(t, 0) == -1.5f && at(t, 1) == -1 && iat(ti, 1) == 1, "topk smallest 2 (stable ties)");
  check(k_topk(x, 7, 0, 1) < 0, "topk k > size fails");
  int32_t mn = k_min_dim(x, 0, 0), mi = k_scratch()[0];
  check(mn > 0 && at(mn, 0) == -1.5f && iat(mi, 0) == 3, "min dim");
  int32_t am = k_argmin(x, 0x7fff, 0);
  check(am > 0 && iat(am, 0) == 3, "argmin all");

  /* norm, var / std, prod with backward */
  int32_t nrm = k_norm(x, 2.0, 0x7fff, 0);
  check(nrm > 0 && fabsf(at(nrm, 0) - sqrtf(9 + 1 + 16 + 2.25f + 25)) < 1e-5f, "norm 2");
  check(k_backward(nrm, 0, 0) == 0 && fabsf(grad_at(x, 2) - 4 / at(nrm, 0)) < 1e-6f, "norm backward");
  k_set_grad(x, 0);
  int32_t sd = k_var(x, 0x7fff, 1.0, 0, 1);
  check(sd > 0 && k_grad_fn(sd, 0) && strcmp(k_grad_fn(sd, 0), "StdBackward0") == 0, "std name");
  check(k_backward(sd, 0, 0) == 0, "std backward");
  k_set_grad(x, 0);
  int32_t pr = k_prod(x, 0x7fff, 0);
  check(pr > 0 && at(pr, 0) == 0.0f, "prod with a zero");
  check(k_backward(pr, 0, 0) == 0 && grad_at(x, 5) == 3 * -1 * 4 * -1.5f * 5 && grad_at(x, 0) == 0, "prod backward, one zero");
  k_set_grad(x, 0);

  /* clamp, where, pow / maximum with broadcasting, and the grad_fn walk */
  int32_t c = k_clamp(x, -1, 1);
  check(c > 0 && at(c, 0) == 1 && at(c, 3) == -1 && at(c, 5) == 0, "clamp");
  int32_t cond = k_compare_scalar(CMP_GT, x, 0);
  int32_t wh = k_where(cond, x, c);
  check(wh > 0 && at(wh, 0) == 3 && at(wh, 3) == -1, "where");
  check(k_where(x, x, c) < 0, "where with a float condition fails");
  name = k_grad_fn(wh, 0);
  check(name && strcmp(name, "WhereBackward0") == 0 && k_scratch()[0] == 2, "where grad_fn and its 2 edges");
  k_scratch()[0] = 1;
  name = k_grad_fn(wh, 1);
  check(name && strcmp(name, "ClampBackward1") == 0, "next_functions[1] is clamp");
  k_scratch()[0] = 0;
  name = k_grad_fn(wh, 1);
  check(name && strcmp(name, "torch::autograd::AccumulateGrad") == 0, "a leaf's AccumulateGrad");
  k_scratch()[0] = 3;
  check(k_grad_fn(wh, 1) == NULL, "a path past the edges fails");
  int32_t e = vec((float[]){2, 0.5f}, 2, 1);
  int32_t base = vec((float[]){1, 2, 3}, 3, 1), col = k_reshape(base, 2, (int32_t[]){3, 1});
  int32_t pw = k_binary(BIN_POW, col, e), mx = k_binary(BIN_MAX, pw, e);
  check(pw > 0 && at(pw, 2) == 4 && fabsf(at(pw, 5) - sqrtf(3)) < 1e-6f && mx > 0, "pow broadcast [3,1] ** [2]");
  int32_t total = k_sum(mx, 0x7fff, 0, 0);
  check(k_backward(total, 0, 0) == 0 && grad_at(e, 0) == grad_at(e, 0), "pow / maximum backward");
  check(k_binary(BIN_POW, x, e) < 0, "pow of unbroadcastable shapes fails");

  /* every new unary kind runs forward and backward */
  for (int kind = UN_SIN; kind < UN_COUNT; kind++) {
    int32_t y = k_unary(kind, e, 0), ys = y > 0 ? k_sum(y, 0x7fff, 0, 0) : -1;
    check(y > 0 && ys > 0 && k_backward(ys, 0, 0) == 0, k_unary_name(kind));
    k_set_grad(e, 0);
    k_release(ys);
    k_release(y);
  }
  check(k_unary(UN_COUNT, e, 0) < 0 && k_unary_name(UN_COUNT) == NULL, "unknown unary kind");

  /* range factories */
  int32_t ls = k_linspace(0, 1, 5, 0), lg = k_logspace(0, 2, 3, 10, 0), ey = k_eye(2, 3, 0);
  check(ls > 0 && at(ls, 1) == 0.25f && at(ls, 4) == 1, "linspace");
  check(lg > 0 && at(lg, 2) == 100, "logspace");
  check(ey > 0 && at(ey, 0) == 1 && at(ey, 4) == 1 && at(ey, 1) == 0, "eye");
  check(k_linspace(0, 1, -1, 0) < 0 && k_eye(-1, 2, 0) < 0, "negative sizes fail");

  int32_t all[] = {x, v, idx, w, prod, s, t, ti, mn, mi, am, nrm, sd, pr, c, cond, wh, e, base, col, pw, mx, total, ls, lg, ey};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) k_release(all[i]);
  check(k_live_tensors() == 0, "every tensor released");
  printf("test_math_ops: %d passed, %d failed\n", n_pass, n_fail);
  return n_fail != 0;
}
