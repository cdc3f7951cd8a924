/* simd_switch.c: the storage of the SIMD on/off switch (see simd_switch.h). */
#include "simd_switch.h"

int kernel_simd_enabled = 1;
