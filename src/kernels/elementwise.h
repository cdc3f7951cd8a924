/* elementwise.h: flat elementwise kernels on float32 rows, SIMD with scalar references.
 * Broadcasting is the caller's business: a stride of 0 repeats one value along the row,
 * which covers the inner loop of every broadcast PyTorch allows. */
#ifndef KINDLING_ELEMENTWISE_H
#define KINDLING_ELEMENTWISE_H

#include <stdint.h>

enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV,
       BIN_POW, BIN_MAX, BIN_MIN, /* pow with a tensor exponent, maximum, minimum (NaN propagates) */
       BIN_COUNT };
enum { CMP_EQ, CMP_GT, CMP_LT, CMP_NE, CMP_GE, CMP_LE };
enum {
  UN_NEG, UN_EXP, UN_LOG, UN_SQRT, UN_RELU, UN_SIGMOID, UN_TANH, UN_POW, UN_LEAKY_RELU, UN_ABS,
  UN_ELU,       /* p = alpha */
  UN_GELU,      /* exact, with erf */
  UN_GELU_TANH, /* approximate='tanh' */
  /* torch's pointwise functions (math-ops) */
  UN_SIN, UN_COS, UN_TAN, UN_ASIN, UN_ACOS, UN_ATAN, UN_SINH, UN_COSH, UN_ASINH, UN_ACOSH, UN_ATANH,
  UN_LOG1P, UN_EXPM1, UN_LOG2, UN_LOG10, UN_EXP2, UN_RSQRT, UN_SIGN, UN_FLOOR, UN_CEIL, UN_ROUND, UN_TRUNC,
  UN_RECIPROCAL, UN_ERF, UN_SILU, UN_SOFTPLUS, UN_FRAC,
  UN_COUNT
};

/* out[i] = a[i*as] (op) b[i*bs], as and bs in {0, 1}; out may alias a or b. */
void binary_f32(int kind, float* out, const float* a, int as, const float* b, int bs, int64_t n);
void binary_f32_scalar(int kind, float* out, const float* a, int as, const float* b, int bs, int64_t n);

/* out[i] = a[i*as] (cmp) b[i*bs] ? 1 : 0 */
void compare_f32(int kind, int32_t* out, const float* a, int as, const float* b, int bs, int64_t n);

/* out[i] = f(x[i]); p is the exponent of UN_POW, the slope of UN_LEAKY_RELU, alpha of UN_ELU. */
void unary_f32(int kind, float* out, const float* x, int64_t n, float p);
void unary_f32_scalar(int kind, float* out, const float* x, int64_t n, float p);

/* dx[i] = dy[i] * f'(x[i]), written (not accumulated); x is the input, y the output. */
void unary_backward_f32(int kind, float* dx, const float* dy, const float* x, const float* y, int64_t n, float p);
void unary_backward_f32_scalar(int kind, float* dx, const float* dy, const float* x, const float* y, int64_t n,
                               float p);

/* out[i] = min(max(x[i], lo), hi) (NaN stays NaN; lo > hi gives hi, as PyTorch);
 * dx[i] = lo <= x[i] <= hi ? dy[i] : 0. */
void clamp_f32(float* out, const float* x, int64_t n, float lo, float hi);
void clamp_f32_scalar(float* out, const float* x, int64_t n, float lo, float hi);
void clamp_backward_f32(float* dx, const float* dy, const float* x, int64_t n, float lo, float hi);

/* y[i] += alpha * x[i] */
void axpy_f32(float* y, float alpha, const float* x, int64_t n);

#endif
