/* handles.h: the table that turns tensors into the small integers the JS shim holds.
 * A handle owns one reference to its tensor. Handles carry a generation so that a stale
 * handle (released, slot reused) is recognised instead of reaching another tensor. */
#ifndef KINDLING_HANDLES_H
#define KINDLING_HANDLES_H

#include "tensor.h"

/* Takes over the caller's reference to t. Returns a handle > 0, or an error status < 0
 * (t released). A NULL t passes the recorded error status through. */
int32_t handle_new(Tensor* t);
/* The tensor behind h, or NULL with "<op>: argument '<arg>' is a released tensor" recorded. */
Tensor* handle_get(int32_t h, const char* op, const char* arg);
int handle_release(int32_t h);
/* Holds t (taking the caller's reference) until the next handle_new or handle_drop_held:
 * temporaries an ABI call makes for its own use (abi/abi_args.h). On OOM t is released. */
int handle_hold(Tensor* t);
void handle_drop_held(void);
int64_t handle_live_count(void);

#endif
