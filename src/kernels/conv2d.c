/* conv2d.c: 2-D convolution (PyTorch semantics) as im2col + GEMM, with the naive direct
 * loops kept beside it as the reference. See conv2d.h for shapes and contracts.
 *
 * Method: every pass is one GEMM per image (or per block of small images):
 *   forward      Y_n (K/G, P) = W (K/G, CRS/G) @ col_n,       P = OH*OW, col = im2col(x_n)
 *   grad-input   dcol = W^T @ dY_n, then dx_n += col2im(dcol)
 *   grad-weight  dW += dY_n @ col_n^T
 * Why, measured (emcc 3.1.6 -O3 -msimd128, node 20 --no-liftoff, one thread, batch 64,
 * this noisy 2-core host; GFLOP/s of the whole call, glue included):
 *                      forward        grad-input     grad-weight    GEMM alone
 *   net A conv2 32->64 32.9 ms 41.3   31.5 ms 43.1   31.3 ms 43.4   42-46
 *   net A conv1  1->32  0.85 ms 29.2   (not needed)   1.17 ms 21.3   38
 *   net B conv1  1->6   0.84 ms 17.9   0.75 ms 20.0   0.99 ms 15.3   25-28
 *   net B conv2  6->16  1.11 ms 27.7   1.47 ms 20.9   1.12 ms 27.4   41
 * - A direct 4x8-register-tile SIMD forward (weights broadcast, input rows loaded
 *   unaligned, no im2col, no packing) was prototyped and timed in the same runs:
 *   net A conv2 27.0 vs 32.3 GFLOP/s in one run, 39.6 vs 36.6 in another (a wash within
 *   this host's noise); net B conv1 23.7 vs 17.9 (K = 6 wastes GEMM rows either way);
 *   net A conv1 17.9 vs 27.7 and net B conv2 24.9 vs 27.3 (OW = 10 wastes lanes).
 *   Not kept: one GEMM serves all passes and shapes; a direct path for tiny-K layers is
 *   the candidate if net B inference needs the last 0.2 ms.
 * - Per image, not one batched GEMM: one image's col (net A conv2: 288 x 576 floats,
 *   663 KB) stays in L2 between im2col and the GEMM, and the GEMM writes NCHW directly.
 *   Only when P is small are images blocked so the GEMM sees >= 512 columns (net B
 *   conv2, P = 100: 6 images, 7% faster than one at a time); the result is then
 *   scattered back to NCHW (see conv_block).
 * - Stride-1 shapes (the common case) copy every col row run with straight SIMD copies
 *   (overlapping last vector, no scalar tail); padded ones first copy the image into a
 *   zero-bordered scratch so no run needs clipping. This cut im2col 2.96 -> 2.33 ms
 *   (net A conv2), 0.85 -> 0.22 ms (net B conv1), 1.18 -> 0.35 ms (net B conv2), and
 *   col2im likewise. Other strides clip runs per row (stride 2 de-interleaves by shuffle).
 * - 1x1 stride-1 unpadded convolutions skip im2col: x_n itself is the (C, H*W) matrix.
 * Glue left in net A conv2: im2col 2.3 ms (forward and grad-weight each), col2im 2.4 ms,
 * bias 0.6 ms, i.e. ~8% of the three passes; the rest is GEMM.
 * Scratch comes from the caller (conv2d_workspace_bytes) or, if ws == NULL, from malloc
 * per call: no hidden static state here (the GEMM keeps its own packing buffer).
 * The fast path is plain C outside its SIMD row copies, so native builds (and wasm with
 * SIMD off) run the same im2col + GEMM code under the sanitizers. */
#include "conv2d.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "simd_switch.h"

/* A block of images shares one col matrix when one image's P = OH*OW is this small,
 * so that the GEMM's N dimension is at least about this many columns. */
#ifndef CONV2D_BLOCK_COLS
#define CONV2D_BLOCK_COLS 512
#endif
/* ... but the block's col matrix stays within this many floats (about L2 size). */
#ifndef CONV2D_BLOCK_MAX_FLOATS
#define CONV2D_BLOCK_MAX_FLOATS (256 * 1024)
#endif

/* The workspace may not exceed the heap the build gives the core (the same default as
 * src/core/tensor.c; build.sh passes -DKINDLING_HEAP_LIMIT to both). The kernel does not
 * call tensor_heap_limit() so that it links alone (tests/native/test_conv2d.c). */
#ifndef KINDLING_HEAP_LIMIT
#define KINDLING_HEAP_LIMIT 2147483648LL
#endif

/* Output size along one axis, in 64 bits: with paddings and dilations near INT_MAX the
 * padded input and the dilated kernel overflow int (and the old int result truncated). */
static long long out_size(int in, int p0, int p1, int k, int d, int st) {
  long long span = (long long)in + p0 + p1 - ((long long)d * (k - 1) + 1);
  if (span < 0) return 0;
  return span / st + 1;
}

int conv2d_shape_init(Conv2dShape* s) {
  s->OH = s->OW = 0;
  if (s->N < 0 || s->C < 1 || s->H < 1 || s->W < 1 || s->K < 1 || s->R < 1 || s->S < 1)
    return CONV2D_ERR_DIM;
  if (s->sh < 1 || s->sw < 1) return CONV2D_ERR_STRIDE;
  if (s->pt < 0 || s->pl < 0 || s->pb < 0 || s->pr < 0) return CONV2D_ERR_PADDING;
  if (s->dh < 1 || s->dw < 1) return CONV2D_ERR_DILATION;
  if (s->groups < 1 || s->C % s->groups || s->K % s->groups) return CONV2D_ERR_GROUPS;
  const long long oh = out_size(s->H, s->pt, s->pb, s->R, s->dh, s->sh);
  const long long ow = out_size(s->W, s->pl, s->pr, s->S, s->dw, s->sw);
  if (oh < 1 || ow < 1) return CONV2D_ERR_OUTPUT;
  /* The loops index in int: the padded input (make_col's Hp, Wp; im2col's ih, iw stay
   * below it), the dilated kernel and the output sizes must all fit. Sums of two int
   * fields below are formed in long long. */
  const long long hp = (long long)s->H + s->pt + s->pb, wp = (long long)s->W + s->pl + s->pr;
  if (hp > INT_MAX || wp > INT_MAX || oh > INT_MAX || ow > INT_MAX) return CONV2D_ERR_TOO_BIG;
  /* valid_range computes -off + stride - 1 with off >= -pl */
  if ((long long)s->pl + s->sw > INT_MAX) return CONV2D_ERR_TOO_BIG;
  s->OH = (int)oh;
  s->OW = (int)ow;
  /* Every matrix handed to the GEMM (and each per-image plane) must index with int. Each
   * product below multiplies two factors already known to be <= INT_MAX: no overflow. */
  const long long lim = INT_MAX;
  const long long p = oh * ow, rs = (long long)s->R * s->S, hw = (long long)s->H * s->W;
  if (p > lim || rs > lim || hw > lim) return CONV2D_ERR_TOO_BIG;
  const long long crs = s->C * rs;
  if (crs > lim || crs * p > lim || s->K * p > lim || s->C * hw > lim || s->K * crs > lim)
    return CONV2D_ERR_TOO_BIG;
  /* ... and the scratch must be allocatable: computed in 64 bits, as size_t is 32 bits in
   * wasm (a 4 GiB workspace used to wrap around to a few bytes and be overrun). */
  if (conv2d_workspace_bytes(s) > (uint64_t)KINDLING_HEAP_LIMIT) return CONV2D_ERR_TOO_BIG;
  return CONV2D_OK;
}

/* 1x1, stride 1, no padding: the image is already its own col matrix. */
static int is_pointwise(const Conv2dShape* s) {
  return s->R == 1 && s->S == 1 && s->sh == 1 && s->sw == 1 && s->pt == 0 && s->pl == 0 &&
         s->pb == 0 && s->pr == 0;
}

/* Images per GEMM (deterministic in the shape, so the workspace size agrees). */
static int conv_block(const Conv2dShape* s) {
  if (is_pointwise(s) || s->N <= 1) return 1;
  long long p = (long long)s->OH * s->OW, rs = (long long)s->R * s->S;
  /* one image already fills a block: also keeps C * R * S from overflowing below for the
   * oversized shapes the error messages ask about */
  if (p >= CONV2D_BLOCK_COLS || rs > CONV2D_BLOCK_MAX_FLOATS || s->C > CONV2D_BLOCK_MAX_FLOATS) return 1;
  long long crs = s->C * rs;
  int nb = 1;
  while (nb < s->N && (long long)nb * p < CONV2D_BLOCK_COLS &&
         (long long)(nb + 1) * p * crs <= CONV2D_BLOCK_MAX_FLOATS)
    nb++;
  return nb;
}

static int has_pad(const Conv2dShape* s) { return (s->pt | s->pl | s->pb | s->pr) != 0; }

/* Scratch layout in floats: col (CRS, nb*P); when nb > 1 a (K, nb*P) staging matrix for
 * the GEMM result / the gathered output gradient; for padded stride-1 convolutions a
 * zero-bordered copy of one image (C, H+pt+pb, W+pl+pr). Offsets stay 16-byte aligned. */
/* In uint64_t: every product here can pass 2^32 for a shape that conv2d_shape_init is
 * about to refuse, and the refusal is decided on these very numbers. Once accepted
 * (total * 4 <= the heap limit < 2^32) the offsets fit in size_t. */
typedef struct {
  uint64_t stage, pad, total;
} WsLayout;

/* Saturating at UINT64_MAX: a padded image (C, Hp, Wp) of three int-sized factors can pass
 * 2^64 itself; saturated, it still compares as too big. */
static uint64_t mul_sat(uint64_t a, uint64_t b) { return b && a > UINT64_MAX / b ? UINT64_MAX : a * b; }
static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static uint64_t round4(uint64_t n) { return n > UINT64_MAX - 3 ? UINT64_MAX : (n + 3) & ~(uint64_t)3; }

static WsLayout ws_layout(const Conv2dShape* s) {
  WsLayout L = {0, 0, 0};
  if (s->N == 0 || is_pointwise(s)) return L;
  uint64_t nb = (uint64_t)conv_block(s), p = (uint64_t)s->OH * (uint64_t)s->OW;
  uint64_t crs = mul_sat(mul_sat((uint64_t)s->C, (uint64_t)s->R), (uint64_t)s->S);
  L.stage = round4(mul_sat(mul_sat(crs, nb), p));
  L.pad = add_sat(L.stage, nb > 1 ? round4(mul_sat(mul_sat((uint64_t)s->K, nb), p)) : 0);
  L.total = L.pad;
  if (s->sw == 1 && has_pad(s)) {
    uint64_t hp = (uint64_t)s->H + (uint64_t)s->pt + (uint64_t)s->pb;
    uint64_t wp = (uint64_t)s->W + (uint64_t)s->pl + (uint64_t)s->pr;
    L.total = add_sat(L.total, mul_sat(mul_sat((uint64_t)s->C, hp), wp));
  }
  return L;
}

uint64_t conv2d_workspace_bytes(const Conv2dShape* s) { return mul_sat(ws_layout(s).total, sizeof(float)); }

/* ---- row helpers: SIMD with scalar leftovers, never touching past n ---- */

static void row_zero(float* d, int n) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    v128_t z = wasm_f32x4_splat(0.f);
    for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, z);
  }
#endif
  for (; i < n; i++) d[i] = 0.f;
}

/* d[i] = src[i * st] for i < n (strided rows; stride 1 goes through copy_exact) */
static void row_gather(float* d, const float* src, int n, int st) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    if (st == 2) {
      /* reads src[2i .. 2i+7]; the last element needed is src[2(n-1)], so require
       * 2i + 7 <= 2(n-1), i.e. i + 4 < n (one element of slack) */
      for (; i + 4 < n; i += 4) {
        v128_t a = wasm_v128_load(src + 2 * i), b = wasm_v128_load(src + 2 * i + 4);
        wasm_v128_store(d + i, wasm_i32x4_shuffle(a, b, 0, 2, 4, 6));
      }
    }
  }
#endif
  for (; i < n; i++) d[i] = src[(size_t)i * st];
}

/* d[i * st] += src[i] for i < n (strided rows: a scatter, scalar) */
static void row_scatter_add(float* d, const float* src, int n, int st) {
  for (int i = 0; i < n; i++) d[(size_t)i * st] += src[i];
}

/* d[i] = src[i] + v */
static void row_copy_add(float* d, const float* src, int n, float v) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    v128_t vv = wasm_f32x4_splat(v);
    for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, wasm_f32x4_add(wasm_v128_load(src + i), vv));
  }
#endif
  for (; i < n; i++) d[i] = src[i] + v;
}

static double row_sum(const float* a, int n) {
  int i = 0;
  double acc = 0.0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    /* four independent float chains over at most 1024 elements, folded into double */
    while (i + 16 <= n) {
      v128_t s0 = wasm_f32x4_splat(0.f), s1 = s0, s2 = s0, s3 = s0;
      int end = i + 1024 < n ? i + 1024 : n;
      for (; i + 16 <= end; i += 16) {
        s0 = wasm_f32x4_add(s0, wasm_v128_load(a + i));
        s1 = wasm_f32x4_add(s1, wasm_v128_load(a + i + 4));
        s2 = wasm_f32x4_add(s2, wasm_v128_load(a + i + 8));
        s3 = wasm_f32x4_add(s3, wasm_v128_load(a + i + 12));
      }
      s0 = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));
      acc += (double)wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) +
             wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
    }
  }
#endif
  for (; i < n; i++) acc += a[i];
  return acc;
}

/* Range [lo, hi) of output columns whose input column ow*st + off lies in [0, W). */
static void valid_range(int off, int st, int W, int OW, int* lo, int* hi) {
  int l = off >= 0 ? 0 : (-off + st - 1) / st;
  int h = (W - 1 - off) < 0 ? 0 : (W - 1 - off) / st + 1;
  if (h > OW) h = OW;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

/* The general im2col (any stride): col (C*R*S rows of ldcol; this image's P columns) =
 * im2col(x) for one image x (C,H,W), padding handled by clipping each run. */
static void im2col(const Conv2dShape* s, float* col, size_t ldcol, const float* x) {
  const int OH = s->OH, OW = s->OW, H = s->H, W = s->W;
  for (int c = 0; c < s->C; c++) {
    const float* xc = x + (size_t)c * H * W;
    for (int r = 0; r < s->R; r++) {
      for (int q = 0; q < s->S; q++) {
        float* dst = col + ((size_t)(c * s->R + r) * s->S + q) * ldcol;
        int off = q * s->dw - s->pl, lo, hi;
        valid_range(off, s->sw, W, OW, &lo, &hi);
        for (int oh = 0; oh < OH; oh++) {
          int ih = oh * s->sh - s->pt + r * s->dh;
          float* d = dst + (size_t)oh * OW;
          if (ih < 0 || ih >= H) {
            row_zero(d, OW);
            continue;
          }
          if (lo > 0) row_zero(d, lo);
          row_gather(d + lo, xc + ((ptrdiff_t)ih * W + off + (ptrdiff_t)lo * s->sw), hi - lo, s->sw);
          if (hi < OW) row_zero(d + hi, OW - hi);
        }
      }
    }
  }
}

/* dx (C,H,W) of one image += col2im(col) */
static void col2im(const Conv2dShape* s, float* dx, const float* col, size_t ldcol) {
  const int OH = s->OH, OW = s->OW, H = s->H, W = s->W;
  for (int c = 0; c < s->C; c++) {
    float* dxc = dx + (size_t)c * H * W;
    for (int r = 0; r < s->R; r++) {
      for (int q = 0; q < s->S; q++) {
        const float* src = col + ((size_t)(c * s->R + r) * s->S + q) * ldcol;
        int off = q * s->dw - s->pl, lo, hi;
        valid_range(off, s->sw, W, OW, &lo, &hi);
        if (lo >= hi) continue;
        for (int oh = 0; oh < OH; oh++) {
          int ih = oh * s->sh - s->pt + r * s->dh;
          if (ih < 0 || ih >= H) continue;
          row_scatter_add(dxc + ((ptrdiff_t)ih * W + off + (ptrdiff_t)lo * s->sw),
                          src + (size_t)oh * OW + lo, hi - lo, s->sw);
        }
      }
    }
  }
}

/* ---- stride-1 rows: every col row segment is one contiguous run of the input ---- */

/* d[0..n) = src[0..n); the SIMD tail re-copies an overlapping last vector instead of
 * looping over leftovers, and never touches past n */
static void copy_exact(float* d, const float* src, int n) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD && n >= 4) {
    for (; i + 8 <= n; i += 8) {
      v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + i + 4);
      wasm_v128_store(d + i, a);
      wasm_v128_store(d + i + 4, b);
    }
    if (i + 4 <= n) {
      wasm_v128_store(d + i, wasm_v128_load(src + i));
      i += 4;
    }
    if (i < n) wasm_v128_store(d + n - 4, wasm_v128_load(src + n - 4));
    return;
  }
#endif
  for (; i < n; i++) d[i] = src[i];
}

/* d[0..n) += src[0..n); the SIMD tail adds an overlapping last vector whose already-added
 * lanes are masked to zero */
static void add_exact(float* d, const float* src, int n) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD && n >= 4) {
    for (; i + 8 <= n; i += 8) {
      v128_t a = wasm_f32x4_add(wasm_v128_load(d + i), wasm_v128_load(src + i));
      v128_t b = wasm_f32x4_add(wasm_v128_load(d + i + 4), wasm_v128_load(src + i + 4));
      wasm_v128_store(d + i, a);
      wasm_v128_store(d + i + 4, b);
    }
    if (i + 4 <= n) {
      wasm_v128_store(d + i, wasm_f32x4_add(wasm_v128_load(d + i), wasm_v128_load(src + i)));
      i += 4;
    }
    if (i < n) {
      const int rem = n - i; /* 1..3 new lanes at the top of the last vector */
      v128_t m = rem == 1 ? wasm_i32x4_make(0, 0, 0, -1)
                 : rem == 2 ? wasm_i32x4_make(0, 0, -1, -1) : wasm_i32x4_make(0, -1, -1, -1);
      v128_t v = wasm_v128_and(wasm_v128_load(src + n - 4), m);
      wasm_v128_store(d + n - 4, wasm_f32x4_add(wasm_v128_load(d + n - 4), v));
    }
    return;
  }
#endif
  for (; i < n; i++) d[i] += src[i];
}

/* im2col for sw == 1 from an image whose padding is already materialised: src (C, Hp, Wp)
 * holds every tap, so each (c, r, q, oh) run is a straight copy of OW floats. */
static void im2col_s1(const Conv2dShape* s, float* col, size_t ldcol, const float* src, int Hp,
                      int Wp) {
  const int OH = s->OH, OW = s->OW;
  for (int c = 0; c < s->C; c++)
    for (int r = 0; r < s->R; r++)
      for (int q = 0; q < s->S; q++) {
        const float* base = src + ((size_t)c * Hp + (size_t)r * s->dh) * Wp + (size_t)q * s->dw;
        float* dst = col + ((size_t)(c * s->R + r) * s->S + q) * ldcol;
        for (int oh = 0; oh < OH; oh++)
          copy_exact(dst + (size_t)oh * OW, base + (size_t)oh * s->sh * Wp, OW);
      }
}

/* the transpose of im2col_s1: dst (C, Hp, Wp) += col2im(col) */
static void col2im_s1(const Conv2dShape* s, float* dst, int Hp, int Wp, const float* col,
                      size_t ldcol) {
  const int OH = s->OH, OW = s->OW;
  for (int c = 0; c < s->C; c++)
    for (int r = 0; r < s->R; r++)
      for (int q = 0; q < s->S; q++) {
        float* base = dst + ((size_t)c * Hp + (size_t)r * s->dh) * Wp + (size_t)q * s->dw;
        const float* src = col + ((size_t)(c * s->R + r) * s->S + q) * ldcol;
        for (int oh = 0; oh < OH; oh++)
          add_exact(base + (size_t)oh * s->sh * Wp, src + (size_t)oh * OW, OW);
      }
}

static void zero_floats(float* p, size_t n) {
  while (n > 0) {
    int k = n > (1u << 30) ? 1 << 30 : (int)n;
    row_zero(p, k);
    p += k;
    n -= (size_t)k;
  }
}

/* col = im2col(x) of one image; padbuf is the (C, Hp, Wp) scratch of padded stride-1
 * shapes, whose border the caller zeroed once (only its interior is rewritten here). */
static void make_col(const Conv2dShape* s, float* col, size_t ldcol, const float* x,
                     float* padbuf) {
  if (s->sw != 1) {
    im2col(s, col, ldcol, x);
    return;
  }
  if (!has_pad(s)) {
    im2col_s1(s, col, ldcol, x, s->H, s->W);
    return;
  }
  const int Hp = s->H + s->pt + s->pb, Wp = s->W + s->pl + s->pr;
  for (int c = 0; c < s->C; c++)
    for (int h = 0; h < s->H; h++)
      copy_exact(padbuf + ((size_t)c * Hp + h + s->pt) * Wp + s->pl, x + ((size_t)c * s->H + h) * s->W,
                 s->W);
  im2col_s1(s, col, ldcol, padbuf, Hp, Wp);
}

/* dx (one image) += col2im(col); padded stride-1 shapes gather into padbuf first */
static void add_col(const Conv2dShape* s, float* dx, const float* col, size_t ldcol,
                    float* padbuf) {
  if (s->sw != 1) {
    col2im(s, dx, col, ldcol);
    return;
  }
  if (!has_pad(s)) {
    col2im_s1(s, dx, s->H, s->W, col, ldcol);
    return;
  }
  const int Hp = s->H + s->pt + s->pb, Wp = s->W + s->pl + s->pr;
  zero_floats(padbuf, (size_t)s->C * Hp * Wp);
  col2im_s1(s, padbuf, Hp, Wp, col, ldcol);
  for (int c = 0; c < s->C; c++)
    for (int h = 0; h < s->H; h++)
      add_exact(dx + ((size_t)c * s->H + h) * s->W, padbuf + ((size_t)c * Hp + h + s->pt) * Wp + s->pl,
                s->W);
}

static void* get_ws(const Conv2dShape* s, void* ws, void** owned) {
  *owned = NULL;
  uint64_t bytes = conv2d_workspace_bytes(s);
  if (ws || bytes == 0) return ws;
  if ((uint64_t)(size_t)bytes != bytes) return NULL; /* refused by conv2d_shape_init anyway */
  *owned = malloc((size_t)bytes);
  return *owned;
}

int conv2d_forward(const Conv2dShape* s, float* y, const float* x, const float* w,
                   const float* b, void* ws) {
  if (s->N == 0) return 0;
  void* owned;
  float* work = get_ws(s, ws, &owned);
  const WsLayout L = ws_layout(s);
  if (L.total && !work) return -1;
  float* padbuf = L.total > L.pad ? work + L.pad : NULL;
  if (padbuf) zero_floats(padbuf, L.total - L.pad);
  const int G = s->groups, Kg = s->K / G, Cg = s->C / G;
  const int P = s->OH * s->OW, crs_g = Cg * s->R * s->S;
  const size_t chw = (size_t)s->C * s->H * s->W, kp = (size_t)s->K * P;
  const int pw = is_pointwise(s), nb = conv_block(s);
  int rc = 0;
  for (int n0 = 0; n0 < s->N && rc == 0; n0 += nb) {
    const int nbb = s->N - n0 < nb ? s->N - n0 : nb;
    const int ldc = nbb * P;
    const float* col = x + n0 * chw; /* pointwise: (C, P) with ldc == P */
    if (!pw) {
      for (int j = 0; j < nbb; j++) make_col(s, work + (size_t)j * P, (size_t)ldc, x + (n0 + j) * chw, padbuf);
      col = work;
    }
    float* out = nbb == 1 ? y + n0 * kp : work + L.stage; /* (K, nbb*P) */
    for (int g = 0; g < G && rc == 0; g++)
      rc = gemm_f32(0, 0, Kg, ldc, crs_g, 1.f, w + (size_t)g * Kg * crs_g, crs_g,
                    col + (size_t)g * crs_g * ldc, ldc, 0.f, out + (size_t)g * Kg * ldc, ldc);
    if (rc) break;
    if (nbb == 1) {
      if (b)
        for (int k = 0; k < s->K; k++) row_copy_add(out + (size_t)k * P, out + (size_t)k * P, P, b[k]);
    } else {
      for (int j = 0; j < nbb; j++)
        for (int k = 0; k < s->K; k++)
          row_copy_add(y + (n0 + j) * kp + (size_t)k * P, out + (size_t)k * ldc + (size_t)j * P, P,
                       b ? b[k] : 0.f);
    }
  }
  free(owned);
  return rc;
}

/* Output gradient of images [n0, n0+nbb) as a (K, nbb*P) matrix: dy itself for one
 * image, else gathered into stage. */
static const float* gather_dy(const Conv2dShape* s, float* stage, const float* dy, int n0,
                              int nbb) {
  const int P = s->OH * s->OW;
  const size_t kp = (size_t)s->K * P;
  if (nbb == 1) return dy + n0 * kp;
  for (int k = 0; k < s->K; k++)
    for (int j = 0; j < nbb; j++)
      row_copy_add(stage + (size_t)k * nbb * P + (size_t)j * P, dy + (n0 + j) * kp + (size_t)k * P,
                   P, 0.f);
  return stage;
}

int conv2d_backward_input(const Conv2dShape* s, float* dx, const float* dy, const float* w,
                          void* ws) {
  if (s->N == 0) return 0;
  void* owned;
  float* work = get_ws(s, ws, &owned);
  const WsLayout L = ws_layout(s);
  if (L.total && !work) return -1;
  float* padbuf = L.total > L.pad ? work + L.pad : NULL;
  const int G = s->groups, Kg = s->K / G, Cg = s->C / G;
  const int P = s->OH * s->OW, crs_g = Cg * s->R * s->S;
  const size_t chw = (size_t)s->C * s->H * s->W;
  const int pw = is_pointwise(s), nb = conv_block(s);
  int rc = 0;
  for (int n0 = 0; n0 < s->N && rc == 0; n0 += nb) {
    const int nbb = s->N - n0 < nb ? s->N - n0 : nb;
    const int ldc = nbb * P;
    const float* g_dy = gather_dy(s, work ? work + L.stage : NULL, dy, n0, nbb);
    if (pw) { /* dx_n (C, P) += W^T @ dy_n directly */
      for (int g = 0; g < G && rc == 0; g++)
        rc = gemm_f32(1, 0, Cg, P, Kg, 1.f, w + (size_t)g * Kg * Cg, Cg, g_dy + (size_t)g * Kg * P, P,
                      1.f, dx + n0 * chw + (size_t)g * Cg * P, P);
      continue;
    }
    for (int g = 0; g < G && rc == 0; g++)
      rc = gemm_f32(1, 0, crs_g, ldc, Kg, 1.f, w + (size_t)g * Kg * crs_g, crs_g,
                    g_dy + (size_t)g * Kg * ldc, ldc, 0.f, work + (size_t)g * crs_g * ldc, ldc);
    if (rc) break;
    for (int j = 0; j < nbb; j++) add_col(s, dx + (n0 + j) * chw, work + (size_t)j * P, (size_t)ldc, padbuf);
  }
  free(owned);
  return rc;
}

int conv2d_backward_weight(const Conv2dShape* s, float* dw, const float* dy, const float* x,
                           void* ws) {
  if (s->N == 0) return 0;
  void* owned;
  float* work = get_ws(s, ws, &owned);
  const WsLayout L = ws_layout(s);
  if (L.total && !work) return -1;
  float* padbuf = L.total > L.pad ? work + L.pad : NULL;
  if (padbuf) zero_floats(padbuf, L.total - L.pad);
  const int G = s->groups, Kg = s->K / G, Cg = s->C / G;
  const int P = s->OH * s->OW, crs_g = Cg * s->R * s->S;
  const size_t chw = (size_t)s->C * s->H * s->W;
  const int pw = is_pointwise(s), nb = conv_block(s);
  int rc = 0;
  for (int n0 = 0; n0 < s->N && rc == 0; n0 += nb) {
    const int nbb = s->N - n0 < nb ? s->N - n0 : nb;
    const int ldc = nbb * P;
    const float* col = x + n0 * chw;
    if (!pw) {
      for (int j = 0; j < nbb; j++) make_col(s, work + (size_t)j * P, (size_t)ldc, x + (n0 + j) * chw, padbuf);
      col = work;
    }
    const float* g_dy = gather_dy(s, work ? work + L.stage : NULL, dy, n0, nbb);
    for (int g = 0; g < G && rc == 0; g++)
      rc = gemm_f32(0, 1, Kg, crs_g, ldc, 1.f, g_dy + (size_t)g * Kg * ldc, ldc,
                    col + (size_t)g * crs_g * ldc, ldc, 1.f, dw + (size_t)g * Kg * crs_g, crs_g);
  }
  free(owned);
  return rc;
}

void conv2d_backward_bias(const Conv2dShape* s, float* db, const float* dy) {
  const int P = s->OH * s->OW;
  for (int k = 0; k < s->K; k++) {
    double acc = 0.0;
    for (int n = 0; n < s->N; n++) acc += row_sum(dy + ((size_t)n * s->K + k) * P, P);
    db[k] += (float)acc;
  }
}

/* ---- naive references ---- */

void conv2d_forward_scalar(const Conv2dShape* s, float* y, const float* x, const float* w,
                           const float* b) {
  const int Kg = s->K / s->groups, Cg = s->C / s->groups;
  for (int n = 0; n < s->N; n++)
    for (int k = 0; k < s->K; k++)
      for (int oh = 0; oh < s->OH; oh++)
        for (int ow = 0; ow < s->OW; ow++) {
          double acc = b ? b[k] : 0.0;
          for (int cg = 0; cg < Cg; cg++) {
            int c = (k / Kg) * Cg + cg;
            for (int r = 0; r < s->R; r++) {
              int ih = oh * s->sh - s->pt + r * s->dh;
              if (ih < 0 || ih >= s->H) continue;
              for (int q = 0; q < s->S; q++) {
                int iw = ow * s->sw - s->pl + q * s->dw;
                if (iw < 0 || iw >= s->W) continue;
                acc += (double)x[(((size_t)n * s->C + c) * s->H + ih) * s->W + iw] *
                       w[(((size_t)k * Cg + cg) * s->R + r) * s->S + q];
              }
            }
          }
          y[(((size_t)n * s->K + k) * s->OH + oh) * s->OW + ow] = (float)acc;
        }
}

void conv2d_backward_input_scalar(const Conv2dShape* s, float* dx, const float* dy,
                                  const float* w) {
  const int Kg = s->K / s->groups, Cg = s->C / s->groups;
  for (int n = 0; n < s->N; n++)
    for (int c = 0; c < s->C; c++)
      for (int ih = 0; ih < s->H; ih++)
        for (int iw = 0; iw < s->W; iw++) {
          double acc = 0.0;
          int g = c / Cg, cg = c % Cg;
          for (int k = g * Kg; k < (g + 1) * Kg; k++)
            for (int r = 0; r < s->R; r++) {
              int th = ih + s->pt - r * s->dh; /* = oh * sh */
              if (th < 0 || th % s->sh || th / s->sh >= s->OH) continue;
              for (int q = 0; q < s->S; q++) {
                int tw = iw + s->pl - q * s->dw;
                if (tw < 0 || tw % s->sw || tw / s->sw >= s->OW) continue;
                acc += (double)dy[(((size_t)n * s->K + k) * s->OH + th / s->sh) * s->OW + tw / s->sw] *
                       w[(((size_t)k * Cg + cg) * s->R + r) * s->S + q];
              }
            }
          dx[(((size_t)n * s->C + c) * s->H + ih) * s->W + iw] += (float)acc;
        }
}

void conv2d_backward_weight_scalar(const Conv2dShape* s, float* dw, const float* dy,
                                   const float* x) {
  const int Kg = s->K / s->groups, Cg = s->C / s->groups;
  for (int k = 0; k < s->K; k++)
    for (int cg = 0; cg < Cg; cg++)
      for (int r = 0; r < s->R; r++)
        for (int q = 0; q < s->S; q++) {
          int c = (k / Kg) * Cg + cg;
          double acc = 0.0;
          for (int n = 0; n < s->N; n++)
            for (int oh = 0; oh < s->OH; oh++) {
              int ih = oh * s->sh - s->pt + r * s->dh;
              if (ih < 0 || ih >= s->H) continue;
              for (int ow = 0; ow < s->OW; ow++) {
                int iw = ow * s->sw - s->pl + q * s->dw;
                if (iw < 0 || iw >= s->W) continue;
                acc += (double)dy[(((size_t)n * s->K + k) * s->OH + oh) * s->OW + ow] *
                       x[(((size_t)n * s->C + c) * s->H + ih) * s->W + iw];
              }
            }
          dw[(((size_t)k * Cg + cg) * s->R + r) * s->S + q] += (float)acc;
        }
}

void conv2d_backward_bias_scalar(const Conv2dShape* s, float* db, const float* dy) {
  const size_t P = (size_t)s->OH * s->OW;
  for (int k = 0; k < s->K; k++) {
    double acc = 0.0;
    for (int n = 0; n < s->N; n++)
      for (size_t i = 0; i < P; i++) acc += dy[((size_t)n * s->K + k) * P + i];
    db[k] += (float)acc;
  }
}
