/* rng.h: the seedable random generator behind torch.manual_seed, torch.Generator, rand,
 * randn, randint, randperm, uniform_/normal_ initialisation, dropout masks and DataLoader
 * shuffling. It reproduces PyTorch 1.13's CPU generator (CPUGeneratorImpl: at::mt19937
 * plus ATen's distribution transforms) bit for bit: after the same seed and the same
 * sequence of calls it yields the same values as PyTorch on an x86-64 machine with AVX2
 * (ATen's AVX2 kernels, also used on AVX-512 machines). PyTorch builds without them (ARM,
 * ATEN_CPU_CAPABILITY=default) differ in the last bit for uniform_(a, b) when b - a is not
 * a power of two and for normal_ on >= 16 elements; rand, randint, randperm, bernoulli_
 * and normal_ on < 16 elements are the same everywhere.
 *
 * Every function takes the generator first; NULL means the default generator (PyTorch's
 * torch.default_generator). It starts seeded with ATen's 67280421310721; Python PyTorch
 * instead reseeds it from OS entropy at import, which the JS shim may mimic.
 * Not here: tensors, argument messages for users (callers check arguments and report
 * through error.h), thread safety (one generator per wasm instance, used from one thread). */
#ifndef KINDLING_RNG_H
#define KINDLING_RNG_H

#include <stddef.h>
#include <stdint.h>

#define RNG_MT_N 624

typedef struct Rng {
  uint32_t mt[RNG_MT_N];      /* mt19937 state words */
  int32_t left;               /* draws left before the next twist, 1..624 (ATen's layout) */
  uint32_t next;              /* index of the next word in mt */
  uint64_t seed;              /* as given; mt19937 only uses its low 32 bits */
  int32_t has_normal;         /* the cached second Box-Muller value of the scalar path */
  double normal;
} Rng;

/* PyTorch's default_rng_seed_val. */
#define RNG_DEFAULT_SEED 67280421310721ULL

Rng* rng_default(void);                     /* the generator behind torch.manual_seed */
void rng_seed(Rng* g, uint64_t seed);       /* torch.manual_seed / Generator.manual_seed */
uint64_t rng_initial_seed(const Rng* g);    /* torch.initial_seed */

uint32_t rng_u32(Rng* g);                   /* ATen random(): one mt19937 draw */
uint64_t rng_u64(Rng* g);                   /* ATen random64(): (first << 32) | second */

/* torch.rand / Tensor.uniform_(from, to): 24 random bits each; from and to are rounded to
 * float32 first and the rest is float32 arithmetic, as in ATen. */
void rng_uniform_f32(Rng* g, float* out, int64_t n, double from, double to);   /* out: (n) */

/* torch.randn / Tensor.normal_(mean, std) on a contiguous float32 tensor of n elements.
 * n >= 16: ATen's vectorised path (uniforms for the whole tensor, Box-Muller in blocks of
 * 16 with the AVX2 Cephes log / sincos, the last 16 redrawn when n % 16 != 0; mean and std
 * rounded to float32). n < 16: the scalar double-precision Box-Muller that caches its
 * second value in the generator for the next scalar-path call (rng_seed clears it). */
void rng_normal_f32(Rng* g, float* out, int64_t n, double mean, double std);  /* out: (n) */

/* torch.randint(low, high, size) / Tensor.random_(low, high): low + random() % (high - low)
 * (random64() when the range is >= 2^32). Values are stored as int32 (kindling's int64).
 * Returns 0, or K_ERR_RANGE when low >= high or a value would not fit in int32. */
int rng_randint_i32(Rng* g, int32_t* out, int64_t n, int64_t low, int64_t high);

/* torch.randperm(n): identity, then for i in [0, n-1): swap(i, i + random() % (n - i)).
 * Returns 0, or K_ERR_RANGE when n < 0 or n > INT32_MAX. out: (n) */
int rng_randperm_i32(Rng* g, int32_t* out, int64_t n);

/* Tensor.bernoulli_(p): out[i] = 1.0f when a 53-bit uniform double is < p, else 0.0f;
 * p in [0, 1] (callers check). 1 means keep for dropout: PyTorch 1.13's F.dropout(x, p)
 * on CPU is x * (empty_like(x).bernoulli_(1 - p) / (1 - p)), and dropout2d draws the mask
 * with shape (N, C, 1, 1): pass 1 - p here. */
void rng_bernoulli_f32(Rng* g, float* out, int64_t n, double p);            /* out: (n) */

/* Tensor.random_() on an int64 tensor: random64() mod 2^63. Each epoch, iter(DataLoader)
 * draws two of these from the default generator: first the loader's base seed (unused
 * without workers), then RandomSampler's seed for a fresh Generator that runs randperm. */
int64_t rng_random_i64(Rng* g);

/* Generator state as an opaque little-endian byte blob (kindling's own format, not
 * PyTorch's get_rng_state layout). rng_set_state returns 0, or K_ERR_RUNTIME when the
 * blob is not a valid state (the generator is then left unchanged). */
size_t rng_state_size(void);
void rng_get_state(const Rng* g, uint8_t* out);       /* out: (rng_state_size()) */
int rng_set_state(Rng* g, const uint8_t* in);          /* in: (rng_state_size()) */

#endif
