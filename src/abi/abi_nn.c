/* abi_nn.c: the layer half of the ABI (see kindling.h): handle lookups (0 = absent) and
 * argument unpacking for the ops in src/nn. */
#include "../core/error.h"
#include "../core/handles.h"
#include "abi_args.h"
#include "../kindling.h"
#include "../nn/nn_ops.h"

/* Looks up an optional handle: 0 gives NULL; a bad handle fails the call. */
static int optional(int32_t h, const char* op, const char* arg, Tensor** out) {
  *out = NULL;
  if (h == 0) return K_OK;
  *out = arg_dense(h, op, arg);
  return *out ? K_OK : k_last_status();
}

/* The same for a buffer the op updates in place (running statistics). */
static int optional_writable(int32_t h, const char* op, const char* arg, Tensor** out) {
  *out = NULL;
  if (h == 0) return K_OK;
  *out = arg_writable(h, op, arg);
  return *out ? K_OK : k_last_status();
}

int32_t k_conv2d(int32_t x, int32_t w, int32_t b, const int32_t* args) {
  Tensor *tx = arg_dense(x, "conv2d", "input"), *tw = tx ? arg_dense(w, "conv2d", "weight") : NULL, *tb;
  if (!tw || optional(b, "conv2d", "bias", &tb) != K_OK) return k_last_status();
  Conv2dArgs a = {args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8]};
  return handle_new(op_conv2d(tx, tw, tb, &a, "conv2d"));
}

int32_t k_linear(int32_t x, int32_t w, int32_t b) {
  Tensor *tx = arg_dense(x, "linear", "input"), *tw = tx ? arg_dense(w, "linear", "weight") : NULL, *tb;
  if (!tw || optional(b, "linear", "bias", &tb) != K_OK) return k_last_status();
  return handle_new(op_linear(tx, tw, tb, "linear"));
}

int32_t k_max_pool2d(int32_t x, const int32_t* args) {
  Tensor* tx = arg_dense(x, "max_pool2d", "input");
  if (!tx) return k_last_status();
  Pool2dArgs a = {args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], 0, 0};
  int want_indices = args[9] != 0;
  Tensor* indices = NULL;
  Tensor* y = op_max_pool2d(tx, &a, want_indices ? &indices : NULL, "max_pool2d");
  if (!y) return k_last_status();
  int32_t hi = 0;
  if (want_indices && (hi = handle_new(indices)) < 0) {
    tensor_release(y);
    return hi;
  }
  int32_t hy = handle_new(y);
  if (hy < 0) {
    if (hi) handle_release(hi); /* the shim never learns of the indices without the output */
    return hy;
  }
  k_scratch()[0] = hi;
  return hy;
}

int32_t k_avg_pool2d(int32_t x, const int32_t* args) {
  Tensor* tx = arg_dense(x, "avg_pool2d", "input");
  if (!tx) return k_last_status();
  Pool2dArgs a = {args[0], args[1], args[2], args[3], args[4], args[5], 1, 1, args[6], args[7], args[8]};
  return handle_new(op_avg_pool2d(tx, &a, "avg_pool2d"));
}

int32_t k_adaptive_avg_pool2d(int32_t x, int32_t oh, int32_t ow) {
  Tensor* tx = arg_dense(x, "adaptive_avg_pool2d", "input");
  if (!tx) return k_last_status();
  return handle_new(op_adaptive_avg_pool2d(tx, oh, ow, "adaptive_avg_pool2d"));
}

int32_t k_batch_norm(int32_t x, int32_t running_mean, int32_t running_var, int32_t weight, int32_t bias,
                     int32_t training, double momentum, double eps) {
  Tensor *tx = arg_dense(x, "batch_norm", "input"), *rm, *rv, *w, *b;
  if (!tx || optional_writable(running_mean, "batch_norm", "running_mean", &rm) != K_OK ||
      optional_writable(running_var, "batch_norm", "running_var", &rv) != K_OK ||
      optional(weight, "batch_norm", "weight", &w) != K_OK || optional(bias, "batch_norm", "bias", &b) != K_OK)
    return k_last_status();
  return handle_new(op_batch_norm(tx, rm, rv, w, b, training, momentum, eps, "batch_norm"));
}

int32_t k_dropout(int32_t x, double p, int32_t channel_wise) {
  const char* name = channel_wise ? "dropout2d" : "dropout";
  Tensor* tx = arg_dense(x, name, "input");
  if (!tx) return k_last_status();
  return handle_new(op_dropout(tx, p, channel_wise, name));
}
