/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nvvb-gpuvm replay format, independent of the GPUVM implementation.
 *
 * nvvb-gpuvm runs it over nv-vmbind's GPUVM; tests/gpuvm-upstream runs the
 * very same front end over Linux's drm_gpuvm.c compiled in userspace, so
 * the two can be compared line by line.  The format is documented in
 * docs/devel/nv-vmbind-gpuvm.rst and by `nvvb-gpuvm --help`.
 */
#ifndef NVVB_TOOLS_GPUVM_REPLAY_H
#define NVVB_TOOLS_GPUVM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

/* BO of a mapping: an index into the script's BO names, or none. */
#define GPUVM_REPLAY_NO_BO (-1)

typedef struct GpuvmReplayMap {
    uint64_t addr;
    uint64_t range;
    int bo;
    uint64_t offset;
} GpuvmReplayMap;

typedef enum GpuvmReplayOpType {
    GPUVM_REPLAY_MAP,
    GPUVM_REPLAY_REMAP,
    GPUVM_REPLAY_UNMAP,
} GpuvmReplayOpType;

/*
 * One op as both implementations report it.  For MAP, @va is the request;
 * for REMAP and UNMAP it is the existing mapping being split or removed.
 */
typedef struct GpuvmReplayOp {
    GpuvmReplayOpType type;
    GpuvmReplayMap va;
    bool keep;
    bool has_prev;
    bool has_next;
    GpuvmReplayMap prev;
    GpuvmReplayMap next;
} GpuvmReplayOp;

/*
 * An implementation.  map/unmap compute the request's ops, append them to
 * @ops (GpuvmReplayOp) in order, apply them, and return 0 or a negative
 * errno (with nothing appended or changed).
 */
typedef struct GpuvmReplayBackend {
    const char *name;
    void *(*vm_new)(uint64_t start, uint64_t range,
                    uint64_t rsv_start, uint64_t rsv_range, int *err);
    void (*vm_free)(void *vm);
    int (*map)(void *vm, uint64_t addr, uint64_t range, int bo,
               uint64_t offset, GArray *ops);
    int (*unmap)(void *vm, uint64_t addr, uint64_t range, GArray *ops);
    /* Append every mapping (GpuvmReplayMap) in address order. */
    void (*dump)(void *vm, GArray *maps);
} GpuvmReplayBackend;

/*
 * nv-vmbind's GPUVM (gpuvm-replay-core.c): ops as a list (ops_create, then
 * ops_apply), or through the sm_map/sm_unmap callbacks applying each op.
 */
extern const GpuvmReplayBackend gpuvm_replay_core_list;
extern const GpuvmReplayBackend gpuvm_replay_core_callbacks;

const char *gpuvm_replay_errno_name(int err);
void gpuvm_replay_print_op(FILE *out, const GpuvmReplayOp *op,
                           char *const *bo_names);
bool gpuvm_replay_op_equal(const GpuvmReplayOp *a, const GpuvmReplayOp *b);
int gpuvm_replay_run(const GpuvmReplayBackend *be, FILE *in, FILE *out,
                     FILE *err);
void gpuvm_replay_usage(FILE *out, const char *prog, const char *impl,
                        const char *extra_usage, const char *extra_help);
int gpuvm_replay_main(const GpuvmReplayBackend *be, int argc, char **argv);

#endif
