/* stats.c: norm (p = 2, 1, inf, -inf, 0 or any p), var / std (with PyTorch 2's
 * correction) and prod, over everything or one dim with keepdim. Several dims are the
 * shim's business (it moves them together first). Each line of the (outer, D, inner) view
 * is accumulated in double and rounded once, so results sit within an ulp or two of
 * PyTorch's float32 cascade sums. */
#include <math.h>

#include "../core/error.h"
#include "ops.h"

/* The reduced shape and the (outer, D, inner) view; dim == DIM_ALL reduces everything. */
static Tensor* reduced_out(Tensor* a, int* dim, int keepdim, int dtype, int64_t* outer, int64_t* D, int64_t* inner,
                           const char* name) {
  int32_t shape[K_MAX_DIMS];
  int nd = 0;
  if (*dim == DIM_ALL) {
    *outer = 1, *D = a->numel, *inner = 1;
  } else {
    if ((*dim = wrap_dim(*dim, a->ndim, name)) < 0) return NULL;
    split_at_dim(a, *dim, outer, D, inner);
    for (int i = 0; i < a->ndim; i++)
      if (i != *dim) shape[nd++] = a->shape[i];
      else if (keepdim) shape[nd++] = 1;
  }
  return tensor_new(dtype, nd, shape, name);
}

/* Records the node; every backward here needs the result, saved as an alias (no cycle). */
static Tensor* record(Tensor* out, int op, Tensor* a, int dim, int keepdim, double f0, double f1, const char* name) {
  Node* node;
  if (autograd_record(out, op, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    node->i[0] = dim;
    node->i[1] = keepdim;
    node->f[0] = f0;
    node->f[1] = f1;
    if (!(node->saved[0] = tensor_alias(out, out->ndim, out->shape, name))) {
      tensor_release(out);
      return NULL;
    }
  }
  return out;
}

/* Runs line(ctx, x + o*D*inner + i, D, inner) -> value over every line into out. */
#define FOR_EACH_LINE(outer, D, inner, o, i) \
  for (int64_t o = 0; o < (outer); o++)     \
    for (int64_t i = 0; i < (inner); i++)

static Tensor* float_input(Tensor* a, const char* name) {
  if (a->dtype == K_FLOAT32) return a;
  k_fail(K_ERR_TYPE, "%s: expected a floating point tensor, got %s (convert with .float())", name,
         dtype_name(a->dtype));
  return NULL;
}

/* The (outer, D, inner) view of a backward node's input over the dim it reduced (n->i[0]). */
static void saved_lines(const Node* n, int64_t* outer, int64_t* D, int64_t* inner) {
  if (n->i[0] == DIM_ALL) *outer = 1, *D = n->inputs[0]->numel, *inner = 1;
  else split_at_dim(n->inputs[0], n->i[0], outer, D, inner);
}

static double line_norm(const float* x, int64_t D, int64_t inner, double p) {
  if (isinf(p)) {
    double best = D ? fabs(x[0]) : (p > 0 ? 0.0 : INFINITY);
    for (int64_t d = 0; d < D; d++) {
      double v = fabs(x[d * inner]);
      if (v != v) return v;
      if (p > 0 ? v > best : v < best) best = v;
    }
    return best;
  }
  double acc = 0.0;
  for (int64_t d = 0; d < D; d++) {
    double v = fabs(x[d * inner]);
    acc += p == 0 ? (v != 0.0) : p == 1 ? v : p == 2 ? v * v : pow(v, p);
  }
  return p == 0 || p == 1 ? acc : p == 2 ? sqrt(acc) : pow(acc, 1.0 / p);
}

Tensor* op_norm(Tensor* a, double p, int dim, int keepdim, const char* name) {
  if (!float_input(a, name)) return NULL;
  int64_t outer, D, inner;
  Tensor* out = reduced_out(a, &dim, keepdim, K_FLOAT32, &outer, &D, &inner, name);
  if (!out) return NULL;
  const float* x = tensor_f32(a);
  FOR_EACH_LINE(outer, D, inner, o, i) tensor_f32(out)[o * inner + i] = (float)line_norm(x + o * D * inner + i, D, inner, p);
  return record(out, OP_NORM, a, dim, keepdim, p, 0, name);
}

/* PyTorch's norm_backward: 0 for p = 0; sgn(x) g for p = 1; x g / norm for p = 2 (0 where the
 * norm is 0); the max |x| entries share g evenly for p = +-inf; else x |x|^(p-2) g / norm^(p-1). */
int norm_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *y = n->saved[0];
  double p = n->f[0];
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  int64_t outer, D, inner;
  saved_lines(n, &outer, &D, &inner);
  const float* x = tensor_f32(a);
  float* dst = tensor_f32(dx);
  FOR_EACH_LINE(outer, D, inner, o, i) {
    float norm = tensor_f32(y)[o * inner + i], go = tensor_f32(g)[o * inner + i];
    int64_t ties = 0;
    if (isinf(p))
      for (int64_t d = 0; d < D; d++) ties += fabsf(x[(o * D + d) * inner + i]) == norm;
    for (int64_t d = 0; d < D; d++) {
      int64_t at = (o * D + d) * inner + i;
      float v = x[at], sgn = (float)((v > 0) - (v < 0));
      float r;
      if (p == 0) r = 0.0f;
      else if (p == 1) r = sgn * go;
      else if (isinf(p)) r = fabsf(v) == norm ? sgn * go / (float)ties : 0.0f;
      else if (norm == 0.0f) r = 0.0f;
      else if (p == 2) r = v * (go / norm);
      else r = (float)(v * pow(fabs(v), p - 2) * go / pow(norm, p - 1));
      dst[at] = r;
    }
  }
  gi[0] = dx;
  return K_OK;
}

/* var (take_sqrt 0) or std (1) with divisor max(0, N - correction), as PyTorch 2. */
Tensor* op_var(Tensor* a, int dim, double correction, int keepdim, int take_sqrt, const char* name) {
  if (!float_input(a, name)) return NULL;
  int64_t outer, D, inner;
  Tensor* out = reduced_out(a, &dim, keepdim, K_FLOAT32, &outer, &D, &inner, name);
  if (!out) return NULL;
  const float* x = tensor_f32(a);
  double divisor = (double)D - correction > 0 ? (double)D - correction : 0.0;
  FOR_EACH_LINE(outer, D, inner, o, i) {
    double mean = 0.0, ss = 0.0;
    for (int64_t d = 0; d < D; d++) mean += x[(o * D + d) * inner + i];
    mean /= (double)D;
    for (int64_t d = 0; d < D; d++) {
      double dev = x[(o * D + d) * inner + i] - mean;
      ss += dev * dev;
    }
    double var = ss / divisor;
    tensor_f32(out)[o * inner + i] = (float)(take_sqrt ? sqrt(var) : var);
  }
  return record(out, OP_VAR, a, dim, keepdim, correction, take_sqrt, name);
}

/* var: 2 (x - mean) g / divisor; std: the same with g / (2 std), 0 where std is 0. */
int var_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *y = n->saved[0];
  int take_sqrt = n->f[1] != 0;
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  int64_t outer, D, inner;
  saved_lines(n, &outer, &D, &inner);
  float divisor = (float)((double)D - n->f[0]);
  const float* x = tensor_f32(a);
  FOR_EACH_LINE(outer, D, inner, o, i) {
    double mean = 0.0;
    for (int64_t d = 0; d < D; d++) mean += x[(o * D + d) * inner + i];
    float m = (float)(mean / (double)D);
    float go = tensor_f32(g)[o * inner + i], r = tensor_f32(y)[o * inner + i];
    if (take_sqrt) go = r == 0.0f ? 0.0f : go / (r * 2.0f);
    for (int64_t d = 0; d < D; d++) {
      int64_t at = (o * D + d) * inner + i;
      tensor_f32(dx)[at] = (2.0f / divisor) * go * (x[at] - m);
    }
  }
  gi[0] = dx;
  return K_OK;
}

Tensor* op_prod(Tensor* a, int dim, int keepdim, const char* name) {
  int64_t outer, D, inner;
  Tensor* out = reduced_out(a, &dim, keepdim, a->dtype == K_FLOAT32 ? K_FLOAT32 : K_INT64, &outer, &D, &inner, name);
  if (!out) return NULL;
  FOR_EACH_LINE(outer, D, inner, o, i) {
    if (a->dtype == K_FLOAT32) {
      float acc = 1.0f; /* in float, element by element: products have no cancellation to fear */
      for (int64_t d = 0; d < D; d++) acc *= tensor_f32(a)[(o * D + d) * inner + i];
      tensor_f32(out)[o * inner + i] = acc;
    } else {
      int64_t acc = 1; /* int64 wraps as PyTorch's; stored in 32 bits as every int64 here */
      for (int64_t d = 0; d < D; d++) acc = (int64_t)((uint64_t)acc * (uint64_t)(int64_t)tensor_i32(a)[(o * D + d) * inner + i]);
      tensor_i32(out)[o * inner + i] = (int32_t)acc;
    }
  }
  if (a->dtype != K_FLOAT32) return out;
  return record(out, OP_PROD, a, dim, keepdim, 0, 0, name);
}

/* PyTorch's prod_backward: g * prod / x without zeros; with one zero only that entry gets
 * g * (product of the others); with two or more, nothing. */
int prod_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *y = n->saved[0];
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  int64_t outer, D, inner;
  saved_lines(n, &outer, &D, &inner);
  const float* x = tensor_f32(a);
  FOR_EACH_LINE(outer, D, inner, o, i) {
    float go = tensor_f32(g)[o * inner + i], prod = tensor_f32(y)[o * inner + i];
    int64_t zeros = 0, zero_at = -1;
    float others = 1.0f;
    for (int64_t d = 0; d < D; d++) {
      float v = x[(o * D + d) * inner + i];
      if (v == 0.0f) zeros++, zero_at = d;
      else others *= v;
    }
    for (int64_t d = 0; d < D; d++) {
      int64_t at = (o * D + d) * inner + i;
      tensor_f32(dx)[at] = zeros == 0 ? go * (prod / x[at]) : zeros == 1 && d == zero_at ? go * others : 0.0f;
    }
  }
  gi[0] = dx;
  return K_OK;
}
