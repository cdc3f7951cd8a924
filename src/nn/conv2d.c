/* conv2d.c: torch.nn.functional.conv2d on (N, C, H, W) input with weight (K, C/G, R, S)
 * and optional bias (K); kernels in kernels/conv2d.c. The node keeps x, w, b as inputs and
 * the arguments in i[]. */
#include "../kernels/conv2d.h"

#include <stdint.h>
#include <string.h>

#include "../core/error.h"
#include "../ops/ops.h"
#include "nn_ops.h"

/* The message for CONV2D_ERR_TOO_BIG: what is too large, by how much, and the limit. */
static int too_big(const Conv2dShape* s, long long hp, long long wp, long long kh, long long kw, const char* name) {
  const long long limit = (long long)tensor_heap_limit();
  if (s->OH < 1 || s->OW < 1 || hp > INT32_MAX || wp > INT32_MAX)
    return k_fail(K_ERR_RANGE,
                  "%s: the convolution's sizes do not fit in 32 bits: padded input %lld x %lld, dilated kernel "
                  "%lld x %lld (padding and dilation too large)",
                  name, hp, wp, kh, kw);
  /* doubles: N * K * OH * OW may pass 2^64; exact below 2^53, which is all that matters */
  const double out_bytes = 4.0 * s->N * s->K * s->OH * s->OW;
  if (out_bytes > (double)limit) {
    int32_t shape[4] = {s->N, s->K, s->OH, s->OW};
    char buf[96];
    return k_fail(K_ERR_OOM, "%s: an output of shape %s needs more than the wasm heap limit of %lld bytes", name,
                  shape_str(shape, 4, buf, sizeof buf), limit);
  }
  const uint64_t ws = conv2d_workspace_bytes(s);
  if (ws > (uint64_t)limit)
    return k_fail(K_ERR_OOM,
                  "%s: the convolution needs a workspace of %s%llu bytes, beyond the wasm heap limit of %lld bytes",
                  name, ws == UINT64_MAX ? "more than " : "", (unsigned long long)ws, limit);
  return k_fail(K_ERR_OOM, "%s: the convolution is too large: one of its matrices would exceed 2^31 elements "
                "(the wasm heap limit is %lld bytes)", name, limit);
}

static int conv_shape(const Tensor* x, const Tensor* w, const Tensor* b, const Conv2dArgs* a, Conv2dShape* s,
                      const char* name) {
  char sx[96], sw[96];
  if (x->dtype != K_FLOAT32 || w->dtype != K_FLOAT32 || (b && b->dtype != K_FLOAT32))
    return k_fail(K_ERR_TYPE, "%s: expected float32 input, weight and bias, got %s and %s", name,
                  dtype_name(x->dtype), dtype_name(w->dtype));
  if (x->ndim != 4)
    return k_fail(K_ERR_RUNTIME, "%s: expected 3D (unbatched) or 4D (batched) input, but got input of size: %s",
                  name, shape_str(x->shape, x->ndim, sx, sizeof sx));
  if (w->ndim != 4)
    return k_fail(K_ERR_RUNTIME, "%s: expected a 4D weight (out_channels, in_channels/groups, kH, kW), got %s",
                  name, shape_str(w->shape, w->ndim, sw, sizeof sw));
  if (a->sh < 1 || a->sw < 1) return k_fail(K_ERR_RUNTIME, "%s: non-positive stride is not supported", name);
  if (a->pt < 0 || a->pl < 0 || a->pb < 0 || a->pr < 0)
    return k_fail(K_ERR_RUNTIME, "%s: negative padding is not supported", name);
  if (a->dh < 1 || a->dw < 1) return k_fail(K_ERR_RUNTIME, "%s: dilation should be greater than zero", name);
  if (a->groups < 1) return k_fail(K_ERR_RUNTIME, "%s: non-positive groups is not supported", name);
  if (w->shape[0] % a->groups)
    return k_fail(K_ERR_RUNTIME, "%s: out_channels (%d) must be divisible by groups (%d)", name, (int)w->shape[0],
                  a->groups);
  if (x->shape[1] != w->shape[1] * a->groups)
    return k_fail(K_ERR_RUNTIME,
                  "%s: given groups=%d, weight of size %s, expected input%s to have %d channels, but got %d channels "
                  "instead",
                  name, a->groups, shape_str(w->shape, 4, sw, sizeof sw), shape_str(x->shape, 4, sx, sizeof sx),
                  (int)(w->shape[1] * a->groups), (int)x->shape[1]);
  if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
    return k_fail(K_ERR_RUNTIME, "%s: expected bias of shape [%d], got %s", name, (int)w->shape[0],
                  shape_str(b->shape, b->ndim, sx, sizeof sx));
  *s = (Conv2dShape){.N = x->shape[0], .C = x->shape[1], .H = x->shape[2], .W = x->shape[3],
                     .K = w->shape[0], .R = w->shape[2], .S = w->shape[3], .sh = a->sh, .sw = a->sw,
                     .pt = a->pt, .pl = a->pl, .pb = a->pb, .pr = a->pr, .dh = a->dh, .dw = a->dw,
                     .groups = a->groups};
  int status = conv2d_shape_init(s);
  /* sizes in long long: paddings and dilations near INT_MAX overflow int here */
  const long long hp = (long long)x->shape[2] + a->pt + a->pb, wp = (long long)x->shape[3] + a->pl + a->pr;
  const long long kh = (long long)(w->shape[2] - 1) * a->dh + 1, kw = (long long)(w->shape[3] - 1) * a->dw + 1;
  if (status == CONV2D_ERR_OUTPUT || (status == CONV2D_ERR_DIM && x->shape[0] >= 0))
    return k_fail(K_ERR_RUNTIME,
                  "%s: calculated padded input size per channel: (%lld x %lld). Kernel size: (%lld x %lld). Kernel "
                  "size can't be greater than actual input size",
                  name, hp, wp, kh, kw);
  if (status == CONV2D_ERR_TOO_BIG) return too_big(s, hp, wp, kh, kw, name);
  if (status != CONV2D_OK) return k_fail(K_ERR_RUNTIME, "%s: invalid convolution arguments (code %d)", name, status);
  return K_OK;
}

static void args_to_node(Node* n, const Conv2dArgs* a) {
  _Static_assert(sizeof n->i >= 9 * sizeof(int32_t), "Node.i holds the 9 conv arguments");
  int32_t v[9] = {a->sh, a->sw, a->pt, a->pl, a->pb, a->pr, a->dh, a->dw, a->groups};
  memcpy(n->i, v, sizeof v);
}

static Conv2dArgs args_from_node(const Node* n) {
  return (Conv2dArgs){n->i[0], n->i[1], n->i[2], n->i[3], n->i[4], n->i[5], n->i[6], n->i[7], n->i[8]};
}

Tensor* op_conv2d(Tensor* x, Tensor* w, Tensor* b, const Conv2dArgs* a, const char* name) {
  Conv2dShape s;
  if (conv_shape(x, w, b, a, &s, name) != K_OK) return NULL;
  int32_t shape[4] = {s.N, s.K, s.OH, s.OW};
  Tensor* y = tensor_new(K_FLOAT32, 4, shape, name);
  if (!y) return NULL;
  if (conv2d_forward(&s, tensor_f32(y), tensor_f32(x), tensor_f32(w), b ? tensor_f32(b) : NULL, NULL) != 0) {
    tensor_release(y);
    k_fail(K_ERR_OOM, "%s: out of memory allocating the convolution workspace of %llu bytes (the wasm heap limit is "
           "%lld bytes)", name, (unsigned long long)conv2d_workspace_bytes(&s), (long long)tensor_heap_limit());
    return NULL;
  }
  Node* node;
  Tensor* inputs[3] = {x, w, b};
  if (autograd_record(y, OP_CONV2D, 3, inputs, &node) != K_OK) {
    tensor_release(y);
    return NULL;
  }
  if (node) args_to_node(node, a);
  return y;
}

int conv2d_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *x = n->inputs[0], *w = n->inputs[1], *b = n->inputs[2];
  Conv2dArgs a = args_from_node(n);
  Conv2dShape s;
  if (conv_shape(x, w, b, &a, &s, "conv2d backward") != K_OK) return k_last_status();
  Tensor *dx = NULL, *dw = NULL, *db = NULL;
  int failed = 0;
  if (x->requires_grad && (dx = tensor_zeros(K_FLOAT32, 4, x->shape, "backward")))
    failed |= conv2d_backward_input(&s, tensor_f32(dx), tensor_f32(g), tensor_f32(w), NULL);
  if (w->requires_grad && (dw = tensor_zeros(K_FLOAT32, 4, w->shape, "backward")))
    failed |= conv2d_backward_weight(&s, tensor_f32(dw), tensor_f32(g), tensor_f32(x), NULL);
  if (b && b->requires_grad && (db = tensor_zeros(K_FLOAT32, 1, b->shape, "backward")))
    conv2d_backward_bias(&s, tensor_f32(db), tensor_f32(g));
  if (failed || (x->requires_grad && !dx) || (w->requires_grad && !dw) || (b && b->requires_grad && !db)) {
    if (dx) tensor_release(dx);
    if (dw) tensor_release(dw);
    if (db) tensor_release(db);
    return k_fail(K_ERR_OOM, "conv2d backward: out of memory (the convolution workspace is %llu bytes, the wasm heap "
                  "limit %lld bytes)", (unsigned long long)conv2d_workspace_bytes(&s), (long long)tensor_heap_limit());
  }
  gi[0] = dx;
  gi[1] = dw;
  gi[2] = db;
  return K_OK;
}
