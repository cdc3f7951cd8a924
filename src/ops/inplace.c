/* inplace.c: PyTorch's in-place ops — add_ sub_ mul_ div_ (alpha), fill_, copy_, clamp_ —
 * on any tensor, strided views included. Every in-place write bumps the storage's version
 * counter, which backward compares with what each node saw (autograd.c).
 *
 * Without autograd (torch.no_grad, or nothing requires grad) the write is direct: the SIMD
 * elementwise kernels run on self's memory when self is contiguous and other is a scalar
 * or a same-shaped non-overlapping tensor (the manual-update loop `w.sub_(w.grad.mul(lr))`);
 * otherwise the result is computed out of place and written back through self's strides.
 *
 * With autograd the op runs out of place, recorded as usual (on a clone of self when the
 * backward needs self's old values), then inplace_commit() writes the result into self and
 * gives self the result's history, as PyTorch rebases an in-place op's output. A leaf that
 * requires grad refuses (PyTorch's error); so does a view that would need its base's
 * history rewritten (PyTorch's CopySlices), which kindling does not do. */
#include <math.h>
#include <string.h>

#include "../core/error.h"
#include "../kernels/elementwise.h"
#include "ops.h"

static const char* shape_of(const Tensor* t, char* buf, size_t size) { return shape_str(t->shape, t->ndim, buf, size); }

/* The leaf a chain of view nodes starts from, if it requires grad (for PyTorch's message). */
static int views_a_leaf(const Tensor* t) {
  while (t->grad_fn && (t->grad_fn->op == OP_AS_VIEW || t->grad_fn->op == OP_VIEW) && t->grad_fn->inputs[0])
    t = t->grad_fn->inputs[0];
  return !t->grad_fn && t->requires_grad;
}

int inplace_check(Tensor* self, int needs_grad, const char* name) {
  if (!needs_grad) return K_OK;
  if (self->requires_grad && !self->grad_fn)
    return k_fail(K_ERR_RUNTIME, "%s: a leaf Variable that requires grad is being used in an in-place operation. "
                  "Wrap the update in torch.no_grad() (or use .data / .detach()).", name);
  if (self->is_view && views_a_leaf(self))
    return k_fail(K_ERR_RUNTIME, "%s: a view of a leaf Variable that requires grad is being used in an in-place "
                  "operation.", name);
  if (self->is_view)
    return k_fail(K_ERR_RUNTIME, "%s: in-place operations with autograd on a view (of a tensor that requires grad, "
                  "or with an operand that requires grad) are not supported by kindling; compute the result out of "
                  "place, or assign into the base tensor with setitem(...), which records the gradient", name);
  return K_OK;
}

int inplace_commit(Tensor* self, Tensor* r, const char* name) {
  (void)name;
  if (r) {
    if (self->contiguous) memcpy(tensor_data(self), tensor_data(r), (size_t)self->numel * 4);
    else tensor_scatter_from(self, tensor_data(r));
    if (r->grad_fn) {
      if (self->grad_fn) node_release(self->grad_fn); /* r's node keeps its own edge to it */
      self->grad_fn = r->grad_fn;
      r->grad_fn = NULL;
      self->requires_grad = 1;
      self->storage->rebases++;
    }
  }
  self->storage->version++;
  return K_OK;
}

/* clamp with PyTorch's rules: NaN stays NaN; min > max gives max everywhere. */
static inline float clamp1(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

/* self (op) other, all arithmetic direct on self's memory when the layouts allow. */
static int direct(int kind, Tensor* self, Tensor* other, float v, float alpha, float lo, float hi) {
  int64_t n = self->numel;
  float* x = tensor_f32(self);
  if (kind == INPLACE_FILL) {
    for (int64_t i = 0; i < n; i++) x[i] = v;
  } else if (kind == INPLACE_CLAMP) {
    clamp_f32(x, x, n, lo, hi);
  } else if (kind == INPLACE_COPY) {
    memmove(x, tensor_f32(other), (size_t)n * 4);
  } else if (other && (kind == INPLACE_ADD || kind == INPLACE_SUB) && alpha != 1.0f) {
    axpy_f32(x, kind == INPLACE_SUB ? -alpha : alpha, tensor_f32(other), n);
  } else if (other) {
    binary_f32(kind, x, x, 1, tensor_f32(other), 1, n);
  } else {
    float s = kind <= INPLACE_SUB ? v * alpha : v;
    binary_f32(kind, x, x, 1, &s, 0, n);
  }
  return K_OK;
}

static int can_write_direct(int kind, const Tensor* self, const Tensor* other) {
  if (!self->contiguous || self->dtype != K_FLOAT32) return 0;
  if (!other) return kind != INPLACE_COPY;
  return other->contiguous && other->dtype == K_FLOAT32 && tensor_same_shape(self, other) &&
         (other->storage->data != self->storage->data || other->offset == self->offset);
}

/* The result of the op out of place, at self's shape and dtype; recorded when grad is on. */
static Tensor* out_of_place(int kind, Tensor* self, Tensor* other, double s, double alpha, double lo, double hi,
                            const char* name) {
  int needs_grad = autograd_enabled() && (self->requires_grad || (other && other->requires_grad));
  Tensor* x = self->contiguous ? self : op_clone(self, name);
  if (!x) return NULL;
  if (x == self) tensor_retain(x);
  Tensor* r = NULL;
  if (kind <= INPLACE_DIV) {
    Tensor* o = other;
    if (o) tensor_retain(o);
    if (o && kind <= INPLACE_SUB && alpha != 1.0) {
      tensor_release(o);
      o = op_binary_scalar(BIN_MUL, other, (float)alpha, 0, name);
    }
    /* mul_ / div_ by a tensor that needs grad read self's old values: keep them in a clone */
    if (o && kind >= INPLACE_MUL && other->requires_grad && needs_grad && x == self) {
      tensor_release(x);
      x = op_clone(self, name);
    }
    if (x && (o || !other)) r = o ? op_binary(kind, x, o, name) : op_binary_scalar(kind, x, (float)(kind <= INPLACE_SUB ? s * alpha : s), 0, name);
    if (o) tensor_release(o);
  } else if (kind == INPLACE_CLAMP) {
    Tensor* mask = needs_grad ? tensor_new_like(self, name) : NULL;
    r = (mask || !needs_grad) ? tensor_new_like(self, name) : NULL;
    if (r) {
      float fl = (float)lo, fh = (float)hi;
      for (int64_t i = 0; i < r->numel; i++) {
        float v = tensor_f32(x)[i];
        tensor_f32(r)[i] = clamp1(v, fl, fh);
        if (mask) tensor_f32(mask)[i] = v >= fl && v <= fh ? 1.0f : 0.0f; /* a NaN bound bounds nothing */
      }
      Node* node;
      if (mask && autograd_record(r, OP_CLAMP_INPLACE, 1, &self, &node) != K_OK) {
        tensor_release(r);
        r = NULL;
      } else if (mask && node) {
        node_save(node, 0, mask);
        node->reads = 0;
      }
    }
    if (mask) tensor_release(mask);
  } else { /* fill_ / copy_: the new values, and an overwrite node for history */
    Tensor* v = NULL;
    if (other) {
      Tensor* c = other->dtype == self->dtype ? other : op_cast(other, self->dtype, name);
      if (c == other) tensor_retain(c);
      v = c ? op_expand(c, self->ndim, self->shape, name) : NULL;
      if (c) tensor_release(c);
    }
    r = (v || !other) ? tensor_new_like(self, name) : NULL;
    if (r) {
      if (v) memcpy(tensor_data(r), tensor_data(v), (size_t)r->numel * 4);
      else if (self->dtype == K_FLOAT32) for (int64_t i = 0; i < r->numel; i++) tensor_f32(r)[i] = (float)s;
      else for (int64_t i = 0; i < r->numel; i++) tensor_i32(r)[i] = (int32_t)s;
      Node* node;
      Tensor* inputs[2] = {self, v};
      if (autograd_record(r, OP_OVERWRITE, v ? 2 : 1, inputs, &node) != K_OK) {
        tensor_release(r);
        r = NULL;
      } else if (node) {
        node->reads = 0;
      }
    }
    if (v) tensor_release(v);
  }
  tensor_release(x);
  return r;
}

int overwrite_backward(Node* n, const Tensor* g, Tensor** gi) {
  /* the old values are gone: a zero gradient (PyTorch's FillBackward / CopyBackwards) */
  gi[0] = tensor_zeros(K_FLOAT32, g->ndim, g->shape, "backward");
  if (!gi[0]) return k_last_status();
  if (n->ninputs < 2) return K_OK;
  Tensor* gv = tensor_new_like(g, "backward");
  if (!gv) {
    tensor_release(gi[0]);
    gi[0] = NULL;
    return k_last_status();
  }
  memcpy(tensor_f32(gv), tensor_f32(g), (size_t)g->numel * 4);
  gi[1] = gv;
  return K_OK;
}

int clamp_inplace_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor* dx = tensor_new_like(g, "backward");
  if (!dx) return k_last_status();
  binary_f32(BIN_MUL, tensor_f32(dx), tensor_f32(g), 1, tensor_f32(n->saved[0]), 1, g->numel);
  gi[0] = dx;
  return K_OK;
}

static int check_args(int kind, Tensor* self, Tensor* other, double s, double alpha, double lo, double hi,
                      const char* name) {
  char a[96], b[96];
  if (kind == INPLACE_FILL && other && other->ndim != 0)
    return k_fail(K_ERR_RUNTIME, "%s: fill_ only supports 0-dimension value tensor but got tensor with %d dimensions.",
                  name, other->ndim);
  if (kind == INPLACE_COPY && !other) return k_fail(K_ERR_RUNTIME, "%s: missing the source tensor", name);
  if (kind == INPLACE_CLAMP) {
    if (isnan(lo) && isnan(hi))
      return k_fail(K_ERR_RUNTIME, "%s: At least one of 'min' or 'max' must not be None", name);
    if (self->dtype != K_FLOAT32)
      return k_fail(K_ERR_TYPE, "%s: expected a float32 tensor, got %s", name, dtype_name(self->dtype));
  }
  if (kind <= INPLACE_DIV && self->dtype != K_FLOAT32) {
    int float_result = kind == INPLACE_DIV || (other ? other->dtype == K_FLOAT32 : s != (double)(int32_t)s);
    if (alpha != (double)(int32_t)alpha)
      return k_fail(K_ERR_RUNTIME, "%s: for integral input tensors, argument alpha must not be a floating point "
                    "number.", name);
    if (self->dtype == K_BOOL || float_result)
      return k_fail(K_ERR_RUNTIME, "%s: result type %s can't be cast to the desired output type %s", name,
                    float_result ? "Float" : "Long", self->dtype == K_BOOL ? "Bool" : "Long");
  }
  if (other && kind != INPLACE_FILL) {
    int32_t shape[K_MAX_DIMS];
    int nd = broadcast_shape(self, other, shape, name);
    if (nd < 0) return k_last_status();
    if (nd != self->ndim || memcmp(shape, self->shape, (size_t)nd * 4) != 0)
      return k_fail(K_ERR_RUNTIME, "%s: output with shape %s doesn't match the broadcast shape %s", name,
                    shape_of(self, a, sizeof a), shape_str(shape, nd, b, sizeof b));
  }
  return K_OK;
}

int op_inplace(int kind, Tensor* self, Tensor* other, double s, double alpha, double lo, double hi, const char* name) {
  if (check_args(kind, self, other, s, alpha, lo, hi, name) != K_OK) return k_last_status();
  if (kind == INPLACE_FILL && other) { /* fill_ with a 0-d tensor: a copy_ that broadcasts */
    kind = INPLACE_COPY;
  }
  if (kind == INPLACE_CLAMP) {
    if (isnan(lo)) lo = -INFINITY;
    if (isnan(hi)) hi = INFINITY;
  }
  int needs_grad = autograd_enabled() && self->dtype == K_FLOAT32 && (self->requires_grad || (other && other->requires_grad));
  if (inplace_check(self, needs_grad, name) != K_OK) return k_last_status();
  if (!needs_grad && can_write_direct(kind, self, other)) {
    direct(kind, self, other, (float)s, (float)alpha, (float)lo, (float)hi);
    return inplace_commit(self, NULL, name);
  }
  int saved = autograd_enabled();
  if (!needs_grad) autograd_set_enabled(0);
  Tensor* r = out_of_place(kind, self, other, s, alpha, lo, hi, name);
  autograd_set_enabled(saved);
  if (!r) return k_last_status();
  if (r->dtype != self->dtype) { /* integer arithmetic came back as int64 from float-free ops only */
    Tensor* c = op_cast(r, self->dtype, name);
    tensor_release(r);
    if (!(r = c)) return k_last_status();
  }
  int status = inplace_commit(self, r, name);
  tensor_release(r);
  return status;
}
