/* linear.c: torch.nn.functional.linear, y = x @ W^T + b, for x (*, in), W (out, in),
 * b (out). One fused op so that forward and both weight gradients are single GEMMs over
 * all leading dimensions at once. */
#include <string.h>

#include "../core/error.h"
#include "../kernels/gemm.h"
#include "../kernels/reduce.h"
#include "../ops/ops.h"
#include "nn_ops.h"

static int linear_check(const Tensor* x, const Tensor* w, const Tensor* b, const char* name) {
  char sx[96], sw[96];
  if (x->dtype != K_FLOAT32 || w->dtype != K_FLOAT32 || (b && b->dtype != K_FLOAT32))
    return k_fail(K_ERR_TYPE, "%s: expected float32 input and weight, got %s and %s", name, dtype_name(x->dtype),
                  dtype_name(w->dtype));
  if (w->ndim != 2) return k_fail(K_ERR_RUNTIME, "%s: expected a 2D weight (out_features, in_features)", name);
  if (x->ndim < 1 || x->shape[x->ndim - 1] != w->shape[1])
    return k_fail(K_ERR_RUNTIME, "%s: mat1 and mat2 shapes cannot be multiplied (input %s, weight %s: in_features %d)",
                  name, shape_str(x->shape, x->ndim, sx, sizeof sx), shape_str(w->shape, 2, sw, sizeof sw),
                  (int)w->shape[1]);
  if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
    return k_fail(K_ERR_RUNTIME, "%s: expected bias of shape [%d], got %s", name, (int)w->shape[0],
                  shape_str(b->shape, b->ndim, sx, sizeof sx));
  return K_OK;
}

Tensor* op_linear(Tensor* x, Tensor* w, Tensor* b, const char* name) {
  if (linear_check(x, w, b, name) != K_OK) return NULL;
  int in = w->shape[1], out = w->shape[0];
  int64_t rows = in ? x->numel / in : 0;
  int32_t shape[K_MAX_DIMS];
  for (int i = 0; i < x->ndim - 1; i++) shape[i] = x->shape[i];
  shape[x->ndim - 1] = out;
  Tensor* y = tensor_new(K_FLOAT32, x->ndim, shape, name);
  if (!y) return NULL;
  float* Y = tensor_f32(y);
  if (b) /* start from the bias so the GEMM accumulates onto it (beta = 1) */
    for (int64_t r = 0; r < rows; r++) memcpy(Y + r * out, tensor_f32(b), (size_t)out * 4);
  if (gemm_f32(0, 1, (int)rows, out, in, 1.0f, tensor_f32(x), in, tensor_f32(w), in, b ? 1.0f : 0.0f, Y, out) != 0) {
    tensor_release(y);
    k_fail(K_ERR_OOM, "%s: out of memory for GEMM packing buffers", name);
    return NULL;
  }
  Node* node;
  Tensor* inputs[3] = {x, w, b};
  if (autograd_record(y, OP_LINEAR, 3, inputs, &node) != K_OK) {
    tensor_release(y);
    return NULL;
  }
  return y;
}

int linear_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *x = n->inputs[0], *w = n->inputs[1], *b = n->inputs[2];
  int in = w->shape[1], out = w->shape[0];
  int rows = in ? (int)(x->numel / in) : 0;
  Tensor *dx = NULL, *dw = NULL, *db = NULL;
  int failed = 0;
  if (x->requires_grad) { /* dx (rows, in) = dy (rows, out) @ W (out, in) */
    dx = tensor_new_like(x, "backward");
    failed |= !dx || gemm_f32(0, 0, rows, in, out, 1.0f, tensor_f32(g), out, tensor_f32(w), in, 0.0f,
                              tensor_f32(dx), in) != 0;
  }
  if (!failed && w->requires_grad) { /* dW (out, in) = dy^T (out, rows) @ x (rows, in) */
    dw = tensor_new_like(w, "backward");
    failed |= !dw || gemm_f32(1, 0, out, in, rows, 1.0f, tensor_f32(g), out, tensor_f32(x), in, 0.0f,
                              tensor_f32(dw), in) != 0;
  }
  if (!failed && b && b->requires_grad) { /* db = column sums of dy */
    db = tensor_new_like(b, "backward");
    if (db) sum_dim_f32(tensor_f32(db), tensor_f32(g), 1, rows, out);
    failed |= !db;
  }
  if (failed) {
    if (dx) tensor_release(dx);
    if (dw) tensor_release(dw);
    if (db) tensor_release(db);
    return k_fail(K_ERR_OOM, "linear backward: out of memory");
  }
  gi[0] = dx;
  gi[1] = dw;
  gi[2] = db;
  return K_OK;
}
