/* simd_switch.h: one run-time switch between the WASM SIMD kernels and their scalar
 * references. The wasm build starts with SIMD on; tests flip it to compare the two
 * paths inside one instance. Native builds have no SIMD path, so the switch is inert. */
#ifndef KINDLING_SIMD_SWITCH_H
#define KINDLING_SIMD_SWITCH_H

extern int kernel_simd_enabled;

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#define KERNEL_USE_SIMD (kernel_simd_enabled)
#else
#define KERNEL_USE_SIMD 0
#endif

#endif
