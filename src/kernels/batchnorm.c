/* batchnorm.c: batch normalisation forward (train / eval) and backward (see batchnorm.h).
 * The arithmetic follows PyTorch 1.13's CPU kernels (Normalization.cpp,
 * batch_norm_kernel.cpp) so results agree to the last bits where possible: statistics
 * and reductions in double; the per-channel affine y = x * alpha + beta with alpha, beta
 * formed in float from the float-rounded mean and invstd; dx = (dy - grad_mean -
 * (x - mean) * k) * (invstd * w) in float.
 * SIMD: planes (HW > 1) run float chains folded into double every 1024 elements; for
 * HW == 1 (BatchNorm1d) four channels are processed side by side with f64x2 sums, in
 * the same order as the scalar loop, so those sums are exact matches of the reference. */
#include "batchnorm.h"

#include <math.h>
#include <stddef.h>

#include "simd_switch.h"

/* ---- per-plane primitives; simd selects the vector loop (wasm only) ---- */

static double plane_sum(const float* a, int n, int simd) {
  int i = 0;
  double acc = 0.0;
#ifdef __wasm_simd128__
  if (simd)
    while (i + 16 <= n) {
      v128_t s0 = wasm_f32x4_splat(0.f), s1 = s0, s2 = s0, s3 = s0;
      int end = i + 1024 < n ? i + 1024 : n;
      for (; i + 16 <= end; i += 16) {
        s0 = wasm_f32x4_add(s0, wasm_v128_load(a + i));
        s1 = wasm_f32x4_add(s1, wasm_v128_load(a + i + 4));
        s2 = wasm_f32x4_add(s2, wasm_v128_load(a + i + 8));
        s3 = wasm_f32x4_add(s3, wasm_v128_load(a + i + 12));
      }
      s0 = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));
      acc += (double)wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) +
             wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
    }
#else
  (void)simd;
#endif
  for (; i < n; i++) acc += a[i];
  return acc;
}

/* sum (a - mean)^2 */
static double plane_sqdev(const float* a, int n, double mean, int simd) {
  int i = 0;
  double acc = 0.0;
#ifdef __wasm_simd128__
  if (simd) {
    v128_t m = wasm_f32x4_splat((float)mean);
    while (i + 8 <= n) {
      v128_t s0 = wasm_f32x4_splat(0.f), s1 = s0;
      int end = i + 1024 < n ? i + 1024 : n;
      for (; i + 8 <= end; i += 8) {
        v128_t d0 = wasm_f32x4_sub(wasm_v128_load(a + i), m);
        v128_t d1 = wasm_f32x4_sub(wasm_v128_load(a + i + 4), m);
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
      }
      s0 = wasm_f32x4_add(s0, s1);
      acc += (double)wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) +
             wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
    }
  }
#else
  (void)simd;
#endif
  for (; i < n; i++) {
    double d = a[i] - mean;
    acc += d * d;
  }
  return acc;
}

/* y = x * a + b */
static void plane_affine(float* y, const float* x, int n, float a, float b, int simd) {
  int i = 0;
#ifdef __wasm_simd128__
  if (simd) {
    v128_t va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b);
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(y + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x + i), va), vb));
  }
#else
  (void)simd;
#endif
  for (; i < n; i++) y[i] = x[i] * a + b;
}

/* *sdy += sum dy, *sdot += sum (x - mean) * dy */
static void plane_dot(const float* dy, const float* x, int n, float mean, double* sdy,
                      double* sdot, int simd) {
  int i = 0;
  double a = 0.0, b = 0.0;
#ifdef __wasm_simd128__
  if (simd) {
    v128_t m = wasm_f32x4_splat(mean);
    while (i + 8 <= n) {
      v128_t s0 = wasm_f32x4_splat(0.f), s1 = s0, d0 = s0, d1 = s0;
      int end = i + 1024 < n ? i + 1024 : n;
      for (; i + 8 <= end; i += 8) {
        v128_t g0 = wasm_v128_load(dy + i), g1 = wasm_v128_load(dy + i + 4);
        s0 = wasm_f32x4_add(s0, g0);
        s1 = wasm_f32x4_add(s1, g1);
        d0 = wasm_f32x4_add(d0, wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + i), m), g0));
        d1 = wasm_f32x4_add(d1, wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + i + 4), m), g1));
      }
      s0 = wasm_f32x4_add(s0, s1);
      d0 = wasm_f32x4_add(d0, d1);
      a += (double)wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) +
           wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
      b += (double)wasm_f32x4_extract_lane(d0, 0) + wasm_f32x4_extract_lane(d0, 1) +
           wasm_f32x4_extract_lane(d0, 2) + wasm_f32x4_extract_lane(d0, 3);
    }
  }
#else
  (void)simd;
#endif
  for (; i < n; i++) {
    a += dy[i];
    b += ((double)x[i] - mean) * dy[i];
  }
  *sdy += a;
  *sdot += b;
}

/* dx += (dy - gm - (x - mean) * k) * s  (training); with k = gm = 0 it is dx += dy * s */
static void plane_dx(float* dx, const float* dy, const float* x, int n, float mean, float k,
                     float gm, float s, int simd) {
  int i = 0;
#ifdef __wasm_simd128__
  if (simd) {
    v128_t vm = wasm_f32x4_splat(mean), vk = wasm_f32x4_splat(k);
    v128_t vg = wasm_f32x4_splat(gm), vs = wasm_f32x4_splat(s);
    for (; i + 4 <= n; i += 4) {
      v128_t t = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + i), vm), vk);
      v128_t g = wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(dy + i), vg), t);
      wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), wasm_f32x4_mul(g, vs)));
    }
  }
#else
  (void)simd;
#endif
  for (; i < n; i++) dx[i] += (dy[i] - gm - (x[i] - mean) * k) * s;
}

/* ---- the passes, per channel over the N planes ---- */

/* channels [c0, C) */
static int forward_train(int N, int C, int HW, int c0, double eps, double momentum, float* y,
                         float* save_mean, float* save_invstd, float* running_mean,
                         float* running_var, const float* x, const float* gamma,
                         const float* beta, int simd) {
  const double count = (double)N * HW;
  if (count < 2) return BATCHNORM_ERR_COUNT;
  const size_t chw = (size_t)C * HW;
  for (int c = c0; c < C; c++) {
    double sum = 0.0, sq = 0.0;
    for (int n = 0; n < N; n++) sum += plane_sum(x + n * chw + (size_t)c * HW, HW, simd);
    const double mean = sum / count;
    for (int n = 0; n < N; n++) sq += plane_sqdev(x + n * chw + (size_t)c * HW, HW, mean, simd);
    const double invstd = 1.0 / sqrt(sq / count + eps);
    save_mean[c] = (float)mean;
    save_invstd[c] = (float)invstd;
    if (running_mean)
      running_mean[c] = (float)(momentum * mean + (1.0 - momentum) * running_mean[c]);
    if (running_var)
      running_var[c] = (float)(momentum * (sq / (count - 1)) + (1.0 - momentum) * running_var[c]);
    const float alpha = save_invstd[c] * (gamma ? gamma[c] : 1.f);
    const float shift = (beta ? beta[c] : 0.f) - save_mean[c] * alpha;
    for (int n = 0; n < N; n++)
      plane_affine(y + n * chw + (size_t)c * HW, x + n * chw + (size_t)c * HW, HW, alpha, shift, simd);
  }
  return BATCHNORM_OK;
}

static void eval_terms(int c, double eps, const float* rm, const float* rv, const float* gamma,
                       const float* beta, float* alpha, float* shift) {
  float invstd = 1.f / sqrtf(rv[c] + (float)eps);
  *alpha = invstd * (gamma ? gamma[c] : 1.f);
  *shift = (beta ? beta[c] : 0.f) - rm[c] * *alpha;
}

static void forward_eval(int N, int C, int HW, int c0, double eps, float* y, const float* x,
                         const float* rm, const float* rv, const float* gamma, const float* beta,
                         int simd) {
  const size_t chw = (size_t)C * HW;
  for (int c = c0; c < C; c++) {
    float alpha, shift;
    eval_terms(c, eps, rm, rv, gamma, beta, &alpha, &shift);
    for (int n = 0; n < N; n++)
      plane_affine(y + n * chw + (size_t)c * HW, x + n * chw + (size_t)c * HW, HW, alpha, shift, simd);
  }
}

/* mean[c], invstd[c] as doubles from either the saved batch statistics (train) or the
 * running ones (eval); then PyTorch's backward. */
static void backward_impl(int N, int C, int HW, int c0, int train, double eps, float* dx,
                          float* dgamma, float* dbeta, const float* dy, const float* x,
                          const float* mean_in, const float* stat2, const float* gamma, int simd) {
  const size_t chw = (size_t)C * HW;
  const double count = (double)N * HW;
  for (int c = c0; c < C; c++) {
    const float mean = mean_in[c];
    const double invstd = train ? (double)stat2[c] : 1.0 / sqrt((double)stat2[c] + eps);
    const float w = gamma ? gamma[c] : 1.f;
    double sum = 0.0, dotp = 0.0;
    for (int n = 0; n < N; n++)
      plane_dot(dy + n * chw + (size_t)c * HW, x + n * chw + (size_t)c * HW, HW, mean, &sum, &dotp, simd);
    if (dx) {
      float k = 0.f, gm = 0.f;
      if (train) {
        k = (float)(dotp * invstd * invstd / count);
        gm = (float)(sum / count);
      }
      const float s = (float)(invstd * w);
      for (int n = 0; n < N; n++)
        plane_dx(dx + n * chw + (size_t)c * HW, dy + n * chw + (size_t)c * HW,
                 x + n * chw + (size_t)c * HW, HW, mean, k, gm, s, simd);
    }
    if (dgamma) dgamma[c] += (float)(dotp * invstd);
    if (dbeta) dbeta[c] += (float)sum;
  }
}

/* ---- HW == 1 (BatchNorm1d): four channels per step ---- */
#ifdef __wasm_simd128__
static inline v128_t lo64(v128_t v) { return wasm_f64x2_promote_low_f32x4(v); }
static inline v128_t hi64(v128_t v) {
  return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
}
static inline v128_t f32x4_from_f64(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1,
                            4, 5);
}

/* channels [0, C4) in blocks of 4; returns C4 so the caller finishes the rest scalar */
static int forward_train_1d_simd(int N, int C, double eps, double momentum, float* y,
                                 float* save_mean, float* save_invstd, float* running_mean,
                                 float* running_var, const float* x, const float* gamma,
                                 const float* beta) {
  const int C4 = C & ~3;
  const v128_t cnt = wasm_f64x2_splat((double)N), cnt1 = wasm_f64x2_splat((double)N - 1);
  const v128_t veps = wasm_f64x2_splat(eps), one = wasm_f64x2_splat(1.0);
  const v128_t mom = wasm_f64x2_splat(momentum), mom1 = wasm_f64x2_splat(1.0 - momentum);
  for (int c = 0; c < C4; c += 4) {
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, q0 = s0, q1 = s0;
    for (int n = 0; n < N; n++) {
      v128_t v = wasm_v128_load(x + (size_t)n * C + c);
      s0 = wasm_f64x2_add(s0, lo64(v));
      s1 = wasm_f64x2_add(s1, hi64(v));
    }
    const v128_t m0 = wasm_f64x2_div(s0, cnt), m1 = wasm_f64x2_div(s1, cnt);
    for (int n = 0; n < N; n++) {
      v128_t v = wasm_v128_load(x + (size_t)n * C + c);
      v128_t d0 = wasm_f64x2_sub(lo64(v), m0), d1 = wasm_f64x2_sub(hi64(v), m1);
      q0 = wasm_f64x2_add(q0, wasm_f64x2_mul(d0, d0));
      q1 = wasm_f64x2_add(q1, wasm_f64x2_mul(d1, d1));
    }
    const v128_t i0 = wasm_f64x2_div(one, wasm_f64x2_sqrt(wasm_f64x2_add(wasm_f64x2_div(q0, cnt), veps)));
    const v128_t i1 = wasm_f64x2_div(one, wasm_f64x2_sqrt(wasm_f64x2_add(wasm_f64x2_div(q1, cnt), veps)));
    const v128_t mean = f32x4_from_f64(m0, m1), invstd = f32x4_from_f64(i0, i1);
    wasm_v128_store(save_mean + c, mean);
    wasm_v128_store(save_invstd + c, invstd);
    if (running_mean) {
      v128_t r = wasm_v128_load(running_mean + c);
      v128_t r0 = wasm_f64x2_add(wasm_f64x2_mul(mom, m0), wasm_f64x2_mul(mom1, lo64(r)));
      v128_t r1 = wasm_f64x2_add(wasm_f64x2_mul(mom, m1), wasm_f64x2_mul(mom1, hi64(r)));
      wasm_v128_store(running_mean + c, f32x4_from_f64(r0, r1));
    }
    if (running_var) {
      v128_t r = wasm_v128_load(running_var + c);
      v128_t r0 = wasm_f64x2_add(wasm_f64x2_mul(mom, wasm_f64x2_div(q0, cnt1)), wasm_f64x2_mul(mom1, lo64(r)));
      v128_t r1 = wasm_f64x2_add(wasm_f64x2_mul(mom, wasm_f64x2_div(q1, cnt1)), wasm_f64x2_mul(mom1, hi64(r)));
      wasm_v128_store(running_var + c, f32x4_from_f64(r0, r1));
    }
    v128_t alpha = gamma ? wasm_f32x4_mul(invstd, wasm_v128_load(gamma + c)) : invstd;
    v128_t shift = wasm_f32x4_sub(beta ? wasm_v128_load(beta + c) : wasm_f32x4_splat(0.f),
                                  wasm_f32x4_mul(mean, alpha));
    for (int n = 0; n < N; n++) {
      size_t o = (size_t)n * C + c;
      wasm_v128_store(y + o, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x + o), alpha), shift));
    }
  }
  return C4;
}

static int backward_1d_simd(int N, int C, int train, double eps, float* dx, float* dgamma,
                            float* dbeta, const float* dy, const float* x, const float* mean_in,
                            const float* stat2, const float* gamma) {
  const int C4 = C & ~3;
  const v128_t cnt = wasm_f64x2_splat((double)N), veps = wasm_f64x2_splat(eps);
  const v128_t one = wasm_f64x2_splat(1.0);
  for (int c = 0; c < C4; c += 4) {
    const v128_t mean = wasm_v128_load(mean_in + c), st = wasm_v128_load(stat2 + c);
    const v128_t m0 = lo64(mean), m1 = hi64(mean);
    v128_t i0 = lo64(st), i1 = hi64(st);
    if (!train) {
      i0 = wasm_f64x2_div(one, wasm_f64x2_sqrt(wasm_f64x2_add(i0, veps)));
      i1 = wasm_f64x2_div(one, wasm_f64x2_sqrt(wasm_f64x2_add(i1, veps)));
    }
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, d0 = s0, d1 = s0;
    for (int n = 0; n < N; n++) {
      size_t o = (size_t)n * C + c;
      v128_t g = wasm_v128_load(dy + o), v = wasm_v128_load(x + o);
      v128_t g0 = lo64(g), g1 = hi64(g);
      s0 = wasm_f64x2_add(s0, g0);
      s1 = wasm_f64x2_add(s1, g1);
      d0 = wasm_f64x2_add(d0, wasm_f64x2_mul(wasm_f64x2_sub(lo64(v), m0), g0));
      d1 = wasm_f64x2_add(d1, wasm_f64x2_mul(wasm_f64x2_sub(hi64(v), m1), g1));
    }
    const v128_t w = gamma ? wasm_v128_load(gamma + c) : wasm_f32x4_splat(1.f);
    if (dx) {
      v128_t k = wasm_f32x4_splat(0.f), gm = k;
      if (train) {
        k = f32x4_from_f64(wasm_f64x2_div(wasm_f64x2_mul(wasm_f64x2_mul(d0, i0), i0), cnt),
                           wasm_f64x2_div(wasm_f64x2_mul(wasm_f64x2_mul(d1, i1), i1), cnt));
        gm = f32x4_from_f64(wasm_f64x2_div(s0, cnt), wasm_f64x2_div(s1, cnt));
      }
      const v128_t s = f32x4_from_f64(wasm_f64x2_mul(i0, lo64(w)), wasm_f64x2_mul(i1, hi64(w)));
      for (int n = 0; n < N; n++) {
        size_t o = (size_t)n * C + c;
        v128_t t = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + o), mean), k);
        v128_t g = wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(dy + o), gm), t);
        wasm_v128_store(dx + o, wasm_f32x4_add(wasm_v128_load(dx + o), wasm_f32x4_mul(g, s)));
      }
    }
    if (dgamma)
      wasm_v128_store(dgamma + c, wasm_f32x4_add(wasm_v128_load(dgamma + c),
                                                 f32x4_from_f64(wasm_f64x2_mul(d0, i0), wasm_f64x2_mul(d1, i1))));
    if (dbeta)
      wasm_v128_store(dbeta + c, wasm_f32x4_add(wasm_v128_load(dbeta + c), f32x4_from_f64(s0, s1)));
  }
  return C4;
}
#endif

/* ---- public entry points ---- */

int batchnorm_forward_train_scalar(int N, int C, int HW, double eps, double momentum, float* y,
                                   float* save_mean, float* save_invstd, float* running_mean,
                                   float* running_var, const float* x, const float* gamma,
                                   const float* beta) {
  return forward_train(N, C, HW, 0, eps, momentum, y, save_mean, save_invstd, running_mean,
                       running_var, x, gamma, beta, 0);
}

int batchnorm_forward_train(int N, int C, int HW, double eps, double momentum, float* y,
                            float* save_mean, float* save_invstd, float* running_mean,
                            float* running_var, const float* x, const float* gamma,
                            const float* beta) {
  int c0 = 0, simd = 0;
#ifdef __wasm_simd128__
  simd = KERNEL_USE_SIMD;
  if (simd && HW == 1) {
    if (N < 2) return BATCHNORM_ERR_COUNT;
    c0 = forward_train_1d_simd(N, C, eps, momentum, y, save_mean, save_invstd, running_mean,
                               running_var, x, gamma, beta);
  }
#endif
  return forward_train(N, C, HW, c0, eps, momentum, y, save_mean, save_invstd, running_mean,
                       running_var, x, gamma, beta, simd);
}

void batchnorm_forward_eval_scalar(int N, int C, int HW, double eps, float* y, const float* x,
                                   const float* running_mean, const float* running_var,
                                   const float* gamma, const float* beta) {
  forward_eval(N, C, HW, 0, eps, y, x, running_mean, running_var, gamma, beta, 0);
}

void batchnorm_forward_eval(int N, int C, int HW, double eps, float* y, const float* x,
                            const float* running_mean, const float* running_var,
                            const float* gamma, const float* beta) {
  int c = 0, simd = 0;
#ifdef __wasm_simd128__
  simd = KERNEL_USE_SIMD;
  if (simd && HW == 1) /* rows of C: four channels' alpha / shift side by side */
    for (; c + 4 <= C; c += 4) {
      float a[4], b[4];
      for (int j = 0; j < 4; j++)
        eval_terms(c + j, eps, running_mean, running_var, gamma, beta, &a[j], &b[j]);
      v128_t va = wasm_v128_load(a), vb = wasm_v128_load(b);
      for (int n = 0; n < N; n++) {
        size_t o = (size_t)n * C + c;
        wasm_v128_store(y + o, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x + o), va), vb));
      }
    }
#endif
  forward_eval(N, C, HW, c, eps, y, x, running_mean, running_var, gamma, beta, simd);
}

void batchnorm_backward_scalar(int N, int C, int HW, float* dx, float* dgamma, float* dbeta,
                               const float* dy, const float* x, const float* save_mean,
                               const float* save_invstd, const float* gamma) {
  backward_impl(N, C, HW, 0, 1, 0.0, dx, dgamma, dbeta, dy, x, save_mean, save_invstd, gamma, 0);
}

static void backward_dispatch(int N, int C, int HW, int train, double eps, float* dx,
                              float* dgamma, float* dbeta, const float* dy, const float* x,
                              const float* mean, const float* stat2, const float* gamma) {
  int c0 = 0, simd = 0;
#ifdef __wasm_simd128__
  simd = KERNEL_USE_SIMD;
  if (simd && HW == 1)
    c0 = backward_1d_simd(N, C, train, eps, dx, dgamma, dbeta, dy, x, mean, stat2, gamma);
#endif
  backward_impl(N, C, HW, c0, train, eps, dx, dgamma, dbeta, dy, x, mean, stat2, gamma, simd);
}

void batchnorm_backward(int N, int C, int HW, float* dx, float* dgamma, float* dbeta,
                        const float* dy, const float* x, const float* save_mean,
                        const float* save_invstd, const float* gamma) {
  backward_dispatch(N, C, HW, 1, 0.0, dx, dgamma, dbeta, dy, x, save_mean, save_invstd, gamma);
}

void batchnorm_backward_eval(int N, int C, int HW, double eps, float* dx, float* dgamma,
                             float* dbeta, const float* dy, const float* x,
                             const float* running_mean, const float* running_var,
                             const float* gamma) {
  backward_dispatch(N, C, HW, 0, eps, dx, dgamma, dbeta, dy, x, running_mean, running_var, gamma);
}
