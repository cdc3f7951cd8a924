/* abi_math.c: the math-ops half of the ABI (see kindling.h): clamp, where, min / argmin,
 * sort, topk, norm, var / std, prod, and the range factories linspace / logspace / eye. */
#include <math.h>

#include "../core/error.h"
#include "../core/handles.h"
#include "abi_args.h"
#include "../kindling.h"
#include "../ops/ops.h"

int32_t k_clamp(int32_t a, double lo, double hi) {
  ARG(ta, a, "clamp", "input");
  return handle_new(op_clamp(ta, (float)lo, (float)hi, "clamp"));
}

int32_t k_clamp_tensor(int32_t a, int32_t lo, int32_t hi) {
  ARG(ta, a, "clamp", "input");
  Tensor *tl = lo ? arg_dense(lo, "clamp", "min") : NULL, *th = hi ? arg_dense(hi, "clamp", "max") : NULL;
  if ((lo && !tl) || (hi && !th)) return k_last_status();
  if (!tl && !th) return k_fail(K_ERR_RUNTIME, "clamp: at least one of 'min' or 'max' must not be None");
  return handle_new(op_clamp_tensor(ta, tl, th, "clamp"));
}

int32_t k_where(int32_t cond, int32_t a, int32_t b) {
  ARG(tc, cond, "where", "condition");
  ARG(ta, a, "where", "input");
  ARG(tb, b, "where", "other");
  if (tc->dtype != K_BOOL)
    return k_fail(K_ERR_TYPE, "where: expected condition to be a bool tensor, got %s (compare first, e.g. x.gt(0))",
                  dtype_name(tc->dtype));
  return handle_new(op_where(tc, ta, tb, "where"));
}

int32_t k_min_dim(int32_t a, int32_t dim, int32_t keepdim) {
  ARG(ta, a, "min", "input");
  Tensor* indices = NULL;
  Tensor* values = op_min_dim(ta, dim, keepdim, &indices, "min");
  return pair_out(values, indices);
}

int32_t k_min_all(int32_t a) {
  ARG(ta, a, "min", "input");
  return handle_new(op_extreme_all(ta, 0, "min"));
}

int32_t k_argmin(int32_t a, int32_t dim, int32_t keepdim) {
  ARG(ta, a, "argmin", "input");
  return handle_new(op_arg_extreme(ta, dim, keepdim, 0, "argmin"));
}

int32_t k_sort(int32_t a, int32_t dim, int32_t descending, int32_t stable) {
  ARG(ta, a, "sort", "input");
  Tensor* indices = NULL;
  Tensor* values = op_sort(ta, dim, descending, &indices, "sort");
  if (values && values->grad_fn && stable) values->grad_fn->i[1] = 2; /* sort(stable=...): SortBackward1 */
  return pair_out(values, indices);
}

int32_t k_topk(int32_t a, int32_t k, int32_t dim, int32_t largest) {
  ARG(ta, a, "topk", "input");
  Tensor* indices = NULL;
  Tensor* values = op_topk(ta, k, dim, largest, &indices, "topk");
  return pair_out(values, indices);
}

int32_t k_norm(int32_t a, double p, int32_t dim, int32_t keepdim) {
  ARG(ta, a, "norm", "input");
  return handle_new(op_norm(ta, p, dim, keepdim, "norm"));
}

int32_t k_var(int32_t a, int32_t dim, double correction, int32_t keepdim, int32_t take_sqrt) {
  const char* name = take_sqrt ? "std" : "var";
  ARG(ta, a, name, "input");
  return handle_new(op_var(ta, dim, correction, keepdim, take_sqrt, name));
}

int32_t k_prod(int32_t a, int32_t dim, int32_t keepdim) {
  ARG(ta, a, "prod", "input");
  return handle_new(op_prod(ta, dim, keepdim, "prod"));
}

/* ATen's linspace kernel: the first half counts up from start, the second down from end,
 * in the dtype's arithmetic (float32 for float, double steps for integers). */
static double range_value(int dtype, double start, double end, int32_t steps, int32_t i) {
  if (steps == 1) return start;
  int32_t halfway = steps / 2;
  if (dtype == K_FLOAT32) {
    float s = (float)start, e = (float)end, step = (e - s) / (float)(steps - 1);
    return i < halfway ? s + step * (float)i : e - step * (float)(steps - i - 1);
  }
  double s = (double)(int64_t)start, e = (double)(int64_t)end, step = (e - s) / (steps - 1);
  return i < halfway ? s + step * i : e - step * (steps - i - 1);
}

static Tensor* range_tensor(int32_t dtype, int32_t steps, const char* name) {
  if (steps < 0) return k_fail(K_ERR_RUNTIME, "%s: number of steps must be non-negative, got %d", name, steps), NULL;
  if (dtype != K_FLOAT32 && dtype != K_INT64)
    return k_fail(K_ERR_TYPE, "%s: dtype must be float32 or int64, got %s", name, dtype_name(dtype)), NULL;
  return tensor_new(dtype, 1, &steps, name);
}

int32_t k_linspace(double start, double end, int32_t steps, int32_t dtype) {
  Tensor* t = range_tensor(dtype, steps, "linspace");
  if (!t) return k_last_status();
  for (int32_t i = 0; i < steps; i++) {
    double v = range_value(dtype, start, end, steps, i);
    if (dtype == K_FLOAT32) tensor_f32(t)[i] = (float)v;
    else tensor_i32(t)[i] = (int32_t)v;
  }
  return handle_new(t);
}

int32_t k_logspace(double start, double end, int32_t steps, double base, int32_t dtype) {
  Tensor* t = range_tensor(dtype, steps, "logspace");
  if (!t) return k_last_status();
  for (int32_t i = 0; i < steps; i++) {
    if (dtype == K_FLOAT32) { /* std::pow(float base, float exponent), as ATen */
      float s = (float)start, e = (float)end, step = steps > 1 ? (e - s) / (float)(steps - 1) : 0.0f;
      float x = i < steps / 2 ? s + step * (float)i : e - step * (float)(steps - i - 1);
      tensor_f32(t)[i] = steps == 1 ? powf((float)base, s) : powf((float)base, x);
    } else {
      tensor_i32(t)[i] = (int32_t)pow(base, range_value(dtype, start, end, steps, i));
    }
  }
  return handle_new(t);
}

int32_t k_eye(int32_t n, int32_t m, int32_t dtype) {
  if (n < 0 || m < 0) return k_fail(K_ERR_RUNTIME, "eye: n and m must be non-negative, got n = %d, m = %d", n, m);
  if (dtype != K_FLOAT32 && dtype != K_INT64 && dtype != K_BOOL)
    return k_fail(K_ERR_TYPE, "eye: unknown dtype code %d", dtype);
  Tensor* t = tensor_zeros(dtype, 2, (int32_t[]){n, m}, "eye");
  if (!t) return k_last_status();
  for (int32_t i = 0; i < n && i < m; i++) {
    if (dtype == K_FLOAT32) tensor_f32(t)[(int64_t)i * m + i] = 1.0f;
    else tensor_i32(t)[(int64_t)i * m + i] = 1;
  }
  return handle_new(t);
}
