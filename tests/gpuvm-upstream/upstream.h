/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux's drm_gpuvm.c built in userspace, as a replay back end.  Only built
 * with meson -Dlinux_src=DIR (tests/gpuvm-upstream/README.rst).
 */
#ifndef NVVB_TESTS_GPUVM_UPSTREAM_H
#define NVVB_TESTS_GPUVM_UPSTREAM_H

#include "gpuvm-replay.h"

extern const GpuvmReplayBackend gpuvm_replay_upstream;
/* WARNs drm_gpuvm.c fired (shim/shim.c); any is a failure. */
extern unsigned long shim_warnings;
/* meson passes GPUVM_UPSTREAM_VERSION, the linux-source version built. */
#ifndef GPUVM_UPSTREAM_VERSION
#define GPUVM_UPSTREAM_VERSION "unknown"
#endif

#endif
