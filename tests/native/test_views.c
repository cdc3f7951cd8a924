/* test_views.c: views, indexing and in-place ops through the C ABI (src/kindling.h) under
 * AddressSanitizer / UndefinedBehaviorSanitizer / LeakSanitizer: strided views read and
 * written through, gradients of views reaching the base, in-place ops with and without
 * autograd, the version-counter error, advanced indexing and put_ with out-of-range input,
 * and every tensor released at the end (no leaks, no use after free when a base dies
 * before its views). Numbers are checked against values worked out by hand; PyTorch parity
 * lives in tests/views.test.js. Built and run by ./build.sh native and tests/native.test.js. */
#include "../../src/kindling.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int g_passed, g_failed;

#define CHECK(cond, what)                                     \
  do {                                                        \
    if (cond) g_passed++;                                     \
    else {                                                    \
      g_failed++;                                             \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what);   \
    }                                                         \
  } while (0)

static int32_t arange2d(int rows, int cols) { /* float32 [rows, cols] holding 0, 1, 2, ... */
  int32_t flat = k_arange(0, rows * cols, 1, 0);
  int32_t shape[2] = {rows, cols};
  int32_t t = k_reshape(flat, 2, shape);
  k_release(flat);
  return t;
}

static float at(int32_t h, int i) { return ((float*)k_data(h))[i]; }

static int32_t slice_items(int32_t* items, int n, const int32_t (*spec)[4]) {
  for (int i = 0; i < n; i++) memcpy(items + 4 * i, spec[i], 16);
  return n;
}

static void test_views_share_and_write_through(void) {
  int32_t x = arange2d(4, 6);
  /* x[1:, ::2] */
  int32_t items[8];
  const int32_t spec[2][4] = {{1, 1, INT32_MIN, 1}, {1, INT32_MIN, INT32_MIN, 2}};
  int32_t v = k_index_view(x, slice_items(items, 2, spec), items);
  CHECK(v > 0, "x[1:, ::2] is made");
  int32_t info[24];
  k_info(v, info);
  CHECK(info[2] == 3 && info[3] == 3 && info[12] == 0 && info[13] == 6 && info[14] == 6 && info[15] == 2,
        "shape [3, 3], offset 6, strides [6, 2], not contiguous");
  CHECK(at(v, 0) == 6 && at(v, 1) == 8 && at(v, 8) == 22, "k_data reads the view row-major");
  CHECK(k_inplace(4 /* fill_ */, v, 0, -1, 1, NAN, NAN) == 0, "fill_ through the view");
  CHECK(at(x, 6) == -1 && at(x, 7) == 7 && at(x, 22) == -1 && at(x, 0) == 0, "the base sees the write");
  k_info(x, info);
  CHECK(info[20] == 1, "the shared version counter moved");
  /* the base dies first; the view keeps the storage */
  k_release(x);
  CHECK(at(v, 4) == -1, "a view outlives its base");
  int32_t s = k_sum(v, 0x7fff, 0, 0);
  CHECK(s > 0 && at(s, 0) == -9, "ops read a strided view through a contiguous copy");
  k_release(s);
  k_release(v);
}

static void test_view_gradients(void) {
  int32_t x = arange2d(3, 4);
  k_set_requires_grad(x, 1);
  int32_t col = k_select(x, 1, 2);           /* x[:, 2] */
  int32_t row = k_narrow(x, 0, 1, 2);        /* x[1:3] */
  int32_t a = k_sum(col, 0x7fff, 0, 0), b = k_sum(row, 0x7fff, 0, 0);
  int32_t loss = k_binary(0, a, b);
  CHECK(k_backward(loss, 0, 0) == 0, "backward through select and narrow");
  int32_t g = k_grad(x);
  static const float want[12] = {0, 0, 1, 0, 1, 1, 2, 1, 1, 1, 2, 1};
  int ok = g > 0;
  for (int i = 0; ok && i < 12; i++) ok = at(g, i) == want[i];
  CHECK(ok, "d(x[:, 2].sum() + x[1:3].sum())/dx");
  CHECK(k_inplace(0, x, 0, 1, 1, NAN, NAN) < 0 && strstr(k_error_message(), "leaf Variable"), "in place on a leaf that requires grad");
  k_set_grad_enabled(0);
  CHECK(k_inplace(1, x, g, 0, 0.5, NAN, NAN) == 0 && at(x, 2) == 1.5f, "x.sub_(g, alpha=0.5) under no_grad");
  k_set_grad_enabled(1);
  int32_t hs[] = {g, loss, a, b, col, row, x};
  for (unsigned i = 0; i < sizeof hs / sizeof *hs; i++) k_release(hs[i]);
}

static void test_version_counter(void) {
  int32_t x = arange2d(2, 2);
  k_set_requires_grad(x, 1);
  int32_t y = k_unary(5 /* sigmoid */, x, 0);
  CHECK(k_inplace(2, y, 0, 3, 1, NAN, NAN) == 0, "y.mul_(3) on a non-leaf records");
  int32_t s = k_sum(y, 0x7fff, 0, 0);
  CHECK(k_backward(s, 0, 0) < 0 && strstr(k_error_message(), "modified by an inplace operation"),
        "sigmoid's saved output was changed: PyTorch's error");
  int32_t z = k_binary_scalar(0, x, 1, 0);   /* z = x + 1 */
  CHECK(k_inplace(0, z, 0, 1, 1, NAN, NAN) == 0, "z.add_(1)");
  int32_t w = k_binary(2, z, z);             /* w = z * z reads z */
  int32_t t = k_sum(w, 0x7fff, 0, 0);
  k_set_grad(x, 0);
  CHECK(k_backward(t, 0, 0) == 0, "nothing read was changed: backward runs");
  int32_t g = k_grad(x);
  CHECK(g > 0 && at(g, 3) == 2 * (3 + 2), "d(sum((x + 2)^2))/dx = 2 (x + 2)");
  int32_t hs[] = {x, y, s, z, w, t, g};
  for (unsigned i = 0; i < sizeof hs / sizeof *hs; i++) k_release(hs[i]);
}

static void test_advanced_and_put(void) {
  int32_t x = arange2d(3, 4);
  int32_t rows = k_arange(0, 3, 1, 1), cols = k_full(1, 1, (int32_t[]){3}, 3);
  int32_t idx[2] = {rows, cols};
  int32_t d = k_index(x, 2, idx);            /* x[range(3), 3] */
  CHECK(d > 0 && at(d, 0) == 3 && at(d, 1) == 7 && at(d, 2) == 11, "x[range(3), [3, 3, 3]]");
  int32_t bad = k_full(1, 1, (int32_t[]){1}, 7);
  int32_t idx2[2] = {bad, 0};
  CHECK(k_index(x, 2, idx2) < 0 && strstr(k_error_message(), "out of bounds"), "index out of bounds is an error");
  int32_t pos = k_full(1, 1, (int32_t[]){2}, 5), val = k_full(0, 0, NULL, 9);
  CHECK(k_put_(x, pos, val, 1) == 0 && at(x, 5) == 5 + 18, "put_ accumulates repeated positions");
  int32_t far = k_full(1, 1, (int32_t[]){1}, 12);
  CHECK(k_put_(x, far, val, 0) < 0, "a position past the end is an error");
  int32_t hs[] = {x, rows, cols, d, bad, pos, val, far};
  for (unsigned i = 0; i < sizeof hs / sizeof *hs; i++) k_release(hs[i]);
}

int main(void) {
  test_views_share_and_write_through();
  test_view_gradients();
  test_version_counter();
  test_advanced_and_put();
  CHECK(k_live_tensors() == 0 && k_live_bytes() == 0, "every tensor released");
  printf("test_views: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed != 0;
}
