/* pool2d.c: max / average / adaptive-average 2-D pooling (see pool2d.h).
 * The window arithmetic follows PyTorch's CPU kernels (MaxPoolKernel.cpp,
 * AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp) so results match bit for bit where the
 * summation order allows. SIMD covers the hot case of the benchmark nets, the 2x2
 * stride-2 unpadded max pool (4 outputs per step, argmax kept with bit-selects);
 * everything else is scalar: the other pools are a small share of a training step. */
#include "pool2d.h"

#include <stddef.h>

#include "simd_switch.h"

static long long div_floor(long long a, long long b) {
  long long q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int pool_out(int in, int k, int p, int st, int d, int ceil_mode) {
  long long o = div_floor((long long)in + 2LL * p - (long long)d * (k - 1) - 1 + (ceil_mode ? st - 1 : 0), st) + 1;
  if (ceil_mode && (o - 1) * st >= (long long)in + p) o--;
  if (o < 0) o = 0;
  if (o > 0x7fffffff) o = 0x7fffffff;
  return (int)o;
}

int pool2d_shape_init(Pool2dShape* s) {
  if (s->N < 0 || s->C < 0 || s->H < 1 || s->W < 1) return POOL2D_ERR_DIM;
  if ((long long)s->H * s->W > 0x7fffffffLL) return POOL2D_ERR_DIM; /* int32 indices */
  if (s->kh < 1 || s->kw < 1) return POOL2D_ERR_KERNEL;
  if (s->sh < 1 || s->sw < 1) return POOL2D_ERR_STRIDE;
  if (s->dh < 1 || s->dw < 1) return POOL2D_ERR_DILATION;
  if (s->ph < 0 || s->pw < 0 || s->ph > s->kh / 2 || s->pw > s->kw / 2) return POOL2D_ERR_PADDING;
  s->OH = pool_out(s->H, s->kh, s->ph, s->sh, s->dh, s->ceil_mode);
  s->OW = pool_out(s->W, s->kw, s->pw, s->sw, s->dw, s->ceil_mode);
  if (s->OH < 1 || s->OW < 1) return POOL2D_ERR_OUTPUT;
  /* The window loops index in int: the padded input and the dilated kernel must fit (the
   * window bounds themselves are formed in long long, see max_window / avg_window). */
  if ((long long)s->H + 2LL * s->ph > 0x7fffffffLL || (long long)s->W + 2LL * s->pw > 0x7fffffffLL ||
      (long long)s->dh * (s->kh - 1) + 1 > 0x7fffffffLL || (long long)s->dw * (s->kw - 1) + 1 > 0x7fffffffLL)
    return POOL2D_ERR_TOO_BIG;
  return POOL2D_OK;
}

/* One max window, exactly PyTorch's loop: start at the first in-range tap, keep the first
 * maximum, let any NaN take over. */
/* First tap at or after 0 of a window starting at start (< 0) with step d. */
static inline long long first_tap(long long start, int d) {
  return start >= 0 ? start : start + (-start + d - 1) / d * d;
}

static inline void max_window(const Pool2dShape* s, const float* xp, int oh, int ow, float* yo,
                              int32_t* io) {
  /* long long: oh * sh and the window end can pass INT_MAX for huge strides / kernels */
  long long h0 = (long long)oh * s->sh - s->ph, w0 = (long long)ow * s->sw - s->pw;
  long long h1 = h0 + (long long)(s->kh - 1) * s->dh + 1, w1 = w0 + (long long)(s->kw - 1) * s->dw + 1;
  if (h1 > s->H) h1 = s->H;
  if (w1 > s->W) w1 = s->W;
  h0 = first_tap(h0, s->dh);
  w0 = first_tap(w0, s->dw);
  /* now 0 <= h0, w0 and h1 <= H, w1 <= W. An empty window (all taps in the padding)
   * reports its first tap as PyTorch does, even past the plane (backward skips it). */
  const int ih1 = (int)h1, iw1 = (int)w1;
  const long long first = h0 * s->W + w0;
  int best = first > 0x7fffffffLL ? 0x7fffffff : (int)first;
  float m = -__builtin_inff();
  for (long long ih = h0; ih < ih1; ih += s->dh)
    for (long long iw = w0; iw < iw1; iw += s->dw) {
      int i = (int)(ih * s->W + iw);
      float v = xp[i];
      if (v > m || v != v) {
        m = v;
        best = i;
      }
    }
  *yo = m;
  if (io) *io = best;
}

void maxpool2d_forward_scalar(const Pool2dShape* s, float* y, int32_t* idx, const float* x) {
  const size_t planes = (size_t)s->N * s->C, hw = (size_t)s->H * s->W;
  const size_t ohw = (size_t)s->OH * s->OW;
  for (size_t p = 0; p < planes; p++)
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        size_t o = p * ohw + (size_t)oh * s->OW + ow;
        max_window(s, x + p * hw, oh, ow, y + o, idx ? idx + o : NULL);
      }
}

#ifdef __wasm_simd128__
/* 2x2 stride 2, no padding, dilation 1: outputs whose windows lie inside the input
 * (ceil_mode's clipped last row/column is left to the scalar window). */
static void maxpool_2x2s2_simd(const Pool2dShape* s, float* y, int32_t* idx, const float* x) {
  const size_t planes = (size_t)s->N * s->C, hw = (size_t)s->H * s->W;
  const size_t ohw = (size_t)s->OH * s->OW;
  const int W = s->W, full_h = s->H / 2, full_w = s->W / 2;
  const v128_t lane2 = wasm_i32x4_make(0, 2, 4, 6), one = wasm_i32x4_splat(1);
  const v128_t wv = wasm_i32x4_splat(W), eight = wasm_i32x4_splat(8);
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * hw;
    for (int oh = 0; oh < s->OH; oh++) {
      float* yr = y + p * ohw + (size_t)oh * s->OW;
      int32_t* ir = idx ? idx + p * ohw + (size_t)oh * s->OW : NULL;
      int ow = 0;
      if (oh < full_h) {
        const float* r0 = xp + (size_t)(2 * oh) * W;
        const float* r1 = r0 + W;
        v128_t i0 = wasm_i32x4_add(wasm_i32x4_splat(2 * oh * W), lane2);
        /* reads columns 2ow .. 2ow+7, all inside the row while ow + 4 <= full_w */
        for (; ow + 4 <= full_w; ow += 4) {
          v128_t a = wasm_v128_load(r0 + 2 * ow), b = wasm_v128_load(r0 + 2 * ow + 4);
          v128_t c = wasm_v128_load(r1 + 2 * ow), d = wasm_v128_load(r1 + 2 * ow + 4);
          v128_t v0 = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), v1 = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
          v128_t v2 = wasm_i32x4_shuffle(c, d, 0, 2, 4, 6), v3 = wasm_i32x4_shuffle(c, d, 1, 3, 5, 7);
          v128_t m = v0;
          v128_t k1 = wasm_v128_or(wasm_f32x4_gt(v1, m), wasm_f32x4_ne(v1, v1));
          m = wasm_v128_bitselect(v1, m, k1);
          v128_t k2 = wasm_v128_or(wasm_f32x4_gt(v2, m), wasm_f32x4_ne(v2, v2));
          m = wasm_v128_bitselect(v2, m, k2);
          v128_t k3 = wasm_v128_or(wasm_f32x4_gt(v3, m), wasm_f32x4_ne(v3, v3));
          m = wasm_v128_bitselect(v3, m, k3);
          wasm_v128_store(yr + ow, m);
          if (ir) {
            v128_t i1 = wasm_i32x4_add(i0, one), i2 = wasm_i32x4_add(i0, wv);
            v128_t i3 = wasm_i32x4_add(i2, one);
            v128_t id = wasm_v128_bitselect(i1, i0, k1);
            id = wasm_v128_bitselect(i2, id, k2);
            id = wasm_v128_bitselect(i3, id, k3);
            wasm_v128_store(ir + ow, id);
          }
          i0 = wasm_i32x4_add(i0, eight);
        }
        /* Whole windows left over after the last vector (net B's 14- and 5-wide outputs):
         * the same comparisons one window at a time, cheaper than the generic walk. */
        for (; ow < full_w; ow++) {
          const float v[4] = {r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
          const int32_t at = 2 * oh * W + 2 * ow, off[4] = {0, 1, W, W + 1};
          int best = 0;
          for (int t = 1; t < 4; t++)
            if (v[t] > v[best] || v[t] != v[t]) best = t;
          yr[ow] = v[best];
          if (ir) ir[ow] = at + off[best];
        }
      }
      for (; ow < s->OW; ow++) max_window(s, xp, oh, ow, yr + ow, ir ? ir + ow : NULL);
    }
  }
}
#endif

void maxpool2d_forward(const Pool2dShape* s, float* y, int32_t* idx, const float* x) {
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD && s->kh == 2 && s->kw == 2 && s->sh == 2 && s->sw == 2 && s->ph == 0 &&
      s->pw == 0 && s->dh == 1 && s->dw == 1) {
    maxpool_2x2s2_simd(s, y, idx, x);
    return;
  }
#endif
  maxpool2d_forward_scalar(s, y, idx, x);
}

void maxpool2d_backward(const Pool2dShape* s, float* dx, const float* dy, const int32_t* idx) {
  const size_t planes = (size_t)s->N * s->C, hw = (size_t)s->H * s->W;
  const size_t ohw = (size_t)s->OH * s->OW;
  for (size_t p = 0; p < planes; p++) {
    float* dxp = dx + p * hw;
    const float* dyp = dy + p * ohw;
    const int32_t* ip = idx + p * ohw;
    for (size_t o = 0; o < ohw; o++)
      if ((size_t)(uint32_t)ip[o] < hw) dxp[ip[o]] += dyp[o]; /* never trust an index blindly */
  }
}

/* PyTorch's average window: clip to the padded input for the count_include_pad size,
 * then to the input for the taps. Returns 0 for a window that holds no input. */
static inline int avg_window(const Pool2dShape* s, int oh, int ow, int cip, int dov, int* h0,
                             int* h1, int* w0, int* w1, float* div) {
  /* long long: the window bounds and its padded area can pass INT_MAX for huge kernels */
  long long ih0 = (long long)oh * s->sh - s->ph, iw0 = (long long)ow * s->sw - s->pw;
  long long ih1 = ih0 + s->kh, iw1 = iw0 + s->kw;
  if (ih1 > (long long)s->H + s->ph) ih1 = (long long)s->H + s->ph;
  if (iw1 > (long long)s->W + s->pw) iw1 = (long long)s->W + s->pw;
  long long pool = (ih1 - ih0) * (iw1 - iw0);
  if (ih0 < 0) ih0 = 0;
  if (iw0 < 0) iw0 = 0;
  if (ih1 > s->H) ih1 = s->H;
  if (iw1 > s->W) iw1 = s->W;
  if (ih0 >= ih1 || iw0 >= iw1) return 0;
  *div = (float)(dov > 0 ? dov : cip ? pool : (ih1 - ih0) * (iw1 - iw0));
  *h0 = (int)ih0, *h1 = (int)ih1, *w0 = (int)iw0, *w1 = (int)iw1;
  return 1;
}

void avgpool2d_forward(const Pool2dShape* s, int count_include_pad, int divisor_override,
                       float* y, const float* x) {
  const size_t planes = (size_t)s->N * s->C, hw = (size_t)s->H * s->W;
  const size_t ohw = (size_t)s->OH * s->OW;
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * hw;
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        int h0, h1, w0, w1;
        float div, sum = 0.f;
        float* yo = y + p * ohw + (size_t)oh * s->OW + ow;
        if (!avg_window(s, oh, ow, count_include_pad, divisor_override, &h0, &h1, &w0, &w1, &div)) {
          *yo = 0.f;
          continue;
        }
        for (int ih = h0; ih < h1; ih++)
          for (int iw = w0; iw < w1; iw++) sum += xp[ih * s->W + iw];
        *yo = sum / div;
      }
  }
}

void avgpool2d_backward(const Pool2dShape* s, int count_include_pad, int divisor_override,
                        float* dx, const float* dy) {
  const size_t planes = (size_t)s->N * s->C, hw = (size_t)s->H * s->W;
  const size_t ohw = (size_t)s->OH * s->OW;
  for (size_t p = 0; p < planes; p++) {
    float* dxp = dx + p * hw;
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        int h0, h1, w0, w1;
        float div;
        if (!avg_window(s, oh, ow, count_include_pad, divisor_override, &h0, &h1, &w0, &w1, &div))
          continue;
        float g = dy[p * ohw + (size_t)oh * s->OW + ow] / div;
        for (int ih = h0; ih < h1; ih++)
          for (int iw = w0; iw < w1; iw++) dxp[ih * s->W + iw] += g;
      }
  }
}

static inline int ad_start(int i, int in, int out) { return (int)(((long long)i * in) / out); }
static inline int ad_end(int i, int in, int out) {
  return (int)(((long long)(i + 1) * in + out - 1) / out);
}

void adaptive_avgpool2d_forward(int N, int C, int H, int W, int OH, int OW, float* y,
                                const float* x) {
  const size_t planes = (size_t)N * C, hw = (size_t)H * W, ohw = (size_t)OH * OW;
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * hw;
    for (int oh = 0; oh < OH; oh++) {
      int h0 = ad_start(oh, H, OH), h1 = ad_end(oh, H, OH);
      for (int ow = 0; ow < OW; ow++) {
        int w0 = ad_start(ow, W, OW), w1 = ad_end(ow, W, OW);
        float sum = 0.f;
        for (int ih = h0; ih < h1; ih++)
          for (int iw = w0; iw < w1; iw++) sum += xp[(size_t)ih * W + iw];
        /* sum / kh / kw, in PyTorch's order of rounding */
        y[p * ohw + (size_t)oh * OW + ow] = sum / (float)(h1 - h0) / (float)(w1 - w0);
      }
    }
  }
}

void adaptive_avgpool2d_backward(int N, int C, int H, int W, int OH, int OW, float* dx,
                                 const float* dy) {
  const size_t planes = (size_t)N * C, hw = (size_t)H * W, ohw = (size_t)OH * OW;
  for (size_t p = 0; p < planes; p++) {
    float* dxp = dx + p * hw;
    for (int oh = 0; oh < OH; oh++) {
      int h0 = ad_start(oh, H, OH), h1 = ad_end(oh, H, OH);
      for (int ow = 0; ow < OW; ow++) {
        int w0 = ad_start(ow, W, OW), w1 = ad_end(ow, W, OW);
        float g = dy[p * ohw + (size_t)oh * OW + ow] / (float)(h1 - h0) / (float)(w1 - w0);
        for (int ih = h0; ih < h1; ih++)
          for (int iw = w0; iw < w1; iw++) dxp[(size_t)ih * W + iw] += g;
      }
    }
  }
}
