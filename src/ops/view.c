/* view.c: views that share their input's storage, as PyTorch's: basic indexing (integers,
 * slices with a positive step, None, one ellipsis), narrow and select. A view is the
 * input's window moved: a new offset and strides, no copy. Its backward scatters the
 * gradient into zeros of the input's shape through the same window laid over a contiguous
 * tensor (the geometry the node keeps). reshape / view live in shape.c. */
#include <string.h>

#include "../core/error.h"
#include "ops.h"

/* Python's slice.indices(): clamps start / stop into [0, size]; step > 0. Returns the length. */
static int32_t slice_indices(int32_t size, int32_t start, int32_t stop, int32_t step, int32_t* first) {
  int64_t lo = start == IDX_NONE_BOUND ? 0 : start, hi = stop == IDX_NONE_BOUND ? size : stop;
  if (lo < 0) lo += size;
  if (hi < 0) hi += size;
  lo = lo < 0 ? 0 : lo > size ? size : lo;
  hi = hi < 0 ? 0 : hi > size ? size : hi;
  *first = (int32_t)lo;
  return hi > lo ? (int32_t)((hi - lo + step - 1) / step) : 0;
}

Tensor* op_index_view(Tensor* a, int nitems, const int32_t* items, const char* name) {
  int consumed = 0, ellipses = 0;
  for (int k = 0; k < nitems; k++) {
    int kind = items[4 * k];
    if (kind < IDX_INT || kind > IDX_ELLIPSIS) return k_fail(K_ERR_RANGE, "%s: unknown index kind %d", name, kind), NULL;
    consumed += kind == IDX_INT || kind == IDX_SLICE;
    ellipses += kind == IDX_ELLIPSIS;
  }
  if (ellipses > 1) return k_fail(K_ERR_RANGE, "%s: an index can only have a single ellipsis ('...')", name), NULL;
  if (consumed > a->ndim)
    return k_fail(K_ERR_RANGE, "%s: too many indices for tensor of dimension %d", name, a->ndim), NULL;
  int32_t shape[K_MAX_DIMS];
  int64_t stride[K_MAX_DIMS], logical[K_MAX_DIMS], cstride[K_MAX_DIMS];
  int64_t offset = a->offset, loffset = 0;
  contiguous_strides(a->ndim, a->shape, cstride);
  int in = 0, out = 0;
  /* A dimension the items leave as is: the trailing ones, and those an ellipsis covers. */
#define KEEP_DIM()                                                                                              \
  do {                                                                                                          \
    if (out == K_MAX_DIMS) goto too_many;                                                                       \
    shape[out] = a->shape[in], stride[out] = a->stride[in], logical[out] = cstride[in], out++, in++;            \
  } while (0)
  for (int k = 0; k < nitems; k++) {
    const int32_t* it = items + 4 * k;
    if (it[0] == IDX_ELLIPSIS) {
      for (int n = a->ndim - consumed; n > 0; n--) KEEP_DIM();
    } else if (it[0] == IDX_NONE) {
      if (out == K_MAX_DIMS) goto too_many;
      shape[out] = 1, stride[out] = 0, logical[out] = 0, out++;
    } else if (it[0] == IDX_INT) {
      int32_t size = a->shape[in], i = it[1];
      if (i < -size || i >= size)
        return k_fail(K_ERR_RANGE, "%s: index %d is out of bounds for dimension %d with size %d", name, (int)i, in,
                      (int)size), NULL;
      if (i < 0) i += size;
      offset += i * a->stride[in], loffset += i * cstride[in], in++;
    } else {
      if (it[3] <= 0) return k_fail(K_ERR_RANGE, "%s: step must be greater than zero, got %d", name, (int)it[3]), NULL;
      if (out == K_MAX_DIMS) goto too_many;
      int32_t first, len = slice_indices(a->shape[in], it[1], it[2], it[3], &first);
      if (len > 0) offset += first * a->stride[in], loffset += first * cstride[in];
      shape[out] = len, stride[out] = a->stride[in] * it[3], logical[out] = cstride[in] * it[3], out++, in++;
    }
  }
  while (in < a->ndim) KEEP_DIM();
#undef KEEP_DIM
  Tensor* v = tensor_view(a, out, shape, stride, offset, name);
  if (!v) return NULL;
  Node* node;
  if (autograd_record(v, OP_AS_VIEW, 1, &a, &node) != K_OK) {
    tensor_release(v);
    return NULL;
  }
  if (node) {
    node->reads = 0; /* backward needs the geometry only */
    node->i[0] = (int32_t)loffset;
    for (int d = 0; d < out; d++) node->i[1 + d] = (int32_t)logical[d];
    /* PyTorch's node for the view: an integer selects, None unsqueezes, the rest slices */
    int has_int = 0, has_none = 0;
    for (int k = 0; k < nitems; k++) has_int |= items[4 * k] == IDX_INT, has_none |= items[4 * k] == IDX_NONE;
    node->i[7] = has_int ? 1 : has_none ? 2 : 0;
  }
  return v;
too_many:
  return k_fail(K_ERR_RANGE, "%s: the result would have more than %d dimensions", name, K_MAX_DIMS), NULL;
}

int as_view_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* a = n->inputs[0];
  Tensor* dx = tensor_zeros(K_FLOAT32, a->ndim, a->shape, "backward");
  if (!dx) return k_last_status();
  /* The view's window laid over dx: a stack header, never retained or released. */
  Tensor window = *g;
  window.storage = dx->storage;
  window.offset = n->i[0];
  for (int d = 0; d < g->ndim; d++) window.stride[d] = n->i[1 + d];
  tensor_scatter_from(&window, tensor_data(g));
  gi[0] = dx;
  return K_OK;
}

Tensor* op_narrow(Tensor* a, int dim, int start, int length, const char* name) {
  if (a->ndim == 0) return k_fail(K_ERR_RUNTIME, "%s: cannot narrow a 0-d tensor", name), NULL;
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  int32_t size = a->shape[dim];
  if (start < -size || start > size)
    return k_fail(K_ERR_RANGE, "%s: start out of range (expected to be in range of [%d, %d], but got %d)", name,
                  -(int)size, (int)size, start), NULL;
  if (start < 0) start += size;
  if (length < 0 || start + (int64_t)length > size)
    return k_fail(K_ERR_RANGE, "%s: start (%d) + length (%d) exceeds dimension size (%d).", name, start, length,
                  (int)size), NULL;
  int32_t items[4 * K_MAX_DIMS];
  for (int d = 0; d < dim; d++) memcpy(items + 4 * d, (int32_t[]){IDX_SLICE, IDX_NONE_BOUND, IDX_NONE_BOUND, 1}, 16);
  memcpy(items + 4 * dim, (int32_t[]){IDX_SLICE, start, start + length, 1}, 16);
  return op_index_view(a, dim + 1, items, name);
}

Tensor* op_select(Tensor* a, int dim, int index, const char* name) {
  char buf[96];
  if (a->ndim == 0) return k_fail(K_ERR_RANGE, "%s: select() cannot be applied to a 0-dim tensor.", name), NULL;
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  int32_t size = a->shape[dim];
  if (index < -size || index >= size)
    return k_fail(K_ERR_RANGE, "%s: select(): index %d out of range for tensor of size %s at dimension %d", name,
                  index, shape_str(a->shape, a->ndim, buf, sizeof buf), dim), NULL;
  int32_t items[4 * K_MAX_DIMS];
  for (int d = 0; d < dim; d++) memcpy(items + 4 * d, (int32_t[]){IDX_SLICE, IDX_NONE_BOUND, IDX_NONE_BOUND, 1}, 16);
  memcpy(items + 4 * dim, (int32_t[]){IDX_INT, index, 0, 0}, 16);
  return op_index_view(a, dim + 1, items, name);
}
