/* dropout.c: dropout and dropout2d (whole channels) in training mode, with masks from the
 * seeded generator: PyTorch draws the keep-mask as bernoulli(1 - p) and scales kept
 * values by 1 / (1 - p). The scaled mask is saved for backward. */
#include "../core/error.h"
#include "../core/rng.h"
#include "../ops/ops.h"
#include "nn_ops.h"

Tensor* op_dropout(Tensor* x, double p, int channel_wise, const char* name) {
  if (!(p >= 0.0 && p <= 1.0))
    return k_fail(K_ERR_RANGE, "%s: dropout probability has to be between 0 and 1, but got %g", name, p), NULL;
  if (x->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "%s: expected a float32 input", name), NULL;
  if (channel_wise && x->ndim < 2)
    return k_fail(K_ERR_RUNTIME, "%s: expected a (N, C, ...) input with at least 2 dimensions", name), NULL;
  int64_t planes = channel_wise ? (int64_t)x->shape[0] * x->shape[1] : x->numel;
  int64_t plane = planes ? x->numel / planes : 0;
  Tensor* mask = tensor_new_like(x, name);
  Tensor* y = mask ? tensor_new_like(x, name) : NULL;
  if (!y) {
    if (mask) tensor_release(mask);
    return NULL;
  }
  float* m = tensor_f32(mask);
  if (p == 1.0) {
    for (int64_t i = 0; i < x->numel; i++) m[i] = 0.0f;
  } else {
    rng_bernoulli_f32(NULL, m, planes, 1.0 - p); /* per plane, spread below */
    float scale = (float)(1.0 / (1.0 - p));
    for (int64_t i = planes - 1; i >= 0; i--)
      for (int64_t j = plane - 1; j >= 0; j--) m[i * plane + j] = m[i] * scale;
  }
  for (int64_t i = 0; i < x->numel; i++) tensor_f32(y)[i] = tensor_f32(x)[i] * m[i];
  Node* node;
  if (autograd_record(y, OP_DROPOUT, 1, &x, &node) != K_OK) {
    tensor_release(y);
    tensor_release(mask);
    return NULL;
  }
  if (node) node_save(node, 0, mask);
  tensor_release(mask);
  return y;
}

int dropout_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* dx = tensor_new_like(g, "backward");
  if (!dx) return k_last_status();
  for (int64_t i = 0; i < g->numel; i++) tensor_f32(dx)[i] = tensor_f32(g)[i] * tensor_f32(n->saved[0])[i];
  gi[0] = dx;
  return K_OK;
}
