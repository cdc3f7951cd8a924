/* error.h: status codes and the last-error message that every ABI call leaves behind.
 * Library code never aborts: it records a message naming the PyTorch-level call and
 * returns a negative status, which the JS shim turns into TypeError / RangeError / Error. */
#ifndef KINDLING_ERROR_H
#define KINDLING_ERROR_H

enum {
  K_OK = 0,
  K_ERR_TYPE = -1,     /* wrong dtype or argument kind      -> TypeError  */
  K_ERR_RANGE = -2,    /* dim / index / size out of range   -> RangeError */
  K_ERR_RUNTIME = -3,  /* shapes that do not fit, bad state -> Error      */
  K_ERR_OOM = -4,      /* allocation beyond the heap limit  -> RangeError */
  K_ERR_RELEASED = -5  /* a released or unknown handle      -> Error      */
};

/* Records the message (printf-style) and returns code, so callers can `return k_fail(...)`. */
int k_fail(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
int k_last_status(void);
const char* k_last_message(void);
void k_clear_error(void);

#endif
