/* abi_generator.c: torch.Generator objects for the JS shim (see kindling.h, "generators"):
 * each is a heap-allocated core/rng.h Rng that the shim owns by pointer, plus the few draws
 * that torch.utils.data (RandomSampler, random_split) and kindling/transforms need from a
 * given generator. A NULL generator everywhere means the default one (torch.manual_seed's).
 * Not here: the tensor-valued random factories on the default generator (abi_random.c). */
#include <math.h>
#include <stdlib.h>

#include "../core/error.h"
#include "../core/handles.h"
#include "../core/rng.h"
#include "../kindling.h"

/* Seeds cross the ABI as two 32-bit halves so that 64-bit seeds survive JS numbers. */
static uint64_t join64(uint32_t lo, uint32_t hi) { return ((uint64_t)hi << 32) | lo; }
static void split64(uint64_t v, uint32_t* out) {   /* out: (2) lo, hi */
  out[0] = (uint32_t)v;
  out[1] = (uint32_t)(v >> 32);
}

struct Rng* k_generator_new(uint32_t seed_lo, uint32_t seed_hi) {
  Rng* g = malloc(sizeof(Rng));
  if (!g) {
    k_fail(K_ERR_OOM, "Generator: out of memory");
    return NULL;
  }
  rng_seed(g, join64(seed_lo, seed_hi));
  return g;
}

void k_generator_free(struct Rng* g) { free(g); }

void k_generator_manual_seed(struct Rng* g, uint32_t seed_lo, uint32_t seed_hi) {
  rng_seed(g, join64(seed_lo, seed_hi));
}

int32_t k_generator_initial_seed(const struct Rng* g, uint32_t* out) {
  split64(rng_initial_seed(g), out);
  return K_OK;
}

int32_t k_generator_random_i64(struct Rng* g, uint32_t* out) {
  split64((uint64_t)rng_random_i64(g), out);
  return K_OK;
}

int32_t k_generator_randperm(struct Rng* g, int32_t n) {
  if (n < 0) return k_fail(K_ERR_RUNTIME, "randperm: n must be non-negative, got %d", n);
  int32_t shape[1] = {n};
  Tensor* t = tensor_new(K_INT64, 1, shape, "randperm");
  if (t) rng_randperm_i32(g, tensor_i32(t), n);
  return handle_new(t);
}

double k_generator_randint(struct Rng* g, double low, double high) {
  if (!(low < high) || low < -2147483648.0 || high > 2147483648.0) {
    k_fail(K_ERR_RANGE, "randint: expected -2^31 <= low < high <= 2^31, got [%.0f, %.0f)", low, high);
    return NAN;
  }
  int32_t v = 0;
  rng_randint_i32(g, &v, 1, (int64_t)low, (int64_t)high);
  return (double)v;
}

double k_generator_uniform(struct Rng* g, double from, double to) {
  float v = 0.0f;
  rng_uniform_f32(g, &v, 1, from, to);
  return (double)v;
}

int32_t k_generator_get_state(const struct Rng* g, uint8_t* out) {
  rng_get_state(g, out);
  return K_OK;
}

int32_t k_generator_set_state(struct Rng* g, const uint8_t* in) {
  return rng_set_state(g, in) == 0 ? K_OK : k_fail(K_ERR_RUNTIME, "Generator.set_state: invalid generator state");
}
