/* index.c: index_select and cat — the gathering and joining a DataLoader's batching
 * needs (views such as narrow and slices are in view.c). Each views its operand as (outer, D, inner) around
 * the dim, so every op is a loop of contiguous block copies. */
#include <string.h>

#include "../core/error.h"
#include "ops.h"

Tensor* op_index_select(Tensor* a, int dim, Tensor* index, const char* name) {
  char buf[96];
  if (a->ndim == 0) return k_fail(K_ERR_RUNTIME, "%s: cannot index a 0-d tensor", name), NULL;
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  if (index->dtype != K_INT64 || index->ndim > 1)
    return k_fail(K_ERR_TYPE, "%s: index must be a 1-D int64 tensor, got %s of shape %s", name,
                  dtype_name(index->dtype), shape_str(index->shape, index->ndim, buf, sizeof buf)), NULL;
  int64_t outer, D, inner;
  split_at_dim(a, dim, &outer, &D, &inner);
  const int32_t* idx = tensor_i32(index);
  for (int64_t i = 0; i < index->numel; i++)
    if (idx[i] < -D || idx[i] >= D)
      return k_fail(K_ERR_RANGE, "%s: index %d is out of bounds for dimension %d with size %lld", name, (int)idx[i],
                    dim, (long long)D), NULL;
  int32_t shape[K_MAX_DIMS];
  memcpy(shape, a->shape, sizeof shape);
  shape[dim] = (int32_t)index->numel;
  Tensor* out = tensor_new(a->dtype, a->ndim, shape, name);
  if (!out) return NULL;
  const char* src = a->storage->data;
  char* dst = out->storage->data;
  size_t block = (size_t)inner * 4;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < index->numel; i++) {
      int64_t k = idx[i] < 0 ? idx[i] + D : idx[i];
      memcpy(dst + ((o * index->numel + i) * block), src + ((o * D + k) * block), block);
    }
  Node* node;
  Tensor* inputs[2] = {a, index};
  if (autograd_record(out, OP_INDEX_SELECT, 2, inputs, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) node->i[0] = dim, node->reads = 2; /* the index, not the values */
  return out;
}

int index_select_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *index = n->inputs[1];
  Tensor* dx = tensor_zeros(K_FLOAT32, a->ndim, a->shape, "backward");
  if (!dx) return k_last_status();
  int64_t outer, D, inner;
  split_at_dim(a, n->i[0], &outer, &D, &inner);
  const int32_t* idx = tensor_i32(index);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < index->numel; i++) {
      int64_t k = idx[i] < 0 ? idx[i] + D : idx[i];
      float* dst = tensor_f32(dx) + (o * D + k) * inner;
      const float* src = tensor_f32(g) + (o * index->numel + i) * inner;
      for (int64_t j = 0; j < inner; j++) dst[j] += src[j]; /* repeated indices accumulate */
    }
  gi[0] = dx;
  return K_OK;
}

/* Joins up to K_MAX_INPUTS tensors; op_cat splits longer lists into a chain of these. */
static Tensor* cat_some(int count, Tensor** parts, int dim, const char* name) {
  Tensor* first = parts[0];
  int32_t shape[K_MAX_DIMS];
  memcpy(shape, first->shape, sizeof shape);
  shape[dim] = 0;
  for (int p = 0; p < count; p++) shape[dim] += parts[p]->shape[dim];
  Tensor* out = tensor_new(first->dtype, first->ndim, shape, name);
  if (!out) return NULL;
  int64_t outer, D, inner;
  split_at_dim(out, dim, &outer, &D, &inner);
  for (int64_t o = 0; o < outer; o++) {
    int64_t at = 0;
    for (int p = 0; p < count; p++) {
      size_t bytes = (size_t)(parts[p]->shape[dim] * inner) * 4;
      memcpy((char*)out->storage->data + (o * D + at) * inner * 4, (char*)parts[p]->storage->data + o * bytes, bytes);
      at += parts[p]->shape[dim];
    }
  }
  Node* node;
  if (count <= K_MAX_INPUTS && autograd_record(out, OP_CAT, count, parts, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (count <= K_MAX_INPUTS && node) node->i[0] = dim, node->reads = 0;
  return out;
}

Tensor* op_cat(int count, Tensor** parts, int dim, const char* name) {
  char a[96], b[96];
  if (count < 1) return k_fail(K_ERR_RUNTIME, "%s: expected a non-empty list of Tensors", name), NULL;
  Tensor* first = parts[0];
  if (first->ndim == 0) return k_fail(K_ERR_RUNTIME, "%s: zero-dimensional tensor (at position 0) cannot be concatenated", name), NULL;
  if ((dim = wrap_dim(dim, first->ndim, name)) < 0) return NULL;
  int any_grad = 0;
  for (int p = 0; p < count; p++) {
    Tensor* t = parts[p];
    int ok = t->ndim == first->ndim && t->dtype == first->dtype;
    for (int i = 0; ok && i < t->ndim; i++) ok = i == dim || t->shape[i] == first->shape[i];
    if (!ok)
      return k_fail(K_ERR_RUNTIME, "%s: sizes of tensors must match except in dimension %d: got %s (%s) and %s (%s) at position %d",
                    name, dim, shape_str(first->shape, first->ndim, a, sizeof a), dtype_name(first->dtype),
                    shape_str(t->shape, t->ndim, b, sizeof b), dtype_name(t->dtype), p), NULL;
    any_grad |= t->requires_grad;
  }
  if (count <= K_MAX_INPUTS || !any_grad || !autograd_enabled()) {
    int saved = autograd_enabled();
    if (count > K_MAX_INPUTS) autograd_set_enabled(0); /* no input needs grad: no node anyway */
    Tensor* out = cat_some(count, parts, dim, name);
    autograd_set_enabled(saved);
    return out;
  }
  Tensor* acc = cat_some(K_MAX_INPUTS, parts, dim, name);
  for (int p = K_MAX_INPUTS; acc && p < count; p += K_MAX_INPUTS - 1) {
    Tensor* group[K_MAX_INPUTS] = {acc};
    int m = 1;
    while (m < K_MAX_INPUTS && p + m - 1 < count) {
      group[m] = parts[p + m - 1];
      m++;
    }
    Tensor* next = cat_some(m, group, dim, name);
    tensor_release(acc);
    acc = next;
  }
  return acc;
}

int cat_backward(Node* n, const Tensor* g, Tensor** gi) {
  int dim = n->i[0];
  int64_t outer, D, inner;
  split_at_dim(g, dim, &outer, &D, &inner);
  int64_t at = 0;
  for (int p = 0; p < n->ninputs; p++) {
    Tensor* t = n->inputs[p];
    int64_t size = t->shape[dim];
    if (t->requires_grad) {
      Tensor* dx = tensor_new_like(t, "backward");
      if (!dx) {
        for (int q = 0; q < p; q++)
          if (gi[q]) tensor_release(gi[q]), gi[q] = NULL;
        return k_last_status();
      }
      for (int64_t o = 0; o < outer; o++)
        memcpy(tensor_f32(dx) + o * size * inner, tensor_f32(g) + (o * D + at) * inner, (size_t)(size * inner) * 4);
      gi[p] = dx;
    }
    at += size;
  }
  return K_OK;
}
