/* softmax.c: softmax and log_softmax over one dim; backward uses the saved output. */
#include "../kernels/softmax.h"

#include "../core/error.h"
#include "ops.h"

Tensor* op_softmax(Tensor* a, int dim, int log, const char* name) {
  if (a->dtype != K_FLOAT32) {
    k_fail(K_ERR_TYPE, "%s: expected a float32 tensor, got %s", name, dtype_name(a->dtype));
    return NULL;
  }
  if ((dim = wrap_dim(dim, a->ndim, name)) < 0) return NULL;
  Tensor* out = tensor_new_like(a, name);
  if (!out) return NULL;
  int64_t outer, C, inner;
  split_at_dim(a, dim, &outer, &C, &inner);
  softmax_f32(tensor_f32(out), tensor_f32(a), outer, C, inner, log);
  Node* node;
  if (autograd_record(out, OP_SOFTMAX, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    node->i[0] = dim;
    node->i[1] = log;
    Tensor* y = tensor_alias(out, out->ndim, out->shape, name);
    if (!y) {
      tensor_release(out);
      return NULL;
    }
    node->saved[0] = y;
  }
  return out;
}

int softmax_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* y = n->saved[0];
  Tensor* dx = tensor_new_like(y, "backward");
  if (!dx) return k_last_status();
  int64_t outer, C, inner;
  split_at_dim(y, n->i[0], &outer, &C, &inner);
  softmax_backward_f32(tensor_f32(dx), tensor_f32(g), tensor_f32(y), outer, C, inner, n->i[1]);
  gi[0] = dx;
  return K_OK;
}
