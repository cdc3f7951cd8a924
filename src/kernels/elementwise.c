/* elementwise.c: see elementwise.h. The SIMD loops mirror the scalar references line for
 * line; leftovers past the last full vector run through the scalar reference. */
#include "elementwise.h"

#include <math.h>

#include "simd_switch.h"
#include "vmath.h"

static inline float apply_binary(int kind, float a, float b) {
  switch (kind) {
    case BIN_ADD: return a + b;
    case BIN_SUB: return a - b;
    case BIN_MUL: return a * b;
    case BIN_POW: return powf(a, b);
    case BIN_MAX: return a != a || b != b ? a + b : (a < b ? b : a); /* std::max, NaN first: as ATen */
    case BIN_MIN: return a != a || b != b ? a + b : (b < a ? b : a);
    default: return a / b;
  }
}

void binary_f32_scalar(int kind, float* out, const float* a, int as, const float* b, int bs, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = apply_binary(kind, a[i * as], b[i * bs]);
}

#ifdef __wasm_simd128__
static inline v128_t apply_binary_v(int kind, v128_t a, v128_t b) {
  switch (kind) {
    case BIN_ADD: return wasm_f32x4_add(a, b);
    case BIN_SUB: return wasm_f32x4_sub(a, b);
    case BIN_MUL: return wasm_f32x4_mul(a, b);
    case BIN_MAX: case BIN_MIN: { /* selects, so that signed zeros and NaN go as in the reference */
      v128_t pick_b = kind == BIN_MAX ? wasm_f32x4_lt(a, b) : wasm_f32x4_lt(b, a);
      v128_t nan = wasm_v128_or(wasm_f32x4_ne(a, a), wasm_f32x4_ne(b, b));
      return wasm_v128_bitselect(wasm_f32x4_add(a, b), wasm_v128_bitselect(b, a, pick_b), nan);
    }
    default: return wasm_f32x4_div(a, b);
  }
}

/* The kind switch is hoisted by the compiler after inlining each case into the loop. */
#define BINARY_LOOP(KIND)                                                   \
  for (; i + 4 <= n; i += 4) {                                              \
    v128_t va = as ? wasm_v128_load(a + i) : wasm_v128_load32_splat(a);     \
    v128_t vb = bs ? wasm_v128_load(b + i) : wasm_v128_load32_splat(b);     \
    wasm_v128_store(out + i, apply_binary_v(KIND, va, vb));                 \
  }

static void binary_f32_simd(int kind, float* out, const float* a, int as, const float* b, int bs, int64_t n) {
  int64_t i = 0;
  switch (kind) {
    case BIN_ADD: BINARY_LOOP(BIN_ADD) break;
    case BIN_SUB: BINARY_LOOP(BIN_SUB) break;
    case BIN_MUL: BINARY_LOOP(BIN_MUL) break;
    case BIN_DIV: BINARY_LOOP(BIN_DIV) break;
    case BIN_MAX: BINARY_LOOP(BIN_MAX) break;
    case BIN_MIN: BINARY_LOOP(BIN_MIN) break;
    default: break; /* pow: libm */
  }
  binary_f32_scalar(kind, out + i, a + i * as, as, b + i * bs, bs, n - i);
}
#endif

void binary_f32(int kind, float* out, const float* a, int as, const float* b, int bs, int64_t n) {
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    binary_f32_simd(kind, out, a, as, b, bs, n);
    return;
  }
#endif
  binary_f32_scalar(kind, out, a, as, b, bs, n);
}

void compare_f32(int kind, int32_t* out, const float* a, int as, const float* b, int bs, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float x = a[i * as], y = b[i * bs];
    int r;
    switch (kind) {
      case CMP_EQ: r = x == y; break;
      case CMP_GT: r = x > y; break;
      case CMP_LT: r = x < y; break;
      case CMP_NE: r = x != y; break;
      case CMP_GE: r = x >= y; break;
      default: r = x <= y; break;
    }
    out[i] = r;
  }
}

static inline float apply_unary(int kind, float x, float p) {
  switch (kind) {
    case UN_NEG: return -x;
    case UN_EXP: return expf(x);
    case UN_LOG: return logf(x);
    case UN_SQRT: return sqrtf(x);
    case UN_RELU: return x > 0.0f ? x : (x == x ? 0.0f : x); /* NaN passes through, as PyTorch */
    case UN_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case UN_TANH: return tanhf(x);
    case UN_POW: return p == 2.0f ? x * x : powf(x, p);
    case UN_LEAKY_RELU: return x > 0.0f ? x : x * p;
    case UN_ELU: return x > 0.0f ? x : p * expm1f(x);
    case UN_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case UN_GELU_TANH: {
      float inner = 0.7978845608028654f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.0f + tanhf(inner));
    }
    case UN_SIN: return sinf(x);
    case UN_COS: return cosf(x);
    case UN_TAN: return tanf(x);
    case UN_ASIN: return asinf(x);
    case UN_ACOS: return acosf(x);
    case UN_ATAN: return atanf(x);
    case UN_SINH: return sinhf(x);
    case UN_COSH: return coshf(x);
    case UN_ASINH: return asinhf(x);
    case UN_ACOSH: return acoshf(x);
    case UN_ATANH: return atanhf(x);
    case UN_LOG1P: return log1pf(x);
    case UN_EXPM1: return expm1f(x);
    case UN_LOG2: return log2f(x);
    case UN_LOG10: return log10f(x);
    case UN_EXP2: return exp2f(x);
    case UN_RSQRT: return 1.0f / sqrtf(x);
    case UN_SIGN: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x); /* keeps 0, -0 and NaN */
    case UN_FLOOR: return floorf(x);
    case UN_CEIL: return ceilf(x);
    case UN_ROUND: return nearbyintf(x); /* half to even, as torch.round */
    case UN_TRUNC: return truncf(x);
    case UN_RECIPROCAL: return 1.0f / x;
    case UN_ERF: return erff(x);
    case UN_SILU: return x / (1.0f + expf(-x));
    case UN_SOFTPLUS: return x > 20.0f ? x : log1pf(expf(x)); /* beta 1, threshold 20 */
    case UN_FRAC: return x - truncf(x);
    default: return fabsf(x);
  }
}

void unary_f32_scalar(int kind, float* out, const float* x, int64_t n, float p) {
  for (int64_t i = 0; i < n; i++) out[i] = apply_unary(kind, x[i], p);
}

#ifdef __wasm_simd128__
static int64_t unary_f32_simd(int kind, float* out, const float* x, int64_t n, float p) {
  int64_t i = 0;
  const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f), vp = wasm_f32x4_splat(p);
  switch (kind) {
    case UN_NEG:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_neg(wasm_v128_load(x + i)));
      break;
    case UN_RELU: /* pmax keeps x when either operand is NaN... so select explicitly */
      for (; i + 4 <= n; i += 4) {
        v128_t v = wasm_v128_load(x + i);
        v128_t keep = wasm_v128_or(wasm_f32x4_gt(v, zero), wasm_f32x4_ne(v, v));
        wasm_v128_store(out + i, wasm_v128_and(v, keep));
      }
      break;
    case UN_LEAKY_RELU:
      for (; i + 4 <= n; i += 4) {
        v128_t v = wasm_v128_load(x + i);
        wasm_v128_store(out + i, wasm_v128_bitselect(v, wasm_f32x4_mul(v, vp), wasm_f32x4_gt(v, zero)));
      }
      break;
    case UN_EXP:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, v_exp(wasm_v128_load(x + i)));
      break;
    case UN_SIGMOID:
      for (; i + 4 <= n; i += 4) {
        v128_t e = v_exp(wasm_f32x4_neg(wasm_v128_load(x + i)));
        wasm_v128_store(out + i, wasm_f32x4_div(one, wasm_f32x4_add(one, e)));
      }
      break;
    case UN_SQRT:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_sqrt(wasm_v128_load(x + i)));
      break;
    case UN_ABS:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_abs(wasm_v128_load(x + i)));
      break;
    /* exact in SIMD: rounding, sign, reciprocal and rsqrt are correctly rounded IEEE ops */
    case UN_FLOOR:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_floor(wasm_v128_load(x + i)));
      break;
    case UN_CEIL:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_ceil(wasm_v128_load(x + i)));
      break;
    case UN_TRUNC:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_trunc(wasm_v128_load(x + i)));
      break;
    case UN_ROUND:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_nearest(wasm_v128_load(x + i)));
      break;
    case UN_FRAC:
      for (; i + 4 <= n; i += 4) {
        v128_t v = wasm_v128_load(x + i);
        wasm_v128_store(out + i, wasm_f32x4_sub(v, wasm_f32x4_trunc(v)));
      }
      break;
    case UN_RECIPROCAL:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_div(one, wasm_v128_load(x + i)));
      break;
    case UN_RSQRT:
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_div(one, wasm_f32x4_sqrt(wasm_v128_load(x + i))));
      break;
    case UN_SIGN:
      for (; i + 4 <= n; i += 4) {
        v128_t v = wasm_v128_load(x + i);
        v128_t pos = wasm_v128_and(wasm_f32x4_gt(v, zero), one);
        v128_t neg = wasm_v128_and(wasm_f32x4_lt(v, zero), wasm_f32x4_splat(-1.0f));
        v128_t keep = wasm_v128_not(wasm_v128_or(wasm_f32x4_gt(v, zero), wasm_f32x4_lt(v, zero)));
        wasm_v128_store(out + i, wasm_v128_or(wasm_v128_or(pos, neg), wasm_v128_and(v, keep)));
      }
      break;
    case UN_SILU:
      for (; i + 4 <= n; i += 4) {
        v128_t v = wasm_v128_load(x + i);
        v128_t e = v_exp(wasm_f32x4_neg(v));
        wasm_v128_store(out + i, wasm_f32x4_div(v, wasm_f32x4_add(one, e)));
      }
      break;
    case UN_EXP2:
    default: break; /* log, tanh, sin, pow, ...: libm accuracy matters more than speed here */
  }
  return i;
}
#endif

void unary_f32(int kind, float* out, const float* x, int64_t n, float p) {
  int64_t i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) i = unary_f32_simd(kind, out, x, n, p);
#endif
  unary_f32_scalar(kind, out + i, x + i, n - i, p);
}

static inline float unary_derivative(int kind, float dy, float x, float y, float p) {
  switch (kind) {
    case UN_NEG: return -dy;
    case UN_EXP: return dy * y;
    case UN_LOG: return dy / x;
    case UN_SQRT: return dy / (2.0f * y);
    case UN_RELU: return y > 0.0f ? dy : 0.0f;
    case UN_SIGMOID: return dy * (1.0f - y) * y;
    case UN_TANH: return dy * (1.0f - y * y);
    case UN_POW: return p == 0.0f ? 0.0f : dy * p * powf(x, p - 1.0f);
    case UN_LEAKY_RELU: return x > 0.0f ? dy : dy * p;
    case UN_ELU: return x > 0.0f ? dy : dy * (y + p);
    case UN_GELU: {
      float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752f));
      float pdf = expf(-0.5f * x * x) * 0.3989422804014327f;
      return dy * (cdf + x * pdf);
    }
    case UN_GELU_TANH: {
      const float k = 0.7978845608028654f, c = 0.044715f;
      float inner = k * (x + c * x * x * x), t = tanhf(inner);
      float left = 0.5f * x, right = 1.0f + t;
      float dinner = k * (1.0f + 3.0f * c * x * x);
      return dy * (0.5f * right + left * (1.0f - t * t) * dinner);
    }
    case UN_SIN: return dy * cosf(x);
    case UN_COS: return dy * -sinf(x);
    case UN_TAN: return dy * (1.0f + y * y);
    case UN_ASIN: return dy / sqrtf(1.0f - x * x);
    case UN_ACOS: return -dy / sqrtf(1.0f - x * x);
    case UN_ATAN: return dy / (x * x + 1.0f);
    case UN_SINH: return dy * coshf(x);
    case UN_COSH: return dy * sinhf(x);
    case UN_ASINH: return dy / sqrtf(x * x + 1.0f);
    case UN_ACOSH: return dy / sqrtf((x - 1.0f) * (x + 1.0f));
    case UN_ATANH: return dy / (1.0f - x * x);
    case UN_LOG1P: return dy / (x + 1.0f);
    case UN_EXPM1: return dy * (y + 1.0f);
    case UN_LOG2: return dy / (x * 0.693147180559945309f);
    case UN_LOG10: return dy / (x * 2.302585092994045684f);
    case UN_EXP2: return dy * y * 0.693147180559945309f;
    case UN_RSQRT: return -0.5f * dy * y * y * y; /* d(x^-1/2) = -x^-3/2 / 2 */
    case UN_SIGN: case UN_FLOOR: case UN_CEIL: case UN_ROUND: case UN_TRUNC: return 0.0f;
    case UN_FRAC: return dy;
    case UN_RECIPROCAL: return dy * -(y * y);
    case UN_ERF: return dy * 1.12837916709551257f * expf(-x * x);
    case UN_SILU: {
      float s = 1.0f / (1.0f + expf(-x));
      return dy * s * (1.0f + x * (1.0f - s));
    }
    case UN_SOFTPLUS: {
      float z = expf(x);
      return x > 20.0f ? dy : dy * z / (z + 1.0f);
    }
    default: return x > 0.0f ? dy : (x < 0.0f ? -dy : 0.0f);
  }
}

void unary_backward_f32_scalar(int kind, float* dx, const float* dy, const float* x, const float* y, int64_t n,
                               float p) {
  for (int64_t i = 0; i < n; i++)
    dx[i] = unary_derivative(kind, dy[i], x ? x[i] : 0.0f, y ? y[i] : 0.0f, p);
}

void unary_backward_f32(int kind, float* dx, const float* dy, const float* x, const float* y, int64_t n, float p) {
  int64_t i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD && kind == UN_RELU) {
    const v128_t zero = wasm_f32x4_splat(0.0f);
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), zero)));
  } else if (KERNEL_USE_SIMD && kind == UN_SIGMOID) {
    const v128_t one = wasm_f32x4_splat(1.0f);
    for (; i + 4 <= n; i += 4) {
      v128_t vy = wasm_v128_load(y + i);
      wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_sub(one, vy)), vy));
    }
  }
#endif
  unary_backward_f32_scalar(kind, dx + i, dy + i, x ? x + i : 0, y ? y + i : 0, n - i, p);
}

void axpy_f32(float* y, float alpha, const float* x, int64_t n) {
  int64_t i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    v128_t va = wasm_f32x4_splat(alpha);
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(va, wasm_v128_load(x + i))));
  }
#endif
  for (; i < n; i++) y[i] += alpha * x[i];
}

static inline float clamp_one(float x, float lo, float hi) {
  float v = x < lo ? lo : x; /* NaN compares false: it passes through both */
  return v > hi ? hi : v;
}

void clamp_f32_scalar(float* out, const float* x, int64_t n, float lo, float hi) {
  for (int64_t i = 0; i < n; i++) out[i] = clamp_one(x[i], lo, hi);
}

void clamp_f32(float* out, const float* x, int64_t n, float lo, float hi) {
  int64_t i = 0;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    const v128_t vlo = wasm_f32x4_splat(lo), vhi = wasm_f32x4_splat(hi);
    for (; i + 4 <= n; i += 4) { /* select, as the scalar reference: pmin/pmax would reorder NaN */
      v128_t v = wasm_v128_load(x + i);
      v = wasm_v128_bitselect(vlo, v, wasm_f32x4_lt(v, vlo));
      wasm_v128_store(out + i, wasm_v128_bitselect(vhi, v, wasm_f32x4_gt(v, vhi)));
    }
  }
#endif
  clamp_f32_scalar(out + i, x + i, n - i, lo, hi);
}

void clamp_backward_f32(float* dx, const float* dy, const float* x, int64_t n, float lo, float hi) {
  for (int64_t i = 0; i < n; i++) dx[i] = x[i] >= lo && x[i] <= hi ? dy[i] : 0.0f;
}
