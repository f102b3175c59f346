/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nvvb-gpuvm-upstream: the nvvb-gpuvm replay tool over Linux's drm_gpuvm.c
 * (userspace build), so that scripts can be checked against the kernel.
 * Exits 3 if drm_gpuvm WARNed.
 */
#include "upstream.h"

int main(int argc, char **argv)
{
    int ret = gpuvm_replay_main(&gpuvm_replay_upstream, argc, argv);

    if (shim_warnings) {
        fprintf(stderr, "%s: drm_gpuvm WARNed %lu times\n", argv[0],
                shim_warnings);
        return 3;
    }
    return ret;
}
