/* reduce.c: see reduce.h. */
#include "reduce.h"

#include "simd_switch.h"

#define SUM_BLOCK 1024

float sum_f32_scalar(const float* x, int64_t n) {
  double total = 0.0;
  for (int64_t start = 0; start < n; start += SUM_BLOCK) {
    int64_t end = start + SUM_BLOCK < n ? start + SUM_BLOCK : n;
    float block = 0.0f;
    for (int64_t i = start; i < end; i++) block += x[i];
    total += block;
  }
  return (float)total;
}

float sum_f32(const float* x, int64_t n) {
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    double total = 0.0;
    int64_t i = 0;
    for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
      for (int64_t j = i; j < i + SUM_BLOCK; j += 16) {
        a0 = wasm_f32x4_add(a0, wasm_v128_load(x + j));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(x + j + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(x + j + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(x + j + 12));
      }
      v128_t s = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
      total += (double)(wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) +
               (double)(wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3));
    }
    return (float)(total + (double)sum_f32_scalar(x + i, n - i));
  }
#endif
  return sum_f32_scalar(x, n);
}

void sum_dim_f32_scalar(float* out, const float* x, int64_t outer, int64_t D, int64_t inner) {
  for (int64_t o = 0; o < outer; o++) {
    float* row = out + o * inner;
    for (int64_t i = 0; i < inner; i++) row[i] = 0.0f;
    for (int64_t d = 0; d < D; d++) {
      const float* src = x + (o * D + d) * inner;
      for (int64_t i = 0; i < inner; i++) row[i] += src[i];
    }
  }
}

void sum_dim_f32(float* out, const float* x, int64_t outer, int64_t D, int64_t inner) {
  if (inner == 1) { /* contiguous rows: each output is a whole-row sum */
    for (int64_t o = 0; o < outer; o++) out[o] = sum_f32(x + o * D, D);
    return;
  }
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    for (int64_t o = 0; o < outer; o++) {
      float* row = out + o * inner;
      int64_t i = 0;
      for (; i + 4 <= inner; i += 4) {
        v128_t acc = wasm_f32x4_splat(0.0f);
        for (int64_t d = 0; d < D; d++) acc = wasm_f32x4_add(acc, wasm_v128_load(x + (o * D + d) * inner + i));
        wasm_v128_store(row + i, acc);
      }
      for (; i < inner; i++) {
        float acc = 0.0f;
        for (int64_t d = 0; d < D; d++) acc += x[(o * D + d) * inner + i];
        row[i] = acc;
      }
    }
    return;
  }
#endif
  sum_dim_f32_scalar(out, x, outer, D, inner);
}

/* The largest (or smallest) entry of each line and its index; a NaN wins, as in PyTorch.
 * One body for max and min: the flag is a constant at each call and folds away. */
static inline void extreme_dim_f32(float* out, int32_t* idx, const float* x, int64_t outer, int64_t D, int64_t inner,
                                   int largest) {
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      const float* src = x + o * D * inner + i;
      float best = src[0];
      int32_t arg = 0;
      for (int64_t d = 1; d < D && best == best; d++) {
        float v = src[d * inner];
        if ((largest ? v > best : v < best) || v != v) {
          best = v;
          arg = (int32_t)d;
        }
      }
      out[o * inner + i] = best;
      if (idx) idx[o * inner + i] = arg;
    }
}

void max_dim_f32(float* out, int32_t* idx, const float* x, int64_t outer, int64_t D, int64_t inner) {
  extreme_dim_f32(out, idx, x, outer, D, inner, 1);
}

void min_dim_f32(float* out, int32_t* idx, const float* x, int64_t outer, int64_t D, int64_t inner) {
  extreme_dim_f32(out, idx, x, outer, D, inner, 0);
}
