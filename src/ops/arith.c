/* arith.c: add, sub, mul, div, pow, maximum, minimum (tensor-tensor with PyTorch
 * broadcasting, and with a scalar), where(cond, a, b), and the comparisons eq / gt / lt / ne /
 * ge / le. Integer tensors are computed in float32
 * and cast back, except that true division always gives float32, as in PyTorch. */
#include <math.h>
#include <string.h>

#include "../core/error.h"
#include "../kernels/elementwise.h"
#include "../kernels/reduce.h"
#include "ops.h"

int broadcast_shape(const Tensor* a, const Tensor* b, int32_t* out, const char* name) {
  int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int i = 0; i < nd; i++) {
    int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
    int32_t sa = ia >= 0 ? a->shape[ia] : 1, sb = ib >= 0 ? b->shape[ib] : 1;
    if (sa != sb && sa != 1 && sb != 1)
      return k_fail(K_ERR_RUNTIME,
                    "%s: the size of tensor a (%d) must match the size of tensor b (%d) at non-singleton dimension %d",
                    name, (int)sa, (int)sb, i),
             -1;
    out[i] = sa == 1 ? sb : sa;
  }
  return nd;
}

/* Element strides of t seen through the broadcast shape (0 along broadcast dimensions). */
static void broadcast_strides(const int32_t* shape, int ndim, const int32_t* oshape, int ondim, int64_t* strides) {
  int64_t s = 1;
  for (int i = ondim - 1; i >= 0; i--) {
    int k = i - (ondim - ndim);
    int32_t size = k >= 0 ? shape[k] : 1;
    strides[i] = (size == 1 && oshape[i] != 1) || k < 0 ? 0 : s;
    if (k >= 0) s *= size;
  }
}

/* Calls row(ctx, row_index, a_offset, b_offset, as, bs, n) for each innermost row of the
 * broadcast; as and bs are 0 or 1 (the innermost strides). */
typedef void (*RowFn)(void* ctx, int64_t row, int64_t aoff, int as, int64_t boff, int bs, int64_t n);

static void for_each_row(int ndim, const int32_t* oshape, const int64_t* astr, const int64_t* bstr, RowFn row,
                         void* ctx) {
  int64_t n = ndim ? oshape[ndim - 1] : 1;
  int as = ndim ? (int)astr[ndim - 1] : 0, bs = ndim ? (int)bstr[ndim - 1] : 0;
  int64_t rows = 1;
  for (int i = 0; i < ndim - 1; i++) rows *= oshape[i];
  if (n == 0) return;
  int32_t idx[K_MAX_DIMS] = {0};
  int64_t aoff = 0, boff = 0;
  for (int64_t r = 0; r < rows; r++) {
    row(ctx, r, aoff, as, boff, bs, n);
    for (int d = ndim - 2; d >= 0; d--) { /* odometer over the outer dimensions */
      idx[d]++;
      aoff += astr[d];
      boff += bstr[d];
      if (idx[d] < oshape[d]) break;
      aoff -= astr[d] * idx[d];
      boff -= bstr[d] * idx[d];
      idx[d] = 0;
    }
  }
}

typedef struct BinaryCtx {
  int kind;
  const float *a, *b;
  float* out;
  int32_t* iout;
} BinaryCtx;

static void binary_row(void* p, int64_t r, int64_t aoff, int as, int64_t boff, int bs, int64_t n) {
  BinaryCtx* c = p;
  binary_f32(c->kind, c->out + r * n, c->a + aoff, as, c->b + boff, bs, n);
}

static void compare_row(void* p, int64_t r, int64_t aoff, int as, int64_t boff, int bs, int64_t n) {
  BinaryCtx* c = p;
  compare_f32(c->kind, c->iout + r * n, c->a + aoff, as, c->b + boff, bs, n);
}

/* Runs a broadcast kernel over float views of a and b into out (shape oshape). */
static void broadcast_run(RowFn row, BinaryCtx* ctx, const Tensor* a, const Tensor* b, const int32_t* oshape,
                          int nd) {
  int64_t astr[K_MAX_DIMS], bstr[K_MAX_DIMS];
  broadcast_strides(a->shape, a->ndim, oshape, nd, astr);
  broadcast_strides(b->shape, b->ndim, oshape, nd, bstr);
  for_each_row(nd, oshape, astr, bstr, row, ctx);
}

/* A float32 copy of an integer tensor (or a new reference to a float one). */
static Tensor* as_float(Tensor* t, const char* name) {
  if (t->dtype == K_FLOAT32) {
    tensor_retain(t);
    return t;
  }
  Tensor* f = tensor_new(K_FLOAT32, t->ndim, t->shape, name);
  if (f)
    for (int64_t i = 0; i < t->numel; i++) tensor_f32(f)[i] = (float)tensor_i32(t)[i];
  return f;
}

/* Integer results of add / sub / mul go back to int64, as PyTorch's type promotion. */
static Tensor* maybe_back_to_int(Tensor* out, int dtype) {
  if (!out || dtype == K_FLOAT32) return out;
  for (int64_t i = 0; i < out->numel; i++) tensor_i32(out)[i] = (int32_t)tensor_f32(out)[i];
  out->dtype = K_INT64;
  return out;
}

static int result_dtype(int kind, const Tensor* a, const Tensor* b) {
  if (kind == BIN_DIV || (kind == BIN_POW && !b) || a->dtype == K_FLOAT32 || (b && b->dtype == K_FLOAT32)) return K_FLOAT32;
  return K_INT64;
}

Tensor* op_binary(int kind, Tensor* a, Tensor* b, const char* name) {
  int32_t oshape[K_MAX_DIMS];
  int nd = broadcast_shape(a, b, oshape, name);
  if (nd < 0) return NULL;
  int dtype = result_dtype(kind, a, b);
  Tensor *fa = as_float(a, name), *fb = fa ? as_float(b, name) : NULL;
  Tensor* out = fb ? tensor_new(K_FLOAT32, nd, oshape, name) : NULL;
  if (out) {
    BinaryCtx ctx = {kind, tensor_f32(fa), tensor_f32(fb), tensor_f32(out), NULL};
    broadcast_run(binary_row, &ctx, fa, fb, oshape, nd);
  }
  if (fa) tensor_release(fa);
  if (fb) tensor_release(fb);
  out = maybe_back_to_int(out, dtype);
  if (!out || dtype != K_FLOAT32) return out;
  Node* node;
  Tensor* inputs[2] = {a, b};
  if (autograd_record(out, kind <= BIN_DIV ? OP_ADD + kind : OP_BINARY_MATH, 2, inputs, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  /* the values backward reads: a * b needs each for the other's gradient; a / b always needs b;
   * pow / maximum / minimum read both */
  if (node) {
    node->i[0] = kind;
    node->reads = kind == BIN_ADD || kind == BIN_SUB ? 0
                  : kind == BIN_MUL                ? (b->requires_grad ? 1 : 0) | (a->requires_grad ? 2 : 0)
                  : kind == BIN_DIV                ? (b->requires_grad ? 1 : 0) | 2
                                                   : 3;
  }
  return out;
}

void sum_to_shape(float* out, const int32_t* shape, int ndim, const float* g, const int32_t* gshape, int gndim) {
  int64_t n = 1, gn = 1;
  for (int i = 0; i < ndim; i++) n *= shape[i];
  for (int i = 0; i < gndim; i++) gn *= gshape[i];
  if (n == gn) { /* no broadcasting happened (only leading 1s differ) */
    memcpy(out, g, (size_t)n * 4);
    return;
  }
  if (n == 1) {
    out[0] = sum_f32(g, gn);
    return;
  }
  int64_t strides[K_MAX_DIMS];
  broadcast_strides(shape, ndim, gshape, gndim, strides);
  memset(out, 0, (size_t)n * 4);
  int32_t idx[K_MAX_DIMS] = {0};
  int64_t off = 0;
  for (int64_t i = 0; i < gn; i++) {
    out[off] += g[i];
    for (int d = gndim - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < gshape[d]) break;
      off -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

/* Reduces a full-size gradient to t's shape into a new tensor; consumes full. */
static Tensor* reduce_to(Tensor* full, const Tensor* t) {
  if (!full || tensor_same_shape(full, t)) return full;
  Tensor* out = tensor_new(K_FLOAT32, t->ndim, t->shape, "backward");
  if (out) sum_to_shape(tensor_f32(out), t->shape, t->ndim, tensor_f32(full), full->shape, full->ndim);
  tensor_release(full);
  return out;
}

/* g (op) x broadcast to g's shape, as a new tensor. */
static Tensor* combine(int kind, const Tensor* g, const Tensor* x) {
  Tensor* out = tensor_new(K_FLOAT32, g->ndim, g->shape, "backward");
  if (!out) return NULL;
  BinaryCtx ctx = {kind, tensor_f32(g), tensor_f32(x), tensor_f32(out), NULL};
  broadcast_run(binary_row, &ctx, g, x, g->shape, g->ndim);
  return out;
}

/* Full-size (g's shape) gradients of pow / maximum / minimum for a and b; ga or gb NULL when
 * not wanted. */
typedef struct MathGradCtx {
  int kind;
  const float *a, *b, *g;
  float *ga, *gb;
} MathGradCtx;

static void math_grad_row(void* p, int64_t r, int64_t aoff, int as, int64_t boff, int bs, int64_t n) {
  MathGradCtx* c = p;
  const float *a = c->a + aoff, *b = c->b + boff, *g = c->g + r * n;
  float *ga = c->ga ? c->ga + r * n : NULL, *gb = c->gb ? c->gb + r * n : NULL;
  for (int64_t i = 0; i < n; i++) {
    float x = a[i * as], y = b[i * bs], d = g[i];
    if (c->kind == BIN_POW) { /* PyTorch's pow_backward_self / pow_backward_exponent */
      if (ga) ga[i] = y == 0.0f ? 0.0f : d * y * powf(x, y - 1.0f);
      if (gb) gb[i] = x == 0.0f && y >= 0.0f ? 0.0f : d * (powf(x, y) * logf(x));
    } else { /* maximum / minimum: ties split the gradient, as PyTorch */
      int a_loses = c->kind == BIN_MAX ? x < y : x > y;
      int b_loses = c->kind == BIN_MAX ? x > y : x < y;
      float share = x == y ? d * 0.5f : d;
      if (ga) ga[i] = a_loses ? 0.0f : share;
      if (gb) gb[i] = b_loses ? 0.0f : share;
    }
  }
}

static int math_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *b = n->inputs[1];
  Tensor* ga = a->requires_grad ? tensor_new_like(g, "backward") : NULL;
  Tensor* gb = b->requires_grad ? tensor_new_like(g, "backward") : NULL;
  if ((a->requires_grad && !ga) || (b->requires_grad && !gb)) {
    if (ga) tensor_release(ga);
    return k_last_status();
  }
  MathGradCtx ctx = {n->i[0], tensor_f32(a), tensor_f32(b), tensor_f32(g), ga ? tensor_f32(ga) : NULL,
                     gb ? tensor_f32(gb) : NULL};
  int64_t astr[K_MAX_DIMS], bstr[K_MAX_DIMS];
  broadcast_strides(a->shape, a->ndim, g->shape, g->ndim, astr);
  broadcast_strides(b->shape, b->ndim, g->shape, g->ndim, bstr);
  for_each_row(g->ndim, g->shape, astr, bstr, math_grad_row, &ctx);
  if (ga && !(ga = reduce_to(ga, a))) {
    if (gb) tensor_release(gb);
    return k_last_status();
  }
  if (gb && !(gb = reduce_to(gb, b))) {
    if (ga) tensor_release(ga);
    return k_last_status();
  }
  gi[0] = ga;
  gi[1] = gb;
  return K_OK;
}

int binary_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *b = n->inputs[1];
  int kind = n->i[0];
  Tensor *ga = NULL, *gb = NULL;
  if (a->dtype != K_FLOAT32 || b->dtype != K_FLOAT32) { /* an integer operand: differentiate on float copies */
    Tensor *fa = as_float(a, "backward"), *fb = fa ? as_float(b, "backward") : NULL;
    int status = K_ERR_OOM;
    if (fb) {
      fa->requires_grad = a->requires_grad;
      fb->requires_grad = b->requires_grad;
      Node copy = *n;
      copy.inputs[0] = fa;
      copy.inputs[1] = fb;
      status = binary_backward(&copy, g, gi);
    }
    if (fa) tensor_release(fa);
    if (fb) tensor_release(fb);
    return status == K_ERR_OOM ? k_last_status() : status;
  }
  if (kind > BIN_DIV) return math_backward(n, g, gi);
  if (a->requires_grad) {
    if (kind == BIN_ADD || kind == BIN_SUB) {
      ga = tensor_new_like(g, "backward");
      if (ga) memcpy(tensor_f32(ga), tensor_f32(g), (size_t)g->numel * 4);
    } else {
      ga = combine(kind, g, b); /* g * b or g / b */
    }
    if (!(ga = reduce_to(ga, a))) return k_last_status();
  }
  if (b->requires_grad) {
    if (kind == BIN_ADD || kind == BIN_MUL) {
      gb = kind == BIN_ADD ? tensor_new_like(g, "backward") : combine(BIN_MUL, g, a);
      if (gb && kind == BIN_ADD) memcpy(tensor_f32(gb), tensor_f32(g), (size_t)g->numel * 4);
    } else if (kind == BIN_SUB) {
      gb = tensor_new_like(g, "backward");
      if (gb) unary_f32(UN_NEG, tensor_f32(gb), tensor_f32(g), g->numel, 0.0f);
    } else { /* d(a/b)/db = -a / b^2 = -(a / b) / b */
      Tensor* t = combine(BIN_MUL, g, a);
      gb = t ? combine(BIN_DIV, t, b) : NULL;
      if (t) tensor_release(t);
      if (gb) {
        Tensor* t2 = combine(BIN_DIV, gb, b);
        tensor_release(gb);
        gb = t2;
        if (gb) unary_f32(UN_NEG, tensor_f32(gb), tensor_f32(gb), gb->numel, 0.0f);
      }
    }
    if (!(gb = reduce_to(gb, b))) {
      if (ga) tensor_release(ga);
      return k_last_status();
    }
  }
  gi[0] = ga;
  gi[1] = gb;
  return K_OK;
}

Tensor* op_binary_scalar(int kind, Tensor* a, float s, int scalar_first, const char* name) {
  int dtype = a->dtype != K_FLOAT32 && kind != BIN_DIV && s == (float)(int32_t)s ? K_INT64 : K_FLOAT32;
  Tensor* fa = as_float(a, name);
  Tensor* out = fa ? tensor_new(K_FLOAT32, a->ndim, a->shape, name) : NULL;
  if (out) {
    if (scalar_first) binary_f32(kind, tensor_f32(out), &s, 0, tensor_f32(fa), 1, a->numel);
    else binary_f32(kind, tensor_f32(out), tensor_f32(fa), 1, &s, 0, a->numel);
  }
  if (fa) tensor_release(fa);
  out = maybe_back_to_int(out, dtype);
  if (!out || dtype != K_FLOAT32) return out;
  Node* node;
  if (autograd_record(out, OP_SCALAR, 1, &a, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    node->i[0] = kind;
    node->i[1] = scalar_first;
    node->f[0] = s;
    node->reads = kind == BIN_DIV && scalar_first;
  }
  return out;
}

int scalar_backward(Node* n, const Tensor* g, Tensor** gi) {
  int kind = n->i[0], scalar_first = n->i[1];
  float s = (float)n->f[0];
  Tensor* a = n->inputs[0];
  Tensor* ga = tensor_new_like(g, "backward");
  if (!ga) return k_last_status();
  float *dst = tensor_f32(ga), *src = tensor_f32(g), *x = tensor_f32(a);
  int64_t count = g->numel;
  switch (kind) {
    case BIN_ADD: memcpy(dst, src, (size_t)count * 4); break;
    case BIN_SUB:
      if (scalar_first) unary_f32(UN_NEG, dst, src, count, 0.0f);
      else memcpy(dst, src, (size_t)count * 4);
      break;
    case BIN_MUL: binary_f32(BIN_MUL, dst, src, 1, &s, 0, count); break;
    case BIN_POW: /* s ** x (scalar_first; x ** s is the unary pow): PyTorch's pow_backward_exponent */
      for (int64_t i = 0; i < count; i++) dst[i] = s == 0.0f && x[i] >= 0.0f ? 0.0f : src[i] * (powf(s, x[i]) * logf(s));
      break;
    default:
      if (!scalar_first) binary_f32(BIN_DIV, dst, src, 1, &s, 0, count);
      else /* d(s/x)/dx = -s / x^2 */
        for (int64_t i = 0; i < count; i++) dst[i] = -src[i] * s / (x[i] * x[i]);
  }
  gi[0] = ga;
  return K_OK;
}

Tensor* op_compare(int kind, Tensor* a, Tensor* b, const char* name) {
  int32_t oshape[K_MAX_DIMS];
  int nd = broadcast_shape(a, b, oshape, name);
  if (nd < 0) return NULL;
  Tensor *fa = as_float(a, name), *fb = fa ? as_float(b, name) : NULL;
  Tensor* out = fb ? tensor_new(K_BOOL, nd, oshape, name) : NULL;
  if (out) {
    BinaryCtx ctx = {kind, tensor_f32(fa), tensor_f32(fb), NULL, tensor_i32(out)};
    broadcast_run(compare_row, &ctx, fa, fb, oshape, nd);
  }
  if (fa) tensor_release(fa);
  if (fb) tensor_release(fb);
  return out;
}

Tensor* op_compare_scalar(int kind, Tensor* a, float s, const char* name) {
  Tensor* fa = as_float(a, name);
  Tensor* out = fa ? tensor_new(K_BOOL, a->ndim, a->shape, name) : NULL;
  if (out) compare_f32(kind, tensor_i32(out), tensor_f32(fa), 1, &s, 0, a->numel);
  if (fa) tensor_release(fa);
  return out;
}

/* where(cond, a, b): a where cond is true, else b, all three broadcast together. a and b are
 * float32 unless both are integers. */
Tensor* op_where(Tensor* cond, Tensor* a, Tensor* b, const char* name) {
  int32_t ab[K_MAX_DIMS], oshape[K_MAX_DIMS];
  int nab = broadcast_shape(a, b, ab, name);
  if (nab < 0) return NULL;
  Tensor view = *a; /* only shape fields are read by broadcast_shape */
  view.ndim = nab;
  memcpy(view.shape, ab, sizeof ab);
  int nd = broadcast_shape(cond, &view, oshape, name);
  if (nd < 0) return NULL;
  int floats = a->dtype == K_FLOAT32 || b->dtype == K_FLOAT32;
  Tensor *fa = floats ? as_float(a, name) : a, *fb = floats && fa ? as_float(b, name) : b;
  Tensor* out = fa && fb ? tensor_new(floats ? K_FLOAT32 : K_INT64, nd, oshape, name) : NULL;
  if (out) {
    int64_t cs[K_MAX_DIMS], as[K_MAX_DIMS], bs[K_MAX_DIMS];
    broadcast_strides(cond->shape, cond->ndim, oshape, nd, cs);
    broadcast_strides(a->shape, a->ndim, oshape, nd, as);
    broadcast_strides(b->shape, b->ndim, oshape, nd, bs);
    const int32_t *c = tensor_i32(cond), *pa = tensor_i32(fa), *pb = tensor_i32(fb); /* 32-bit words */
    int32_t* po = tensor_i32(out);
    int32_t idx[K_MAX_DIMS] = {0};
    int64_t co = 0, ao = 0, bo = 0;
    for (int64_t i = 0; i < out->numel; i++) {
      po[i] = c[co] ? pa[ao] : pb[bo];
      for (int d = nd - 1; d >= 0; d--) {
        idx[d]++;
        co += cs[d], ao += as[d], bo += bs[d];
        if (idx[d] < oshape[d]) break;
        co -= cs[d] * idx[d], ao -= as[d] * idx[d], bo -= bs[d] * idx[d];
        idx[d] = 0;
      }
    }
  }
  if (floats) {
    if (fa) tensor_release(fa);
    if (fb) tensor_release(fb);
  }
  if (!out || !floats) return out;
  Node* node;
  Tensor* inputs[3] = {a, b, cond};
  if (autograd_record(out, OP_WHERE, 3, inputs, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  return out;
}

int where_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *b = n->inputs[1], *cond = n->inputs[2];
  int64_t cs[K_MAX_DIMS];
  broadcast_strides(cond->shape, cond->ndim, g->shape, g->ndim, cs);
  for (int side = 0; side < 2; side++) {
    Tensor* t = side ? b : a;
    if (!t->requires_grad) continue;
    Tensor* full = tensor_new_like(g, "backward");
    if (!full) goto fail;
    int32_t idx[K_MAX_DIMS] = {0};
    int64_t co = 0;
    for (int64_t i = 0; i < g->numel; i++) {
      int take = tensor_i32(cond)[co] ? !side : side;
      tensor_f32(full)[i] = take ? tensor_f32(g)[i] : 0.0f;
      for (int d = g->ndim - 1; d >= 0; d--) {
        idx[d]++;
        co += cs[d];
        if (idx[d] < g->shape[d]) break;
        co -= cs[d] * idx[d];
        idx[d] = 0;
      }
    }
    if (!(gi[side] = reduce_to(full, t))) goto fail;
  }
  return K_OK;
fail:
  if (gi[0]) tensor_release(gi[0]);
  gi[0] = NULL;
  return k_last_status();
}

/* Walks the broadcast of up to three operands over oshape (nd dims): visit(ctx, i, offsets)
 * with offsets[k] the element of operand k (a NULL operand stays at 0). */
typedef void (*Visit3)(void* ctx, int64_t i, const int64_t* off);
static void for_each3(Tensor* const* t, const int32_t* oshape, int nd, Visit3 visit, void* ctx) {
  int64_t str[3][K_MAX_DIMS] = {{0}}, off[3] = {0}, n = 1;
  for (int k = 0; k < 3; k++)
    if (t[k]) broadcast_strides(t[k]->shape, t[k]->ndim, oshape, nd, str[k]);
  for (int d = 0; d < nd; d++) n *= oshape[d];
  int32_t idx[K_MAX_DIMS] = {0};
  for (int64_t i = 0; i < n; i++) {
    visit(ctx, i, off);
    for (int d = nd - 1; d >= 0; d--) {
      idx[d]++;
      for (int k = 0; k < 3; k++) off[k] += str[k][d];
      if (idx[d] < oshape[d]) break;
      for (int k = 0; k < 3; k++) off[k] -= str[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}

typedef struct Clamp3 {
  const float *x, *lo, *hi, *g;
  float *out, *gx, *glo, *ghi;
} Clamp3;

static void clamp3_forward(void* p, int64_t i, const int64_t* off) {
  Clamp3* c = p;
  float v = c->x[off[0]], lo = c->lo ? c->lo[off[1]] : -INFINITY, hi = c->hi ? c->hi[off[2]] : INFINITY;
  if (v != v || lo != lo || hi != hi) c->out[i] = NAN; /* ATen: NaN anywhere gives NaN */
  else c->out[i] = fminf(fmaxf(v, lo), hi);
}

/* PyTorch's clamp_backward / clamp_backward_min_max for tensor bounds (full-size grads). */
static void clamp3_backward(void* p, int64_t i, const int64_t* off) {
  Clamp3* c = p;
  float v = c->x[off[0]], d = c->g[i];
  int has_lo = c->lo != NULL, has_hi = c->hi != NULL;
  float lo = has_lo ? c->lo[off[1]] : 0.0f, hi = has_hi ? c->hi[off[2]] : 0.0f;
  if (c->gx) c->gx[i] = (!has_lo || v >= lo) && (!has_hi || v <= hi) ? d : 0.0f;
  if (c->glo) c->glo[i] = v < lo && (!has_hi || lo < hi) ? d : 0.0f;
  if (c->ghi) c->ghi[i] = has_lo ? (v > hi || hi < lo ? d : 0.0f) : (v > hi ? d : 0.0f);
}

/* clamp(x, min, max) with tensor bounds (either may be NULL), all float32, broadcast. */
Tensor* op_clamp_tensor(Tensor* x, Tensor* lo, Tensor* hi, const char* name) {
  Tensor* parts[3] = {x, lo, hi};
  for (int k = 0; k < 3; k++)
    if (parts[k] && parts[k]->dtype != K_FLOAT32)
      return k_fail(K_ERR_TYPE, "%s: expected float32 tensors, got %s (convert with .float())", name,
                    dtype_name(parts[k]->dtype)), NULL;
  Tensor shape = *x; /* the running broadcast shape (shape fields only) */
  for (int k = 1; k < 3; k++) {
    if (!parts[k]) continue;
    int32_t s[K_MAX_DIMS];
    int nd = broadcast_shape(&shape, parts[k], s, name);
    if (nd < 0) return NULL;
    shape.ndim = nd;
    memcpy(shape.shape, s, sizeof s);
  }
  Tensor* out = tensor_new(K_FLOAT32, shape.ndim, shape.shape, name);
  if (!out) return NULL;
  Clamp3 c = {tensor_f32(x), lo ? tensor_f32(lo) : NULL, hi ? tensor_f32(hi) : NULL, NULL, tensor_f32(out), 0, 0, 0};
  for_each3(parts, out->shape, out->ndim, clamp3_forward, &c);
  Node* node;
  if (autograd_record(out, OP_CLAMP_TENSOR, 3, parts, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  return out;
}

int clamp_tensor_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *x = n->inputs[0], *lo = n->inputs[1], *hi = n->inputs[2];
  Tensor* full[3] = {0};
  Tensor* parts[3] = {x, lo, hi};
  for (int k = 0; k < 3; k++)
    if (parts[k] && parts[k]->requires_grad && !(full[k] = tensor_new_like(g, "backward"))) goto fail;
  Clamp3 c = {tensor_f32(x), lo ? tensor_f32(lo) : NULL, hi ? tensor_f32(hi) : NULL, tensor_f32(g), NULL,
              full[0] ? tensor_f32(full[0]) : NULL, full[1] ? tensor_f32(full[1]) : NULL,
              full[2] ? tensor_f32(full[2]) : NULL};
  for_each3(parts, g->shape, g->ndim, clamp3_backward, &c);
  for (int k = 0; k < 3; k++) {
    if (!full[k]) continue;
    Tensor* r = reduce_to(full[k], parts[k]);
    full[k] = NULL;
    if (!r) goto fail;
    gi[k] = r;
  }
  return K_OK;
fail:
  for (int k = 0; k < 3; k++) {
    if (full[k]) tensor_release(full[k]);
    if (gi[k]) tensor_release(gi[k]);
    gi[k] = NULL;
  }
  return k_last_status();
}
