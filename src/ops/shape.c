/* shape.c: reshape / view / flatten (views of the same storage when the strides allow,
 * as PyTorch; reshape copies otherwise), permute / transpose and expand (copies: kindling
 * keeps transposed layouts out of its kernels), clone, detach / .data, and dtype casts. */
#include <string.h>

#include "../core/error.h"
#include "ops.h"

static Tensor* record_view(Tensor* out, Tensor* a, const char* name) {
  Node* node;
  if (autograd_record(out, OP_VIEW, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) node->reads = 0; /* backward needs shapes only */
  (void)name;
  return out;
}

/* PyTorch's computeStride: strides that let a (of any layout) be seen with the new shape
 * without a copy, or 0 when some new dim would span two non-adjacent chunks of a. */
static int view_strides(const Tensor* a, int ndim, const int32_t* shape, int64_t* stride) {
  if (a->contiguous || a->numel == 0 || a->ndim == 0) {
    contiguous_strides(ndim, shape, stride);
    return 1;
  }
  int view_d = ndim - 1;
  int64_t chunk_base = a->stride[a->ndim - 1], tensor_numel = 1, view_numel = 1;
  for (int d = a->ndim - 1; d >= 0; d--) {
    tensor_numel *= a->shape[d];
    if (d == 0 || (a->shape[d - 1] != 1 && a->stride[d - 1] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        stride[view_d] = view_numel * chunk_base;
        view_numel *= shape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return 0;
      if (d > 0) chunk_base = a->stride[d - 1], tensor_numel = 1, view_numel = 1;
    }
  }
  return view_d == -1;
}

static Tensor* reshape_impl(Tensor* a, int ndim, const int32_t* shape, int may_copy, const char* name);

Tensor* op_reshape(Tensor* a, int ndim, const int32_t* shape, const char* name) {
  return reshape_impl(a, ndim, shape, 1, name);
}

Tensor* op_view(Tensor* a, int ndim, const int32_t* shape, const char* name) {
  return reshape_impl(a, ndim, shape, 0, name);
}

static Tensor* reshape_impl(Tensor* a, int ndim, const int32_t* shape, int may_copy, const char* name) {
  char buf[96];
  if (ndim < 0 || ndim > K_MAX_DIMS) {
    k_fail(K_ERR_RANGE, "%s: at most %d dimensions are supported, got %d", name, K_MAX_DIMS, ndim);
    return NULL;
  }
  int32_t resolved[K_MAX_DIMS];
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < ndim; i++) {
    resolved[i] = shape[i];
    if (shape[i] == -1) {
      if (infer >= 0) {
        k_fail(K_ERR_RUNTIME, "%s: only one dimension can be inferred", name);
        return NULL;
      }
      infer = i;
    } else if (shape[i] < 0) {
      k_fail(K_ERR_RUNTIME, "%s: invalid shape dimension %d", name, (int)shape[i]);
      return NULL;
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || a->numel % known != 0) {
      k_fail(K_ERR_RUNTIME, "%s: shape '%s' is invalid for input of size %lld", name,
             shape_str(shape, ndim, buf, sizeof buf), (long long)a->numel);
      return NULL;
    }
    resolved[infer] = (int32_t)(a->numel / known);
    known *= resolved[infer];
  }
  if (known != a->numel) {
    k_fail(K_ERR_RUNTIME, "%s: shape '%s' is invalid for input of size %lld", name,
           shape_str(shape, ndim, buf, sizeof buf), (long long)a->numel);
    return NULL;
  }
  int64_t stride[K_MAX_DIMS];
  if (!view_strides(a, ndim, resolved, stride)) {
    if (!may_copy)
      return k_fail(K_ERR_RUNTIME, "%s: view size is not compatible with input tensor's size and stride (at least one "
                    "dimension spans across two contiguous subspaces). Use .reshape(...) instead.", name), NULL;
    Tensor* copy = op_clone(a, name); /* PyTorch's reshape: a contiguous copy, then its view */
    Tensor* out = copy ? reshape_impl(copy, ndim, resolved, 0, name) : NULL;
    if (copy) tensor_release(copy);
    return out;
  }
  Tensor* out = tensor_view(a, ndim, resolved, stride, a->offset, name);
  return out ? record_view(out, a, name) : NULL;
}

int view_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  memcpy(tensor_f32(dx), tensor_f32(g), (size_t)g->numel * 4);
  gi[0] = dx;
  return K_OK;
}

Tensor* op_flatten(Tensor* a, int start, int end, const char* name) {
  if (a->ndim == 0) return op_reshape(a, 1, (int32_t[]){1}, name);
  if ((start = wrap_dim(start, a->ndim, name)) < 0 || (end = wrap_dim(end, a->ndim, name)) < 0) return NULL;
  if (start > end) {
    k_fail(K_ERR_RUNTIME, "%s: start_dim (%d) cannot come after end_dim (%d)", name, start, end);
    return NULL;
  }
  int32_t shape[K_MAX_DIMS];
  int nd = 0;
  for (int i = 0; i < start; i++) shape[nd++] = a->shape[i];
  int32_t merged = 1;
  for (int i = start; i <= end; i++) merged *= a->shape[i];
  shape[nd++] = merged;
  for (int i = end + 1; i < a->ndim; i++) shape[nd++] = a->shape[i];
  return op_reshape(a, nd, shape, name);
}

/* dst = src with its dimensions reordered: dst dim i is src dim perm[i]. */
static void permute_copy(float* dst, const float* src, const int32_t* shape, int ndim, const int32_t* perm) {
  int64_t src_strides[K_MAX_DIMS], strides[K_MAX_DIMS];
  int32_t out_shape[K_MAX_DIMS], idx[K_MAX_DIMS] = {0};
  int64_t s = 1, total = 1;
  for (int i = ndim - 1; i >= 0; i--) src_strides[i] = s, s *= shape[i];
  for (int i = 0; i < ndim; i++) out_shape[i] = shape[perm[i]], strides[i] = src_strides[perm[i]],
                                 total *= out_shape[i];
  int64_t off = 0;
  for (int64_t k = 0; k < total; k++) {
    dst[k] = src[off];
    for (int d = ndim - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < out_shape[d]) break;
      off -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

Tensor* op_permute(Tensor* a, const int32_t* dims, const char* name) {
  int32_t perm[K_MAX_DIMS], shape[K_MAX_DIMS];
  int seen = 0;
  for (int i = 0; i < a->ndim; i++) {
    int d = wrap_dim(dims[i], a->ndim, name);
    if (d < 0) return NULL;
    if (seen & (1 << d)) {
      k_fail(K_ERR_RUNTIME, "%s: repeated dim %d in the permutation", name, d);
      return NULL;
    }
    seen |= 1 << d;
    perm[i] = d;
    shape[i] = a->shape[d];
  }
  Tensor* out = tensor_new(a->dtype, a->ndim, shape, name);
  if (!out) return NULL;
  permute_copy(tensor_f32(out), tensor_f32(a), a->shape, a->ndim, perm); /* int32 moves as bits */
  Node* node;
  if (autograd_record(out, OP_PERMUTE, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) node->reads = 0; /* backward needs shapes only */
  if (node)
    for (int i = 0; i < a->ndim; i++) node->i[i] = perm[i];
  return out;
}

int permute_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  int32_t inverse[K_MAX_DIMS];
  for (int i = 0; i < a->ndim; i++) inverse[n->i[i]] = i;
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  permute_copy(tensor_f32(dx), tensor_f32(g), g->shape, g->ndim, inverse);
  gi[0] = dx;
  return K_OK;
}

Tensor* op_transpose(Tensor* a, int d0, int d1, const char* name) {
  if (a->ndim == 0) return op_clone(a, name);
  if ((d0 = wrap_dim(d0, a->ndim, name)) < 0 || (d1 = wrap_dim(d1, a->ndim, name)) < 0) return NULL;
  int32_t perm[K_MAX_DIMS];
  for (int i = 0; i < a->ndim; i++) perm[i] = i;
  perm[d0] = d1;
  perm[d1] = d0;
  Tensor* out = op_permute(a, perm, name);
  if (out && out->grad_fn) out->grad_fn->i[11] = 1; /* TransposeBackward0 */
  return out;
}

Tensor* op_expand(Tensor* a, int ndim, const int32_t* shape, const char* name) {
  char sa[96], sb[96];
  int32_t target[K_MAX_DIMS];
  if (ndim < a->ndim || ndim > K_MAX_DIMS) {
    k_fail(K_ERR_RUNTIME, "%s: the expanded size %s must have at least as many dimensions as %s", name,
           shape_str(shape, ndim, sa, sizeof sa), shape_str(a->shape, a->ndim, sb, sizeof sb));
    return NULL;
  }
  for (int i = 0; i < ndim; i++) {
    int k = i - (ndim - a->ndim);
    int32_t own = k >= 0 ? a->shape[k] : 1;
    target[i] = shape[i] == -1 ? own : shape[i];
    if (own != 1 && own != target[i]) {
      k_fail(K_ERR_RUNTIME, "%s: the expanded size of the tensor (%d) must match the existing size (%d) at dimension %d",
             name, (int)target[i], (int)own, i);
      return NULL;
    }
  }
  Tensor* zero = tensor_zeros(a->dtype == K_FLOAT32 ? K_FLOAT32 : K_INT64, ndim, target, name);
  if (!zero) return NULL;
  int saved = autograd_enabled();
  autograd_set_enabled(0);
  Tensor* out = op_binary(0 /* BIN_ADD */, zero, a, name);
  autograd_set_enabled(saved);
  tensor_release(zero);
  if (!out) return NULL;
  Node* node;
  if (autograd_record(out, OP_EXPAND, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) node->reads = 0; /* backward needs shapes only */
  return out;
}

int expand_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  Tensor* dx = tensor_new_like(a, "backward");
  if (!dx) return k_last_status();
  sum_to_shape(tensor_f32(dx), a->shape, a->ndim, tensor_f32(g), g->shape, g->ndim);
  gi[0] = dx;
  return K_OK;
}

Tensor* op_clone(Tensor* a, const char* name) {
  Tensor* out = tensor_new_like(a, name);
  if (!out) return NULL;
  tensor_gather_to(tensor_data(out), a);
  Node* node;
  if (autograd_record(out, OP_CLONE, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) node->reads = 0; /* backward needs shapes only */
  return out;
}

int clone_backward(Node* n, const Tensor* g, Tensor** gi) { return view_backward(n, g, gi); }

/* detach() shares storage and version counter but is no differentiable view: an in-place
 * op on it may start its own history. */
Tensor* op_detach(Tensor* a, const char* name) {
  Tensor* v = tensor_view(a, a->ndim, a->shape, a->stride, a->offset, name);
  if (v) v->is_view = 0;
  return v;
}

Tensor* op_data(Tensor* a, const char* name) { return tensor_data_alias(a, name); }

Tensor* op_cast(Tensor* a, int dtype, const char* name) {
  if (dtype != K_FLOAT32 && dtype != K_INT64 && dtype != K_BOOL) {
    k_fail(K_ERR_TYPE, "%s: unknown dtype code %d", name, dtype);
    return NULL;
  }
  if (dtype == a->dtype) return op_clone(a, name);
  Tensor* out = tensor_new(dtype, a->ndim, a->shape, name);
  if (!out) return NULL;
  for (int64_t i = 0; i < a->numel; i++) {
    if (a->dtype == K_FLOAT32) {
      float v = tensor_f32(a)[i];
      /* float -> int64 truncates toward zero; out-of-range values saturate instead of being UB */
      tensor_i32(out)[i] = dtype == K_BOOL ? v != 0.0f
                           : v != v      ? 0
                           : v >= 2147483647.0f ? 2147483647
                           : v <= -2147483648.0f ? (int32_t)(-2147483647 - 1)
                                                 : (int32_t)v;
    } else if (dtype == K_FLOAT32) {
      tensor_f32(out)[i] = (float)tensor_i32(a)[i];
    } else {
      tensor_i32(out)[i] = dtype == K_BOOL ? tensor_i32(a)[i] != 0 : tensor_i32(a)[i];
    }
  }
  return out;
}
