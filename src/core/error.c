/* error.c: the last-error slot (see error.h). One slot suffices: the library runs on a
 * single thread per instance and the shim reads the message right after a failing call. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static char last_message[512];
static int last_status = K_OK;

int k_fail(int code, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(last_message, sizeof last_message, fmt, args);
  va_end(args);
  last_status = code;
  return code;
}

int k_last_status(void) { return last_status; }
const char* k_last_message(void) { return last_message; }

void k_clear_error(void) {
  last_status = K_OK;
  last_message[0] = '\0';
}
