/* loss.c: loss kernels on raw arrays (see loss.h for the contract and shapes).
 * Not here: tensors, autograd, messages. Semantics were pinned against PyTorch 1.13
 * (aten LossNLL.cpp / Loss.cpp formulas, checked by experiment), including its float
 * formulas where they differ from the exact maths (bce uses log(1-x), not log1p;
 * bce_with_logits uses the max_val form), so saturated values match PyTorch's.
 *
 * Letters: N batch, C classes, S positions after the class dim, M = N*S rows.
 * A "row" is the C logits of one (n, s): base = logits + n*C*S + s, stride S.
 *
 * SIMD (wasm only): cross_entropy runs four rows per vector when S >= 4 (lanes = four
 * consecutive s, so loads are contiguous) and vectorises across C when S == 1; the
 * exponentials use v_expf below. The elementwise losses are plain f32x4 loops whose
 * reductions accumulate in f64x2. bce, kl_div, nll and probability-target cross entropy
 * are scalar only (log-heavy or gather-bound, and rarely on a hot path).
 *
 * v_expf accuracy: Cephes expf (range reduction by ln2 in two parts, degree-5
 * polynomial). Measured by tests/native/test_loss.c over [-87, 0] against double exp:
 * max relative error 8.0e-8 (about 1 ulp; the test requires < 2e-7). Valid for x <= 88;
 * results below 2^-126 are flushed to 0 (far below what a softmax sum can resolve).
 * NaN propagates. Logs are per row (one log per C exponentials), so they stay scalar.
 *
 * Measured speed, wasm SIMD vs the scalar reference in the same build (Node 20, loaded
 * 2-core host, so ratios only): cross_entropy forward+backward (64,10) 1.3x (per-row
 * overhead dominates; ~20 us in all), (256,1000) 3.1x, (8,21,64x64) 3.6x; mse 2.6x,
 * smooth_l1 7.7x over 65536 elements. */
#include "loss.h"
#include "simd_switch.h"

#include <math.h>
#include <stddef.h>

enum { EW_L1, EW_MSE, EW_SMOOTH_L1, EW_HUBER };

/* The elementwise loops take the loss kind as an argument; forcing them inline gives
 * each public function its own loop with the kind's switch folded away. */
#if defined(__GNUC__) || defined(__clang__)
#define EW_INLINE static inline __attribute__((always_inline))
#else
#define EW_INLINE static inline
#endif

static int reduction_ok(int r) { return r == LOSS_NONE || r == LOSS_MEAN || r == LOSS_SUM; }

/* out[0] of a reduced loss: sum, or sum / count (count 0 gives NaN as PyTorch's 0/0). */
static float reduce_value(double sum, double count, int reduction)
{
    return reduction == LOSS_SUM ? (float)sum : (float)(sum / count);
}

static int check_class_targets(const int32_t* target, size_t M, int C, int ignore_index,
                               int* bad_index, int* bad_value)
{
    for (size_t i = 0; i < M; i++) {
        int32_t t = target[i];
        if (t != ignore_index && (t < 0 || t >= C)) {
            if (bad_index) *bad_index = (int)i;
            if (bad_value) *bad_value = (int)t;
            return LOSS_ERR_TARGET_OOB;
        }
    }
    return LOSS_OK;
}

static int check_class_args(const void* out, const float* logits, const int32_t* target,
                            int N, int C, int S, int reduction, float eps)
{
    if (N < 0 || C < 1 || S < 0 || !reduction_ok(reduction)) return LOSS_ERR_ARG;
    if (!(eps >= 0.0f && eps <= 1.0f)) return LOSS_ERR_ARG;
    if (!out) return LOSS_ERR_ARG;
    if ((size_t)N * (size_t)S > 0 && (!logits || !target)) return LOSS_ERR_ARG;
    return LOSS_OK;
}

/* Denominator of the mean: sum of weight[target] over non-ignored rows (or their count). */
static double class_weight_sum(const int32_t* target, const float* weight, size_t M,
                               int ignore_index)
{
    double den = 0.0;
    for (size_t i = 0; i < M; i++) {
        if (target[i] == ignore_index) continue;
        den += weight ? (double)weight[target[i]] : 1.0;
    }
    return den;
}

static double weight_total(const float* weight, int C)
{
    if (!weight) return (double)C;
    double W = 0.0;
    for (int c = 0; c < C; c++) W += weight[c];
    return W;
}

/* ------------------------------------------------------------------------------------
 * Scalar log-softmax row: m = max_c z_c, L = log sum_c exp(z_c - m), so that
 * logp_c = (z_c - m) - L. wd = sum_c w_c (z_c - m) (only when want_wd): the smoothing
 * term is W L - wd, two non-negative parts, so large logits do not cancel. */
static void row_stats_scalar(const float* z, size_t st, int C, const float* weight,
                             int want_wd, float* m_out, double* L_out, double* wd_out)
{
    float m = z[0];
    for (int c = 1; c < C; c++) {
        float v = z[(size_t)c * st];
        if (v > m) m = v;
    }
    double sum = 0.0, wd = 0.0;
    for (int c = 0; c < C; c++) {
        float d = z[(size_t)c * st] - m;
        sum += expf(d);
        if (want_wd) wd += (weight ? (double)weight[c] : 1.0) * d;
    }
    *m_out = m;
    *L_out = log(sum);
    *wd_out = wd;
}

/* Loss of one non-ignored row from its statistics. */
static double ce_row_loss(const float* z, size_t st, int t, float m, double L, double wd,
                          const float* weight, double W, int C, float eps)
{
    double wt = weight ? (double)weight[t] : 1.0;
    double nll = L - (double)(z[(size_t)t * st] - m);
    double loss = (1.0 - (double)eps) * wt * nll;
    if (eps > 0.0f) loss += (double)eps / C * (W * L - wd);
    return loss;
}

int cross_entropy_forward_scalar(float* out, const float* logits, const int32_t* target,
                                 const float* weight, int N, int C, int S,
                                 int ignore_index, int reduction, float label_smoothing,
                                 int* bad_index, int* bad_value)
{
    int st = check_class_args(out, logits, target, N, C, S, reduction, label_smoothing);
    if (st) return st;
    size_t M = (size_t)N * S;
    st = check_class_targets(target, M, C, ignore_index, bad_index, bad_value);
    if (st) return st;
    const double W = weight_total(weight, C);
    const int want_wd = label_smoothing > 0.0f;
    double sum = 0.0, den = 0.0;
    for (int n = 0; n < N; n++) {
        for (int s = 0; s < S; s++) {
            size_t i = (size_t)n * S + s;
            int t = target[i];
            if (t == ignore_index) {
                if (reduction == LOSS_NONE) out[i] = 0.0f;
                continue;
            }
            const float* z = logits + (size_t)n * C * S + s;
            float m;
            double L, wd;
            row_stats_scalar(z, (size_t)S, C, weight, want_wd, &m, &L, &wd);
            double loss = ce_row_loss(z, (size_t)S, t, m, L, wd, weight, W, C,
                                      label_smoothing);
            if (reduction == LOSS_NONE) out[i] = (float)loss;
            sum += loss;
            den += weight ? (double)weight[t] : 1.0;
        }
    }
    if (reduction != LOSS_NONE) out[0] = reduce_value(sum, den, reduction);
    return LOSS_OK;
}

/* Gradient of one row's loss, scaled by gs:
 *   dz_c += a (p_c - [c == t]) + b (W p_c - w_c),  a = gs (1-eps) w_t,  b = gs eps / C.
 * Both brackets are exact differences (p_t - 1 by Sterbenz when p_t >= 1/2, and both
 * vanish exactly when C == 1), which keeps small gradients as accurate as PyTorch's. */
static void ce_row_grad_scalar(float* dz, const float* z, size_t st, int t, int C,
                               const float* weight, double W, float eps, float gs)
{
    float m;
    double L, wd;
    row_stats_scalar(z, st, C, weight, 0, &m, &L, &wd);
    const float Lf = (float)L, Wf = (float)W;
    const float a = gs * (1.0f - eps) * (weight ? weight[t] : 1.0f);
    const float b = gs * eps / (float)C;
    for (int c = 0; c < C; c++) {
        float p = expf((z[(size_t)c * st] - m) - Lf);
        float g = a * (p - (c == t ? 1.0f : 0.0f));
        if (eps > 0.0f) g += b * (Wf * p - (weight ? weight[c] : 1.0f));
        dz[(size_t)c * st] += g;
    }
}

int cross_entropy_backward_scalar(float* dlogits, const float* dout, const float* logits,
                                  const int32_t* target, const float* weight,
                                  int N, int C, int S, int ignore_index, int reduction,
                                  float label_smoothing, int* bad_index, int* bad_value)
{
    int st = check_class_args(dlogits, logits, target, N, C, S, reduction,
                              label_smoothing);
    if (st) return st;
    size_t M = (size_t)N * S;
    if (M > 0 && !dout) return LOSS_ERR_ARG;
    st = check_class_targets(target, M, C, ignore_index, bad_index, bad_value);
    if (st) return st;
    if (M == 0) return LOSS_OK;
    const double W = weight_total(weight, C);
    float gscale = 0.0f;
    if (reduction == LOSS_SUM) gscale = dout[0];
    if (reduction == LOSS_MEAN)
        gscale = (float)(dout[0] / class_weight_sum(target, weight, M, ignore_index));
    for (int n = 0; n < N; n++) {
        for (int s = 0; s < S; s++) {
            size_t i = (size_t)n * S + s;
            int t = target[i];
            if (t == ignore_index) continue;
            size_t off = (size_t)n * C * S + s;
            float gs = reduction == LOSS_NONE ? dout[i] : gscale;
            ce_row_grad_scalar(dlogits + off, logits + off, (size_t)S, t, C, weight, W,
                               label_smoothing, gs);
        }
    }
    return LOSS_OK;
}

#ifdef __wasm_simd128__
static inline v128_t v_expf(v128_t x)
{
    /* pmin/pmax are single instructions on x64 (min/max are NaN-exact sequences);
     * with x first they still pass a NaN x through. */
    /* |x| <= 88 keeps n = round(x log2 e) in [-127, 127]: n = -127 gives a zero
     * exponent field, so everything below about -87.3 comes out as exactly 0. */
    x = wasm_f32x4_pmin(x, wasm_f32x4_splat(88.0f));
    x = wasm_f32x4_pmax(x, wasm_f32x4_splat(-88.0f));
    /* Round x log2(e) to the nearest integer n by adding 1.5 * 2^23: n then sits in the
     * low mantissa bits of t, which also gives 2^n without a float->int conversion. */
    const v128_t magic = wasm_f32x4_splat(12582912.0f);
    v128_t t = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), magic);
    v128_t fx = wasm_f32x4_sub(t, magic);
    /* ln2 in two parts: fx * 0.693359375 is exact, so r keeps full precision. */
    v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(fx, wasm_f32x4_splat(0.693359375f)));
    r = wasm_f32x4_sub(r, wasm_f32x4_mul(fx, wasm_f32x4_splat(-2.12194440e-4f)));
    v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
    v128_t y = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r),
                              wasm_f32x4_splat(1.0f));
    /* bits(t) = 0x4B400000 + n; shifting n + 127 into the exponent drops the rest. */
    v128_t pow2 = wasm_i32x4_shl(wasm_i32x4_add(t, wasm_i32x4_splat(127)), 23);
    return wasm_f32x4_mul(y, pow2);
}

/* Exposed for the accuracy test only (not in loss.h). */
void loss_v_expf_for_test(float* y, const float* x, int n);
void loss_v_expf_for_test(float* y, const float* x, int n)
{
    int i = 0;
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, v_expf(wasm_v128_load(x + i)));
    for (; i < n; i++) {
        float b[4] = {x[i], 0, 0, 0};
        wasm_v128_store(b, v_expf(wasm_v128_load(b)));
        y[i] = b[0];
    }
}

static inline float hmax4(v128_t v)
{
    v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
}

static inline double hsum4d(v128_t v)
{
    return ((double)wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           ((double)wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* Row statistics for a contiguous row (S == 1), vectorised across C. */
static void row_stats_contig_simd(const float* z, int C, const float* weight, int want_wd,
                                  float* m_out, double* L_out, double* wd_out)
{
    int c = 0;
    float m = z[0];
    if (C >= 4) {
        v128_t vm = wasm_v128_load(z);
        for (c = 4; c + 4 <= C; c += 4) vm = wasm_f32x4_pmax(vm, wasm_v128_load(z + c));
        m = hmax4(vm);
    }
    for (; c < C; c++) if (z[c] > m) m = z[c];
    /* pmax and the compare skip a NaN logit, but exp(NaN - m) then makes L NaN. */
    const v128_t vmx = wasm_f32x4_splat(m);
    v128_t vs = wasm_f32x4_splat(0.0f), vw = wasm_f32x4_splat(0.0f);
    for (c = 0; c + 4 <= C; c += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(z + c), vmx);
        vs = wasm_f32x4_add(vs, v_expf(d));
        if (want_wd)
            vw = wasm_f32x4_add(vw, weight ? wasm_f32x4_mul(wasm_v128_load(weight + c), d) : d);
    }
    double sum = hsum4d(vs), wd = hsum4d(vw);
    for (; c < C; c++) {
        float d = z[c] - m;
        sum += expf(d);
        if (want_wd) wd += (weight ? (double)weight[c] : 1.0) * d;
    }
    *m_out = m;
    *L_out = log(sum);
    *wd_out = wd;
}

/* Four rows at once (s .. s+3 of one n, S >= 4): per-lane max, sum of exp, and w.d. */
static void rows4_stats_simd(const float* z, size_t S, int C, const float* weight,
                             int want_wd, float m[4], float sum[4], float wd[4])
{
    v128_t vm = wasm_v128_load(z);
    for (int c = 1; c < C; c++) vm = wasm_f32x4_pmax(vm, wasm_v128_load(z + (size_t)c * S));
    v128_t vs = wasm_f32x4_splat(0.0f), vw = wasm_f32x4_splat(0.0f);
    for (int c = 0; c < C; c++) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(z + (size_t)c * S), vm);
        vs = wasm_f32x4_add(vs, v_expf(d));
        if (want_wd)
            vw = wasm_f32x4_add(vw, weight ? wasm_f32x4_mul(wasm_f32x4_splat(weight[c]), d) : d);
    }
    wasm_v128_store(m, vm);
    wasm_v128_store(sum, vs);
    wasm_v128_store(wd, vw);
}

static int cross_entropy_forward_simd(float* out, const float* logits,
                                      const int32_t* target, const float* weight,
                                      int N, int C, int S, int ignore_index,
                                      int reduction, float eps)
{
    const double W = weight_total(weight, C);
    const int want_wd = eps > 0.0f;
    double sum = 0.0, den = 0.0;
    for (int n = 0; n < N; n++) {
        const float* zn = logits + (size_t)n * C * S;
        int s = 0;
        for (; S >= 4 && s + 4 <= S; s += 4) {
            float m[4], se[4], wd[4];
            rows4_stats_simd(zn + s, (size_t)S, C, weight, want_wd, m, se, wd);
            for (int j = 0; j < 4; j++) {
                size_t i = (size_t)n * S + s + j;
                int t = target[i];
                if (t == ignore_index) {
                    if (reduction == LOSS_NONE) out[i] = 0.0f;
                    continue;
                }
                double loss = ce_row_loss(zn + s + j, (size_t)S, t, m[j], log((double)se[j]),
                                          wd[j], weight, W, C, eps);
                if (reduction == LOSS_NONE) out[i] = (float)loss;
                sum += loss;
                den += weight ? (double)weight[t] : 1.0;
            }
        }
        for (; s < S; s++) {
            size_t i = (size_t)n * S + s;
            int t = target[i];
            if (t == ignore_index) {
                if (reduction == LOSS_NONE) out[i] = 0.0f;
                continue;
            }
            float m;
            double L, wd;
            if (S == 1) row_stats_contig_simd(zn, C, weight, want_wd, &m, &L, &wd);
            else row_stats_scalar(zn + s, (size_t)S, C, weight, want_wd, &m, &L, &wd);
            double loss = ce_row_loss(zn + s, (size_t)S, t, m, L, wd, weight, W, C, eps);
            if (reduction == LOSS_NONE) out[i] = (float)loss;
            sum += loss;
            den += weight ? (double)weight[t] : 1.0;
        }
    }
    if (reduction != LOSS_NONE) out[0] = reduce_value(sum, den, reduction);
    return LOSS_OK;
}

static void ce_row_grad_contig_simd(float* dz, const float* z, int t, int C,
                                    const float* weight, double W, float eps, float gs)
{
    float m;
    double L, wd;
    row_stats_contig_simd(z, C, weight, 0, &m, &L, &wd);
    const float Lf = (float)L, Wf = (float)W;
    const float a = gs * (1.0f - eps) * (weight ? weight[t] : 1.0f);
    const float b = gs * eps / (float)C;
    const v128_t vm = wasm_f32x4_splat(m), vL = wasm_f32x4_splat(Lf);
    const v128_t va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b), vW = wasm_f32x4_splat(Wf);
    const v128_t one = wasm_f32x4_splat(1.0f), vt = wasm_i32x4_splat(t);
    v128_t idx = wasm_i32x4_make(0, 1, 2, 3);
    int c = 0;
    for (; c + 4 <= C; c += 4) {
        v128_t p = v_expf(wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(z + c), vm), vL));
        v128_t delta = wasm_v128_and(wasm_i32x4_eq(idx, vt), one);
        v128_t g = wasm_f32x4_mul(va, wasm_f32x4_sub(p, delta));
        if (eps > 0.0f) {
            v128_t wc = weight ? wasm_v128_load(weight + c) : one;
            g = wasm_f32x4_add(g, wasm_f32x4_mul(vb, wasm_f32x4_sub(wasm_f32x4_mul(vW, p), wc)));
        }
        wasm_v128_store(dz + c, wasm_f32x4_add(wasm_v128_load(dz + c), g));
        idx = wasm_i32x4_add(idx, wasm_i32x4_splat(4));
    }
    for (; c < C; c++) {
        float p = expf((z[c] - m) - Lf);
        float g = a * (p - (c == t ? 1.0f : 0.0f));
        if (eps > 0.0f) g += b * (Wf * p - (weight ? weight[c] : 1.0f));
        dz[c] += g;
    }
}

static int cross_entropy_backward_simd(float* dlogits, const float* dout,
                                       const float* logits, const int32_t* target,
                                       const float* weight, int N, int C, int S,
                                       int ignore_index, int reduction, float eps)
{
    const size_t M = (size_t)N * S;
    if (M == 0) return LOSS_OK;
    const double W = weight_total(weight, C);
    float gscale = 0.0f;
    if (reduction == LOSS_SUM) gscale = dout[0];
    if (reduction == LOSS_MEAN)
        gscale = (float)(dout[0] / class_weight_sum(target, weight, M, ignore_index));
    const float Wf = (float)W;
    const v128_t vW = wasm_f32x4_splat(Wf), one = wasm_f32x4_splat(1.0f);
    for (int n = 0; n < N; n++) {
        const size_t base = (size_t)n * C * S;
        const float* zn = logits + base;
        float* dn = dlogits + base;
        int s = 0;
        for (; S >= 4 && s + 4 <= S; s += 4) {
            float m[4], se[4], wd[4], L[4], a[4], b[4];
            rows4_stats_simd(zn + s, (size_t)S, C, weight, 0, m, se, wd);
            int live = 0;
            for (int j = 0; j < 4; j++) {
                size_t i = (size_t)n * S + s + j;
                int t = target[i];
                L[j] = (float)log((double)se[j]);
                if (t == ignore_index) { /* a = b = 0: the lane adds nothing */
                    a[j] = b[j] = 0.0f;
                    continue;
                }
                live = 1;
                float gs = reduction == LOSS_NONE ? dout[i] : gscale;
                a[j] = gs * (1.0f - eps) * (weight ? weight[t] : 1.0f);
                b[j] = gs * eps / (float)C;
            }
            if (!live) continue;
            const v128_t vm = wasm_v128_load(m), vL = wasm_v128_load(L);
            const v128_t va = wasm_v128_load(a), vb = wasm_v128_load(b);
            const v128_t vt = wasm_v128_load(target + (size_t)n * S + s);
            for (int c = 0; c < C; c++) {
                const float* zc = zn + (size_t)c * S + s;
                float* dc = dn + (size_t)c * S + s;
                v128_t p = v_expf(wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(zc), vm), vL));
                v128_t delta = wasm_v128_and(wasm_i32x4_eq(vt, wasm_i32x4_splat(c)), one);
                v128_t g = wasm_f32x4_mul(va, wasm_f32x4_sub(p, delta));
                if (eps > 0.0f) {
                    v128_t wc = weight ? wasm_f32x4_splat(weight[c]) : one;
                    g = wasm_f32x4_add(g, wasm_f32x4_mul(vb, wasm_f32x4_sub(wasm_f32x4_mul(vW, p), wc)));
                }
                wasm_v128_store(dc, wasm_f32x4_add(wasm_v128_load(dc), g));
            }
        }
        for (; s < S; s++) {
            size_t i = (size_t)n * S + s;
            int t = target[i];
            if (t == ignore_index) continue;
            float gs = reduction == LOSS_NONE ? dout[i] : gscale;
            if (S == 1) ce_row_grad_contig_simd(dn, zn, t, C, weight, W, eps, gs);
            else ce_row_grad_scalar(dn + s, zn + s, (size_t)S, t, C, weight, W, eps, gs);
        }
    }
    return LOSS_OK;
}
#endif /* __wasm_simd128__ */

int cross_entropy_forward(float* out, const float* logits, const int32_t* target,
                          const float* weight, int N, int C, int S, int ignore_index,
                          int reduction, float label_smoothing, int* bad_index,
                          int* bad_value)
{
#ifdef __wasm_simd128__
    if (KERNEL_USE_SIMD) {
        int st = check_class_args(out, logits, target, N, C, S, reduction, label_smoothing);
        if (st) return st;
        st = check_class_targets(target, (size_t)N * S, C, ignore_index, bad_index,
                                 bad_value);
        if (st) return st;
        return cross_entropy_forward_simd(out, logits, target, weight, N, C, S,
                                          ignore_index, reduction, label_smoothing);
    }
#endif
    return cross_entropy_forward_scalar(out, logits, target, weight, N, C, S, ignore_index,
                                        reduction, label_smoothing, bad_index, bad_value);
}

int cross_entropy_backward(float* dlogits, const float* dout, const float* logits,
                           const int32_t* target, const float* weight, int N, int C,
                           int S, int ignore_index, int reduction, float label_smoothing,
                           int* bad_index, int* bad_value)
{
#ifdef __wasm_simd128__
    if (KERNEL_USE_SIMD) {
        int st = check_class_args(dlogits, logits, target, N, C, S, reduction,
                                  label_smoothing);
        if (st) return st;
        if ((size_t)N * S > 0 && !dout) return LOSS_ERR_ARG;
        st = check_class_targets(target, (size_t)N * S, C, ignore_index, bad_index,
                                 bad_value);
        if (st) return st;
        return cross_entropy_backward_simd(dlogits, dout, logits, target, weight, N, C, S,
                                           ignore_index, reduction, label_smoothing);
    }
#endif
    return cross_entropy_backward_scalar(dlogits, dout, logits, target, weight, N, C, S,
                                         ignore_index, reduction, label_smoothing,
                                         bad_index, bad_value);
}

/* ------------------------------------------------------------------------------------
 * Probability targets: loss = sum_c w_c t'_c (L - d_c) with d_c = z_c - m,
 * t' = t (1-eps) + eps/C. Gradients: dz_k = gs (p_k sum_c w_c t'_c - w_k t'_k),
 * dt_c = gs (1-eps) w_c (L - d_c). */
static int check_prob_args(const void* out, const float* logits, const float* target,
                           int N, int C, int S, int reduction, float eps)
{
    if (N < 0 || C < 1 || S < 0 || !reduction_ok(reduction)) return LOSS_ERR_ARG;
    if (!(eps >= 0.0f && eps <= 1.0f) || !out) return LOSS_ERR_ARG;
    if ((size_t)N * S > 0 && (!logits || !target)) return LOSS_ERR_ARG;
    return LOSS_OK;
}

int cross_entropy_prob_forward(float* out, const float* logits, const float* target,
                               const float* weight, int N, int C, int S, int reduction,
                               float label_smoothing)
{
    int st = check_prob_args(out, logits, target, N, C, S, reduction, label_smoothing);
    if (st) return st;
    const float eps = label_smoothing, keep = 1.0f - eps, add = eps / (float)C;
    double sum = 0.0;
    for (int n = 0; n < N; n++) {
        for (int s = 0; s < S; s++) {
            size_t off = (size_t)n * C * S + s;
            const float* z = logits + off;
            const float* tg = target + off;
            float m;
            double L, wd;
            row_stats_scalar(z, (size_t)S, C, NULL, 0, &m, &L, &wd);
            double loss = 0.0;
            for (int c = 0; c < C; c++) {
                float tc = eps > 0.0f ? tg[(size_t)c * S] * keep + add : tg[(size_t)c * S];
                double wc = weight ? (double)weight[c] : 1.0;
                loss += wc * tc * (L - (double)(z[(size_t)c * S] - m));
            }
            if (reduction == LOSS_NONE) out[(size_t)n * S + s] = (float)loss;
            sum += loss;
        }
    }
    if (reduction != LOSS_NONE)
        out[0] = reduce_value(sum, (double)N * S, reduction);
    return LOSS_OK;
}

int cross_entropy_prob_backward(float* dlogits, float* dtarget, const float* dout,
                                const float* logits, const float* target,
                                const float* weight, int N, int C, int S, int reduction,
                                float label_smoothing)
{
    int st = check_prob_args(dlogits, logits, target, N, C, S, reduction, label_smoothing);
    if (st) return st;
    const size_t M = (size_t)N * S;
    if (M == 0) return LOSS_OK;
    if (!dout) return LOSS_ERR_ARG;
    const float eps = label_smoothing, keep = 1.0f - eps, add = eps / (float)C;
    float gscale = reduction == LOSS_MEAN ? (float)(dout[0] / (double)M) : dout[0];
    for (int n = 0; n < N; n++) {
        for (int s = 0; s < S; s++) {
            size_t off = (size_t)n * C * S + s;
            const float* z = logits + off;
            const float* tg = target + off;
            float gs = reduction == LOSS_NONE ? dout[(size_t)n * S + s] : gscale;
            float m;
            double L, wd;
            row_stats_scalar(z, (size_t)S, C, NULL, 0, &m, &L, &wd);
            const float Lf = (float)L;
            /* u_c = w_c t'_c rounded once, so that sum_c u_c - u_k cancels exactly
             * when it should (C == 1 gives an exact 0, as PyTorch). */
            double usum = 0.0;
            for (int c = 0; c < C; c++) {
                size_t k = (size_t)c * S;
                float tc = eps > 0.0f ? tg[k] * keep + add : tg[k];
                usum += weight ? weight[c] * tc : tc;
            }
            const float us = (float)usum;
            for (int c = 0; c < C; c++) {
                size_t k = (size_t)c * S;
                float tc = eps > 0.0f ? tg[k] * keep + add : tg[k];
                float wc = weight ? weight[c] : 1.0f;
                float logp = (z[k] - m) - Lf;
                dlogits[off + k] += gs * (expf(logp) * us - wc * tc);
                if (dtarget) dtarget[off + k] += -gs * keep * wc * logp;
            }
        }
    }
    return LOSS_OK;
}

/* ------------------------------------------------------------------------------------
 * nll_loss on log-probabilities. */
int nll_loss_forward(float* out, const float* logp, const int32_t* target,
                     const float* weight, int N, int C, int S, int ignore_index,
                     int reduction, int* bad_index, int* bad_value)
{
    int st = check_class_args(out, logp, target, N, C, S, reduction, 0.0f);
    if (st) return st;
    const size_t M = (size_t)N * S;
    st = check_class_targets(target, M, C, ignore_index, bad_index, bad_value);
    if (st) return st;
    double sum = 0.0, den = 0.0;
    for (size_t i = 0; i < M; i++) {
        int t = target[i];
        if (t == ignore_index) {
            if (reduction == LOSS_NONE) out[i] = 0.0f;
            continue;
        }
        size_t n = i / (size_t)S, s = i % (size_t)S;
        double wt = weight ? (double)weight[t] : 1.0;
        double loss = -wt * logp[(n * C + t) * S + s];
        if (reduction == LOSS_NONE) out[i] = (float)loss;
        sum += loss;
        den += wt;
    }
    if (reduction != LOSS_NONE) out[0] = reduce_value(sum, den, reduction);
    return LOSS_OK;
}

int nll_loss_backward(float* dlogp, const float* dout, const int32_t* target,
                      const float* weight, int N, int C, int S, int ignore_index,
                      int reduction, int* bad_index, int* bad_value)
{
    if (!dlogp || N < 0 || C < 1 || S < 0 || !reduction_ok(reduction)) return LOSS_ERR_ARG;
    const size_t M = (size_t)N * S;
    if (M == 0) return LOSS_OK;
    if (!dout || !target) return LOSS_ERR_ARG;
    int st = check_class_targets(target, M, C, ignore_index, bad_index, bad_value);
    if (st) return st;
    float gscale = 0.0f;
    if (reduction == LOSS_SUM) gscale = dout[0];
    if (reduction == LOSS_MEAN)
        gscale = (float)(dout[0] / class_weight_sum(target, weight, M, ignore_index));
    for (size_t i = 0; i < M; i++) {
        int t = target[i];
        if (t == ignore_index) continue;
        size_t n = i / (size_t)S, s = i % (size_t)S;
        float gs = reduction == LOSS_NONE ? dout[i] : gscale;
        dlogp[(n * C + t) * S + s] -= gs * (weight ? weight[t] : 1.0f);
    }
    return LOSS_OK;
}

/* ------------------------------------------------------------------------------------
 * Elementwise regression losses. `p` is beta (smooth_l1) or delta (huber). */
EW_INLINE float ew_loss(int kind, float d, float p)
{
    float a = fabsf(d);
    switch (kind) {
    case EW_L1: return a;
    case EW_MSE: return d * d;
    case EW_SMOOTH_L1: return a < p ? 0.5f * d * d / p : a - 0.5f * p;
    default: return a < p ? 0.5f * d * d : p * (a - 0.5f * p);
    }
}

/* d loss / d input, times the upstream scale g. */
EW_INLINE float ew_grad(int kind, float d, float p, float g)
{
    switch (kind) {
    case EW_L1: return g * (float)((d > 0.0f) - (d < 0.0f));
    case EW_MSE: return 2.0f * d * g;
    case EW_SMOOTH_L1: return d < -p ? -g : d > p ? g : d * g / p;
    default: return d < -p ? -p * g : d > p ? p * g : d * g;
    }
}

static int ew_check(const void* out, const float* input, const float* target, int n,
                    int reduction)
{
    if (!out || n < 0 || !reduction_ok(reduction)) return LOSS_ERR_ARG;
    if (n > 0 && (!input || !target)) return LOSS_ERR_ARG;
    return LOSS_OK;
}

EW_INLINE int ew_forward_scalar(int kind, float* out, const float* x, const float* y,
                                    int n, int reduction, float p)
{
    int st = ew_check(out, x, y, n, reduction);
    if (st) return st;
    if (reduction == LOSS_NONE) {
        for (int i = 0; i < n; i++) out[i] = ew_loss(kind, x[i] - y[i], p);
        return LOSS_OK;
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += ew_loss(kind, x[i] - y[i], p);
    out[0] = reduce_value(sum, (double)n, reduction);
    return LOSS_OK;
}

EW_INLINE int ew_backward_scalar(int kind, float* dx, float* dy, const float* dout,
                                     const float* x, const float* y, int n, int reduction,
                                     float p)
{
    int st = ew_check(dx, x, y, n, reduction);
    if (st) return st;
    if (n == 0) return LOSS_OK;
    if (!dout) return LOSS_ERR_ARG;
    float gs = reduction == LOSS_MEAN ? dout[0] / (float)n : dout[0];
    for (int i = 0; i < n; i++) {
        float g = ew_grad(kind, x[i] - y[i], p, reduction == LOSS_NONE ? dout[i] : gs);
        dx[i] += g;
        if (dy) dy[i] -= g;
    }
    return LOSS_OK;
}

#ifdef __wasm_simd128__
EW_INLINE v128_t ew_loss_v(int kind, v128_t d, v128_t p)
{
    v128_t a = wasm_f32x4_abs(d);
    const v128_t half = wasm_f32x4_splat(0.5f);
    switch (kind) {
    case EW_L1: return a;
    case EW_MSE: return wasm_f32x4_mul(d, d);
    case EW_SMOOTH_L1: {
        v128_t q = wasm_f32x4_div(wasm_f32x4_mul(wasm_f32x4_mul(half, d), d), p);
        v128_t l = wasm_f32x4_sub(a, wasm_f32x4_mul(half, p));
        return wasm_v128_bitselect(q, l, wasm_f32x4_lt(a, p));
    }
    default: {
        v128_t q = wasm_f32x4_mul(wasm_f32x4_mul(half, d), d);
        v128_t l = wasm_f32x4_mul(p, wasm_f32x4_sub(a, wasm_f32x4_mul(half, p)));
        return wasm_v128_bitselect(q, l, wasm_f32x4_lt(a, p));
    }
    }
}

EW_INLINE v128_t ew_grad_v(int kind, v128_t d, v128_t p, v128_t g)
{
    switch (kind) {
    case EW_L1: {
        const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
        v128_t sg = wasm_f32x4_sub(wasm_v128_and(wasm_f32x4_gt(d, zero), one),
                                   wasm_v128_and(wasm_f32x4_lt(d, zero), one));
        return wasm_f32x4_mul(g, sg);
    }
    case EW_MSE: return wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_splat(2.0f), d), g);
    case EW_SMOOTH_L1: {
        v128_t mid = wasm_f32x4_div(wasm_f32x4_mul(d, g), p);
        v128_t r = wasm_v128_bitselect(g, mid, wasm_f32x4_gt(d, p));
        return wasm_v128_bitselect(wasm_f32x4_neg(g), r, wasm_f32x4_lt(d, wasm_f32x4_neg(p)));
    }
    default: {
        v128_t pg = wasm_f32x4_mul(p, g);
        v128_t r = wasm_v128_bitselect(pg, wasm_f32x4_mul(d, g), wasm_f32x4_gt(d, p));
        return wasm_v128_bitselect(wasm_f32x4_neg(pg), r, wasm_f32x4_lt(d, wasm_f32x4_neg(p)));
    }
    }
}

EW_INLINE int ew_forward_simd(int kind, float* out, const float* x, const float* y,
                                  int n, int reduction, float pf)
{
    int st = ew_check(out, x, y, n, reduction);
    if (st) return st;
    const v128_t p = wasm_f32x4_splat(pf);
    int i = 0;
    if (reduction == LOSS_NONE) {
        for (; i + 4 <= n; i += 4) {
            v128_t d = wasm_f32x4_sub(wasm_v128_load(x + i), wasm_v128_load(y + i));
            wasm_v128_store(out + i, ew_loss_v(kind, d, p));
        }
        for (; i < n; i++) out[i] = ew_loss(kind, x[i] - y[i], pf);
        return LOSS_OK;
    }
    /* Two f64x2 accumulators keep the sum as accurate as the scalar double sum. */
    v128_t acc0 = wasm_f64x2_splat(0.0), acc1 = wasm_f64x2_splat(0.0);
    for (; i + 4 <= n; i += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(x + i), wasm_v128_load(y + i));
        v128_t l = ew_loss_v(kind, d, p);
        acc0 = wasm_f64x2_add(acc0, wasm_f64x2_promote_low_f32x4(l));
        acc1 = wasm_f64x2_add(acc1, wasm_f64x2_promote_low_f32x4(
                                        wasm_i32x4_shuffle(l, l, 2, 3, 0, 1)));
    }
    acc0 = wasm_f64x2_add(acc0, acc1);
    double sum = wasm_f64x2_extract_lane(acc0, 0) + wasm_f64x2_extract_lane(acc0, 1);
    for (; i < n; i++) sum += ew_loss(kind, x[i] - y[i], pf);
    out[0] = reduce_value(sum, (double)n, reduction);
    return LOSS_OK;
}

EW_INLINE int ew_backward_simd(int kind, float* dx, float* dy, const float* dout,
                                   const float* x, const float* y, int n, int reduction,
                                   float pf)
{
    int st = ew_check(dx, x, y, n, reduction);
    if (st) return st;
    if (n == 0) return LOSS_OK;
    if (!dout) return LOSS_ERR_ARG;
    const float gs = reduction == LOSS_MEAN ? dout[0] / (float)n : dout[0];
    const v128_t p = wasm_f32x4_splat(pf), vgs = wasm_f32x4_splat(gs);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(x + i), wasm_v128_load(y + i));
        v128_t g = ew_grad_v(kind, d, p, reduction == LOSS_NONE ? wasm_v128_load(dout + i) : vgs);
        wasm_v128_store(dx + i, wasm_f32x4_add(wasm_v128_load(dx + i), g));
        if (dy) wasm_v128_store(dy + i, wasm_f32x4_sub(wasm_v128_load(dy + i), g));
    }
    for (; i < n; i++) {
        float g = ew_grad(kind, x[i] - y[i], pf, reduction == LOSS_NONE ? dout[i] : gs);
        dx[i] += g;
        if (dy) dy[i] -= g;
    }
    return LOSS_OK;
}
#define EW_DISPATCH_F(kind, out, x, y, n, r, p)                                  \
    if (KERNEL_USE_SIMD) return ew_forward_simd(kind, out, x, y, n, r, p);
#define EW_DISPATCH_B(kind, dx, dy, g, x, y, n, r, p)                            \
    if (KERNEL_USE_SIMD) return ew_backward_simd(kind, dx, dy, g, x, y, n, r, p);
#else
#define EW_DISPATCH_F(kind, out, x, y, n, r, p)
#define EW_DISPATCH_B(kind, dx, dy, g, x, y, n, r, p)
#endif /* __wasm_simd128__ */

int l1_loss_forward_scalar(float* out, const float* input, const float* target, int n,
                           int reduction)
{
    return ew_forward_scalar(EW_L1, out, input, target, n, reduction, 0.0f);
}
int l1_loss_forward(float* out, const float* input, const float* target, int n,
                    int reduction)
{
    EW_DISPATCH_F(EW_L1, out, input, target, n, reduction, 0.0f)
    return l1_loss_forward_scalar(out, input, target, n, reduction);
}
int l1_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                            const float* input, const float* target, int n, int reduction)
{
    return ew_backward_scalar(EW_L1, dinput, dtarget, dout, input, target, n, reduction,
                              0.0f);
}
int l1_loss_backward(float* dinput, float* dtarget, const float* dout,
                     const float* input, const float* target, int n, int reduction)
{
    EW_DISPATCH_B(EW_L1, dinput, dtarget, dout, input, target, n, reduction, 0.0f)
    return l1_loss_backward_scalar(dinput, dtarget, dout, input, target, n, reduction);
}

int mse_loss_forward_scalar(float* out, const float* input, const float* target, int n,
                            int reduction)
{
    return ew_forward_scalar(EW_MSE, out, input, target, n, reduction, 0.0f);
}
int mse_loss_forward(float* out, const float* input, const float* target, int n,
                     int reduction)
{
    EW_DISPATCH_F(EW_MSE, out, input, target, n, reduction, 0.0f)
    return mse_loss_forward_scalar(out, input, target, n, reduction);
}
int mse_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                             const float* input, const float* target, int n, int reduction)
{
    return ew_backward_scalar(EW_MSE, dinput, dtarget, dout, input, target, n, reduction,
                              0.0f);
}
int mse_loss_backward(float* dinput, float* dtarget, const float* dout,
                      const float* input, const float* target, int n, int reduction)
{
    EW_DISPATCH_B(EW_MSE, dinput, dtarget, dout, input, target, n, reduction, 0.0f)
    return mse_loss_backward_scalar(dinput, dtarget, dout, input, target, n, reduction);
}

int smooth_l1_loss_forward_scalar(float* out, const float* input, const float* target,
                                  int n, int reduction, float beta)
{
    if (!(beta >= 0.0f)) return LOSS_ERR_ARG;
    if (beta == 0.0f) return l1_loss_forward_scalar(out, input, target, n, reduction);
    return ew_forward_scalar(EW_SMOOTH_L1, out, input, target, n, reduction, beta);
}
int smooth_l1_loss_forward(float* out, const float* input, const float* target, int n,
                           int reduction, float beta)
{
    if (!(beta >= 0.0f)) return LOSS_ERR_ARG;
    if (beta == 0.0f) return l1_loss_forward(out, input, target, n, reduction);
    EW_DISPATCH_F(EW_SMOOTH_L1, out, input, target, n, reduction, beta)
    return smooth_l1_loss_forward_scalar(out, input, target, n, reduction, beta);
}
int smooth_l1_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                                   const float* input, const float* target, int n,
                                   int reduction, float beta)
{
    if (!(beta >= 0.0f)) return LOSS_ERR_ARG;
    if (beta == 0.0f)
        return l1_loss_backward_scalar(dinput, dtarget, dout, input, target, n, reduction);
    return ew_backward_scalar(EW_SMOOTH_L1, dinput, dtarget, dout, input, target, n,
                              reduction, beta);
}
int smooth_l1_loss_backward(float* dinput, float* dtarget, const float* dout,
                            const float* input, const float* target, int n, int reduction,
                            float beta)
{
    if (!(beta >= 0.0f)) return LOSS_ERR_ARG;
    /* beta == 0 is l1 (PyTorch special-cases it: gradient 0 at d == 0, no 0/0). */
    if (beta == 0.0f)
        return l1_loss_backward(dinput, dtarget, dout, input, target, n, reduction);
    EW_DISPATCH_B(EW_SMOOTH_L1, dinput, dtarget, dout, input, target, n, reduction, beta)
    return smooth_l1_loss_backward_scalar(dinput, dtarget, dout, input, target, n,
                                          reduction, beta);
}

int huber_loss_forward_scalar(float* out, const float* input, const float* target, int n,
                              int reduction, float delta)
{
    if (!(delta > 0.0f)) return LOSS_ERR_ARG;
    return ew_forward_scalar(EW_HUBER, out, input, target, n, reduction, delta);
}
int huber_loss_forward(float* out, const float* input, const float* target, int n,
                       int reduction, float delta)
{
    if (!(delta > 0.0f)) return LOSS_ERR_ARG;
    EW_DISPATCH_F(EW_HUBER, out, input, target, n, reduction, delta)
    return huber_loss_forward_scalar(out, input, target, n, reduction, delta);
}
int huber_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                               const float* input, const float* target, int n,
                               int reduction, float delta)
{
    if (!(delta > 0.0f)) return LOSS_ERR_ARG;
    return ew_backward_scalar(EW_HUBER, dinput, dtarget, dout, input, target, n, reduction,
                              delta);
}
int huber_loss_backward(float* dinput, float* dtarget, const float* dout,
                        const float* input, const float* target, int n, int reduction,
                        float delta)
{
    if (!(delta > 0.0f)) return LOSS_ERR_ARG;
    EW_DISPATCH_B(EW_HUBER, dinput, dtarget, dout, input, target, n, reduction, delta)
    return huber_loss_backward_scalar(dinput, dtarget, dout, input, target, n, reduction,
                                      delta);
}

/* ------------------------------------------------------------------------------------
 * Binary cross entropy (PyTorch's float formulas, in PyTorch's operation order). */
int bce_forward(float* out, const float* input, const float* target, const float* weight,
                int n, int reduction, int* bad_index)
{
    int st = ew_check(out, input, target, n, reduction);
    if (st) return st;
    for (int i = 0; i < n; i++) {
        if (!(input[i] >= 0.0f && input[i] <= 1.0f)) {
            if (bad_index) *bad_index = i;
            return LOSS_ERR_INPUT_RANGE;
        }
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float x = input[i], t = target[i];
        float l = (t - 1.0f) * fmaxf(logf(1.0f - x), -100.0f) - t * fmaxf(logf(x), -100.0f);
        if (weight) l *= weight[i];
        if (reduction == LOSS_NONE) out[i] = l;
        sum += l;
    }
    if (reduction != LOSS_NONE) out[0] = reduce_value(sum, (double)n, reduction);
    return LOSS_OK;
}

int bce_backward(float* dinput, float* dtarget, const float* dout, const float* input,
                 const float* target, const float* weight, int n, int reduction)
{
    int st = ew_check(dinput, input, target, n, reduction);
    if (st) return st;
    if (n == 0) return LOSS_OK;
    if (!dout) return LOSS_ERR_ARG;
    for (int i = 0; i < n; i++) {
        float g = reduction == LOSS_NONE ? dout[i] : dout[0];
        float x = input[i], t = target[i];
        float gx = g * (x - t) / fmaxf((1.0f - x) * x, 1e-12f);
        float gt = -logf(x / (1.0f - x)) * g;
        if (weight) {
            gx *= weight[i];
            gt *= weight[i];
        }
        if (reduction == LOSS_MEAN) {
            gx /= (float)n;
            gt /= (float)n;
        }
        dinput[i] += gx;
        if (dtarget) dtarget[i] += gt;
    }
    return LOSS_OK;
}

static int bcel_check(const float* pos_weight, int P)
{
    return pos_weight && P < 1 ? LOSS_ERR_ARG : LOSS_OK;
}

int bce_with_logits_forward(float* out, const float* input, const float* target,
                            const float* weight, const float* pos_weight, int P, int n,
                            int reduction)
{
    int st = ew_check(out, input, target, n, reduction);
    if (st || (st = bcel_check(pos_weight, P))) return st;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float x = input[i], t = target[i];
        float m = fmaxf(-x, 0.0f);
        float lg = logf(expf(-m) + expf(-x - m));
        float l;
        if (pos_weight) {
            float lw = (pos_weight[i % P] - 1.0f) * t + 1.0f;
            l = (1.0f - t) * x + lw * (lg + m);
        } else {
            l = (1.0f - t) * x + m + lg;
        }
        if (weight) l *= weight[i];
        if (reduction == LOSS_NONE) out[i] = l;
        sum += l;
    }
    if (reduction != LOSS_NONE) out[0] = reduce_value(sum, (double)n, reduction);
    return LOSS_OK;
}

static inline float log_sigmoidf(float x)
{
    return fminf(x, 0.0f) - log1pf(expf(-fabsf(x)));
}

int bce_with_logits_backward(float* dinput, float* dtarget, const float* dout,
                             const float* input, const float* target, const float* weight,
                             const float* pos_weight, int P, int n, int reduction)
{
    int st = ew_check(dinput, input, target, n, reduction);
    if (st || (st = bcel_check(pos_weight, P))) return st;
    if (n == 0) return LOSS_OK;
    if (!dout) return LOSS_ERR_ARG;
    for (int i = 0; i < n; i++) {
        float g = reduction == LOSS_NONE ? dout[i] : dout[0];
        float x = input[i], t = target[i];
        float sig = 1.0f / (1.0f + expf(-x));
        float gx, gt;
        if (pos_weight) {
            float pw = pos_weight[i % P], tp = pw * t;
            gx = ((tp + 1.0f - t) * sig - tp) * g;
            gt = (log_sigmoidf(-x) - log_sigmoidf(x) * pw) * g;
        } else {
            gx = (sig - t) * g;
            gt = -x * g;
        }
        if (weight) {
            gx *= weight[i];
            gt *= weight[i];
        }
        if (reduction == LOSS_MEAN) {
            gx /= (float)n;
            gt /= (float)n;
        }
        dinput[i] += gx;
        if (dtarget) dtarget[i] += gt;
    }
    return LOSS_OK;
}

/* ------------------------------------------------------------------------------------
 * kl_div. */
static int kl_check(const void* out, const float* input, const float* target, int n,
                    int batch, int reduction)
{
    if (!out || n < 0 || batch < 0) return LOSS_ERR_ARG;
    if (!reduction_ok(reduction) && reduction != LOSS_BATCHMEAN) return LOSS_ERR_ARG;
    if (n > 0 && (!input || !target)) return LOSS_ERR_ARG;
    return LOSS_OK;
}

static inline float xlogxf(float t)
{
    if (t != t) return t;
    return t == 0.0f ? 0.0f : t * logf(t);
}

int kl_div_forward(float* out, const float* input, const float* target, int n, int batch,
                   int reduction, int log_target)
{
    int st = kl_check(out, input, target, n, batch, reduction);
    if (st) return st;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float x = input[i], t = target[i];
        float l = log_target ? expf(t) * (t - x) : xlogxf(t) - t * x;
        if (reduction == LOSS_NONE) out[i] = l;
        sum += l;
    }
    if (reduction == LOSS_BATCHMEAN) out[0] = (float)(sum / (double)batch);
    else if (reduction != LOSS_NONE) out[0] = reduce_value(sum, (double)n, reduction);
    return LOSS_OK;
}

int kl_div_backward(float* dinput, float* dtarget, const float* dout, const float* input,
                    const float* target, int n, int batch, int reduction, int log_target)
{
    int st = kl_check(dinput, input, target, n, batch, reduction);
    if (st) return st;
    if (n == 0) return LOSS_OK;
    if (!dout) return LOSS_ERR_ARG;
    float gs = dout[0];
    if (reduction == LOSS_MEAN) gs = dout[0] / (float)n;
    if (reduction == LOSS_BATCHMEAN) gs = dout[0] / (float)batch;
    for (int i = 0; i < n; i++) {
        float g = reduction == LOSS_NONE ? dout[i] : gs;
        float x = input[i], t = target[i];
        if (log_target) {
            float et = expf(t);
            dinput[i] += -et * g;
            if (dtarget) dtarget[i] += g * (t - x) * et + g * et;
        } else {
            dinput[i] += -t * g;
            /* PyTorch's xlogy(t, t) gradient: log t (0 at t == 0) plus t / t (NaN at 0). */
            if (dtarget) {
                float lt = t != 0.0f || t != t ? logf(t) : 0.0f;
                dtarget[i] += g * lt + g * (t / t) - g * x;
            }
        }
    }
    return LOSS_OK;
}
