/* abi_views.c: the views, indexing and in-place half of the ABI (see kindling.h), on
 * ops/view.c, ops/gather.c and ops/inplace.c. A view op takes its input as it is (strided
 * or not); ops that read values take it contiguous (abi_args.h). */
#include "../core/error.h"
#include "../core/handles.h"
#include "../kindling.h"
#include "../ops/ops.h"
#include "abi_args.h"

int32_t k_index_view(int32_t a, int32_t nitems, const int32_t* items) {
  Tensor* t = handle_get(a, "index", "self");
  if (!t) return k_last_status();
  if (nitems < 0 || nitems > 64) return k_fail(K_ERR_RANGE, "index: too many indices (%d)", nitems);
  return handle_new(op_index_view(t, nitems, items, "index"));
}

int32_t k_select(int32_t a, int32_t dim, int32_t index) {
  Tensor* t = handle_get(a, "select", "self");
  return t ? handle_new(op_select(t, dim, index, "select")) : k_last_status();
}

int32_t k_view(int32_t a, int32_t ndim, const int32_t* shape) {
  Tensor* t = handle_get(a, "view", "self");
  return t ? handle_new(op_view(t, ndim, shape, "view")) : k_last_status();
}

int32_t k_data_alias(int32_t a) {
  Tensor* t = handle_get(a, "data", "self");
  return t ? handle_new(op_data(t, "data")) : k_last_status();
}

int32_t k_contiguous(int32_t a) {
  Tensor* t = handle_get(a, "contiguous", "self");
  if (!t) return k_last_status();
  if (!t->contiguous) return handle_new(op_clone(t, "contiguous"));
  tensor_retain(t);
  return handle_new(t);
}

int32_t k_index(int32_t a, int32_t n, const int32_t* indices) {
  Tensor* t = arg_dense(a, "index", "self");
  if (!t) return k_last_status();
  if (n != t->ndim) return k_fail(K_ERR_RANGE, "index: expected %d index slots, got %d", t->ndim, n);
  Tensor* idx[K_MAX_DIMS] = {0};
  for (int d = 0; d < n; d++)
    if (indices[d] && !(idx[d] = arg_dense(indices[d], "index", "indices"))) return k_last_status();
  return handle_new(op_index(t, idx, "index"));
}

int32_t k_gather(int32_t a, int32_t dim, int32_t index) {
  Tensor* t = arg_dense(a, "gather", "input");
  Tensor* i = t ? arg_dense(index, "gather", "index") : NULL;
  return i ? handle_new(op_gather(t, dim, i, "gather")) : k_last_status();
}

int32_t k_nonzero(int32_t a) {
  Tensor* t = arg_dense(a, "nonzero", "input");
  return t ? handle_new(op_nonzero(t, "nonzero")) : k_last_status();
}

int32_t k_put_(int32_t self, int32_t pos, int32_t values, int32_t accumulate) {
  Tensor* t = handle_get(self, "index_put_", "self");
  Tensor* p = t ? arg_dense(pos, "index_put_", "indices") : NULL;
  Tensor* v = p ? arg_dense(values, "index_put_", "values") : NULL;
  int status = v ? op_put_(t, p, v, accumulate != 0, "index_put_") : k_last_status();
  handle_drop_held();
  return status;
}

int32_t k_inplace(int32_t kind, int32_t self, int32_t other, double s, double alpha, double lo, double hi) {
  static const char* names[] = {"add_", "sub_", "mul_", "div_", "fill_", "copy_", "clamp_"};
  if (kind < INPLACE_ADD || kind > INPLACE_CLAMP) return k_fail(K_ERR_RANGE, "inplace: unknown kind %d", kind);
  const char* name = names[kind];
  Tensor* t = handle_get(self, name, "self");
  Tensor* o = NULL;
  if (!t || (other && !(o = arg_dense(other, name, "other")))) return k_last_status();
  int status = op_inplace(kind, t, o, s, alpha, lo, hi, name);
  handle_drop_held();
  return status;
}
