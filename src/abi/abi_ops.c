/* abi_ops.c: the tensor-op half of the ABI (see kindling.h): handle lookups, argument
 * checks that need the PyTorch-level name, then the op from src/ops. */
#include "../core/error.h"
#include "../core/handles.h"
#include "abi_args.h"
#include "../kernels/elementwise.h"
#include "../kindling.h"
#include "../ops/ops.h"

static const char* binary_name(int kind) {
  static const char* names[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum"};
  return kind >= 0 && kind < BIN_COUNT ? names[kind] : "binary";
}

static const char* compare_name(int kind) {
  static const char* names[] = {"eq", "gt", "lt", "ne", "ge", "le"};
  return kind >= 0 && kind < 6 ? names[kind] : "compare";
}

static const char* unary_name(int kind) {
  static const char* names[UN_COUNT] = {
      "neg",   "exp",   "log",   "sqrt",  "relu",  "sigmoid", "tanh",  "pow",   "leaky_relu", "abs",
      "elu",   "gelu",  "gelu",  "sin",   "cos",   "tan",     "asin",  "acos",  "atan",       "sinh",
      "cosh",  "asinh", "acosh", "atanh", "log1p", "expm1",   "log2",  "log10", "exp2",       "rsqrt",
      "sign",  "floor", "ceil",  "round", "trunc", "reciprocal", "erf", "silu", "softplus",   "frac"};
  return kind >= 0 && kind < UN_COUNT ? names[kind] : "unary";
}

int32_t k_binary(int32_t kind, int32_t a, int32_t b) {
  if (kind < BIN_ADD || kind >= BIN_COUNT) return k_fail(K_ERR_RANGE, "binary: unknown kind %d", kind);
  ARG(ta, a, binary_name(kind), "input");
  ARG(tb, b, binary_name(kind), "other");
  return handle_new(op_binary(kind, ta, tb, binary_name(kind)));
}

int32_t k_binary_scalar(int32_t kind, int32_t a, double s, int32_t scalar_first) {
  if (kind < BIN_ADD || kind > BIN_POW || (kind == BIN_POW && !scalar_first))
    return k_fail(K_ERR_RANGE, "binary: unknown kind %d", kind); /* x ** s is k_unary's pow */
  ARG(ta, a, binary_name(kind), "input");
  return handle_new(op_binary_scalar(kind, ta, (float)s, scalar_first, binary_name(kind)));
}

int32_t k_compare(int32_t kind, int32_t a, int32_t b) {
  if (kind < CMP_EQ || kind > CMP_LE) return k_fail(K_ERR_RANGE, "compare: unknown kind %d", kind);
  ARG(ta, a, compare_name(kind), "input");
  ARG(tb, b, compare_name(kind), "other");
  return handle_new(op_compare(kind, ta, tb, compare_name(kind)));
}

int32_t k_compare_scalar(int32_t kind, int32_t a, double s) {
  if (kind < CMP_EQ || kind > CMP_LE) return k_fail(K_ERR_RANGE, "compare: unknown kind %d", kind);
  ARG(ta, a, compare_name(kind), "input");
  return handle_new(op_compare_scalar(kind, ta, (float)s, compare_name(kind)));
}

int32_t k_unary(int32_t kind, int32_t a, double p) {
  if (kind < UN_NEG || kind >= UN_COUNT) return k_fail(K_ERR_RANGE, "unary: unknown kind %d", kind);
  ARG(ta, a, unary_name(kind), "input");
  return handle_new(op_unary(kind, ta, (float)p, unary_name(kind)));
}

int32_t k_sum(int32_t a, int32_t dim, int32_t keepdim, int32_t mean) {
  const char* name = mean ? "mean" : "sum";
  ARG(ta, a, name, "input");
  return handle_new(op_sum(ta, dim, keepdim, mean, name));
}

int32_t k_max_dim(int32_t a, int32_t dim, int32_t keepdim) {
  ARG(ta, a, "max", "input");
  Tensor* indices = NULL;
  Tensor* values = op_max_dim(ta, dim, keepdim, &indices, "max");
  return pair_out(values, indices);
}

int32_t k_max_all(int32_t a) {
  ARG(ta, a, "max", "input");
  return handle_new(op_max_all(ta, "max"));
}

int32_t k_argmax(int32_t a, int32_t dim, int32_t keepdim) {
  ARG(ta, a, "argmax", "input");
  return handle_new(op_argmax(ta, dim, keepdim, "argmax"));
}

int32_t k_matmul(int32_t a, int32_t b) {
  ARG(ta, a, "matmul", "input");
  ARG(tb, b, "matmul", "other");
  return handle_new(op_matmul(ta, tb, "matmul"));
}

int32_t k_reshape(int32_t a, int32_t ndim, const int32_t* shape) {
  VIEW_ARG(ta, a, "reshape", "input");
  return handle_new(op_reshape(ta, ndim, shape, "reshape"));
}

int32_t k_permute(int32_t a, int32_t ndim, const int32_t* dims) {
  ARG(ta, a, "permute", "input");
  if (ndim != ta->ndim)
    return k_fail(K_ERR_RUNTIME,
                  "permute: number of dims don't match in permute (the tensor has %d dims, %d were given)",
                  ta->ndim, ndim);
  return handle_new(op_permute(ta, dims, "permute"));
}

int32_t k_transpose(int32_t a, int32_t d0, int32_t d1) {
  ARG(ta, a, "transpose", "input");
  return handle_new(op_transpose(ta, d0, d1, "transpose"));
}

int32_t k_flatten(int32_t a, int32_t start, int32_t end) {
  VIEW_ARG(ta, a, "flatten", "input");
  return handle_new(op_flatten(ta, start, end, "flatten"));
}

int32_t k_expand(int32_t a, int32_t ndim, const int32_t* shape) {
  ARG(ta, a, "expand", "input");
  return handle_new(op_expand(ta, ndim, shape, "expand"));
}

int32_t k_clone(int32_t a) {
  VIEW_ARG(ta, a, "clone", "input");
  return handle_new(op_clone(ta, "clone"));
}

int32_t k_detach(int32_t a) {
  VIEW_ARG(ta, a, "detach", "input");
  return handle_new(op_detach(ta, "detach"));
}

int32_t k_cast(int32_t a, int32_t dtype) {
  ARG(ta, a, "to", "input");
  return handle_new(op_cast(ta, dtype, "to"));
}

int32_t k_softmax(int32_t a, int32_t dim, int32_t log) {
  const char* name = log ? "log_softmax" : "softmax";
  ARG(ta, a, name, "input");
  return handle_new(op_softmax(ta, dim, log, name));
}

int32_t k_index_select(int32_t a, int32_t dim, int32_t index) {
  ARG(ta, a, "index_select", "input");
  ARG(ti, index, "index_select", "index");
  return handle_new(op_index_select(ta, dim, ti, "index_select"));
}

int32_t k_narrow(int32_t a, int32_t dim, int32_t start, int32_t length) {
  VIEW_ARG(ta, a, "narrow", "input");
  return handle_new(op_narrow(ta, dim, start, length, "narrow"));
}

int32_t k_cat(int32_t n, const int32_t* handles, int32_t dim) {
  enum { MAX_PARTS = 4096 };
  static Tensor* parts[MAX_PARTS];
  if (n < 1 || n > MAX_PARTS) return k_fail(K_ERR_RANGE, "cat: expected 1 to %d tensors, got %d", MAX_PARTS, n);
  for (int i = 0; i < n; i++)
    if (!(parts[i] = arg_dense(handles[i], "cat", "tensors"))) return k_last_status();
  return handle_new(op_cat(n, parts, dim, "cat"));
}

/* The kind codes' names, so that the shim builds its tables from this one source. */
const char* k_unary_name(int32_t kind) { return kind >= 0 && kind < UN_COUNT ? unary_name(kind) : 0; }
const char* k_binary_name(int32_t kind) { return kind >= 0 && kind < BIN_COUNT ? binary_name(kind) : 0; }
