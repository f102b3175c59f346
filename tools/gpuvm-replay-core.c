/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay back end over nv-vmbind's GPUVM (hw/display/nv-vmbind/core/gpuvm.h).
 * BO number i of the script is an NvvbBo with handle i, sharing the VM's
 * reservation.
 */
#include "gpuvm-replay.h"
#include "gpuvm.h"
#include "gpuvm-bo.h"

typedef struct CoreVm {
    NvvbGpuVm *vm;
    GPtrArray *bos;         /* NvvbBo * by script index */
    bool callbacks;
    GArray *ops;            /* output of the current request */
} CoreVm;

static NvvbBo *core_bo(CoreVm *c, int idx)
{
    if (idx == GPUVM_REPLAY_NO_BO) {
        return NULL;
    }
    while (c->bos->len <= (guint)idx) {
        g_ptr_array_add(c->bos, nvvb_bo_new(c->bos->len, 0, 0, NULL));
    }
    return g_ptr_array_index(c->bos, idx);
}

static int bo_idx(const NvvbBo *bo)
{
    return bo ? (int)bo->handle : GPUVM_REPLAY_NO_BO;
}

static void from_map(GpuvmReplayMap *r, const NvvbGpuVaOpMap *m)
{
    r->addr = m->addr;
    r->range = m->range;
    r->bo = bo_idx(m->bo);
    r->offset = m->bo_offset;
}

static void from_va(GpuvmReplayMap *r, const NvvbGpuVa *va)
{
    r->addr = va->addr;
    r->range = va->range;
    r->bo = bo_idx(va->bo);
    r->offset = va->bo_offset;
}

static void convert(GArray *out, const NvvbGpuVaOp *op)
{
    GpuvmReplayOp r = { 0 };

    switch (op->type) {
    case NVVB_GPUVA_OP_MAP:
        r.type = GPUVM_REPLAY_MAP;
        from_map(&r.va, &op->map);
        break;
    case NVVB_GPUVA_OP_REMAP:
        r.type = GPUVM_REPLAY_REMAP;
        from_va(&r.va, op->remap.unmap.va);
        r.keep = op->remap.unmap.keep;
        r.has_prev = op->remap.has_prev;
        r.has_next = op->remap.has_next;
        if (r.has_prev) {
            from_map(&r.prev, &op->remap.prev);
        }
        if (r.has_next) {
            from_map(&r.next, &op->remap.next);
        }
        break;
    case NVVB_GPUVA_OP_UNMAP:
        r.type = GPUVM_REPLAY_UNMAP;
        from_va(&r.va, op->unmap.va);
        r.keep = op->unmap.keep;
        break;
    }
    g_array_append_val(out, r);
}

static void *core_vm_new(bool callbacks, uint64_t start, uint64_t range,
                         uint64_t rsv_start, uint64_t rsv_range, int *err)
{
    CoreVm *c;
    NvvbGpuVm *vm;

    *err = nvvb_gpuvm_new(&vm, "replay", start, range, rsv_start, rsv_range,
                          0);
    if (*err) {
        return NULL;
    }
    c = g_new0(CoreVm, 1);
    c->vm = vm;
    c->bos = g_ptr_array_new_with_free_func((GDestroyNotify)nvvb_bo_unref);
    c->callbacks = callbacks;
    return c;
}

static void *core_vm_new_list(uint64_t start, uint64_t range,
                              uint64_t rsv_start, uint64_t rsv_range,
                              int *err)
{
    return core_vm_new(false, start, range, rsv_start, rsv_range, err);
}

static void *core_vm_new_cb(uint64_t start, uint64_t range,
                            uint64_t rsv_start, uint64_t rsv_range, int *err)
{
    return core_vm_new(true, start, range, rsv_start, rsv_range, err);
}

static void core_vm_free(void *opaque)
{
    CoreVm *c = opaque;

    nvvb_gpuvm_destroy(c->vm);
    g_ptr_array_free(c->bos, true);
    g_free(c);
}

/* Callback form: record the op, then apply it at once. */
static int core_step(NvvbGpuVaOp *op, void *priv)
{
    CoreVm *c = priv;

    convert(c->ops, op);
    return nvvb_gpuva_op_apply(c->vm, op, NULL);
}

static const NvvbGpuVmSmOps core_steps = {
    .step_map = core_step,
    .step_remap = core_step,
    .step_unmap = core_step,
};

static int core_finish(CoreVm *c, int ret, NvvbGpuVaOps *ops, GArray *out)
{
    NvvbGpuVaOp *op;

    if (!ret) {
        NVVB_GPUVA_OPS_FOREACH(op, ops) {
            convert(out, op);
        }
        ret = nvvb_gpuvm_ops_apply(c->vm, ops, NULL);
        g_assert(ret == 0);
    }
    nvvb_gpuva_ops_free(ops);
    nvvb_gpuvm_unlock(c->vm);
    return ret;
}

static int core_map(void *opaque, uint64_t addr, uint64_t range, int bo,
                    uint64_t offset, GArray *out)
{
    CoreVm *c = opaque;
    NvvbGpuVaOps *ops;
    int ret;

    nvvb_gpuvm_lock(c->vm);
    if (c->callbacks) {
        c->ops = out;
        ret = nvvb_gpuvm_sm_map(c->vm, &core_steps, c, addr, range,
                                core_bo(c, bo), offset);
        nvvb_gpuvm_unlock(c->vm);
        return ret;
    }
    ret = nvvb_gpuvm_sm_map_ops_create(c->vm, addr, range, core_bo(c, bo),
                                       offset, &ops);
    return core_finish(c, ret, ops, out);
}

static int core_unmap(void *opaque, uint64_t addr, uint64_t range,
                      GArray *out)
{
    CoreVm *c = opaque;
    NvvbGpuVaOps *ops;
    int ret;

    nvvb_gpuvm_lock(c->vm);
    if (c->callbacks) {
        c->ops = out;
        ret = nvvb_gpuvm_sm_unmap(c->vm, &core_steps, c, addr, range);
        nvvb_gpuvm_unlock(c->vm);
        return ret;
    }
    ret = nvvb_gpuvm_sm_unmap_ops_create(c->vm, addr, range, &ops);
    return core_finish(c, ret, ops, out);
}

static void core_dump(void *opaque, GArray *maps)
{
    CoreVm *c = opaque;
    NvvbGpuVa *va;

    nvvb_gpuvm_lock(c->vm);
    NVVB_GPUVM_FOREACH_VA(va, c->vm) {
        GpuvmReplayMap m;

        from_va(&m, va);
        g_array_append_val(maps, m);
    }
    nvvb_gpuvm_unlock(c->vm);
}

const GpuvmReplayBackend gpuvm_replay_core_list = {
    .name = "nv-vmbind's GPUVM",
    .vm_new = core_vm_new_list,
    .vm_free = core_vm_free,
    .map = core_map,
    .unmap = core_unmap,
    .dump = core_dump,
};

const GpuvmReplayBackend gpuvm_replay_core_callbacks = {
    .name = "nv-vmbind's GPUVM (callback form)",
    .vm_new = core_vm_new_cb,
    .vm_free = core_vm_free,
    .map = core_map,
    .unmap = core_unmap,
    .dump = core_dump,
};
