/* softmax.c: see softmax.h. The common case, inner == 1, runs rows with SIMD exp; other
 * layouts go through the scalar reference with a stride. */
#include "softmax.h"

#include <math.h>

#include "simd_switch.h"
#include "vmath.h"

void softmax_f32_scalar(float* y, const float* x, int64_t outer, int64_t C, int64_t inner, int log) {
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      const float* src = x + o * C * inner + i;
      float* dst = y + o * C * inner + i;
      float max = -INFINITY;
      for (int64_t c = 0; c < C; c++)
        if (src[c * inner] > max || src[c * inner] != src[c * inner]) max = src[c * inner];
      if (max == -INFINITY) max = 0.0f; /* an all -inf row: exp gives 0s, as PyTorch */
      double total = 0.0;
      for (int64_t c = 0; c < C; c++) {
        float e = expf(src[c * inner] - max);
        total += e;
        if (!log) dst[c * inner] = e;
      }
      if (log) { /* (x - max) - log(sum): adding max and log(sum) first would round to ulp(max) */
        float log_total = logf((float)total);
        for (int64_t c = 0; c < C; c++) dst[c * inner] = (src[c * inner] - max) - log_total;
      } else {
        float scale = (float)(1.0 / total);
        for (int64_t c = 0; c < C; c++) dst[c * inner] *= scale;
      }
    }
}

#ifdef __wasm_simd128__
static void softmax_row_simd(float* dst, const float* src, int64_t C, int log) {
  float max = -INFINITY;
  for (int64_t c = 0; c < C; c++)
    if (src[c] > max || src[c] != src[c]) max = src[c];
  if (max == -INFINITY) max = 0.0f;
  v128_t vmax = wasm_f32x4_splat(max), acc = wasm_f32x4_splat(0.0f);
  int64_t c = 0;
  for (; c + 4 <= C; c += 4) {
    v128_t e = v_exp(wasm_f32x4_sub(wasm_v128_load(src + c), vmax));
    acc = wasm_f32x4_add(acc, e);
    if (!log) wasm_v128_store(dst + c, e);
  }
  double total = (double)wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
                 wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
  for (; c < C; c++) {
    float e = expf(src[c] - max);
    total += e;
    if (!log) dst[c] = e;
  }
  if (log) {
    float log_total = logf((float)total);
    for (c = 0; c < C; c++) dst[c] = (src[c] - max) - log_total;
  } else {
    float scale = (float)(1.0 / total);
    for (c = 0; c < C; c++) dst[c] *= scale;
  }
}
#endif

void softmax_f32(float* y, const float* x, int64_t outer, int64_t C, int64_t inner, int log) {
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD && inner == 1) {
    for (int64_t o = 0; o < outer; o++) softmax_row_simd(y + o * C, x + o * C, C, log);
    return;
  }
#endif
  softmax_f32_scalar(y, x, outer, C, inner, log);
}

void softmax_backward_f32(float* dx, const float* dy, const float* y, int64_t outer, int64_t C, int64_t inner,
                          int log) {
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      int64_t base = o * C * inner + i;
      double dot = 0.0;
      for (int64_t c = 0; c < C; c++) {
        int64_t k = base + c * inner;
        dot += log ? dy[k] : dy[k] * y[k];
      }
      float s = (float)dot;
      for (int64_t c = 0; c < C; c++) {
        int64_t k = base + c * inner;
        dx[k] = log ? dy[k] - expf(y[k]) * s : y[k] * (dy[k] - s);
      }
    }
}
