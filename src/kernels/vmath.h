/* vmath.h: a vector exp for the WASM SIMD kernels (softmax, sigmoid, the losses).
 * Cephes-style: x = n*ln2 + r, a degree-6 polynomial for e^r, and 2^n applied in two
 * halves so that overflow gives inf and tiny results become denormals as expf does.
 * Max relative error about 2 ulp against expf over [-104, 88.7]. Scalar builds use expf. */
#ifndef KINDLING_VMATH_H
#define KINDLING_VMATH_H

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

static inline v128_t v_pow2i(v128_t n) { /* 2^n for integral n in [-126, 127], as float */
  v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return bits;
}

static inline v128_t v_exp(v128_t x) {
  x = wasm_f32x4_max(wasm_f32x4_min(x, wasm_f32x4_splat(88.8f)), wasm_f32x4_splat(-104.0f));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  v128_t half = wasm_f32x4_floor(wasm_f32x4_mul(n, wasm_f32x4_splat(0.5f)));
  v128_t rest = wasm_f32x4_sub(n, half);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, v_pow2i(half)), v_pow2i(rest));
}
#endif

#endif
