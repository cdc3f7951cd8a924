/* gather.c: advanced indexing (x[idx0, :, idx1] with int64 index tensors that broadcast
 * together), gather, and their in-place counterpart put_ (index assignment, scatter_,
 * index_put_). Each op first turns its indices into positions: an int64 tensor of the
 * result's shape holding, per element, its row-major position in the input. Reading is
 * then out[i] = a[pos[i]] and its backward the scatter-add dx[pos[i]] += g[i]; writing is
 * a[pos[i]] = v[i] and its backward reads g at pos. */
#include <math.h>
#include <string.h>

#include "../core/error.h"
#include "ops.h"

static int check_index_dtype(const Tensor* t, const char* name) {
  if (t->dtype == K_INT64) return K_OK;
  return k_fail(K_ERR_TYPE, "%s: tensors used as indices must be long, byte or bool tensors, got %s", name,
                dtype_name(t->dtype));
}

/* PyTorch's advanced indexing: the result has the broadcast index shape in place of the
 * indexed dims when they are adjacent, else in front of the remaining dims. */
static Tensor* index_positions(const Tensor* a, Tensor* const* indices, const char* name) {
  char sa[96], sb[96];
  int32_t bshape[K_MAX_DIMS];
  int bnd = 0, first = -1, last = -1, count = 0;
  for (int d = 0; d < a->ndim; d++) {
    const Tensor* t = indices[d];
    if (!t) continue;
    if (check_index_dtype(t, name) != K_OK) return NULL;
    if (first < 0) {
      bnd = t->ndim;
      memcpy(bshape, t->shape, sizeof bshape);
    } else {
      int nd = bnd > t->ndim ? bnd : t->ndim;
      int32_t merged[K_MAX_DIMS];
      for (int i = 0; i < nd; i++) {
        int ib = i - (nd - bnd), it = i - (nd - t->ndim);
        int32_t x = ib >= 0 ? bshape[ib] : 1, y = it >= 0 ? t->shape[it] : 1;
        if (x != y && x != 1 && y != 1)
          return k_fail(K_ERR_RANGE, "%s: shape mismatch: indexing tensors could not be broadcast together with "
                        "shapes %s, %s", name, shape_str(bshape, bnd, sa, sizeof sa),
                        shape_str(t->shape, t->ndim, sb, sizeof sb)), NULL;
        merged[i] = x == 1 ? y : x;
      }
      bnd = nd;
      memcpy(bshape, merged, sizeof bshape);
    }
    if (first < 0) first = d;
    last = d;
    count++;
  }
  if (count == 0) return k_fail(K_ERR_RUNTIME, "%s: no index tensor given", name), NULL;
  int adjacent = last - first + 1 == count;
  /* Result dims: each either a dim of a (kind >= 0) or a broadcast index dim (-1 - j). */
  int32_t shape[2 * K_MAX_DIMS], kind[2 * K_MAX_DIMS];
  int nd = 0;
  for (int d = 0; d < a->ndim; d++) {
    if (d == (adjacent ? first : 0))
      for (int j = 0; j < bnd; j++) shape[nd] = bshape[j], kind[nd++] = -1 - j;
    if (!indices[d]) shape[nd] = a->shape[d], kind[nd++] = d;
  }
  if (nd > K_MAX_DIMS)
    return k_fail(K_ERR_RANGE, "%s: the result would have %d dimensions, more than %d", name, nd, K_MAX_DIMS), NULL;
  int64_t cs[K_MAX_DIMS], bs[K_MAX_DIMS][K_MAX_DIMS];
  contiguous_strides(a->ndim, a->shape, cs);
  for (int d = 0; d < a->ndim; d++) {
    const Tensor* t = indices[d];
    if (!t) continue;
    int64_t s = 1;
    for (int j = bnd - 1; j >= 0; j--) {
      int it = j - (bnd - t->ndim);
      bs[d][j] = it < 0 || t->shape[it] == 1 ? 0 : s;
      if (it >= 0) s *= t->shape[it];
    }
    const int32_t* v = tensor_i32(t);
    for (int64_t i = 0; i < t->numel; i++)
      if (v[i] < -a->shape[d] || v[i] >= a->shape[d])
        return k_fail(K_ERR_RANGE, "%s: index %d is out of bounds for dimension %d with size %d", name, (int)v[i], d,
                      (int)a->shape[d]), NULL;
  }
  Tensor* pos = tensor_new(K_INT64, nd, shape, name);
  if (!pos) return NULL;
  int32_t* p = tensor_i32(pos);
  int32_t coord[K_MAX_DIMS] = {0};
  for (int64_t k = 0; k < pos->numel; k++) {
    int64_t at = 0;
    for (int o = 0; o < nd; o++)
      if (kind[o] >= 0) at += coord[o] * cs[kind[o]];
    for (int d = 0; d < a->ndim; d++) {
      if (!indices[d]) continue;
      int64_t off = 0;
      for (int o = 0; o < nd; o++)
        if (kind[o] < 0) off += coord[o] * bs[d][-1 - kind[o]];
      int32_t i = tensor_i32(indices[d])[off];
      at += (i < 0 ? i + a->shape[d] : i) * cs[d];
    }
    p[k] = (int32_t)at;
    for (int o = nd - 1; o >= 0 && ++coord[o] == shape[o]; o--) coord[o] = 0;
  }
  return pos;
}

/* out[i] = a[pos[i]] for a contiguous a, recorded as op (its backward scatter-adds). */
static Tensor* take(Tensor* a, Tensor* pos, int op, const char* name) {
  Tensor* out = tensor_new(a->dtype, pos->ndim, pos->shape, name);
  if (!out) return NULL;
  const int32_t *src = tensor_i32(a), *p = tensor_i32(pos);
  int32_t* dst = tensor_i32(out); /* elements move as 32-bit patterns */
  for (int64_t i = 0; i < out->numel; i++) dst[i] = src[p[i]];
  Node* node;
  if (autograd_record(out, op, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    node_save(node, 0, pos);
    node->reads = 0;
  }
  return out;
}

int index_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *pos = n->saved[0];
  Tensor* dx = tensor_zeros(K_FLOAT32, a->ndim, a->shape, "backward");
  if (!dx) return k_last_status();
  const int32_t* p = tensor_i32(pos);
  for (int64_t i = 0; i < g->numel; i++) tensor_f32(dx)[p[i]] += tensor_f32(g)[i]; /* repeats accumulate */
  gi[0] = dx;
  return K_OK;
}

int gather_backward(Node* n, const Tensor* g, Tensor** gi) { return index_backward(n, g, gi); }

Tensor* op_index(Tensor* a, Tensor* const* indices, const char* name) {
  Tensor* pos = index_positions(a, indices, name);
  if (!pos) return NULL;
  Tensor* out = take(a, pos, OP_INDEX, name);
  tensor_release(pos);
  return out;
}

Tensor* op_gather(Tensor* a, int dim, Tensor* index, const char* name) {
  char sa[96], sb[96];
  if (check_index_dtype(index, name) != K_OK) return NULL;
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  int nd = a->ndim ? a->ndim : 1;
  if ((index->ndim ? index->ndim : 1) != nd)
    return k_fail(K_ERR_RUNTIME, "%s: Index tensor must have the same number of dimensions as input tensor", name), NULL;
  for (int d = 0; d < a->ndim; d++)
    if (d != dim && index->shape[d] > a->shape[d])
      return k_fail(K_ERR_RUNTIME, "%s: Size does not match at dimension %d expected index %s to be smaller than self "
                    "%s apart from dimension %d", name, d, shape_str(index->shape, index->ndim, sa, sizeof sa),
                    shape_str(a->shape, a->ndim, sb, sizeof sb), dim), NULL;
  int64_t cs[K_MAX_DIMS];
  contiguous_strides(a->ndim, a->shape, cs);
  int32_t size = a->ndim ? a->shape[dim] : 1;
  int64_t dim_stride = a->ndim ? cs[dim] : 1;
  const int32_t* v = tensor_i32(index);
  for (int64_t i = 0; i < index->numel; i++)
    if (v[i] < -size || v[i] >= size)
      return k_fail(K_ERR_RANGE, "%s: index %d is out of bounds for dimension %d with size %d", name, (int)v[i], dim,
                    (int)size), NULL;
  Tensor* pos = tensor_new(K_INT64, index->ndim, index->shape, name);
  if (!pos) return NULL;
  int32_t coord[K_MAX_DIMS] = {0};
  for (int64_t k = 0; k < index->numel; k++) {
    int64_t at = (v[k] < 0 ? v[k] + size : v[k]) * dim_stride;
    for (int d = 0; d < a->ndim; d++)
      if (d != dim) at += coord[d] * cs[d];
    tensor_i32(pos)[k] = (int32_t)at;
    for (int d = index->ndim - 1; d >= 0 && ++coord[d] == index->shape[d]; d--) coord[d] = 0;
  }
  Tensor* out = take(a, pos, OP_GATHER, name);
  tensor_release(pos);
  return out;
}

/* The storage element of a's row-major position p (a may be a strided view). */
static int64_t storage_at(const Tensor* a, int64_t p) {
  int64_t at = a->offset;
  for (int d = a->ndim - 1; d >= 0; d--) {
    at += (p % a->shape[d]) * a->stride[d];
    p /= a->shape[d];
  }
  return at;
}

/* Writes (or adds) v[i] at a's position pos[i]; v is contiguous, of a's dtype. */
static void put_values(Tensor* a, const Tensor* pos, const Tensor* v, int accumulate) {
  const int32_t* p = tensor_i32(pos);
  for (int64_t i = 0; i < pos->numel; i++) {
    int64_t at = storage_at(a, p[i]);
    if (!accumulate) ((int32_t*)a->storage->data)[at] = tensor_i32(v)[i];
    else if (a->dtype == K_FLOAT32) ((float*)a->storage->data)[at] += tensor_f32(v)[i];
    else ((int32_t*)a->storage->data)[at] += tensor_i32(v)[i];
  }
}

int op_put_(Tensor* a, Tensor* pos, Tensor* values, int accumulate, const char* name) {
  char sa[96], sb[96];
  if (check_index_dtype(pos, name) != K_OK) return k_last_status();
  for (int64_t i = 0; i < pos->numel; i++)
    if (tensor_i32(pos)[i] < 0 || tensor_i32(pos)[i] >= a->numel)
      return k_fail(K_ERR_RANGE, "%s: position %d is out of range for a tensor of %lld elements", name,
                    (int)tensor_i32(pos)[i], (long long)a->numel);
  int32_t bshape[K_MAX_DIMS];
  int nd = broadcast_shape(values, pos, bshape, name);
  if (nd < 0 || nd != pos->ndim || memcmp(bshape, pos->shape, (size_t)nd * 4) != 0)
    return k_fail(K_ERR_RUNTIME, "%s: shape mismatch: value tensor of shape %s cannot be broadcast to indexing "
                  "result of shape %s", name, shape_str(values->shape, values->ndim, sa, sizeof sa),
                  shape_str(pos->shape, pos->ndim, sb, sizeof sb));
  if (a->dtype != K_FLOAT32 && values->dtype == K_FLOAT32)
    return k_fail(K_ERR_TYPE, "%s: Index put requires the source and destination dtypes match, got %s for the "
                  "destination and %s for the source", name, dtype_name(a->dtype), dtype_name(values->dtype));
  int needs_grad = autograd_enabled() && a->dtype == K_FLOAT32 && (a->requires_grad || values->requires_grad);
  if (inplace_check(a, needs_grad, name) != K_OK) return k_last_status();
  /* the values at the positions' shape and a's dtype */
  Tensor* v = values->dtype == a->dtype ? values : op_cast(values, a->dtype, name);
  if (v == values) tensor_retain(v);
  Tensor* vb = v ? op_expand(v, pos->ndim, pos->shape, name) : NULL;
  if (v) tensor_release(v);
  if (!vb) return k_last_status();
  int status = K_OK;
  if (!needs_grad) {
    put_values(a, pos, vb, accumulate);
    status = inplace_commit(a, NULL, name);
  } else {
    /* out of place on a copy, recorded; inplace_commit writes it back and moves its history */
    Tensor* r = tensor_new_like(a, name);
    if (r) tensor_gather_to(tensor_data(r), a);
    Node* node = NULL;
    Tensor* inputs[2] = {a, vb};
    if (r) put_values(r, pos, vb, accumulate);
    status = r ? autograd_record(r, OP_INDEX_PUT, 2, inputs, &node) : k_last_status();
    if (node) {
      node_save(node, 0, pos);
      node->i[0] = accumulate;
      node->reads = 0;
    }
    if (status == K_OK) status = inplace_commit(a, r, name);
    if (r) tensor_release(r);
  }
  tensor_release(vb);
  return status;
}

int index_put_backward(Node* n, const Tensor* g, Tensor** gi) {
  const Tensor* pos = n->saved[0];
  const int32_t* p = tensor_i32(pos);
  Tensor* ga = tensor_new_like(g, "backward");
  Tensor* gv = ga ? tensor_new(K_FLOAT32, pos->ndim, pos->shape, "backward") : NULL;
  if (!gv) {
    if (ga) tensor_release(ga);
    return k_last_status();
  }
  memcpy(tensor_f32(ga), tensor_f32(g), (size_t)g->numel * 4);
  for (int64_t i = 0; i < pos->numel; i++) tensor_f32(gv)[i] = tensor_f32(g)[p[i]];
  if (!n->i[0])
    for (int64_t i = 0; i < pos->numel; i++) tensor_f32(ga)[p[i]] = 0.0f; /* overwritten: no gradient */
  gi[0] = ga;
  gi[1] = gv;
  return K_OK;
}

Tensor* op_nonzero(Tensor* a, const char* name) {
  int64_t count = 0;
  for (int64_t i = 0; i < a->numel; i++)
    count += a->dtype == K_FLOAT32 ? tensor_f32(a)[i] != 0.0f : tensor_i32(a)[i] != 0;
  int32_t shape[2] = {(int32_t)count, a->ndim};
  Tensor* out = tensor_new(K_INT64, 2, shape, name);
  if (!out) return NULL;
  int32_t coord[K_MAX_DIMS] = {0}, *dst = tensor_i32(out);
  for (int64_t i = 0; i < a->numel; i++) {
    if (a->dtype == K_FLOAT32 ? tensor_f32(a)[i] != 0.0f : tensor_i32(a)[i] != 0)
      for (int d = 0; d < a->ndim; d++) *dst++ = coord[d];
    for (int d = a->ndim - 1; d >= 0 && ++coord[d] == a->shape[d]; d--) coord[d] = 0;
  }
  return out;
}
