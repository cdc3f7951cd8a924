/* unary.c: neg, exp, log, sqrt, pow (scalar exponent), abs, relu, leaky_relu, sigmoid, tanh,
 * elu, gelu. Ops whose derivative is cheapest from the output (exp, sqrt, relu, sigmoid, tanh, elu) save an
 * alias of it; the others differentiate from the input the node already holds. */
#include "../core/error.h"
#include "../kernels/elementwise.h"
#include "ops.h"

static int needs_output(int kind) {
  return kind == UN_EXP || kind == UN_SQRT || kind == UN_RELU || kind == UN_SIGMOID || kind == UN_TANH ||
         kind == UN_ELU;
}

Tensor* op_unary(int kind, Tensor* a, float p, const char* name) {
  if (a->dtype != K_FLOAT32 && kind != UN_NEG && kind != UN_ABS && kind != UN_RELU) {
    k_fail(K_ERR_TYPE, "%s: expected a float32 tensor, got %s (convert with .float())", name, dtype_name(a->dtype));
    return NULL;
  }
  Tensor* out = tensor_new_like(a, name);
  if (!out) return NULL;
  if (a->dtype != K_FLOAT32) { /* integer neg / abs / relu stay integers */
    for (int64_t i = 0; i < a->numel; i++) {
      int32_t v = tensor_i32(a)[i];
      tensor_i32(out)[i] = kind == UN_NEG ? -v : kind == UN_ABS ? (v < 0 ? -v : v) : (v > 0 ? v : 0);
    }
    if (out->dtype == K_BOOL) out->dtype = K_INT64;
    return out;
  }
  unary_f32(kind, tensor_f32(out), tensor_f32(a), a->numel, p);
  Node* node;
  if (autograd_record(out, OP_UNARY, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    node->i[0] = kind;
    node->f[0] = p;
    if (needs_output(kind)) {
      Tensor* y = tensor_alias(out, out->ndim, out->shape, name);
      if (!y) {
        tensor_release(out);
        return NULL;
      }
      node->saved[0] = y;
    }
  }
  return out;
}

int unary_backward(Node* n, const Tensor* g, Tensor** gi) {
  int kind = n->i[0];
  Tensor* x = n->inputs[0];
  Tensor* y = n->saved[0];
  Tensor* dx = tensor_new_like(g, "backward");
  if (!dx) return k_last_status();
  unary_backward_f32(kind, tensor_f32(dx), tensor_f32(g), tensor_f32(x), y ? tensor_f32(y) : NULL, g->numel,
                     (float)n->f[0]);
  gi[0] = dx;
  return K_OK;
}
