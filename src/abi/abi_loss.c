/* abi_loss.c: the loss half of the ABI (see kindling.h), on nn/loss.c. */
#include "../core/error.h"
#include "../core/handles.h"
#include "abi_args.h"
#include "../kindling.h"
#include "../nn/nn_ops.h"

static int lookup(int32_t h, const char* op, const char* arg, int optional, Tensor** out) {
  *out = NULL;
  if (optional && h == 0) return K_OK;
  *out = arg_dense(h, op, arg);
  return *out ? K_OK : k_last_status();
}

static int32_t loss(int kind, int32_t input, int32_t target, int32_t weight, int32_t pos_weight, int ignore_index,
                    int32_t reduction, double param, const char* name) {
  Tensor *in, *t, *w, *pw;
  if (lookup(input, name, "input", 0, &in) || lookup(target, name, "target", 0, &t) ||
      lookup(weight, name, "weight", 1, &w) || lookup(pos_weight, name, "pos_weight", 1, &pw))
    return k_last_status();
  if (kind == LK_CROSS_ENTROPY && t->dtype == K_FLOAT32) {
    if (ignore_index >= 0)
      return k_fail(K_ERR_RUNTIME, "%s: ignore_index is not supported for floating point target", name);
    kind = LK_CROSS_ENTROPY_PROB;
  }
  return handle_new(op_loss(kind, in, t, w, pw, ignore_index, reduction, param, name));
}

int32_t k_cross_entropy(int32_t input, int32_t target, int32_t weight, int32_t ignore_index, int32_t reduction,
                        double label_smoothing) {
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    return k_fail(K_ERR_RANGE, "cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: %g", label_smoothing);
  return loss(LK_CROSS_ENTROPY, input, target, weight, 0, ignore_index, reduction, label_smoothing, "cross_entropy");
}

int32_t k_nll_loss(int32_t input, int32_t target, int32_t weight, int32_t ignore_index, int32_t reduction) {
  return loss(LK_NLL, input, target, weight, 0, ignore_index, reduction, 0.0, "nll_loss");
}

int32_t k_pointwise_loss(int32_t kind, int32_t input, int32_t target, int32_t reduction, double param) {
  static const char* names[] = {"l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"};
  if (kind < 0 || kind > 3) return k_fail(K_ERR_RANGE, "loss: unknown pointwise loss %d", kind);
  if (kind == 2 && !(param >= 0.0)) return k_fail(K_ERR_RANGE, "smooth_l1_loss: beta must be non-negative, got %g", param);
  if (kind == 3 && !(param > 0.0)) return k_fail(K_ERR_RANGE, "huber_loss: delta must be positive, got %g", param);
  return loss(LK_L1 + kind, input, target, 0, 0, 0, reduction, param, names[kind]);
}

int32_t k_bce(int32_t input, int32_t target, int32_t weight, int32_t reduction) {
  return loss(LK_BCE, input, target, weight, 0, 0, reduction, 0.0, "binary_cross_entropy");
}

int32_t k_bce_with_logits(int32_t input, int32_t target, int32_t weight, int32_t pos_weight, int32_t reduction) {
  return loss(LK_BCE_LOGITS, input, target, weight, pos_weight, 0, reduction, 0.0,
              "binary_cross_entropy_with_logits");
}

int32_t k_kl_div(int32_t input, int32_t target, int32_t reduction, int32_t log_target) {
  return loss(LK_KL_DIV, input, target, 0, 0, 0, reduction, log_target ? 1.0 : 0.0, "kl_div");
}
