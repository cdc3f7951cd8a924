/* test_schedulers.c: the lr-scheduler arithmetic (src/optim/schedulers.c).
 * - spot values printed by PyTorch 1.13.1 (repr of param_groups[0]['lr'] after the
 *   constructor and k calls of step()); the recursive forms drift from the closed
 *   forms in the last bits (0.10000000000000044), which these values pin down;
 * - recursive step() vs closed-form step(epoch) agreement over 200 epochs;
 * - ReduceLROnPlateau patience / cooldown / min_lr / eps, worked out by hand;
 * - errors: constructor ValueErrors, ZeroDivisionError steps and OneCycleLR's step
 *   limit leave the lrs untouched (last_epoch advanced, as in PyTorch).
 * Full sequences against PyTorch are the fixture tests' job.
 *
 * Build and run:
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined \
 *     tests/native/test_schedulers.c src/optim/schedulers.c -lm -o /tmp/test_schedulers \
 *     && /tmp/test_schedulers
 *   emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror tests/native/test_schedulers.c \
 *     src/optim/schedulers.c -o /tmp/test_schedulers.js \
 *     && node --no-experimental-fetch /tmp/test_schedulers.js
 * (Tolerance 1e-14 relative for the spot values: glibc and musl cos() may differ in
 *  the last bit; natively against glibc they match exactly.) */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../src/optim/schedulers.h"

static int passed, failed;

static void check(int ok, const char* what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    if (failed <= 30) printf("FAIL: %s\n", what);
  }
}

static int close_rel(double a, double b, double tol) {
  if (a == b) return 1;
  return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void check_close(double got, double want, double tol, const char* what, int k) {
  char buf[160];
  snprintf(buf, sizeof buf, "%s [%d]: got %.17g want %.17g", what, k, got, want);
  check(close_rel(got, want, tol), buf);
}

#define MAXT 256
#define SPOT_TOL 1e-14

/* ---------------------------------------------------------------- spot values */

static void test_spots(void) {
  double lr[MAXT], mom[MAXT];

  { /* CosineAnnealingLR(SGD(lr=0.1), T_max=10) */
    CosineAnnealingLRState s;
    double base = 0.1, l = 0.1;
    cosine_annealing_lr_init(&s, 10, 0, -1);
    s.step_count = 0;
    for (int t = 0; t <= 40; t++) { cosine_annealing_lr_step(&s, &base, &l, 1); lr[t] = l; }
    static const int at[] = {3, 10, 11, 20, 25, 37};
    static const double want[] = {0.07938926261462367, 0.0, 0.0024471741852423235,
                                  0.10000000000000044, 0.050000000000000225, 0.07938926261462383};
    for (int k = 0; k < 6; k++) check_close(lr[at[k]], want[k], SPOT_TOL, "CosineAnnealingLR T_max=10", at[k]);
  }
  { /* OneCycleLR(SGD(lr=0.1, momentum=0.9), max_lr=0.1, total_steps=100) */
    OneCycleLRState s;
    OneCycleLRGroup g;
    double l = 0.1, m = 0.9;
    one_cycle_lr_init(&s, 100, 0.3, ONECYCLE_COS, 1, 0, -1);
    one_cycle_lr_group_init(&g, 0.1, 25., 1e4, 0.95, 0.85);
    s.step_count = 0;
    for (int t = 0; t <= 100; t++) {
      check(one_cycle_lr_step(&s, &g, &l, &m, 1) == SCHED_OK, "OneCycleLR steps up to total_steps");
      lr[t] = l;
      mom[t] = m;
    }
    static const int at[] = {0, 17, 29, 30, 64, 100};
    static const double want_lr[] = {0.0040000000000000036, 0.0648413602494026, 0.1,
                                     0.09994965352845243, 0.0500002, 5.074647154757325e-05};
    static const double want_m[] = {0.95, 0.886623583073539, 0.85, 0.8500503466729342,
                                    0.8999999999999999, 0.9499496533270657};
    for (int k = 0; k < 6; k++) {
      check_close(lr[at[k]], want_lr[k], SPOT_TOL, "OneCycleLR lr", at[k]);
      check_close(mom[at[k]], want_m[k], SPOT_TOL, "OneCycleLR momentum", at[k]);
    }
    double before = l;
    int st = one_cycle_lr_step(&s, &g, &l, &m, 1);
    check(st == SCHED_ERR_STEPS, "OneCycleLR: step 101 of 100 is an error");
    check(l == before && s.last_epoch == 101, "OneCycleLR: failed step keeps lr, advances last_epoch");
  }
  { /* CosineAnnealingWarmRestarts(SGD(lr=0.1), T_0=3, T_mult=2, eta_min=0.001) */
    CosineWarmRestartsState s;
    double base = 0.1, l = 0.1;
    cosine_warm_restarts_init(&s, 3, 2, 0.001, -1);
    for (int t = 0; t <= 30; t++) { cosine_warm_restarts_step(&s, &base, &l, 1); lr[t] = l; }
    static const int at[] = {0, 1, 2, 3, 4, 8, 9, 20, 21};
    static const double want[] = {0.1, 0.07525000000000001, 0.025750000000000012, 0.1,
                                  0.09336825748732973, 0.007631742512670284, 0.1,
                                  0.0026866715986911243, 0.1};
    for (int k = 0; k < 9; k++) check_close(lr[at[k]], want[k], SPOT_TOL, "CosineAnnealingWarmRestarts", at[k]);
    check(s.step_count == 0 && s.T_i == 24 && s.last_epoch == 30, "CAWR: T_i grows, _step_count untouched");
    CosineWarmRestartsState keep = s;
    check(cosine_warm_restarts_step_epoch(&s, -1, &base, &l, 1) == SCHED_ERR_ARG &&
              memcmp(&keep, &s, sizeof s) == 0,
          "CAWR: step(epoch<0) is rejected before any change");
    check(cosine_warm_restarts_step_epoch(&s, 10.5, &base, &l, 1) == SCHED_OK && s.T_cur == 1.5 &&
              s.T_i == 12 && s.last_epoch == 10,
          "CAWR: fractional step(epoch) finds the cycle");
  }
  { /* CyclicLR(SGD(lr=0.1, momentum=0.9), 0.001, 0.1, step_size_up=4, step_size_down=6,
       mode='triangular2') */
    CyclicLRState s;
    CyclicLRGroup g = {0.001, 0.1, 0.8, 0.9};
    double l = 0.001, m = 0.8;
    cyclic_lr_init(&s, 4, 6, CYCLIC_TRIANGULAR2, 1.0, CYCLIC_SCALE_CYCLE, 1, -1);
    for (int t = 0; t <= 40; t++) {
      if (t == 0) cyclic_lr_initial_step(&s, &g, NULL, &l, &m, 1);
      else cyclic_lr_step(&s, &g, &l, &m, 1);
      lr[t] = l;
      mom[t] = m;
    }
    static const int at[] = {0, 2, 4, 7, 10, 14, 23, 35};
    static const double want_lr[] = {0.001, 0.05049999999999999, 0.09999999999999998,
                                     0.05050000000000002, 0.001, 0.05049999999999999,
                                     0.01956249999999999, 0.0113125};
    static const double want_m[] = {0.9, 0.8500000000000001, 0.8, 0.85, 0.9,
                                    0.8500000000000001, 0.8812500000000001, 0.8895833333333334};
    for (int k = 0; k < 8; k++) {
      check_close(lr[at[k]], want_lr[k], SPOT_TOL, "CyclicLR triangular2 lr", at[k]);
      check_close(mom[at[k]], want_m[k], SPOT_TOL, "CyclicLR triangular2 momentum", at[k]);
    }
  }
  { /* PolynomialLR(SGD(lr=0.1), total_iters=30, power=2.0) */
    PolynomialLRState s;
    double l = 0.1;
    polynomial_lr_init(&s, 30, 2.0, -1);
    s.step_count = 0;
    for (int t = 0; t <= 40; t++) { polynomial_lr_step(&s, &l, 1); lr[t] = l; }
    static const int at[] = {1, 7, 29, 30, 31};
    static const double want[] = {0.09344444444444444, 0.05877777777777778,
                                  0.00011111111111111116, 0.0, 0.0};
    for (int k = 0; k < 5; k++) check_close(lr[at[k]], want[k], SPOT_TOL, "PolynomialLR", at[k]);
  }
  { /* LinearLR(SGD(lr=0.1), start_factor=0.5, end_factor=0.1, total_iters=20) */
    LinearLRState s;
    double l = 0.1;
    linear_lr_init(&s, 0.5, 0.1, 20, -1);
    s.step_count = 0;
    for (int t = 0; t <= 30; t++) { linear_lr_step(&s, &l, 1); lr[t] = l; }
    static const int at[] = {0, 1, 13, 20, 25};
    static const double want[] = {0.05, 0.048, 0.023999999999999997, 0.009999999999999995,
                                  0.009999999999999995};
    for (int k = 0; k < 5; k++) check_close(lr[at[k]], want[k], SPOT_TOL, "LinearLR", at[k]);
  }
}

/* ------------------------------------------------- recursive vs closed form */

/* Runs `steps` recursive steps on lrs; after each, a twin state jumps there with
 * step(epoch) from base_lrs; the two must agree to 1e-12. */
#define AGREE(NAME, STATE, INIT_A, INIT_B, STEP, STEP_EPOCH)                       \
  do {                                                                             \
    STATE a, b;                                                                    \
    double base[2] = {0.1, 0.037}, la[2] = {0.1, 0.037}, lb[2];                    \
    INIT_A;                                                                        \
    INIT_B;                                                                        \
    a.step_count = 0;                                                              \
    int ok = 1;                                                                    \
    for (int t = 0; t <= 200; t++) {                                               \
      if (STEP != SCHED_OK) ok = 0;                                                \
      if (STEP_EPOCH != SCHED_OK) ok = 0;                                          \
      for (int i = 0; i < 2; i++)                                                  \
        if (!close_rel(la[i], lb[i], 1e-12) && fabs(la[i] - lb[i]) > 1e-18) {      \
          if (ok) printf("  %s t=%d: %.17g vs %.17g\n", NAME, t, la[i], lb[i]);    \
          ok = 0;                                                                  \
        }                                                                          \
    }                                                                              \
    check(ok, NAME ": recursive step() == closed-form step(epoch)");              \
  } while (0)

static void test_closed_forms(void) {
  static const double mil[] = {30, 5, 80, 80, 150};
  AGREE("StepLR", StepLRState, step_lr_init(&a, 7, 0.5, -1), step_lr_init(&b, 7, 0.5, -1),
        step_lr_step(&a, la, 2), step_lr_step_epoch(&b, a.last_epoch, base, lb, 2));
  AGREE("MultiStepLR", MultiStepLRState, multi_step_lr_init(&a, 0.3, -1),
        multi_step_lr_init(&b, 0.3, -1), multi_step_lr_step(&a, mil, 5, la, 2),
        multi_step_lr_step_epoch(&b, a.last_epoch, mil, 5, base, lb, 2));
  AGREE("ExponentialLR", ExponentialLRState, exponential_lr_init(&a, 0.97, -1),
        exponential_lr_init(&b, 0.97, -1), exponential_lr_step(&a, la, 2),
        exponential_lr_step_epoch(&b, a.last_epoch, base, lb, 2));
  AGREE("CosineAnnealingLR", CosineAnnealingLRState, cosine_annealing_lr_init(&a, 17, 1e-3, -1),
        cosine_annealing_lr_init(&b, 17, 1e-3, -1), cosine_annealing_lr_step(&a, base, la, 2),
        cosine_annealing_lr_step_epoch(&b, a.last_epoch, base, lb, 2));
  AGREE("LinearLR", LinearLRState, linear_lr_init(&a, 0.2, 0.9, 37, -1),
        linear_lr_init(&b, 0.2, 0.9, 37, -1), linear_lr_step(&a, la, 2),
        linear_lr_step_epoch(&b, a.last_epoch, base, lb, 2));
  AGREE("ConstantLR", ConstantLRState, constant_lr_init(&a, 0.3, 11, -1),
        constant_lr_init(&b, 0.3, 11, -1), constant_lr_step(&a, la, 2),
        constant_lr_step_epoch(&b, a.last_epoch, base, lb, 2));
  AGREE("PolynomialLR", PolynomialLRState, polynomial_lr_init(&a, 150, 1.7, -1),
        polynomial_lr_init(&b, 150, 1.7, -1), polynomial_lr_step(&a, la, 2),
        polynomial_lr_step_epoch(&b, a.last_epoch, base, lb, 2));
}

/* ---------------------------------------------------------------- ReduceLROnPlateau */

static void test_plateau(void) {
  ReduceLROnPlateauState s;
  /* mode min, abs threshold 0, patience 2, cooldown 1, factor 0.5, min_lr 0.02 */
  check(reduce_lr_on_plateau_init(&s, PLATEAU_MIN, 0.5, 2, 0, PLATEAU_ABS, 1, 1e-8) == SCHED_OK,
        "plateau init");
  check(s.best == INFINITY && s.last_epoch == 0, "plateau starts at best = inf, last_epoch 0");
  double lr = 0.1, min_lr = 0.02;
  static const double metric[18] = {1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,
                                    0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
  static const double want[18] = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025,
                                   0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02};
  int ok = 1;
  for (int t = 0; t < 18; t++) {
    reduce_lr_on_plateau_step(&s, metric[t], &min_lr, &lr, 1);
    if (lr != want[t]) { ok = 0; printf("  plateau t=%d lr %.17g want %.17g\n", t, lr, want[t]); }
  }
  check(ok, "plateau: patience, cooldown and min_lr floor");
  check(s.last_epoch == 18 && s.best == 0.9, "plateau: last_epoch counts steps, best kept");

  /* max mode, rel threshold: 1% better needed; eps blocks tiny reductions */
  reduce_lr_on_plateau_init(&s, PLATEAU_MAX, 0.1, 0, 0.01, PLATEAU_REL, 0, 1e-3);
  check(reduce_lr_on_plateau_is_better(&s, 1.0, -INFINITY), "is_better(max): anything beats -inf");
  check(!reduce_lr_on_plateau_is_better(&s, 1.0099, 1.0) && reduce_lr_on_plateau_is_better(&s, 1.0101, 1.0),
        "is_better(max, rel): a > best * (1 + threshold)");
  double l2 = 0.001, zero = 0;
  reduce_lr_on_plateau_step(&s, 1.0, &zero, &l2, 1);
  reduce_lr_on_plateau_step(&s, 1.0, &zero, &l2, 1);   /* bad epoch 1 > patience 0 */
  check(l2 == 0.001, "plateau: reduction smaller than eps is skipped");
  l2 = 0.5;
  reduce_lr_on_plateau_step(&s, 1.0, &zero, &l2, 1);
  check(l2 == 0.5 * 0.1, "plateau: reduction by factor");

  reduce_lr_on_plateau_init(&s, PLATEAU_MIN, 0.1, 0, 0.5, PLATEAU_ABS, 0, 1e-8);
  check(reduce_lr_on_plateau_is_better(&s, 0.49, 1.0) && !reduce_lr_on_plateau_is_better(&s, 0.5, 1.0),
        "is_better(min, abs): a < best - threshold");
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void) {
  ConstantLRState c;
  LinearLRState li;
  CosineWarmRestartsState w;
  OneCycleLRState o;
  CyclicLRState cy;
  ReduceLROnPlateauState p;
  check(constant_lr_init(&c, 1.5, 5, -1) == SCHED_ERR_ARG, "ConstantLR factor > 1");
  check(linear_lr_init(&li, 0.5, -0.1, 5, -1) == SCHED_ERR_ARG, "LinearLR end_factor < 0");
  check(cosine_warm_restarts_init(&w, 0, 1, 0, -1) == SCHED_ERR_ARG, "CAWR T_0 <= 0");
  check(cosine_warm_restarts_init(&w, 5, 1.5, 0, -1) == SCHED_ERR_ARG, "CAWR T_mult not an integer");
  check(one_cycle_lr_init(&o, 0, 0.3, ONECYCLE_COS, 1, 0, -1) == SCHED_ERR_ARG, "OneCycleLR total_steps 0");
  check(one_cycle_lr_init(&o, 10, 1.2, ONECYCLE_COS, 1, 0, -1) == SCHED_ERR_ARG, "OneCycleLR pct_start > 1");
  check(one_cycle_lr_init(&o, 10, 0.3, 7, 1, 0, -1) == SCHED_ERR_ARG, "OneCycleLR anneal_strategy");
  check(cyclic_lr_init(&cy, 0, 0, CYCLIC_TRIANGULAR, 1, 0, 0, -1) == SCHED_ERR_ZERO_DIV,
        "CyclicLR step sizes summing to 0");
  check(cyclic_lr_init(&cy, 3, NAN, 9, 1, 0, 0, -1) == SCHED_ERR_ARG, "CyclicLR unknown mode");
  check(reduce_lr_on_plateau_init(&p, PLATEAU_MIN, 1.0, 10, 1e-4, PLATEAU_REL, 0, 1e-8) == SCHED_ERR_ARG,
        "ReduceLROnPlateau factor >= 1");
  check(reduce_lr_on_plateau_init(&p, 3, 0.1, 10, 1e-4, PLATEAU_REL, 0, 1e-8) == SCHED_ERR_ARG,
        "ReduceLROnPlateau mode");

  /* ConstantLR(factor=0): lr * (1.0 / 0) at total_iters raises ZeroDivisionError */
  double lr = 0.1;
  constant_lr_init(&c, 0.0, 3, -1);
  c.step_count = 0;
  int st = SCHED_OK;
  for (int t = 0; t <= 3 && st == SCHED_OK; t++) st = constant_lr_step(&c, &lr, 1);
  check(st == SCHED_ERR_ZERO_DIV && lr == 0 && c.last_epoch == 3, "ConstantLR factor 0 fails at total_iters");

  /* LinearLR(start_factor=0) divides by total_iters * 0 at the first step */
  lr = 0.1;
  linear_lr_init(&li, 0.0, 1.0, 4, -1);
  li.step_count = 0;
  linear_lr_step(&li, &lr, 1);
  check(linear_lr_step(&li, &lr, 1) == SCHED_ERR_ZERO_DIV && lr == 0, "LinearLR start_factor 0");

  /* OneCycleLR(total_steps=5, pct_start=0.2): first phase ends at step 0 -> 0/0 */
  OneCycleLRGroup g;
  double m = 0.9;
  lr = 0.1;
  one_cycle_lr_init(&o, 5, 0.2, ONECYCLE_COS, 1, 0, -1);
  one_cycle_lr_group_init(&g, 0.1, 25, 1e4, 0.95, 0.85);
  o.step_count = 0;
  check(one_cycle_lr_step(&o, &g, &lr, &m, 1) == SCHED_ERR_ZERO_DIV && lr == 0.1 && m == 0.9,
        "OneCycleLR zero-length phase");

  /* missing arrays */
  StepLRState s;
  step_lr_init(&s, 3, 0.1, -1);
  check(step_lr_step(&s, NULL, 2) == SCHED_ERR_NULL && s.last_epoch == -1, "NULL lrs rejected before changes");
  check(step_lr_step(&s, NULL, 0) == SCHED_OK, "zero groups is fine");
  check(strlen(sched_status_string(SCHED_ERR_STEPS)) > 0 && strlen(sched_status_string(99)) > 0,
        "status strings");
}

/* ---------------------------------------------------------------- misc behaviour */

static void test_misc(void) {
  /* CosineAnnealingLR resumed with last_epoch = 4: the first step (step_count 1,
   * last_epoch 5) uses the closed form from initial_lr. */
  CosineAnnealingLRState s;
  double base = 0.1, lr = 0.05;
  cosine_annealing_lr_init(&s, 10, 0.0, 4);
  s.step_count = 0;
  cosine_annealing_lr_step(&s, &base, &lr, 1);
  check(close_rel(lr, 0.05, 1e-15) && s.last_epoch == 5, "CosineAnnealingLR resume branch");

  /* CyclicLR custom scale_fn path with scale 1 equals triangular */
  CyclicLRState a, b;
  CyclicLRGroup g = {0.01, 0.2, 0.8, 0.9};
  double la = 0.01, lb = 0.01, ma = 0, mb = 0;
  cyclic_lr_init(&a, 5, NAN, CYCLIC_TRIANGULAR, 1, 0, 1, -1);
  cyclic_lr_init(&b, 5, NAN, CYCLIC_CUSTOM, 1, CYCLIC_SCALE_CYCLE, 1, -1);
  cyclic_lr_initial_step(&a, &g, NULL, &la, &ma, 1);
  b.step_count = 0;
  cyclic_lr_advance(&b);
  cyclic_lr_get_lr(&b, 1.0, &g, &lb, &mb, 1);
  int ok = la == lb && ma == mb;
  for (int t = 0; t < 30; t++) {
    cyclic_lr_step(&a, &g, &la, &ma, 1);
    cyclic_lr_advance(&b);
    double arg = cyclic_lr_scale_arg(&b);
    if (arg != floor(1 + b.last_epoch / 10.0)) ok = 0;
    cyclic_lr_get_lr(&b, 1.0, &g, &lb, &mb, 1);
    if (la != lb || ma != mb) ok = 0;
  }
  check(ok && a.last_epoch == 30 && a.step_count == 31, "CyclicLR custom scale path");
  check(cyclic_lr_step(&b, &g, &lb, &mb, 1) == SCHED_ERR_ARG, "CyclicLR custom mode needs the JS scale");

  /* MultiStepLR repeated milestone multiplies by gamma**2 at once */
  MultiStepLRState ms;
  static const double mil[] = {3, 3};
  double l = 1.0;
  multi_step_lr_init(&ms, 0.5, -1);
  ms.step_count = 0;
  for (int t = 0; t <= 3; t++) multi_step_lr_step(&ms, mil, 2, &l, 1);
  check(l == 0.25, "MultiStepLR milestone multiplicity");
}

int main(void) {
  test_spots();
  test_closed_forms();
  test_plateau();
  test_errors();
  test_misc();
  printf("test_schedulers: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
