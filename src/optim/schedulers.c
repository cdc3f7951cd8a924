/* schedulers.c: PyTorch 1.13 lr_scheduler arithmetic (see schedulers.h).
 *
 * Each expression is written in Python's evaluation order (left to right, same
 * parenthesisation) because the recursive forms accumulate rounding and PyTorch's
 * printed numbers come from exactly these operations. Python semantics that differ
 * from C are spelled out: % and // follow the divisor's sign (py_mod, py_floordiv),
 * x ** y raises on 0 ** negative, and every division by zero raises
 * ZeroDivisionError (SCHED_ERR_ZERO_DIV), which is checked before any lr is written.
 * Python ints are held in doubles: exact below 2**53. */
#include "schedulers.h"

#include <math.h>
#include <stddef.h>

/* The double nearest pi, i.e. Python's math.pi (M_PI is not ISO C). */
static const double PY_PI = 3.141592653589793;

_Static_assert(sizeof(StepLRState) == 4 * sizeof(double), "doubles only");
_Static_assert(sizeof(CyclicLRState) == 8 * sizeof(double), "doubles only");
_Static_assert(sizeof(CyclicLRGroup) == 4 * sizeof(double), "doubles only");
_Static_assert(sizeof(OneCycleLRState) == 9 * sizeof(double), "doubles only");
_Static_assert(sizeof(OneCycleLRGroup) == 5 * sizeof(double), "doubles only");
_Static_assert(sizeof(CosineWarmRestartsState) == 7 * sizeof(double), "doubles only");
_Static_assert(sizeof(ReduceLROnPlateauState) == 12 * sizeof(double), "doubles only");

const char* sched_status_string(int status) {
  switch (status) {
    case SCHED_OK: return "ok";
    case SCHED_ERR_ARG: return "invalid scheduler argument";
    case SCHED_ERR_ZERO_DIV: return "float division by zero";
    case SCHED_ERR_STEPS: return "tried to step more times than total_steps";
    case SCHED_ERR_NULL: return "missing per-group array";
    default: return "unknown scheduler status";
  }
}

/* CPython float_rem: the result takes the divisor's sign. */
static double py_mod(double a, double b) {
  double r = fmod(a, b);
  if (r != 0) {
    if ((b < 0) != (r < 0)) r += b;
  } else {
    r = copysign(0.0, b);
  }
  return r;
}

/* CPython float_floor_div (exact for integer-valued operands below 2**53). */
static double py_floordiv(double a, double b) {
  double mod = fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div != 0) {
    double fl = floor(div);
    if (div - fl > 0.5) fl += 1.0;
    return fl;
  }
  return copysign(0.0, a / b);
}

/* CPython float ** float for the cases schedulers meet; *err set on 0 ** negative. */
static double py_pow(double x, double y, int* err) {
  if (y == 0) return 1.0;
  if (x == 0 && y < 0) { *err = 1; return 0; }
  return pow(x, y);
}

static int groups_ok(const void* p, int ngroups) {
  if (ngroups < 0) return SCHED_ERR_ARG;
  if (ngroups > 0 && !p) return SCHED_ERR_NULL;
  return SCHED_OK;
}

static int is_integer(double x) { return isfinite(x) && x == floor(x); }

static void advance(double* last_epoch, double* step_count) {
  *step_count += 1;
  *last_epoch += 1;
}

/* step(epoch)'s common start: check both lr arrays, then count the step and jump to epoch. */
static int begin_step_epoch(double* last_epoch, double* step_count, double epoch, const double* base_lrs,
                            const double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(base_lrs, ngroups);
  if (st) return st;
  *step_count += 1;
  *last_epoch = epoch;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- StepLR */

int step_lr_init(StepLRState* s, double step_size, double gamma, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->step_size = step_size;
  s->gamma = gamma;
  return SCHED_OK;
}

int step_lr_step(StepLRState* s, double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  if (s->last_epoch == 0) return SCHED_OK;
  if (s->step_size == 0) return SCHED_ERR_ZERO_DIV;
  if (py_mod(s->last_epoch, s->step_size) != 0) return SCHED_OK;
  for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * s->gamma;
  return SCHED_OK;
}

int step_lr_step_epoch(StepLRState* s, double epoch, const double* base_lrs, double* lrs,
                       int ngroups) {
  int st = begin_step_epoch(&s->last_epoch, &s->step_count, epoch, base_lrs, lrs, ngroups);
  if (st) return st;
  if (s->step_size == 0) return SCHED_ERR_ZERO_DIV;
  int err = 0;
  double f = py_pow(s->gamma, py_floordiv(s->last_epoch, s->step_size), &err);
  if (err) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = base_lrs[i] * f;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- MultiStepLR */

int multi_step_lr_init(MultiStepLRState* s, double gamma, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->gamma = gamma;
  return SCHED_OK;
}

int multi_step_lr_step(MultiStepLRState* s, const double* milestones, int nmilestones,
                       double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(milestones, nmilestones);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  int count = 0;   /* Counter(milestones)[last_epoch] */
  for (int k = 0; k < nmilestones; k++) count += milestones[k] == s->last_epoch;
  if (count == 0) return SCHED_OK;
  int err = 0;
  double f = py_pow(s->gamma, (double)count, &err);
  if (err) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * f;
  return SCHED_OK;
}

int multi_step_lr_step_epoch(MultiStepLRState* s, double epoch, const double* milestones,
                             int nmilestones, const double* base_lrs, double* lrs,
                             int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(base_lrs, ngroups);
  if (!st) st = groups_ok(milestones, nmilestones);
  if (st) return st;
  s->step_count += 1;
  s->last_epoch = epoch;
  int count = 0;   /* bisect_right(sorted(milestones), last_epoch) */
  for (int k = 0; k < nmilestones; k++) count += milestones[k] <= s->last_epoch;
  int err = 0;
  double f = py_pow(s->gamma, (double)count, &err);
  if (err) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = base_lrs[i] * f;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- ConstantLR */

int constant_lr_init(ConstantLRState* s, double factor, double total_iters, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  if (factor > 1.0 || factor < 0) return SCHED_ERR_ARG;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->factor = factor;
  s->total_iters = total_iters;
  return SCHED_OK;
}

int constant_lr_step(ConstantLRState* s, double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  double le = s->last_epoch, ti = s->total_iters;
  if (le == 0) {
    for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * s->factor;
    return SCHED_OK;
  }
  if (le > ti || le != ti) return SCHED_OK;
  if (s->factor == 0) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * (1.0 / s->factor);
  return SCHED_OK;
}

int constant_lr_step_epoch(ConstantLRState* s, double epoch, const double* base_lrs,
                           double* lrs, int ngroups) {
  int st = begin_step_epoch(&s->last_epoch, &s->step_count, epoch, base_lrs, lrs, ngroups);
  if (st) return st;
  double reached = s->last_epoch >= s->total_iters ? 1.0 : 0.0;
  double f = s->factor + reached * (1 - s->factor);
  for (int i = 0; i < ngroups; i++) lrs[i] = base_lrs[i] * f;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- LinearLR */

int linear_lr_init(LinearLRState* s, double start_factor, double end_factor,
                   double total_iters, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  if (start_factor > 1.0 || start_factor < 0) return SCHED_ERR_ARG;
  if (end_factor > 1.0 || end_factor < 0) return SCHED_ERR_ARG;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->start_factor = start_factor;
  s->end_factor = end_factor;
  s->total_iters = total_iters;
  return SCHED_OK;
}

int linear_lr_step(LinearLRState* s, double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  double le = s->last_epoch, sf = s->start_factor, ef = s->end_factor;
  if (le == 0) {
    for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * sf;
    return SCHED_OK;
  }
  if (le > s->total_iters) return SCHED_OK;
  double denom = s->total_iters * sf + (le - 1) * (ef - sf);
  if (denom == 0) return SCHED_ERR_ZERO_DIV;
  double f = 1. + (ef - sf) / denom;
  for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * f;
  return SCHED_OK;
}

int linear_lr_step_epoch(LinearLRState* s, double epoch, const double* base_lrs, double* lrs,
                         int ngroups) {
  int st = begin_step_epoch(&s->last_epoch, &s->step_count, epoch, base_lrs, lrs, ngroups);
  if (st) return st;
  if (s->total_iters == 0) return SCHED_ERR_ZERO_DIV;
  double ti = s->total_iters, le = s->last_epoch;
  double m = le < ti ? le : ti;   /* Python min(total_iters, last_epoch) */
  double f = s->start_factor + (s->end_factor - s->start_factor) * m / ti;
  for (int i = 0; i < ngroups; i++) lrs[i] = base_lrs[i] * f;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- ExponentialLR */

int exponential_lr_init(ExponentialLRState* s, double gamma, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->gamma = gamma;
  return SCHED_OK;
}

int exponential_lr_step(ExponentialLRState* s, double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  if (s->last_epoch == 0) return SCHED_OK;
  for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * s->gamma;
  return SCHED_OK;
}

int exponential_lr_step_epoch(ExponentialLRState* s, double epoch, const double* base_lrs,
                              double* lrs, int ngroups) {
  int st = begin_step_epoch(&s->last_epoch, &s->step_count, epoch, base_lrs, lrs, ngroups);
  if (st) return st;
  int err = 0;
  double f = py_pow(s->gamma, s->last_epoch, &err);
  if (err) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = base_lrs[i] * f;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- PolynomialLR */

int polynomial_lr_init(PolynomialLRState* s, double total_iters, double power,
                       double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->total_iters = total_iters;
  s->power = power;
  return SCHED_OK;
}

int polynomial_lr_step(PolynomialLRState* s, double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  double le = s->last_epoch, ti = s->total_iters;
  if (le == 0 || le > ti) return SCHED_OK;
  /* here 1 <= le <= ti, so neither ti nor the inner denominator is zero */
  int err = 0;
  double f = py_pow((1.0 - le / ti) / (1.0 - (le - 1) / ti), s->power, &err);
  if (err) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] * f;
  return SCHED_OK;
}

int polynomial_lr_step_epoch(PolynomialLRState* s, double epoch, const double* base_lrs,
                             double* lrs, int ngroups) {
  int st = begin_step_epoch(&s->last_epoch, &s->step_count, epoch, base_lrs, lrs, ngroups);
  if (st) return st;
  double ti = s->total_iters, le = s->last_epoch;
  if (ti == 0) return SCHED_ERR_ZERO_DIV;
  double m = le < ti ? le : ti;
  int err = 0;
  double f = py_pow(1.0 - m / ti, s->power, &err);
  if (err) return SCHED_ERR_ZERO_DIV;
  for (int i = 0; i < ngroups; i++) lrs[i] = base_lrs[i] * f;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- CosineAnnealingLR */

int cosine_annealing_lr_init(CosineAnnealingLRState* s, double T_max, double eta_min,
                             double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->T_max = T_max;
  s->eta_min = eta_min;
  return SCHED_OK;
}

int cosine_annealing_lr_step(CosineAnnealingLRState* s, const double* base_lrs, double* lrs,
                             int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(base_lrs, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  double le = s->last_epoch, T = s->T_max, eta = s->eta_min;
  if (le == 0) return SCHED_OK;
  if (T == 0) return SCHED_ERR_ZERO_DIV;
  if (s->step_count == 1 && le > 0) {
    /* resumed with last_epoch >= 0: the closed form, written as get_lr() writes it */
    double c = 1 + cos(le * PY_PI / T);
    for (int i = 0; i < ngroups; i++) lrs[i] = eta + (base_lrs[i] - eta) * c / 2;
    return SCHED_OK;
  }
  if (py_mod(le - 1 - T, 2 * T) == 0) {
    double c = 1 - cos(PY_PI / T);
    for (int i = 0; i < ngroups; i++) lrs[i] = lrs[i] + (base_lrs[i] - eta) * c / 2;
    return SCHED_OK;
  }
  double num = 1 + cos(PY_PI * le / T);
  double den = 1 + cos(PY_PI * (le - 1) / T);
  if (den == 0) return SCHED_ERR_ZERO_DIV;
  double ratio = num / den;
  for (int i = 0; i < ngroups; i++) lrs[i] = ratio * (lrs[i] - eta) + eta;
  return SCHED_OK;
}

int cosine_annealing_lr_step_epoch(CosineAnnealingLRState* s, double epoch,
                                   const double* base_lrs, double* lrs, int ngroups) {
  int st = begin_step_epoch(&s->last_epoch, &s->step_count, epoch, base_lrs, lrs, ngroups);
  if (st) return st;
  if (s->T_max == 0) return SCHED_ERR_ZERO_DIV;
  double eta = s->eta_min;
  double c = 1 + cos(PY_PI * s->last_epoch / s->T_max);
  for (int i = 0; i < ngroups; i++) lrs[i] = eta + (base_lrs[i] - eta) * c / 2;
  return SCHED_OK;
}

/* ---------------------------------------------------------------- CosineAnnealingWarmRestarts */

int cosine_warm_restarts_init(CosineWarmRestartsState* s, double T_0, double T_mult,
                              double eta_min, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  if (T_0 <= 0 || !is_integer(T_0)) return SCHED_ERR_ARG;
  if (T_mult < 1 || !is_integer(T_mult)) return SCHED_ERR_ARG;
  s->T_0 = T_0;
  s->T_i = T_0;
  s->T_mult = T_mult;
  s->eta_min = eta_min;
  s->T_cur = last_epoch;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  return SCHED_OK;
}

static void cawr_get_lr(const CosineWarmRestartsState* s, const double* base_lrs, double* lrs,
                        int ngroups) {
  double eta = s->eta_min;
  double c = 1 + cos(PY_PI * s->T_cur / s->T_i);
  for (int i = 0; i < ngroups; i++) lrs[i] = eta + (base_lrs[i] - eta) * c / 2;
}

static int cawr_set_epoch(CosineWarmRestartsState* s, double epoch) {
  if (epoch < 0) return SCHED_ERR_ARG;   /* raised before any state changes */
  if (epoch >= s->T_0) {
    if (s->T_mult == 1) {
      s->T_cur = py_mod(epoch, s->T_0);
    } else {
      double m = s->T_mult;
      double n = trunc(log(epoch / s->T_0 * (m - 1) + 1) / log(m));   /* int(math.log(x, m)) */
      s->T_cur = epoch - s->T_0 * (pow(m, n) - 1) / (m - 1);
      s->T_i = s->T_0 * pow(m, n);
    }
  } else {
    s->T_i = s->T_0;
    s->T_cur = epoch;
  }
  s->last_epoch = floor(epoch);
  return SCHED_OK;
}

int cosine_warm_restarts_step(CosineWarmRestartsState* s, const double* base_lrs, double* lrs,
                              int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(base_lrs, ngroups);
  if (st) return st;
  if (s->last_epoch < 0) {
    cawr_set_epoch(s, 0);
  } else {
    double epoch = s->last_epoch + 1;
    s->T_cur = s->T_cur + 1;
    if (s->T_cur >= s->T_i) {
      s->T_cur = s->T_cur - s->T_i;
      s->T_i = s->T_i * s->T_mult;
    }
    s->last_epoch = floor(epoch);
  }
  cawr_get_lr(s, base_lrs, lrs, ngroups);
  return SCHED_OK;
}

int cosine_warm_restarts_step_epoch(CosineWarmRestartsState* s, double epoch,
                                    const double* base_lrs, double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(base_lrs, ngroups);
  if (st) return st;
  st = cawr_set_epoch(s, epoch);
  if (st) return st;
  cawr_get_lr(s, base_lrs, lrs, ngroups);
  return SCHED_OK;
}

/* ---------------------------------------------------------------- CyclicLR */

int cyclic_lr_init(CyclicLRState* s, double step_size_up, double step_size_down, int mode,
                   double gamma, int scale_mode, int cycle_momentum, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  if (mode < CYCLIC_TRIANGULAR || mode > CYCLIC_CUSTOM) return SCHED_ERR_ARG;
  double up = step_size_up;
  double down = isnan(step_size_down) ? up : step_size_down;
  double total = up + down;
  if (total == 0) return SCHED_ERR_ZERO_DIV;   /* step_ratio = up / total_size */
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->total_size = total;
  s->step_ratio = up / total;
  s->mode = mode;
  s->gamma = gamma;
  if (mode == CYCLIC_CUSTOM)
    s->scale_mode = scale_mode == CYCLIC_SCALE_CYCLE ? CYCLIC_SCALE_CYCLE : CYCLIC_SCALE_ITERATIONS;
  else
    s->scale_mode = mode == CYCLIC_EXP_RANGE ? CYCLIC_SCALE_ITERATIONS : CYCLIC_SCALE_CYCLE;
  s->cycle_momentum = cycle_momentum ? 1 : 0;
  return SCHED_OK;
}

void cyclic_lr_advance(CyclicLRState* s) { advance(&s->last_epoch, &s->step_count); }

static double cyclic_cycle(const CyclicLRState* s) {
  return floor(1 + s->last_epoch / s->total_size);
}

double cyclic_lr_scale_arg(const CyclicLRState* s) {
  return s->scale_mode == CYCLIC_SCALE_CYCLE ? cyclic_cycle(s) : s->last_epoch;
}

/* get_lr(); base_override replaces groups[i].base_lr for the lr (initial step). */
static int cyclic_get_lr(const CyclicLRState* s, double scale, const CyclicLRGroup* g,
                         const double* base_override, double* lrs, double* momentums,
                         int ngroups) {
  double cycle = cyclic_cycle(s);
  double x = 1. + s->last_epoch / s->total_size - cycle;
  double sf;
  if (x <= s->step_ratio) {
    if (s->step_ratio == 0) return SCHED_ERR_ZERO_DIV;
    sf = x / s->step_ratio;
  } else {
    if (s->step_ratio - 1 == 0) return SCHED_ERR_ZERO_DIV;
    sf = (x - 1) / (s->step_ratio - 1);
  }
  double arg = cyclic_lr_scale_arg(s);
  switch ((int)s->mode) {
    case CYCLIC_TRIANGULAR: scale = 1.; break;
    case CYCLIC_TRIANGULAR2: scale = 1 / pow(2., arg - 1); break;
    case CYCLIC_EXP_RANGE: {
      int err = 0;
      scale = py_pow(s->gamma, arg, &err);
      if (err) return SCHED_ERR_ZERO_DIV;
      break;
    }
    default: break;   /* CYCLIC_CUSTOM: the caller's scale_fn value */
  }
  for (int i = 0; i < ngroups; i++) {
    double base = base_override ? base_override[i] : g[i].base_lr;
    double base_height = (g[i].max_lr - base) * sf;
    lrs[i] = base + base_height * scale;
  }
  if (s->cycle_momentum != 0) {
    for (int i = 0; i < ngroups; i++) {
      double base_height = (g[i].max_momentum - g[i].base_momentum) * sf;
      momentums[i] = g[i].max_momentum - base_height * scale;
    }
  }
  return SCHED_OK;
}

static int cyclic_args_ok(const CyclicLRState* s, const CyclicLRGroup* groups, double* lrs,
                          double* momentums, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(groups, ngroups);
  if (!st && s->cycle_momentum != 0) st = groups_ok(momentums, ngroups);
  return st;
}

int cyclic_lr_get_lr(const CyclicLRState* s, double scale, const CyclicLRGroup* groups,
                     double* lrs, double* momentums, int ngroups) {
  int st = cyclic_args_ok(s, groups, lrs, momentums, ngroups);
  if (st) return st;
  return cyclic_get_lr(s, scale, groups, NULL, lrs, momentums, ngroups);
}

int cyclic_lr_step(CyclicLRState* s, const CyclicLRGroup* groups, double* lrs,
                   double* momentums, int ngroups) {
  int st = cyclic_args_ok(s, groups, lrs, momentums, ngroups);
  if (st) return st;
  if (s->mode == CYCLIC_CUSTOM) return SCHED_ERR_ARG;   /* needs the JS scale_fn */
  cyclic_lr_advance(s);
  return cyclic_get_lr(s, 1.0, groups, NULL, lrs, momentums, ngroups);
}

int cyclic_lr_step_epoch(CyclicLRState* s, double epoch, const CyclicLRGroup* groups,
                         double* lrs, double* momentums, int ngroups) {
  int st = cyclic_args_ok(s, groups, lrs, momentums, ngroups);
  if (st) return st;
  if (s->mode == CYCLIC_CUSTOM) return SCHED_ERR_ARG;
  s->step_count += 1;
  s->last_epoch = epoch;
  return cyclic_get_lr(s, 1.0, groups, NULL, lrs, momentums, ngroups);
}

int cyclic_lr_initial_step(CyclicLRState* s, const CyclicLRGroup* groups,
                           const double* initial_lrs, double* lrs, double* momentums,
                           int ngroups) {
  int st = cyclic_args_ok(s, groups, lrs, momentums, ngroups);
  if (st) return st;
  if (s->mode == CYCLIC_CUSTOM) return SCHED_ERR_ARG;
  s->step_count = 0;
  cyclic_lr_advance(s);
  return cyclic_get_lr(s, 1.0, groups, initial_lrs, lrs, momentums, ngroups);
}

/* ---------------------------------------------------------------- OneCycleLR */

int one_cycle_lr_init(OneCycleLRState* s, double total_steps, double pct_start, int anneal,
                      int cycle_momentum, int three_phase, double last_epoch) {
  if (!s) return SCHED_ERR_NULL;
  if (total_steps <= 0 || !is_integer(total_steps)) return SCHED_ERR_ARG;
  if (pct_start < 0 || pct_start > 1) return SCHED_ERR_ARG;
  if (anneal != ONECYCLE_COS && anneal != ONECYCLE_LINEAR) return SCHED_ERR_ARG;
  s->last_epoch = last_epoch;
  s->step_count = 0;
  s->total_steps = total_steps;
  s->anneal = anneal;
  s->cycle_momentum = cycle_momentum ? 1 : 0;
  s->three_phase = three_phase ? 1 : 0;
  s->end_step[0] = pct_start * total_steps - 1;
  if (three_phase) {
    s->end_step[1] = 2 * pct_start * total_steps - 2;
    s->end_step[2] = total_steps - 1;
  } else {
    s->end_step[1] = total_steps - 1;
    s->end_step[2] = 0;   /* unused */
  }
  return SCHED_OK;
}

int one_cycle_lr_group_init(OneCycleLRGroup* g, double max_lr, double div_factor,
                            double final_div_factor, double max_momentum,
                            double base_momentum) {
  if (!g) return SCHED_ERR_NULL;
  if (div_factor == 0 || final_div_factor == 0) return SCHED_ERR_ZERO_DIV;
  g->initial_lr = max_lr / div_factor;
  g->max_lr = max_lr;
  g->min_lr = g->initial_lr / final_div_factor;
  g->max_momentum = max_momentum;
  g->base_momentum = base_momentum;
  return SCHED_OK;
}

static double anneal(int kind, double start, double end, double pct) {
  if (kind == ONECYCLE_COS) {
    double cos_out = cos(PY_PI * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

static int one_cycle_get_lr(const OneCycleLRState* s, const OneCycleLRGroup* g, double* lrs,
                            double* momentums, int ngroups) {
  double step_num = s->last_epoch;
  if (step_num > s->total_steps) return SCHED_ERR_STEPS;
  int nphases = s->three_phase != 0 ? 3 : 2;
  double start_step = 0, pct = 0;
  int phase = nphases - 1;
  for (int i = 0; i < nphases; i++) {
    double end_step = s->end_step[i];
    if (step_num <= end_step || i == nphases - 1) {
      if (end_step - start_step == 0) return SCHED_ERR_ZERO_DIV;
      pct = (step_num - start_step) / (end_step - start_step);
      phase = i;
      break;
    }
    start_step = end_step;
  }
  int kind = (int)s->anneal;
  for (int i = 0; i < ngroups; i++) {
    double lr_from, lr_to, m_from, m_to;
    if (phase == 0) {
      lr_from = g[i].initial_lr; lr_to = g[i].max_lr;
      m_from = g[i].max_momentum; m_to = g[i].base_momentum;
    } else if (nphases == 2) {
      lr_from = g[i].max_lr; lr_to = g[i].min_lr;
      m_from = g[i].base_momentum; m_to = g[i].max_momentum;
    } else if (phase == 1) {
      lr_from = g[i].max_lr; lr_to = g[i].initial_lr;
      m_from = g[i].base_momentum; m_to = g[i].max_momentum;
    } else {
      lr_from = g[i].initial_lr; lr_to = g[i].min_lr;
      m_from = g[i].max_momentum; m_to = g[i].max_momentum;
    }
    lrs[i] = anneal(kind, lr_from, lr_to, pct);
    if (s->cycle_momentum != 0) momentums[i] = anneal(kind, m_from, m_to, pct);
  }
  return SCHED_OK;
}

static int one_cycle_args_ok(const OneCycleLRState* s, const OneCycleLRGroup* groups,
                             double* lrs, double* momentums, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(groups, ngroups);
  if (!st && s->cycle_momentum != 0) st = groups_ok(momentums, ngroups);
  return st;
}

int one_cycle_lr_step(OneCycleLRState* s, const OneCycleLRGroup* groups, double* lrs,
                      double* momentums, int ngroups) {
  int st = one_cycle_args_ok(s, groups, lrs, momentums, ngroups);
  if (st) return st;
  advance(&s->last_epoch, &s->step_count);
  return one_cycle_get_lr(s, groups, lrs, momentums, ngroups);
}

int one_cycle_lr_step_epoch(OneCycleLRState* s, double epoch, const OneCycleLRGroup* groups,
                            double* lrs, double* momentums, int ngroups) {
  int st = one_cycle_args_ok(s, groups, lrs, momentums, ngroups);
  if (st) return st;
  s->step_count += 1;
  s->last_epoch = epoch;
  return one_cycle_get_lr(s, groups, lrs, momentums, ngroups);
}

/* ---------------------------------------------------------------- ReduceLROnPlateau */

int reduce_lr_on_plateau_init(ReduceLROnPlateauState* s, int mode, double factor,
                              double patience, double threshold, int threshold_mode,
                              double cooldown, double eps) {
  if (!s) return SCHED_ERR_NULL;
  if (factor >= 1.0) return SCHED_ERR_ARG;
  if (mode != PLATEAU_MIN && mode != PLATEAU_MAX) return SCHED_ERR_ARG;
  if (threshold_mode != PLATEAU_REL && threshold_mode != PLATEAU_ABS) return SCHED_ERR_ARG;
  s->factor = factor;
  s->patience = patience;
  s->cooldown = cooldown;
  s->cooldown_counter = 0;
  s->mode = mode;
  s->threshold = threshold;
  s->threshold_mode = threshold_mode;
  s->mode_worse = mode == PLATEAU_MIN ? INFINITY : -INFINITY;
  s->eps = eps;
  s->last_epoch = 0;
  s->best = s->mode_worse;   /* _reset() */
  s->num_bad_epochs = 0;
  return SCHED_OK;
}

int reduce_lr_on_plateau_is_better(const ReduceLROnPlateauState* s, double a, double best) {
  int rel = s->threshold_mode == PLATEAU_REL;
  if (s->mode == PLATEAU_MIN) return rel ? a < best * (1. - s->threshold) : a < best - s->threshold;
  return rel ? a > best * (s->threshold + 1.) : a > best + s->threshold;
}

int reduce_lr_on_plateau_step(ReduceLROnPlateauState* s, double metric, const double* min_lrs,
                              double* lrs, int ngroups) {
  int st = groups_ok(lrs, ngroups);
  if (!st) st = groups_ok(min_lrs, ngroups);
  if (st) return st;
  s->last_epoch = s->last_epoch + 1;
  if (reduce_lr_on_plateau_is_better(s, metric, s->best)) {
    s->best = metric;
    s->num_bad_epochs = 0;
  } else {
    s->num_bad_epochs += 1;
  }
  if (s->cooldown_counter > 0) {
    s->cooldown_counter -= 1;
    s->num_bad_epochs = 0;   /* bad epochs in cooldown are ignored */
  }
  if (s->num_bad_epochs > s->patience) {
    for (int i = 0; i < ngroups; i++) {
      double old_lr = lrs[i];
      double cand = old_lr * s->factor;
      double new_lr = min_lrs[i] > cand ? min_lrs[i] : cand;   /* Python max(cand, min_lr) */
      if (old_lr - new_lr > s->eps) lrs[i] = new_lr;
    }
    s->cooldown_counter = s->cooldown;
    s->num_bad_epochs = 0;
  }
  return SCHED_OK;
}
