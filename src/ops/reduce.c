/* reduce.c: sum / mean (over everything or one dim, keepdim), max / min / argmax / argmin
 * over a dim and over everything. A dim reduction views the input as (outer, D, inner). */
#include <math.h>
#include <string.h>

#include "../core/error.h"
#include "../kernels/reduce.h"
#include "ops.h"

int wrap_dim(int dim, int ndim, const char* name) {
  int n = ndim > 0 ? ndim : 1;
  if (dim < -n || dim >= n)
    return k_fail(K_ERR_RANGE, "%s: dimension out of range (expected to be in range of [%d, %d], but got %d)", name,
                  -n, n - 1, dim),
           -1;
  return dim < 0 ? dim + n : dim;
}

void split_at_dim(const Tensor* a, int dim, int64_t* outer, int64_t* D, int64_t* inner) {
  *outer = *inner = 1;
  *D = a->ndim ? a->shape[dim] : 1;
  for (int i = 0; i < dim; i++) *outer *= a->shape[i];
  for (int i = dim + 1; i < a->ndim; i++) *inner *= a->shape[i];
}

/* The shape after reducing dim (kept as 1 or dropped). Returns its ndim. */
static int reduced_shape(const Tensor* a, int dim, int keepdim, int32_t* shape) {
  int nd = 0;
  for (int i = 0; i < a->ndim; i++) {
    if (i != dim) shape[nd++] = a->shape[i];
    else if (keepdim) shape[nd++] = 1;
  }
  return nd;
}

Tensor* op_sum(Tensor* a, int dim, int keepdim, int mean, const char* name) {
  if (mean && a->dtype != K_FLOAT32) {
    k_fail(K_ERR_TYPE, "%s: could not infer output dtype: input dtype must be floating point, got %s", name,
           dtype_name(a->dtype));
    return NULL;
  }
  int all = dim == DIM_ALL;
  int32_t shape[K_MAX_DIMS];
  int nd = 0;
  if (!all) {
    if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
    nd = a->ndim ? reduced_shape(a, dim, keepdim, shape) : 0;
  }
  Tensor* out = tensor_new(a->dtype == K_FLOAT32 ? K_FLOAT32 : K_INT64, nd, shape, name);
  if (!out) return NULL;
  int64_t outer, D, inner;
  if (all) {
    outer = 1, D = a->numel, inner = 1;
  } else {
    split_at_dim(a, dim, &outer, &D, &inner);
  }
  if (a->dtype == K_FLOAT32) {
    sum_dim_f32(tensor_f32(out), tensor_f32(a), outer, D, inner);
    if (mean) {
      float scale = 1.0f / (float)D;
      for (int64_t i = 0; i < out->numel; i++) tensor_f32(out)[i] = D ? tensor_f32(out)[i] * scale : NAN;
    }
  } else {
    for (int64_t o = 0; o < outer; o++)
      for (int64_t i = 0; i < inner; i++) {
        int64_t total = 0;
        for (int64_t d = 0; d < D; d++) total += tensor_i32(a)[(o * D + d) * inner + i];
        tensor_i32(out)[o * inner + i] = (int32_t)total;
      }
  }
  Node* node;
  if (autograd_record(out, OP_SUM, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) node->reads = 0; /* backward needs shapes only */
  if (node) {
    node->i[0] = all;
    node->i[1] = dim;
    node->i[2] = mean;
  }
  return out;
}

int sum_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  int64_t outer, D, inner;
  if (n->i[0]) outer = 1, D = a->numel, inner = 1;
  else split_at_dim(a, n->i[1], &outer, &D, &inner);
  float scale = n->i[2] ? 1.0f / (float)D : 1.0f;
  float *dst = tensor_f32(dx), *src = tensor_f32(g);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t d = 0; d < D; d++)
      for (int64_t i = 0; i < inner; i++) dst[(o * D + d) * inner + i] = src[o * inner + i] * scale;
  gi[0] = dx;
  return K_OK;
}

static int check_nonempty(const Tensor* a, int64_t D, const char* name) {
  if (a->numel == 0 || D == 0)
    return k_fail(K_ERR_RUNTIME, "%s: expected a non-empty tensor (the reduction has no identity)", name);
  return K_OK;
}

static Tensor* extreme_dim(Tensor* a, int dim, int keepdim, Tensor** indices, int largest, const char* name) {
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  int64_t outer, D, inner;
  split_at_dim(a, dim, &outer, &D, &inner);
  if (check_nonempty(a, D, name) != K_OK) return NULL;
  int32_t shape[K_MAX_DIMS];
  int nd = reduced_shape(a, dim, keepdim, shape);
  Tensor* fa = a;
  if (a->dtype != K_FLOAT32) {
    fa = tensor_new(K_FLOAT32, a->ndim, a->shape, name);
    if (!fa) return NULL;
    for (int64_t i = 0; i < a->numel; i++) tensor_f32(fa)[i] = (float)tensor_i32(a)[i];
  }
  Tensor* out = tensor_new(K_FLOAT32, nd, shape, name);
  Tensor* idx = out ? tensor_new(K_INT64, nd, shape, name) : NULL;
  if (idx) (largest ? max_dim_f32 : min_dim_f32)(tensor_f32(out), tensor_i32(idx), tensor_f32(fa), outer, D, inner);
  if (fa != a) tensor_release(fa);
  if (!idx) {
    if (out) tensor_release(out);
    return NULL;
  }
  if (a->dtype != K_FLOAT32) {
    for (int64_t i = 0; i < out->numel; i++) tensor_i32(out)[i] = (int32_t)tensor_f32(out)[i];
    out->dtype = a->dtype;
  }
  Node* node;
  if (autograd_record(out, OP_MAX_DIM, 1, &a, &node) != K_OK) {
    tensor_release(out);
    tensor_release(idx);
    return NULL;
  }
  if (node) {
    node->i[0] = dim;
    node->i[1] = largest;
    node_save(node, 0, idx);
  }
  if (indices) *indices = idx;
  else tensor_release(idx);
  return out;
}

Tensor* op_max_dim(Tensor* a, int dim, int keepdim, Tensor** indices, const char* name) {
  return extreme_dim(a, dim, keepdim, indices, 1, name);
}

Tensor* op_min_dim(Tensor* a, int dim, int keepdim, Tensor** indices, const char* name) {
  return extreme_dim(a, dim, keepdim, indices, 0, name);
}

/* min() / max() over everything: MinBackward1 / MaxBackward1 in PyTorch (i[2] marks it). */
Tensor* op_extreme_all(Tensor* a, int largest, const char* name) {
  Tensor* flat = op_reshape(a, 1, (int32_t[]){(int32_t)a->numel}, name);
  if (!flat) return NULL;
  Tensor* out = extreme_dim(flat, 0, 0, NULL, largest, name);
  tensor_release(flat);
  if (out && out->grad_fn) out->grad_fn->i[2] = 1;
  return out;
}

/* argmax / argmin: the indices of max / min without recording a graph. */
Tensor* op_arg_extreme(Tensor* a, int dim, int keepdim, int largest, const char* name) {
  Tensor* idx = NULL;
  int saved = autograd_enabled();
  autograd_set_enabled(0);
  Tensor* values;
  if (dim == DIM_ALL) {
    Tensor* flat = op_reshape(a, 1, (int32_t[]){(int32_t)a->numel}, name);
    values = flat ? extreme_dim(flat, 0, 0, &idx, largest, name) : NULL;
    if (flat) tensor_release(flat);
  } else {
    values = extreme_dim(a, dim, keepdim, &idx, largest, name);
  }
  autograd_set_enabled(saved);
  if (values) tensor_release(values);
  return values ? idx : NULL;
}

int max_dim_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  Tensor* idx = n->saved[0];
  Tensor* dx = tensor_zeros(K_FLOAT32, a->ndim, a->shape, "backward");
  if (!dx) return k_last_status();
  if (n->i[2]) { /* max() / min() of everything: ties share the gradient evenly, as PyTorch's
                    evenly_distribute_backward (a is the flat view) */
    const float* x = tensor_f32(a);
    float best = x[tensor_i32(idx)[0]];
    int64_t ties = 0;
    for (int64_t k = 0; k < a->numel; k++) ties += x[k] == best || (x[k] != x[k] && best != best);
    float share = tensor_f32(g)[0] / (float)ties;
    for (int64_t k = 0; k < a->numel; k++)
      if (x[k] == best || (x[k] != x[k] && best != best)) tensor_f32(dx)[k] = share;
    gi[0] = dx;
    return K_OK;
  }
  int64_t outer, D, inner;
  split_at_dim(a, n->i[0], &outer, &D, &inner);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++)
      tensor_f32(dx)[(o * D + tensor_i32(idx)[o * inner + i]) * inner + i] += tensor_f32(g)[o * inner + i];
  gi[0] = dx;
  return K_OK;
}

Tensor* op_max_all(Tensor* a, const char* name) { return op_extreme_all(a, 1, name); }

Tensor* op_argmax(Tensor* a, int dim, int keepdim, const char* name) {
  return op_arg_extreme(a, dim, keepdim, 1, name);
}
