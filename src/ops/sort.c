/* sort.c: sort and topk along one dim, returning values and int64 indices. Both view the
 * input as (outer, D, inner) and order each line with a stable merge sort: NaN counts as
 * the largest value (last ascending, first descending), as PyTorch. Their backward, shared
 * with min / max over a dim, scatters the gradient back through the indices. */
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "ops.h"

typedef struct Keyed {
  float v;
  int32_t i;
} Keyed;

/* True when x goes strictly before y. */
static inline int before(float x, float y, int descending) {
  if (descending) return x > y || (x != x && y == y);
  return x < y || (y != y && x == x);
}

/* Bottom-up merge sort of a (n), stable; tmp has room for n. */
static void merge_sort(Keyed* a, Keyed* tmp, int64_t n, int descending) {
  for (int64_t width = 1; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = before(a[j].v, a[i].v, descending) ? a[j++] : a[i++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    memcpy(a, tmp, (size_t)n * sizeof *a);
  }
}

/* The first k of each sorted line of a along dim into values / indices (outer, k, inner). */
static Tensor* sorted_lines(Tensor* a, int dim, int64_t k, int descending, Tensor** indices, const char* name) {
  int64_t outer, D, inner;
  split_at_dim(a, dim, &outer, &D, &inner);
  int32_t shape[K_MAX_DIMS];
  for (int i = 0; i < a->ndim; i++) shape[i] = i == dim ? (int32_t)k : a->shape[i];
  Tensor* fa = a->dtype == K_FLOAT32 ? a : op_cast(a, K_FLOAT32, name);
  Tensor* values = fa ? tensor_new(K_FLOAT32, a->ndim, shape, name) : NULL;
  Tensor* idx = values ? tensor_new(K_INT64, a->ndim, shape, name) : NULL;
  Keyed* line = idx ? malloc((size_t)(D ? D : 1) * 2 * sizeof *line) : NULL;
  if (idx && !line) k_fail(K_ERR_OOM, "%s: out of memory sorting lines of %lld elements", name, (long long)D);
  if (!line) {
    if (fa && fa != a) tensor_release(fa);
    if (values) tensor_release(values);
    if (idx) tensor_release(idx);
    return NULL;
  }
  const float* x = tensor_f32(fa);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      for (int64_t d = 0; d < D; d++) line[d] = (Keyed){x[(o * D + d) * inner + i], (int32_t)d};
      merge_sort(line, line + D, D, descending);
      for (int64_t j = 0; j < k; j++) {
        tensor_f32(values)[(o * k + j) * inner + i] = line[j].v;
        tensor_i32(idx)[(o * k + j) * inner + i] = line[j].i;
      }
    }
  free(line);
  if (fa != a) tensor_release(fa);
  if (a->dtype != K_FLOAT32) { /* integers sort exactly within float32's 2^24; PyTorch keeps int64 */
    Tensor* back = op_cast(values, a->dtype == K_BOOL ? K_BOOL : K_INT64, name);
    tensor_release(values);
    if (!back) {
      tensor_release(idx);
      return NULL;
    }
    values = back;
  }
  Node* node;
  if (autograd_record(values, OP_SORT, 1, &a, &node) != K_OK) {
    tensor_release(values);
    tensor_release(idx);
    return NULL;
  }
  if (node) {
    node->i[0] = dim;
    node_save(node, 0, idx);
  }
  *indices = idx;
  return values;
}

Tensor* op_sort(Tensor* a, int dim, int descending, Tensor** indices, const char* name) {
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  if (a->ndim == 0) { /* a 0-d tensor sorts to itself, index 0 */
    Tensor* flat = op_reshape(a, 1, (int32_t[]){1}, name);
    Tensor *idx = NULL, *v = flat ? sorted_lines(flat, 0, 1, descending, &idx, name) : NULL;
    if (flat) tensor_release(flat);
    if (!v) return NULL;
    Tensor *v0 = op_reshape(v, 0, NULL, name), *i0 = v0 ? op_reshape(idx, 0, NULL, name) : NULL;
    tensor_release(v);
    tensor_release(idx);
    if (!i0) {
      if (v0) tensor_release(v0);
      return NULL;
    }
    *indices = i0;
    return v0;
  }
  Tensor* out = sorted_lines(a, dim, a->shape[dim], descending, indices, name);
  if (out && out->grad_fn) out->grad_fn->i[1] = 0; /* SortBackward0 */
  return out;
}

Tensor* op_topk(Tensor* a, int k, int dim, int largest, Tensor** indices, const char* name) {
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  int64_t D = a->ndim ? a->shape[dim] : 1;
  if (k < 0 || k > D)
    return k_fail(K_ERR_RUNTIME, "%s: selected index k out of range (k = %d, the dimension has size %lld)", name, k,
                  (long long)D), NULL;
  if (a->ndim == 0) return op_sort(a, 0, largest, indices, name);
  Tensor* out = sorted_lines(a, dim, k, largest, indices, name);
  if (out && out->grad_fn) out->grad_fn->i[1] = 1; /* TopkBackward0 */
  return out;
}

/* dx[o, idx[o, j, i], i] += g[o, j, i]: sort, topk, and min / max over a dim. */
int sort_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  Tensor* idx = n->saved[0];
  Tensor* dx = tensor_zeros(K_FLOAT32, a->ndim, a->shape, "backward");
  if (!dx) return k_last_status();
  int64_t outer, D, inner;
  split_at_dim(a, n->i[0], &outer, &D, &inner);
  int64_t lines = outer * inner, k = lines > 0 ? idx->numel / lines : 0;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t j = 0; j < k; j++)
      for (int64_t i = 0; i < inner; i++) {
        int64_t at = (o * k + j) * inner + i;
        tensor_f32(dx)[(o * D + tensor_i32(idx)[at]) * inner + i] += tensor_f32(g)[at];
      }
  gi[0] = dx;
  return K_OK;
}
