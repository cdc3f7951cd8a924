/* pool2d.c: max_pool2d (with indices), avg_pool2d and adaptive_avg_pool2d on
 * (N, C, H, W) input; kernels in kernels/pool2d.c. */
#include "../kernels/pool2d.h"

#include <string.h>

#include "../core/error.h"
#include "../ops/ops.h"
#include "nn_ops.h"

static int pool_shape(const Tensor* x, const Pool2dArgs* a, Pool2dShape* s, const char* name) {
  char sx[96];
  if (x->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "%s: expected a float32 input, got %s", name, dtype_name(x->dtype));
  if (x->ndim != 4)
    return k_fail(K_ERR_RUNTIME, "%s: expected 3D or 4D input (C, H, W) / (N, C, H, W), but got input of size: %s",
                  name, shape_str(x->shape, x->ndim, sx, sizeof sx));
  *s = (Pool2dShape){.N = x->shape[0], .C = x->shape[1], .H = x->shape[2], .W = x->shape[3], .kh = a->kh,
                     .kw = a->kw, .sh = a->sh, .sw = a->sw, .ph = a->ph, .pw = a->pw, .dh = a->dh, .dw = a->dw,
                     .ceil_mode = a->ceil_mode};
  switch (pool2d_shape_init(s)) {
    case POOL2D_OK: return K_OK;
    case POOL2D_ERR_KERNEL: return k_fail(K_ERR_RUNTIME, "%s: kernel size should be greater than zero, got (%d, %d)", name, a->kh, a->kw);
    case POOL2D_ERR_STRIDE: return k_fail(K_ERR_RUNTIME, "%s: stride should be greater than zero, got (%d, %d)", name, a->sh, a->sw);
    case POOL2D_ERR_PADDING:
      return k_fail(K_ERR_RUNTIME, "%s: pad should be non-negative and at most half of kernel size, got pad (%d, %d) for kernel (%d, %d)",
                    name, a->ph, a->pw, a->kh, a->kw);
    case POOL2D_ERR_DILATION: return k_fail(K_ERR_RUNTIME, "%s: dilation should be greater than zero", name);
    case POOL2D_ERR_OUTPUT:
      return k_fail(K_ERR_RUNTIME, "%s: output size is too small: input %s with kernel (%d, %d) gives an empty output", name,
                    shape_str(x->shape, 4, sx, sizeof sx), a->kh, a->kw);
    case POOL2D_ERR_TOO_BIG:
      return k_fail(K_ERR_RANGE,
                    "%s: the pooling's sizes do not fit in 32 bits: input %s with kernel (%d, %d), padding (%d, %d) "
                    "and dilation (%d, %d)",
                    name, shape_str(x->shape, 4, sx, sizeof sx), a->kh, a->kw, a->ph, a->pw, a->dh, a->dw);
    default: return k_fail(K_ERR_RUNTIME, "%s: invalid input size %s", name, shape_str(x->shape, 4, sx, sizeof sx));
  }
}

static void args_to_node(Node* n, const Pool2dArgs* a) {
  int32_t v[8] = {a->kh, a->kw, a->sh, a->sw, a->ph, a->pw, a->dh, a->dw};
  memcpy(n->i, v, sizeof v);
  n->f[0] = a->ceil_mode;
  n->f[1] = a->count_include_pad;
  n->f[2] = a->divisor_override;
}

static Pool2dArgs args_from_node(const Node* n) {
  return (Pool2dArgs){n->i[0], n->i[1], n->i[2], n->i[3], n->i[4], n->i[5], n->i[6], n->i[7],
                      (int)n->f[0], (int)n->f[1], (int)n->f[2]};
}

static Tensor* pool_output(const Pool2dShape* s, const char* name) {
  int32_t shape[4] = {s->N, s->C, s->OH, s->OW};
  return tensor_new(K_FLOAT32, 4, shape, name);
}

Tensor* op_max_pool2d(Tensor* x, const Pool2dArgs* a, Tensor** indices, const char* name) {
  Pool2dShape s;
  if (pool_shape(x, a, &s, name) != K_OK) return NULL;
  /* Indices cost a pass of stores: make them only when asked for or needed by backward. */
  int need_indices = indices != NULL || (autograd_enabled() && x->requires_grad);
  Tensor* y = pool_output(&s, name);
  Tensor* idx = y && need_indices ? tensor_new(K_INT64, 4, y->shape, name) : NULL;
  if (!y || (need_indices && !idx)) {
    if (y) tensor_release(y);
    return NULL;
  }
  maxpool2d_forward(&s, tensor_f32(y), idx ? tensor_i32(idx) : NULL, tensor_f32(x));
  Node* node;
  if (autograd_record(y, OP_MAX_POOL2D, 1, &x, &node) != K_OK) {
    tensor_release(y);
    if (idx) tensor_release(idx);
    return NULL;
  }
  if (node) {
    args_to_node(node, a);
    node_save(node, 0, idx);
  }
  if (indices) *indices = idx;
  else if (idx) tensor_release(idx);
  return y;
}

int max_pool2d_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* x = n->inputs[0];
  Pool2dArgs a = args_from_node(n);
  Pool2dShape s;
  if (pool_shape(x, &a, &s, "max_pool2d backward") != K_OK) return k_last_status();
  Tensor* dx = tensor_zeros(K_FLOAT32, 4, x->shape, "backward");
  if (!dx) return k_last_status();
  maxpool2d_backward(&s, tensor_f32(dx), tensor_f32(g), tensor_i32(n->saved[0]));
  gi[0] = dx;
  return K_OK;
}

Tensor* op_avg_pool2d(Tensor* x, const Pool2dArgs* a, const char* name) {
  Pool2dArgs args = *a;
  args.dh = args.dw = 1;
  Pool2dShape s;
  if (pool_shape(x, &args, &s, name) != K_OK) return NULL;
  Tensor* y = pool_output(&s, name);
  if (!y) return NULL;
  avgpool2d_forward(&s, a->count_include_pad, a->divisor_override, tensor_f32(y), tensor_f32(x));
  Node* node;
  if (autograd_record(y, OP_AVG_POOL2D, 1, &x, &node) != K_OK) {
    tensor_release(y);
    return NULL;
  }
  if (node) args_to_node(node, &args);
  return y;
}

int avg_pool2d_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* x = n->inputs[0];
  Pool2dArgs a = args_from_node(n);
  Pool2dShape s;
  if (pool_shape(x, &a, &s, "avg_pool2d backward") != K_OK) return k_last_status();
  Tensor* dx = tensor_zeros(K_FLOAT32, 4, x->shape, "backward");
  if (!dx) return k_last_status();
  avgpool2d_backward(&s, a.count_include_pad, a.divisor_override, tensor_f32(dx), tensor_f32(g));
  gi[0] = dx;
  return K_OK;
}

Tensor* op_adaptive_avg_pool2d(Tensor* x, int oh, int ow, const char* name) {
  char sx[96];
  if (x->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "%s: expected a float32 input", name), NULL;
  if (x->ndim != 4)
    return k_fail(K_ERR_RUNTIME, "%s: expected 3D or 4D input, but got input of size: %s", name,
                  shape_str(x->shape, x->ndim, sx, sizeof sx)), NULL;
  if (oh < 1 || ow < 1)
    return k_fail(K_ERR_RUNTIME, "%s: output_size must be positive, got (%d, %d)", name, oh, ow), NULL;
  if (x->shape[2] < 1 || x->shape[3] < 1)
    return k_fail(K_ERR_RUNTIME, "%s: input spatial size must be positive, got %s", name,
                  shape_str(x->shape, 4, sx, sizeof sx)), NULL;
  int32_t shape[4] = {x->shape[0], x->shape[1], oh, ow};
  Tensor* y = tensor_new(K_FLOAT32, 4, shape, name);
  if (!y) return NULL;
  adaptive_avgpool2d_forward(x->shape[0], x->shape[1], x->shape[2], x->shape[3], oh, ow, tensor_f32(y), tensor_f32(x));
  Node* node;
  if (autograd_record(y, OP_ADAPTIVE_AVG_POOL2D, 1, &x, &node) != K_OK) {
    tensor_release(y);
    return NULL;
  }
  if (node) node->i[0] = oh, node->i[1] = ow;
  return y;
}

int adaptive_avg_pool2d_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* x = n->inputs[0];
  Tensor* dx = tensor_zeros(K_FLOAT32, 4, x->shape, "backward");
  if (!dx) return k_last_status();
  adaptive_avgpool2d_backward(x->shape[0], x->shape[1], x->shape[2], x->shape[3], n->i[0], n->i[1], tensor_f32(dx),
                              tensor_f32(g));
  gi[0] = dx;
  return K_OK;
}
