/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nvvb-gpuvm: replay a GPU VA space script through nv-vmbind's GPUVM and
 * print drm_gpuvm's split/merge ops for each request.  Format: --help and
 * docs/devel/nv-vmbind-gpuvm.rst.
 */
#include "gpuvm-replay.h"

#include <string.h>

int main(int argc, char **argv)
{
    const GpuvmReplayBackend *be = &gpuvm_replay_core_list;
    static const char extra[] =
        "\n--callbacks: compute the ops with nvvb_gpuvm_sm_map()/_sm_unmap()\n"
        "callbacks, applying each op as it comes, instead of the default\n"
        "op list (sm_*_ops_create, then nvvb_gpuvm_ops_apply); the output\n"
        "must be the same.\n";

    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        gpuvm_replay_usage(stdout, argv[0], be->name, " [--callbacks]",
                           extra);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--callbacks")) {
        be = &gpuvm_replay_core_callbacks;
    } else if (argc != 1) {
        gpuvm_replay_usage(stderr, argv[0], be->name, " [--callbacks]",
                           extra);
        return 2;
    }
    return gpuvm_replay_run(be, stdin, stdout, stderr);
}
