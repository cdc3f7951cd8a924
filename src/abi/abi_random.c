/* abi_random.c: the random half of the ABI (see kindling.h), on the default generator of
 * core/rng.h so that torch.manual_seed reproduces PyTorch's CPU streams. */
#include "../core/autograd.h"
#include "../core/error.h"
#include "../core/handles.h"
#include "../core/rng.h"
#include "../kindling.h"

void k_manual_seed(double seed) { rng_seed(NULL, (uint64_t)seed); }
double k_initial_seed(void) { return (double)rng_initial_seed(NULL); }

int32_t k_rand(int32_t ndim, const int32_t* shape) {
  Tensor* t = tensor_new(K_FLOAT32, ndim, shape, "rand");
  if (t) rng_uniform_f32(NULL, tensor_f32(t), t->numel, 0.0f, 1.0f);
  return handle_new(t);
}

int32_t k_randn(int32_t ndim, const int32_t* shape) {
  Tensor* t = tensor_new(K_FLOAT32, ndim, shape, "randn");
  if (t) rng_normal_f32(NULL, tensor_f32(t), t->numel, 0.0f, 1.0f);
  return handle_new(t);
}

int32_t k_randint(double low, double high, int32_t ndim, const int32_t* shape) {
  if (!(low < high))
    return k_fail(K_ERR_RUNTIME, "randint: random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld",
                  (long long)low, (long long)high);
  if (low < -2147483648.0 || high > 2147483648.0)
    return k_fail(K_ERR_RANGE, "randint: bounds must fit in 32 bits, got [%.0f, %.0f)", low, high);
  Tensor* t = tensor_new(K_INT64, ndim, shape, "randint");
  if (t && rng_randint_i32(NULL, tensor_i32(t), t->numel, (int64_t)low, (int64_t)high) != 0) {
    tensor_release(t);
    return k_fail(K_ERR_RANGE, "randint: bounds [%.0f, %.0f) do not fit in 32 bits", low, high);
  }
  return handle_new(t);
}

int32_t k_randperm(int32_t n) {
  if (n < 0) return k_fail(K_ERR_RUNTIME, "randperm: n must be non-negative, got %d", n);
  int32_t shape[1] = {n};
  Tensor* t = tensor_new(K_INT64, 1, shape, "randperm");
  if (t) rng_randperm_i32(NULL, tensor_i32(t), n);
  return handle_new(t);
}

/* As fill_ and copy_ (ops/inplace.c): overwriting a leaf that requires grad outside no_grad
 * would silently cut it from the values autograd saw; torch.nn.init runs under no_grad. */
static int32_t check_leaf(const Tensor* t, const char* name) {
  if (t->requires_grad && !t->grad_fn && autograd_enabled())
    return k_fail(K_ERR_RUNTIME,
                  "%s: a leaf Variable that requires grad is being used in an in-place operation "
                  "(wrap it in torch.no_grad())",
                  name);
  return K_OK;
}

/* Where to draw t's values: t itself, or for a strided view a contiguous buffer that
 * written_back() scatters into it. Either way the write bumps t's version counter. */
static float* draw_target(Tensor* t, Tensor** buffer) {
  *buffer = t->contiguous ? NULL : tensor_new_like(t, "random");
  return t->contiguous ? tensor_f32(t) : *buffer ? tensor_f32(*buffer) : NULL;
}

static int32_t written_back(Tensor* t, Tensor* buffer) {
  if (buffer) {
    tensor_scatter_from(t, tensor_data(buffer));
    tensor_release(buffer);
  }
  t->storage->version++;
  return K_OK;
}

int32_t k_uniform_(int32_t h, double from, double to) {
  Tensor* t = handle_get(h, "uniform_", "self");
  if (!t) return k_last_status();
  if (t->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "uniform_: expected a float32 tensor, got %s", dtype_name(t->dtype));
  if (check_leaf(t, "uniform_") != K_OK) return k_last_status();
  if (!(from <= to))
    return k_fail(K_ERR_RUNTIME, "uniform_: expects to return a [from, to) range, but found from=%g > to=%g", from, to);
  Tensor* buffer;
  float* dst = draw_target(t, &buffer);
  if (!dst) return k_last_status();
  rng_uniform_f32(NULL, dst, t->numel, (float)from, (float)to);
  return written_back(t, buffer);
}

int32_t k_normal_(int32_t h, double mean, double std) {
  Tensor* t = handle_get(h, "normal_", "self");
  if (!t) return k_last_status();
  if (t->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "normal_: expected a float32 tensor, got %s", dtype_name(t->dtype));
  if (check_leaf(t, "normal_") != K_OK) return k_last_status();
  if (!(std >= 0.0)) return k_fail(K_ERR_RUNTIME, "normal_: expects std >= 0.0, but found std %g", std);
  Tensor* buffer;
  float* dst = draw_target(t, &buffer);
  if (!dst) return k_last_status();
  rng_normal_f32(NULL, dst, t->numel, (float)mean, (float)std);
  return written_back(t, buffer);
}

int32_t k_rng_state_size(void) { return (int32_t)rng_state_size(); }
int32_t k_rng_get_state(uint8_t* out) {
  rng_get_state(NULL, out);
  return K_OK;
}
int32_t k_rng_set_state(const uint8_t* in) {
  return rng_set_state(NULL, in) == 0 ? K_OK : k_fail(K_ERR_RUNTIME, "set_rng_state: invalid generator state");
}
