/* rng.c: PyTorch 1.13's CPU random generator, bit for bit (see rng.h).
 * Sources of truth, read from Debian's libtorch-dev headers and checked against
 * python3-torch 1.13.1 by tests/native/test_rng.c:
 *   ATen/core/MT19937RNGEngine.h        mt19937 seeding, twist, tempering
 *   ATen/core/TransformationHelper.h    uniform_real, uniform_int_from_to, bernoulli
 *   ATen/core/DistributionsHelper.h     normal_distribution (cached Box-Muller)
 *   ATen/native/cpu/DistributionTemplates.h, avx_mathfun.h   normal_fill_AVX2
 * Floating-point steps are written one rounding per statement, because whether a*b+c is
 * fused changes the last bit. Debian's GCC contracted many of ATen's multiply-adds into
 * FMAs (read from the disassembly of libtorch_cpu.so's AVX2 kernels); exactly those are
 * fma_f32 / fma calls here, and everything else is rounded step by step.
 * Not here: SIMD (the generator is inherently serial and is not a hot path). */
#include "rng.h"

/* No implicit contraction, even under -std=gnu11 or -march with FMA (see above). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <math.h>
#include <string.h>

#include "error.h"

#define MT_M 397

static Rng g_default;
static int g_default_ready = 0;

Rng* rng_default(void) {
  if (!g_default_ready) {
    rng_seed(&g_default, RNG_DEFAULT_SEED);
    g_default_ready = 1;
  }
  return &g_default;
}

static Rng* resolve(Rng* g) { return g ? g : rng_default(); }

void rng_seed(Rng* g, uint64_t seed) {
  g = resolve(g);
  /* at::mt19937::init_with_uint32: the seed is truncated to 32 bits. */
  g->seed = seed;
  g->mt[0] = (uint32_t)seed;
  for (uint32_t j = 1; j < RNG_MT_N; j++)
    g->mt[j] = 1812433253u * (g->mt[j - 1] ^ (g->mt[j - 1] >> 30)) + j;
  g->left = 1;
  g->next = 0;
  /* CPUGeneratorImpl::set_current_seed also drops the cached normal. */
  g->has_normal = 0;
  g->normal = 0.0;
}

uint64_t rng_initial_seed(const Rng* g) {
  return g ? g->seed : rng_default()->seed;
}

static uint32_t twist(uint32_t u, uint32_t v) {
  uint32_t mix = (u & 0x80000000u) | (v & 0x7fffffffu);
  return (mix >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
}

static void next_state(Rng* g) {
  uint32_t* p = g->mt;
  g->left = RNG_MT_N;
  g->next = 0;
  for (int j = RNG_MT_N - MT_M; j > 0; j--, p++) *p = p[MT_M] ^ twist(p[0], p[1]);
  for (int j = MT_M - 1; j > 0; j--, p++) *p = p[MT_M - RNG_MT_N] ^ twist(p[0], p[1]);
  *p = p[MT_M - RNG_MT_N] ^ twist(p[0], g->mt[0]);
}

static uint32_t draw32(Rng* g) {
  if (--g->left == 0) next_state(g);
  uint32_t y = g->mt[g->next++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= (y >> 18);
  return y;
}

/* CPUGeneratorImpl::random64: the first draw is the high half. */
static uint64_t draw64(Rng* g) {
  uint32_t hi = draw32(g);
  uint32_t lo = draw32(g);
  return ((uint64_t)hi << 32) | lo;
}

uint32_t rng_u32(Rng* g) { return draw32(resolve(g)); }
uint64_t rng_u64(Rng* g) { return draw64(resolve(g)); }

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* fmaf, exactly, without libm's slow general path (wasm and pre-FMA x86 have no fused
 * instruction): a*b is exact in double, so a*b + c rounded to double and then to float is
 * the correctly rounded float unless the double lands exactly on a float rounding tie;
 * only then (and for results outside float's normal range) call fmaf. */
static float fma_f32(float a, float b, float c) {
  double xy = (double)a * (double)b;
  double r = xy + (double)c;
  uint64_t u;
  memcpy(&u, &r, 8);
  uint32_t e = (uint32_t)(u >> 52) & 0x7ffu;
  if ((u & 0x1fffffffu) != 0x10000000u && e >= 1023 - 126 && e <= 1023 + 127) return (float)r;
  return fmaf(a, b, c);
}

/* at::uniform_real_distribution<float>(0, 1): 24 bits scaled by 2^-24 (exact). */
static float unit_f32(Rng* g) {
  return (float)(draw32(g) & ((1u << 24) - 1)) * (1.0f / 16777216.0f);
}

/* at::uniform_real_distribution<double>(0, 1): 53 bits of random64() scaled by 2^-53. */
static double unit_f64(Rng* g) {
  return (double)(draw64(g) & ((UINT64_C(1) << 53) - 1)) * (1.0 / 9007199254740992.0);
}

void rng_uniform_f32(Rng* g, float* out, int64_t n, double from_, double to_) {
  g = resolve(g);
  const float from = (float)from_, to = (float)to_;
  /* ATen: x * (to - from) + from in float (dist_acctype<float> = float); GCC contracted
   * the multiply-add into one FMA in Debian's x86 build. */
  const float range = to - from;
  for (int64_t i = 0; i < n; i++) out[i] = fma_f32(unit_f32(g), range, from);
}

/* ---- the vectorised normal path: avx_mathfun.h's log256_ps and sincos256_ps, one lane ---- */

/* Cephes logf as in log256_ps, for x in (0, 1] (u1 = 1 - uniform never reaches 0). */
static float cephes_logf(float x) {
  const float one = 1.0f;
  uint32_t bits = f2u(x);
  int32_t expo = (int32_t)(bits >> 23) - 0x7f;
  x = u2f((bits & ~0x7f800000u) | f2u(0.5f));  /* mantissa scaled into [0.5, 1) */
  float e = (float)expo;
  e = e + one;
  int below = x < (float)0.707106781186547524;
  float tmp = below ? x : 0.0f;
  x = x - one;
  e = e - (below ? one : 0.0f);
  x = x + tmp;
  float z = x * x;
  static const float p[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                             -1.2420140846E-1f, +1.4249322787E-1f, -1.6668057665E-1f,
                             +2.0000714765E-1f, -2.4999993993E-1f, +3.3333331174E-1f};
  float y = p[0];
  for (int k = 1; k < 9; k++) y = fma_f32(y, x, p[k]);
  y = y * x;
  tmp = e * -2.12194440e-4f;
  y = fma_f32(y, z, tmp);
  tmp = z * 0.5f;
  y = y - tmp;
  tmp = e * 0.693359375f;
  x = x + y;
  x = x + tmp;
  return x;
}

/* Cephes sinf / cosf as in sincos256_ps, for x >= 0 (theta = 2 pi u2). */
static void cephes_sincosf(float x, float* s, float* c) {
  uint32_t sign_sin = f2u(x) & 0x80000000u;
  x = u2f(f2u(x) & 0x7fffffffu);
  float y = x * 1.27323954473516f;            /* 4 / pi */
  int32_t j = (int32_t)y;
  j = (j + 1) & ~1;
  y = (float)j;
  uint32_t swap_sign_sin = ((uint32_t)j & 4u) << 29;
  int poly_sin = (j & 2) == 0;
  x = fma_f32(y, -0.78515625f, x);              /* extended-precision range reduction */
  x = fma_f32(y, -2.4187564849853515625e-4f, x);
  x = fma_f32(y, -3.77489497744594108e-8f, x);
  uint32_t sign_cos = (~(uint32_t)(j - 2) & 4u) << 29;
  sign_sin ^= swap_sign_sin;
  float z = x * x;
  float yc = 2.443315711809948E-005f;         /* cos polynomial on [0, pi/4] */
  yc = fma_f32(yc, z, -1.388731625493765E-003f);
  yc = fma_f32(yc, z, 4.166664568298827E-002f);
  yc = yc * z;
  float t = z * 0.5f;
  yc = fma_f32(yc, z, -t);
  yc = yc + 1.0f;
  float ys = -1.9515295891E-4f;               /* sin polynomial on [0, pi/4] */
  ys = fma_f32(ys, z, 8.3321608736E-3f);
  ys = fma_f32(ys, z, -1.6666654611E-1f);
  ys = ys * z;
  ys = fma_f32(ys, x, x);
  /* Both lanes' blends, kept literal so signed zeros come out as in ATen. */
  float ysin2 = poly_sin ? ys : 0.0f;
  float ysin1 = poly_sin ? 0.0f : yc;
  ys = ys - ysin2;
  yc = yc - ysin1;
  float vs = ysin1 + ysin2;
  float vc = yc + ys;
  *s = u2f(f2u(vs) ^ sign_sin);
  *c = u2f(f2u(vc) ^ sign_cos);
}

/* normal_fill_16_AVX2 on one block: data[0..7] pairs with data[8..15]. */
static void normal_block16(float* data, float mean, float std) {  /* data: (16) */
  const float two_pi = (float)(2.0 * 3.14159265358979323846);
  for (int k = 0; k < 8; k++) {
    float u1 = 1.0f - data[k];
    float u2 = data[k + 8];
    float lg = cephes_logf(u1);
    float r2 = -2.0f * lg;
    float radius = sqrtf(r2);
    float theta = two_pi * u2;
    float s, c;
    cephes_sincosf(theta, &s, &c);
    float n1 = radius * c;
    float n2 = radius * s;
    data[k] = fma_f32(n1, std, mean);
    data[k + 8] = fma_f32(n2, std, mean);
  }
}

/* at::normal_distribution<double>: Box-Muller in double with one cached value. glibc and
 * musl (wasm) may differ in the last bit of log / sin / cos on rare arguments; after the
 * rounding to float that shows up about once in 2^29 values. */
static double normal_f64(Rng* g, double mean, double std) {
  double v;
  if (g->has_normal) {
    g->has_normal = 0;
    v = g->normal;
  } else {
    double u1 = unit_f64(g);
    double u2 = unit_f64(g);
    double r = sqrt(-2.0 * log(1.0 - u2));
    double theta = 2.0 * 3.14159265358979323846 * u1;
    g->normal = r * sin(theta);
    g->has_normal = 1;
    v = r * cos(theta);
  }
  return fma(v, std, mean);  /* transformation::normal, contracted to an FMA by GCC */
}

void rng_normal_f32(Rng* g, float* out, int64_t n, double mean, double std) {
  g = resolve(g);
  if (n < 16) {
    for (int64_t i = 0; i < n; i++) out[i] = (float)normal_f64(g, mean, std);
    return;
  }
  for (int64_t i = 0; i < n; i++) out[i] = unit_f32(g);
  for (int64_t i = 0; i + 16 <= n; i += 16) normal_block16(out + i, (float)mean, (float)std);
  if (n % 16 != 0) {
    /* ATen redraws the last 16 uniforms and transforms them as one more block. */
    float* tail = out + n - 16;
    for (int k = 0; k < 16; k++) tail[k] = unit_f32(g);
    normal_block16(tail, (float)mean, (float)std);
  }
}

int rng_randint_i32(Rng* g, int32_t* out, int64_t n, int64_t low, int64_t high) {
  g = resolve(g);
  if (low >= high || low < INT32_MIN || high - 1 > INT32_MAX) return K_ERR_RANGE;
  uint64_t range = (uint64_t)high - (uint64_t)low;
  for (int64_t i = 0; i < n; i++) {
    uint64_t v = range >= (UINT64_C(1) << 32) ? draw64(g) : draw32(g);
    out[i] = (int32_t)(low + (int64_t)(v % range));
  }
  return K_OK;
}

int rng_randperm_i32(Rng* g, int32_t* out, int64_t n) {
  g = resolve(g);
  if (n < 0 || n > INT32_MAX) return K_ERR_RANGE;
  for (int64_t i = 0; i < n; i++) out[i] = (int32_t)i;
  for (int64_t i = 0; i < n - 1; i++) {
    int64_t z = (int64_t)(draw32(g) % (uint64_t)(n - i));
    int32_t sav = out[i];
    out[i] = out[z + i];
    out[z + i] = sav;
  }
  return K_OK;
}

void rng_bernoulli_f32(Rng* g, float* out, int64_t n, double p) {
  g = resolve(g);
  for (int64_t i = 0; i < n; i++) out[i] = unit_f64(g) < p ? 1.0f : 0.0f;
}

int64_t rng_random_i64(Rng* g) {
  return (int64_t)(draw64(resolve(g)) % (UINT64_C(1) << 63));
}

/* ---- state blob: magic, version, then the fields, all little-endian ---- */

#define STATE_MAGIC 0x4b524e47u /* "KRNG" */
#define STATE_VERSION 1u
#define STATE_BYTES (4 + 4 + 4 * RNG_MT_N + 4 + 4 + 8 + 4 + 8)

size_t rng_state_size(void) { return STATE_BYTES; }

static uint8_t* put32(uint8_t* p, uint32_t v) {
  for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
  return p + 4;
}
static uint8_t* put64(uint8_t* p, uint64_t v) {
  for (int k = 0; k < 8; k++) p[k] = (uint8_t)(v >> (8 * k));
  return p + 8;
}
static const uint8_t* get32(const uint8_t* p, uint32_t* v) {
  *v = 0;
  for (int k = 0; k < 4; k++) *v |= (uint32_t)p[k] << (8 * k);
  return p + 4;
}
static const uint8_t* get64(const uint8_t* p, uint64_t* v) {
  *v = 0;
  for (int k = 0; k < 8; k++) *v |= (uint64_t)p[k] << (8 * k);
  return p + 8;
}

void rng_get_state(const Rng* g, uint8_t* out) {
  if (!g) g = rng_default();
  uint64_t normal_bits;
  memcpy(&normal_bits, &g->normal, 8);
  uint8_t* p = put32(out, STATE_MAGIC);
  p = put32(p, STATE_VERSION);
  for (int j = 0; j < RNG_MT_N; j++) p = put32(p, g->mt[j]);
  p = put32(p, (uint32_t)g->left);
  p = put32(p, g->next);
  p = put64(p, g->seed);
  p = put32(p, (uint32_t)g->has_normal);
  put64(p, normal_bits);
}

int rng_set_state(Rng* g, const uint8_t* in) {
  g = resolve(g);
  Rng t;
  uint32_t magic, version, left, has_normal;
  uint64_t normal_bits;
  const uint8_t* p = get32(in, &magic);
  p = get32(p, &version);
  if (magic != STATE_MAGIC || version != STATE_VERSION) return K_ERR_RUNTIME;
  for (int j = 0; j < RNG_MT_N; j++) p = get32(p, &t.mt[j]);
  p = get32(p, &left);
  p = get32(p, &t.next);
  p = get64(p, &t.seed);
  p = get32(p, &has_normal);
  get64(p, &normal_bits);
  /* Reachable states: freshly seeded (left 1, next 0), or left + next = 625 with left in
   * [1, 624] (mt19937_engine::is_valid checks a looser form of this). */
  int fresh = left == 1 && t.next == 0;
  if (left < 1 || left > RNG_MT_N || t.next > RNG_MT_N ||
      (!fresh && left + t.next != RNG_MT_N + 1) || has_normal > 1)
    return K_ERR_RUNTIME;
  t.left = (int32_t)left;
  t.has_normal = (int32_t)has_normal;
  memcpy(&t.normal, &normal_bits, 8);
  *g = t;
  return K_OK;
}
