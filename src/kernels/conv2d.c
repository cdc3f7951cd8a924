/* conv2d.c: 2-D convolution (PyTorch semantics) as im2col + GEMM, with the naive direct
 * loops kept beside it as the reference. See conv2d.h for shapes and contracts.
 *
 * Why im2col + GEMM, per image (measured, emcc -O3 -msimd128, node 20, single thread;
 * numbers in the report of this file's author and in the table below):
 * - All three passes become one GEMM each:  forward  Y_n(K/G, P) = W(K/G, CRS/G) @ col,
 *   grad-input  dcol = W^T @ dY_n then col2im,  grad-weight  dW += dY_n @ col^T,
 *   with P = OH*OW and col = im2col(x_n) (CRS, P). The hand-tuned GEMM runs at 30-40
 *   GFLOP/s; a direct SIMD convolution would have to be tuned anew for every shape.
 * - Per image (not batched across images): col of one image (net A conv2: 288 x 576
 *   floats, 663 KB) stays in L2 between im2col and the GEMM that reads it, and the GEMM
 *   writes NCHW directly, so no layout transform is needed. Batching images into one
 *   GEMM (N = nb*P) only pays when P is small (net B conv2: P = 100); then a block of
 *   images shares one col and the result is scattered back to NCHW (see conv_block).
 * - 1x1 stride-1 unpadded convolutions skip im2col: x_n itself is the (C, H*W) matrix.
 * - im2col/col2im rows are copied with SIMD: stride 1 rows are contiguous, stride 2 rows
 *   are de-interleaved with one shuffle.
 * Scratch comes from the caller (conv2d_workspace_bytes) or, if ws == NULL, from malloc
 * per call: no hidden static state here (the GEMM keeps its own packing buffer).
 *
 * MEASURED (batch 64; GFLOP/s of the whole call incl. im2col/col2im; see bottom note). */
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

static int out_size(int in, int p0, int p1, int k, int d, int st) {
  long long span = (long long)in + p0 + p1 - ((long long)d * (k - 1) + 1);
  if (span < 0) return 0;
  return (int)(span / st + 1);
}

int conv2d_shape_init(Conv2dShape* s) {
  if (s->N < 0 || s->C < 1 || s->H < 1 || s->W < 1 || s->K < 1 || s->R < 1 || s->S < 1)
    return CONV2D_ERR_DIM;
  if (s->sh < 1 || s->sw < 1) return CONV2D_ERR_STRIDE;
  if (s->pt < 0 || s->pl < 0 || s->pb < 0 || s->pr < 0) return CONV2D_ERR_PADDING;
  if (s->dh < 1 || s->dw < 1) return CONV2D_ERR_DILATION;
  if (s->groups < 1 || s->C % s->groups || s->K % s->groups) return CONV2D_ERR_GROUPS;
  s->OH = out_size(s->H, s->pt, s->pb, s->R, s->dh, s->sh);
  s->OW = out_size(s->W, s->pl, s->pr, s->S, s->dw, s->sw);
  if (s->OH < 1 || s->OW < 1) return CONV2D_ERR_OUTPUT;
  /* Every matrix handed to the GEMM (and each per-image plane) must index with int. */
  double p = (double)s->OH * s->OW, crs = (double)s->C * s->R * s->S;
  double lim = (double)INT_MAX;
  if (crs * p > lim || (double)s->K * p > lim || (double)s->C * s->H * s->W > lim ||
      (double)s->K * crs > lim)
    return CONV2D_ERR_TOO_BIG;
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
  long long p = (long long)s->OH * s->OW, crs = (long long)s->C * s->R * s->S;
  int nb = 1;
  while (nb < s->N && (long long)nb * p < CONV2D_BLOCK_COLS &&
         (long long)(nb + 1) * p * crs <= CONV2D_BLOCK_MAX_FLOATS)
    nb++;
  return nb;
}

/* Scratch in floats: col (CRS, nb*P), and when nb > 1 a (K, nb*P) staging matrix for
 * the GEMM result / the gathered output gradient. */
static size_t ws_floats(const Conv2dShape* s, size_t* col_floats) {
  if (s->N == 0 || is_pointwise(s)) {
    *col_floats = 0;
    return 0;
  }
  size_t nb = (size_t)conv_block(s), p = (size_t)s->OH * s->OW;
  size_t crs = (size_t)s->C * s->R * s->S;
  *col_floats = (crs * nb * p + 3) & ~(size_t)3; /* keep the staging matrix 16-aligned */
  return *col_floats + (nb > 1 ? (size_t)s->K * nb * p : 0);
}

size_t conv2d_workspace_bytes(const Conv2dShape* s) {
  size_t colf;
  return ws_floats(s, &colf) * sizeof(float);
}

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

/* d[i] = src[i * st] for i < n */
static void row_gather(float* d, const float* src, int n, int st) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    if (st == 1) {
      for (; i + 8 <= n; i += 8) {
        v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + i + 4);
        wasm_v128_store(d + i, a);
        wasm_v128_store(d + i + 4, b);
      }
      for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, wasm_v128_load(src + i));
    } else if (st == 2) {
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

/* d[i * st] += src[i] for i < n */
static void row_scatter_add(float* d, const float* src, int n, int st) {
  int i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD && st == 1) {
    for (; i + 8 <= n; i += 8) {
      v128_t a = wasm_f32x4_add(wasm_v128_load(d + i), wasm_v128_load(src + i));
      v128_t b = wasm_f32x4_add(wasm_v128_load(d + i + 4), wasm_v128_load(src + i + 4));
      wasm_v128_store(d + i, a);
      wasm_v128_store(d + i + 4, b);
    }
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(d + i, wasm_f32x4_add(wasm_v128_load(d + i), wasm_v128_load(src + i)));
  }
#endif
  for (; i < n; i++) d[(size_t)i * st] += src[i];
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

/* col (C*R*S rows of ldcol; this image's P columns) = im2col(x) for one image x (C,H,W) */
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

static void* get_ws(const Conv2dShape* s, void* ws, void** owned) {
  *owned = NULL;
  size_t bytes = conv2d_workspace_bytes(s);
  if (ws || bytes == 0) return ws;
  *owned = malloc(bytes);
  return *owned;
}

int conv2d_forward(const Conv2dShape* s, float* y, const float* x, const float* w,
                   const float* b, void* ws) {
  if (s->N == 0) return 0;
  void* owned;
  float* work = get_ws(s, ws, &owned);
  size_t colf;
  if (ws_floats(s, &colf) && !work) return -1;
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
      for (int j = 0; j < nbb; j++) im2col(s, work + (size_t)j * P, (size_t)ldc, x + (n0 + j) * chw);
      col = work;
    }
    float* out = nbb == 1 ? y + n0 * kp : work + colf; /* (K, nbb*P) */
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
  size_t colf;
  if (ws_floats(s, &colf) && !work) return -1;
  const int G = s->groups, Kg = s->K / G, Cg = s->C / G;
  const int P = s->OH * s->OW, crs_g = Cg * s->R * s->S;
  const size_t chw = (size_t)s->C * s->H * s->W;
  const int pw = is_pointwise(s), nb = conv_block(s);
  int rc = 0;
  for (int n0 = 0; n0 < s->N && rc == 0; n0 += nb) {
    const int nbb = s->N - n0 < nb ? s->N - n0 : nb;
    const int ldc = nbb * P;
    const float* g_dy = gather_dy(s, work ? work + colf : NULL, dy, n0, nbb);
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
    for (int j = 0; j < nbb; j++) col2im(s, dx + (n0 + j) * chw, work + (size_t)j * P, (size_t)ldc);
  }
  free(owned);
  return rc;
}

int conv2d_backward_weight(const Conv2dShape* s, float* dw, const float* dy, const float* x,
                           void* ws) {
  if (s->N == 0) return 0;
  void* owned;
  float* work = get_ws(s, ws, &owned);
  size_t colf;
  if (ws_floats(s, &colf) && !work) return -1;
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
      for (int j = 0; j < nbb; j++) im2col(s, work + (size_t)j * P, (size_t)ldc, x + (n0 + j) * chw);
      col = work;
    }
    const float* g_dy = gather_dy(s, work ? work + colf : NULL, dy, n0, nbb);
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
