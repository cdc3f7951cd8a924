/* unary.c: neg, exp, log, sqrt, pow (scalar exponent), abs, relu, leaky_relu, sigmoid, tanh,
 * elu, gelu, torch's other pointwise functions (sin ... frac, kernels/elementwise.h) and clamp
 * with scalar bounds. Ops whose derivative is cheapest from the output (exp, sqrt, relu,
 * sigmoid, tanh, elu, tan, expm1, exp2, rsqrt, reciprocal) save an alias of it; the others
 * differentiate from the input the node already holds. Integer inputs: the functions that map
 * integers to integers (neg, abs, relu, sign, the roundings) stay int64; the others compute
 * on a float32 copy, as PyTorch's type promotion for unary float functions. */
#include "../core/error.h"
#include "../kernels/elementwise.h"
#include "ops.h"

static int needs_output(int kind) {
  return kind == UN_EXP || kind == UN_SQRT || kind == UN_RELU || kind == UN_SIGMOID || kind == UN_TANH ||
         kind == UN_ELU || kind == UN_TAN || kind == UN_EXPM1 || kind == UN_EXP2 || kind == UN_RSQRT ||
         kind == UN_RECIPROCAL;
}

static int keeps_integers(int kind) {
  return kind == UN_NEG || kind == UN_ABS || kind == UN_RELU || kind == UN_SIGN || kind == UN_FLOOR ||
         kind == UN_CEIL || kind == UN_ROUND || kind == UN_TRUNC;
}

static int32_t unary_i32(int kind, int32_t v) {
  switch (kind) {
    case UN_NEG: return -v;
    case UN_ABS: return v < 0 ? -v : v;
    case UN_RELU: return v > 0 ? v : 0;
    case UN_SIGN: return (v > 0) - (v < 0);
    default: return v; /* floor, ceil, round, trunc of an integer */
  }
}

Tensor* op_unary(int kind, Tensor* a, float p, const char* name) {
  if (a->dtype != K_FLOAT32 && kind == UN_POW) {
    k_fail(K_ERR_TYPE, "%s: expected a float32 tensor, got %s (convert with .float())", name, dtype_name(a->dtype));
    return NULL;
  }
  if (a->dtype != K_FLOAT32 && !keeps_integers(kind)) { /* sin(int) etc.: float32, no graph */
    Tensor* f = op_cast(a, K_FLOAT32, name);
    Tensor* out = f ? op_unary(kind, f, p, name) : NULL;
    if (f) tensor_release(f);
    return out;
  }
  Tensor* out = tensor_new_like(a, name);
  if (!out) return NULL;
  if (a->dtype != K_FLOAT32) {
    for (int64_t i = 0; i < a->numel; i++) tensor_i32(out)[i] = unary_i32(kind, tensor_i32(a)[i]);
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
    /* derivatives from the output alone leave the input free to change (version checks) */
    node->reads = kind == UN_NEG || (needs_output(kind) && kind != UN_ELU) ? 0 : 1;
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

/* clamp(min, max) with scalar bounds; a missing bound is -inf / +inf (same values and
 * gradients as PyTorch's None). */
Tensor* op_clamp(Tensor* a, float lo, float hi, const char* name) {
  if (a->dtype != K_FLOAT32) { /* integers clamp exactly, with bounds rounded as PyTorch's int cast */
    Tensor* out = tensor_new_like(a, name);
    if (!out) return NULL;
    for (int64_t i = 0; i < a->numel; i++) {
      float v = (float)tensor_i32(a)[i];
      tensor_i32(out)[i] = (int32_t)(v < lo ? lo : v > hi ? hi : v);
    }
    if (out->dtype == K_BOOL) out->dtype = K_INT64;
    return out;
  }
  Tensor* out = tensor_new_like(a, name);
  if (!out) return NULL;
  clamp_f32(tensor_f32(out), tensor_f32(a), a->numel, lo, hi);
  Node* node;
  if (autograd_record(out, OP_CLAMP, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    node->f[0] = lo;
    node->f[1] = hi;
  }
  return out;
}

int clamp_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* dx = tensor_new_like(g, "backward");
  if (!dx) return k_last_status();
  clamp_backward_f32(tensor_f32(dx), tensor_f32(g), tensor_f32(n->inputs[0]), g->numel, (float)n->f[0],
                     (float)n->f[1]);
  gi[0] = dx;
  return K_OK;
}
