/* optim_update.c: fused optimizer updates (SGD, Adam/AdamW, RMSprop, Adagrad) with
 * a scalar reference and a WASM SIMD path that performs the same float32 operations
 * in the same order, so the two agree bit for bit. See optim_update.h for the
 * contract and for what is left to the caller.
 *
 * How PyTorch's op sequence maps to float math (all tensors float32):
 *   t.mul_(s)              t * (float)s
 *   t.add_(u, alpha=s)     t + (float)s * u        (ufunc add: self + alpha*other)
 *   t.addcmul_(u, w, s)    t + ((float)s * u) * w  (left to right)
 *   t.addcdiv_(u, w, s)    t + ((float)s * u) / w
 *   t.sqrt() / s           sqrtf(t) / (float)s     (the double scalar is cast first)
 *   t.add_(s)              t + (float)s
 * Python-side scalars (1 - beta1, lr / bias_correction1, ...) are computed in double
 * first, exactly as written in PyTorch's optimizer, then rounded once to float.
 * Nothing here may be contracted to fused multiply-add (that is what makes PyTorch's
 * AVX2 kernels differ from its default ones): wasm SIMD128 has no FMA instruction,
 * and gcc in ISO mode (-std=c11) does not contract (-ffp-contract=off).
 * The *_run_* loops copy their constants into a local struct so the compiler knows
 * the stores through p/m/v cannot change them (it then hoists the flag tests). */
#include "optim_update.h"
#include "simd_switch.h"

#include <math.h>

const char* optim_status_string(int status) {
  switch (status) {
    case OPTIM_OK: return "ok";
    case OPTIM_ERR_NULL: return "a state buffer required by the optimizer options is missing";
    case OPTIM_ERR_STEP: return "invalid optimizer step count";
    default: return "unknown optimizer status";
  }
}

/* torch.maximum for the non-negative second moments: NaN propagates, and on ties
 * (+0 vs -0) it picks +0 like wasm's f32x4.max, so scalar and SIMD agree. */
static inline float max_nan(float a, float b) {
  if (a > b) return a;
  if (b > a) return b;
  if (a == b) return signbit(a) ? b : a;
  return a + b; /* one of them is NaN */
}

/* ---------------------------------------------------------------- SGD */

typedef struct {
  float neg_lr, momentum, one_minus_dampening, weight_decay;
  int has_wd, has_momentum, nesterov, maximize, first;
} SgdK;

static void sgd_run_scalar(float* p, const float* g, float* buf, size_t n, const SgdK* kp) {
  const SgdK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  for (size_t i = 0; i < n; i++) {
    float d = k->maximize ? -g[i] : g[i];
    if (k->has_wd) d = d + k->weight_decay * p[i];
    if (k->has_momentum) {
      float b = k->first ? d : buf[i] * k->momentum + k->one_minus_dampening * d;
      buf[i] = b;
      d = k->nesterov ? d + k->momentum * b : b;
    }
    p[i] = p[i] + k->neg_lr * d;
  }
}

#ifdef __wasm_simd128__
static void sgd_run_simd(float* p, const float* g, float* buf, size_t n, const SgdK* kp) {
  const SgdK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  const v128_t neg_lr = wasm_f32x4_splat(k->neg_lr);
  const v128_t mom = wasm_f32x4_splat(k->momentum);
  const v128_t omd = wasm_f32x4_splat(k->one_minus_dampening);
  const v128_t wd = wasm_f32x4_splat(k->weight_decay);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t pv = wasm_v128_load(p + i);
    v128_t d = wasm_v128_load(g + i);
    if (k->maximize) d = wasm_f32x4_neg(d);
    if (k->has_wd) d = wasm_f32x4_add(d, wasm_f32x4_mul(wd, pv));
    if (k->has_momentum) {
      v128_t b = d;
      if (!k->first)
        b = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(buf + i), mom),
                           wasm_f32x4_mul(omd, d));
      wasm_v128_store(buf + i, b);
      d = k->nesterov ? wasm_f32x4_add(d, wasm_f32x4_mul(mom, b)) : b;
    }
    wasm_v128_store(p + i, wasm_f32x4_add(pv, wasm_f32x4_mul(neg_lr, d)));
  }
  sgd_run_scalar(p + i, g + i, buf ? buf + i : NULL, n - i, k);
}
#endif

static int sgd_prepare(SgdK* k, const float* param, const float* grad,
                       const float* momentum_buf, size_t n, double lr, double momentum,
                       double dampening, double weight_decay, int nesterov,
                       int maximize, int first_step) {
  if (n > 0 && (!param || !grad)) return OPTIM_ERR_NULL;
  if (n > 0 && momentum != 0 && !momentum_buf) return OPTIM_ERR_NULL;
  k->neg_lr = (float)(-lr);
  k->momentum = (float)momentum;
  k->one_minus_dampening = (float)(1.0 - dampening);
  k->weight_decay = (float)weight_decay;
  k->has_wd = weight_decay != 0;
  k->has_momentum = momentum != 0;
  k->nesterov = nesterov != 0;
  k->maximize = maximize != 0;
  k->first = first_step != 0;
  return OPTIM_OK;
}

int sgd_update_scalar(float* param, const float* grad, float* momentum_buf, size_t n,
                      double lr, double momentum, double dampening, double weight_decay,
                      int nesterov, int maximize, int first_step) {
  SgdK k;
  int st = sgd_prepare(&k, param, grad, momentum_buf, n, lr, momentum, dampening,
                       weight_decay, nesterov, maximize, first_step);
  if (st != OPTIM_OK) return st;
  sgd_run_scalar(param, grad, momentum_buf, n, &k);
  return OPTIM_OK;
}

int sgd_update(float* param, const float* grad, float* momentum_buf, size_t n,
               double lr, double momentum, double dampening, double weight_decay,
               int nesterov, int maximize, int first_step) {
  SgdK k;
  int st = sgd_prepare(&k, param, grad, momentum_buf, n, lr, momentum, dampening,
                       weight_decay, nesterov, maximize, first_step);
  if (st != OPTIM_OK) return st;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) { sgd_run_simd(param, grad, momentum_buf, n, &k); return OPTIM_OK; }
#endif
  sgd_run_scalar(param, grad, momentum_buf, n, &k);
  return OPTIM_OK;
}

/* ---------------------------------------------------------------- Adam / AdamW */

typedef struct {
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float weight_decay, decay;   /* coupled L2 factor; AdamW's 1 - lr*weight_decay */
  float bc2_sqrt, neg_step_size, eps;
  int coupled_wd, decoupled_wd, amsgrad, maximize;
} AdamK;

static void adam_run_scalar(float* p, const float* g, float* m, float* v, float* vmax,
                            size_t n, const AdamK* kp) {
  const AdamK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  for (size_t i = 0; i < n; i++) {
    float gi = k->maximize ? -g[i] : g[i];
    float pi = p[i];
    if (k->decoupled_wd) pi = pi * k->decay;
    else if (k->coupled_wd) gi = gi + k->weight_decay * pi;
    float mi = m[i] * k->beta1 + k->one_minus_beta1 * gi;
    float vi = v[i] * k->beta2 + (k->one_minus_beta2 * gi) * gi;
    m[i] = mi;
    v[i] = vi;
    if (k->amsgrad) {
      vi = max_nan(vmax[i], vi);
      vmax[i] = vi;
    }
    float denom = sqrtf(vi) / k->bc2_sqrt + k->eps;
    p[i] = pi + (k->neg_step_size * mi) / denom;
  }
}

#ifdef __wasm_simd128__
static void adam_run_simd(float* p, const float* g, float* m, float* v, float* vmax,
                          size_t n, const AdamK* kp) {
  const AdamK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  const v128_t b1 = wasm_f32x4_splat(k->beta1), omb1 = wasm_f32x4_splat(k->one_minus_beta1);
  const v128_t b2 = wasm_f32x4_splat(k->beta2), omb2 = wasm_f32x4_splat(k->one_minus_beta2);
  const v128_t wd = wasm_f32x4_splat(k->weight_decay), decay = wasm_f32x4_splat(k->decay);
  const v128_t bc2s = wasm_f32x4_splat(k->bc2_sqrt), nss = wasm_f32x4_splat(k->neg_step_size);
  const v128_t eps = wasm_f32x4_splat(k->eps);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    if (k->maximize) gi = wasm_f32x4_neg(gi);
    v128_t pi = wasm_v128_load(p + i);
    if (k->decoupled_wd) pi = wasm_f32x4_mul(pi, decay);
    else if (k->coupled_wd) gi = wasm_f32x4_add(gi, wasm_f32x4_mul(wd, pi));
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1),
                               wasm_f32x4_mul(omb1, gi));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2),
                               wasm_f32x4_mul(wasm_f32x4_mul(omb2, gi), gi));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    if (k->amsgrad) {
      vi = wasm_f32x4_max(wasm_v128_load(vmax + i), vi);
      wasm_v128_store(vmax + i, vi);
    }
    v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(vi), bc2s), eps);
    wasm_v128_store(p + i, wasm_f32x4_add(pi, wasm_f32x4_div(wasm_f32x4_mul(nss, mi), denom)));
  }
  adam_run_scalar(p + i, g + i, m + i, v + i, vmax ? vmax + i : NULL, n - i, k);
}
#endif

static int adam_prepare(AdamK* k, const float* param, const float* grad,
                        const float* exp_avg, const float* exp_avg_sq,
                        const float* max_exp_avg_sq, size_t n, double step, double lr,
                        double beta1, double beta2, double eps, double weight_decay,
                        int amsgrad, int maximize, int decoupled_weight_decay) {
  if (n > 0 && (!param || !grad || !exp_avg || !exp_avg_sq)) return OPTIM_ERR_NULL;
  if (n > 0 && amsgrad && !max_exp_avg_sq) return OPTIM_ERR_NULL;
  if (!(step >= 1)) return OPTIM_ERR_STEP;
  /* The Python side of _single_tensor_adam(w), in double. */
  double bias_correction1 = 1 - pow(beta1, step);
  double bias_correction2 = 1 - pow(beta2, step);
  double step_size = lr / bias_correction1;
  double bias_correction2_sqrt = sqrt(bias_correction2);
  k->beta1 = (float)beta1;
  k->one_minus_beta1 = (float)(1 - beta1);
  k->beta2 = (float)beta2;
  k->one_minus_beta2 = (float)(1 - beta2);
  k->weight_decay = (float)weight_decay;
  k->decay = (float)(1 - lr * weight_decay);
  k->bc2_sqrt = (float)bias_correction2_sqrt;
  k->neg_step_size = (float)(-step_size);
  k->eps = (float)eps;
  /* AdamW multiplies by (1 - lr*wd) unconditionally; when wd == 0 that is *1.0f,
   * an identity, so it is skipped. */
  k->decoupled_wd = decoupled_weight_decay && weight_decay != 0;
  k->coupled_wd = !decoupled_weight_decay && weight_decay != 0;
  k->amsgrad = amsgrad != 0;
  k->maximize = maximize != 0;
  return OPTIM_OK;
}

int adam_update_scalar(float* param, const float* grad, float* exp_avg, float* exp_avg_sq,
                       float* max_exp_avg_sq, size_t n, double step, double lr,
                       double beta1, double beta2, double eps, double weight_decay,
                       int amsgrad, int maximize, int decoupled_weight_decay) {
  AdamK k;
  int st = adam_prepare(&k, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, step, lr,
                        beta1, beta2, eps, weight_decay, amsgrad, maximize,
                        decoupled_weight_decay);
  if (st != OPTIM_OK) return st;
  adam_run_scalar(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, &k);
  return OPTIM_OK;
}

int adam_update(float* param, const float* grad, float* exp_avg, float* exp_avg_sq,
                float* max_exp_avg_sq, size_t n, double step, double lr, double beta1,
                double beta2, double eps, double weight_decay, int amsgrad, int maximize,
                int decoupled_weight_decay) {
  AdamK k;
  int st = adam_prepare(&k, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, step, lr,
                        beta1, beta2, eps, weight_decay, amsgrad, maximize,
                        decoupled_weight_decay);
  if (st != OPTIM_OK) return st;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    adam_run_simd(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, &k);
    return OPTIM_OK;
  }
#endif
  adam_run_scalar(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, &k);
  return OPTIM_OK;
}

/* ---------------------------------------------------------------- RMSprop */

typedef struct {
  float alpha, one_minus_alpha, eps, weight_decay, momentum, neg_lr;
  int has_wd, has_momentum, centered, maximize;
} RmspropK;

static void rmsprop_run_scalar(float* p, const float* g, float* sq, float* ga, float* buf,
                               size_t n, const RmspropK* kp) {
  const RmspropK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  for (size_t i = 0; i < n; i++) {
    float gi = k->maximize ? -g[i] : g[i];
    if (k->has_wd) gi = gi + k->weight_decay * p[i];
    float s = sq[i] * k->alpha + (k->one_minus_alpha * gi) * gi;
    sq[i] = s;
    float avg;
    if (k->centered) {
      float a = ga[i] * k->alpha + k->one_minus_alpha * gi;
      ga[i] = a;
      avg = sqrtf(s + (-1.0f * a) * a);   /* square_avg.addcmul(grad_avg, grad_avg, value=-1) */
    } else {
      avg = sqrtf(s);
    }
    avg = avg + k->eps;
    if (k->has_momentum) {
      float b = buf[i] * k->momentum + (1.0f * gi) / avg;   /* addcdiv_ with value=1 */
      buf[i] = b;
      p[i] = p[i] + k->neg_lr * b;
    } else {
      p[i] = p[i] + (k->neg_lr * gi) / avg;
    }
  }
}

#ifdef __wasm_simd128__
static void rmsprop_run_simd(float* p, const float* g, float* sq, float* ga, float* buf,
                             size_t n, const RmspropK* kp) {
  const RmspropK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  const v128_t alpha = wasm_f32x4_splat(k->alpha), oma = wasm_f32x4_splat(k->one_minus_alpha);
  const v128_t eps = wasm_f32x4_splat(k->eps), wd = wasm_f32x4_splat(k->weight_decay);
  const v128_t mom = wasm_f32x4_splat(k->momentum), neg_lr = wasm_f32x4_splat(k->neg_lr);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    if (k->maximize) gi = wasm_f32x4_neg(gi);
    v128_t pi = wasm_v128_load(p + i);
    if (k->has_wd) gi = wasm_f32x4_add(gi, wasm_f32x4_mul(wd, pi));
    v128_t s = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(sq + i), alpha),
                              wasm_f32x4_mul(wasm_f32x4_mul(oma, gi), gi));
    wasm_v128_store(sq + i, s);
    v128_t avg;
    if (k->centered) {
      v128_t a = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(ga + i), alpha),
                                wasm_f32x4_mul(oma, gi));
      wasm_v128_store(ga + i, a);
      avg = wasm_f32x4_sqrt(wasm_f32x4_add(s, wasm_f32x4_mul(wasm_f32x4_neg(a), a)));
    } else {
      avg = wasm_f32x4_sqrt(s);
    }
    avg = wasm_f32x4_add(avg, eps);
    if (k->has_momentum) {
      v128_t b = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(buf + i), mom),
                                wasm_f32x4_div(gi, avg));
      wasm_v128_store(buf + i, b);
      wasm_v128_store(p + i, wasm_f32x4_add(pi, wasm_f32x4_mul(neg_lr, b)));
    } else {
      wasm_v128_store(p + i, wasm_f32x4_add(pi, wasm_f32x4_div(wasm_f32x4_mul(neg_lr, gi), avg)));
    }
  }
  rmsprop_run_scalar(p + i, g + i, sq + i, ga ? ga + i : NULL, buf ? buf + i : NULL, n - i, k);
}
#endif

static int rmsprop_prepare(RmspropK* k, const float* param, const float* grad,
                           const float* square_avg, const float* grad_avg,
                           const float* momentum_buf, size_t n, double lr, double alpha,
                           double eps, double weight_decay, double momentum, int centered,
                           int maximize) {
  if (n > 0 && (!param || !grad || !square_avg)) return OPTIM_ERR_NULL;
  if (n > 0 && centered && !grad_avg) return OPTIM_ERR_NULL;
  if (n > 0 && momentum > 0 && !momentum_buf) return OPTIM_ERR_NULL;
  k->alpha = (float)alpha;
  k->one_minus_alpha = (float)(1 - alpha);
  k->eps = (float)eps;
  k->weight_decay = (float)weight_decay;
  k->momentum = (float)momentum;
  k->neg_lr = (float)(-lr);
  k->has_wd = weight_decay != 0;
  k->has_momentum = momentum > 0;
  k->centered = centered != 0;
  k->maximize = maximize != 0;
  return OPTIM_OK;
}

int rmsprop_update_scalar(float* param, const float* grad, float* square_avg,
                          float* grad_avg, float* momentum_buf, size_t n, double lr,
                          double alpha, double eps, double weight_decay, double momentum,
                          int centered, int maximize) {
  RmspropK k;
  int st = rmsprop_prepare(&k, param, grad, square_avg, grad_avg, momentum_buf, n, lr,
                           alpha, eps, weight_decay, momentum, centered, maximize);
  if (st != OPTIM_OK) return st;
  rmsprop_run_scalar(param, grad, square_avg, grad_avg, momentum_buf, n, &k);
  return OPTIM_OK;
}

int rmsprop_update(float* param, const float* grad, float* square_avg, float* grad_avg,
                   float* momentum_buf, size_t n, double lr, double alpha, double eps,
                   double weight_decay, double momentum, int centered, int maximize) {
  RmspropK k;
  int st = rmsprop_prepare(&k, param, grad, square_avg, grad_avg, momentum_buf, n, lr,
                           alpha, eps, weight_decay, momentum, centered, maximize);
  if (st != OPTIM_OK) return st;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) {
    rmsprop_run_simd(param, grad, square_avg, grad_avg, momentum_buf, n, &k);
    return OPTIM_OK;
  }
#endif
  rmsprop_run_scalar(param, grad, square_avg, grad_avg, momentum_buf, n, &k);
  return OPTIM_OK;
}

/* ---------------------------------------------------------------- Adagrad */

typedef struct {
  float neg_clr, weight_decay, eps;
  int has_wd, maximize;
} AdagradK;

static void adagrad_run_scalar(float* p, const float* g, float* ss, size_t n,
                               const AdagradK* kp) {
  const AdagradK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  for (size_t i = 0; i < n; i++) {
    float gi = k->maximize ? -g[i] : g[i];
    if (k->has_wd) gi = gi + k->weight_decay * p[i];
    float s = ss[i] + (1.0f * gi) * gi;   /* state_sum.addcmul_(grad, grad, value=1) */
    ss[i] = s;
    float std = sqrtf(s) + k->eps;
    p[i] = p[i] + (k->neg_clr * gi) / std;
  }
}

#ifdef __wasm_simd128__
static void adagrad_run_simd(float* p, const float* g, float* ss, size_t n,
                             const AdagradK* kp) {
  const AdagradK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  const v128_t nclr = wasm_f32x4_splat(k->neg_clr), wd = wasm_f32x4_splat(k->weight_decay);
  const v128_t eps = wasm_f32x4_splat(k->eps);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    if (k->maximize) gi = wasm_f32x4_neg(gi);
    v128_t pi = wasm_v128_load(p + i);
    if (k->has_wd) gi = wasm_f32x4_add(gi, wasm_f32x4_mul(wd, pi));
    v128_t s = wasm_f32x4_add(wasm_v128_load(ss + i), wasm_f32x4_mul(gi, gi));
    wasm_v128_store(ss + i, s);
    v128_t std = wasm_f32x4_add(wasm_f32x4_sqrt(s), eps);
    wasm_v128_store(p + i, wasm_f32x4_add(pi, wasm_f32x4_div(wasm_f32x4_mul(nclr, gi), std)));
  }
  adagrad_run_scalar(p + i, g + i, ss + i, n - i, k);
}
#endif

static int adagrad_prepare(AdagradK* k, const float* param, const float* grad,
                           const float* state_sum, size_t n, double step, double lr,
                           double lr_decay, double weight_decay, double eps, int maximize) {
  if (n > 0 && (!param || !grad || !state_sum)) return OPTIM_ERR_NULL;
  if (!(step >= 1)) return OPTIM_ERR_STEP;
  double denom = 1 + (step - 1) * lr_decay;
  if (denom == 0) return OPTIM_ERR_STEP;   /* Python would raise ZeroDivisionError */
  double clr = lr / denom;
  k->neg_clr = (float)(-clr);
  k->weight_decay = (float)weight_decay;
  k->eps = (float)eps;
  k->has_wd = weight_decay != 0;
  k->maximize = maximize != 0;
  return OPTIM_OK;
}

int adagrad_update_scalar(float* param, const float* grad, float* state_sum, size_t n,
                          double step, double lr, double lr_decay, double weight_decay,
                          double eps, int maximize) {
  AdagradK k;
  int st = adagrad_prepare(&k, param, grad, state_sum, n, step, lr, lr_decay, weight_decay,
                           eps, maximize);
  if (st != OPTIM_OK) return st;
  adagrad_run_scalar(param, grad, state_sum, n, &k);
  return OPTIM_OK;
}

int adagrad_update(float* param, const float* grad, float* state_sum, size_t n, double step,
                   double lr, double lr_decay, double weight_decay, double eps, int maximize) {
  AdagradK k;
  int st = adagrad_prepare(&k, param, grad, state_sum, n, step, lr, lr_decay, weight_decay,
                           eps, maximize);
  if (st != OPTIM_OK) return st;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) { adagrad_run_simd(param, grad, state_sum, n, &k); return OPTIM_OK; }
#endif
  adagrad_run_scalar(param, grad, state_sum, n, &k);
  return OPTIM_OK;
}

/* ---------------------------------------------------------------- Adadelta */

typedef struct {
  float rho, one_minus_rho, eps, weight_decay, neg_lr;
  int has_wd, maximize;
} AdadeltaK;

static void adadelta_run_scalar(float* p, const float* g, float* sq, float* acc, size_t n,
                                const AdadeltaK* kp) {
  const AdadeltaK kv = *kp, *k = &kv;   /* a local copy: provably not aliased by the stores */
  for (size_t i = 0; i < n; i++) {
    float gi = k->maximize ? -g[i] : g[i];
    if (k->has_wd) gi = gi + k->weight_decay * p[i];
    float s = sq[i] * k->rho + (k->one_minus_rho * gi) * gi;  /* mul_(rho).addcmul_(g, g, 1-rho) */
    sq[i] = s;
    float std = sqrtf(s + k->eps);
    float delta = sqrtf(acc[i] + k->eps) / std * gi;
    acc[i] = acc[i] * k->rho + (k->one_minus_rho * delta) * delta;
    p[i] = p[i] + k->neg_lr * delta;                          /* add_(delta, alpha=-lr) */
  }
}

#ifdef __wasm_simd128__
static void adadelta_run_simd(float* p, const float* g, float* sq, float* acc, size_t n,
                              const AdadeltaK* kp) {
  const AdadeltaK kv = *kp, *k = &kv;
  const v128_t rho = wasm_f32x4_splat(k->rho), omr = wasm_f32x4_splat(k->one_minus_rho);
  const v128_t eps = wasm_f32x4_splat(k->eps), wd = wasm_f32x4_splat(k->weight_decay);
  const v128_t nlr = wasm_f32x4_splat(k->neg_lr);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    if (k->maximize) gi = wasm_f32x4_neg(gi);
    v128_t pi = wasm_v128_load(p + i);
    if (k->has_wd) gi = wasm_f32x4_add(gi, wasm_f32x4_mul(wd, pi));
    v128_t s = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(sq + i), rho), wasm_f32x4_mul(wasm_f32x4_mul(omr, gi), gi));
    wasm_v128_store(sq + i, s);
    v128_t std = wasm_f32x4_sqrt(wasm_f32x4_add(s, eps));
    v128_t a = wasm_v128_load(acc + i);
    v128_t delta = wasm_f32x4_mul(wasm_f32x4_div(wasm_f32x4_sqrt(wasm_f32x4_add(a, eps)), std), gi);
    wasm_v128_store(acc + i, wasm_f32x4_add(wasm_f32x4_mul(a, rho), wasm_f32x4_mul(wasm_f32x4_mul(omr, delta), delta)));
    wasm_v128_store(p + i, wasm_f32x4_add(pi, wasm_f32x4_mul(nlr, delta)));
  }
  adadelta_run_scalar(p + i, g + i, sq + i, acc + i, n - i, k);
}
#endif

static int adadelta_prepare(AdadeltaK* k, const float* param, const float* grad, const float* square_avg,
                            const float* acc_delta, size_t n, double lr, double rho, double eps,
                            double weight_decay, int maximize) {
  if (n > 0 && (!param || !grad || !square_avg || !acc_delta)) return OPTIM_ERR_NULL;
  k->rho = (float)rho;
  k->one_minus_rho = (float)(1 - rho);
  k->eps = (float)eps;
  k->weight_decay = (float)weight_decay;
  k->neg_lr = (float)(-lr);
  k->has_wd = weight_decay != 0;
  k->maximize = maximize != 0;
  return OPTIM_OK;
}

int adadelta_update_scalar(float* param, const float* grad, float* square_avg, float* acc_delta, size_t n,
                           double lr, double rho, double eps, double weight_decay, int maximize) {
  AdadeltaK k;
  int st = adadelta_prepare(&k, param, grad, square_avg, acc_delta, n, lr, rho, eps, weight_decay, maximize);
  if (st != OPTIM_OK) return st;
  adadelta_run_scalar(param, grad, square_avg, acc_delta, n, &k);
  return OPTIM_OK;
}

int adadelta_update(float* param, const float* grad, float* square_avg, float* acc_delta, size_t n, double lr,
                    double rho, double eps, double weight_decay, int maximize) {
  AdadeltaK k;
  int st = adadelta_prepare(&k, param, grad, square_avg, acc_delta, n, lr, rho, eps, weight_decay, maximize);
  if (st != OPTIM_OK) return st;
#ifdef __wasm_simd128__
  if (KERNEL_USE_SIMD) { adadelta_run_simd(param, grad, square_avg, acc_delta, n, &k); return OPTIM_OK; }
#endif
  adadelta_run_scalar(param, grad, square_avg, acc_delta, n, &k);
  return OPTIM_OK;
}
