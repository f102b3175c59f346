/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay back end over Linux's own drm_gpuvm.c, compiled in userspace
 * against the shim headers in shim/ (tests/gpuvm-upstream/README.rst).
 *
 * It drives drm_gpuvm the way nouveau_uvmm does: ops as a list
 * (drm_gpuvm_sm_map_ops_create), then drm_gpuva_map / _remap / _unmap with
 * drm_gpuva_link / _unlink for each op.  Requests are passed through as they
 * come; only VM creation applies nv-vmbind's checks first, because
 * drm_gpuvm_init() has no error path (it WARNs and carries on).
 */
#include <drm/drm_gpuvm.h>
#include "gpuvm-replay.h"
#include "upstream.h"

typedef struct UpBo {
    struct drm_gem_object base;
    int idx;
} UpBo;

typedef struct UpVm {
    struct drm_gpuvm gpuvm;
    struct drm_gem_object *r_obj;
    GPtrArray *bos;         /* UpBo * by script index */
} UpVm;

/* drm_gpuvm only passes the device around. */
static struct drm_device up_drm;

static void up_bo_free(struct drm_gem_object *obj)
{
    g_free(container_of(obj, UpBo, base));
}

static const struct drm_gem_object_funcs up_bo_funcs = {
    .free = up_bo_free,
};

static void up_vm_free(struct drm_gpuvm *gpuvm)
{
    g_free(container_of(gpuvm, UpVm, gpuvm));
}

static const struct drm_gpuvm_ops up_vm_ops = {
    .vm_free = up_vm_free,
};

static struct drm_gem_object *up_bo(UpVm *u, int idx)
{
    if (idx == GPUVM_REPLAY_NO_BO) {
        return NULL;
    }
    while (u->bos->len <= (guint)idx) {
        UpBo *bo = g_new0(UpBo, 1);

        drm_gem_private_object_init(&up_drm, &bo->base, 0);
        bo->base.funcs = &up_bo_funcs;
        /* Private to the VM, like the core back end's BOs. */
        bo->base.resv = u->r_obj->resv;
        bo->idx = u->bos->len;
        g_ptr_array_add(u->bos, bo);
    }
    return &((UpBo *)g_ptr_array_index(u->bos, idx))->base;
}

static int up_idx(const struct drm_gem_object *obj)
{
    return obj ? container_of(obj, UpBo, base)->idx : GPUVM_REPLAY_NO_BO;
}

static void from_opmap(GpuvmReplayMap *r, const struct drm_gpuva_op_map *m)
{
    r->addr = m->va.addr;
    r->range = m->va.range;
    r->bo = up_idx(m->gem.obj);
    r->offset = m->gem.offset;
}

static void from_va(GpuvmReplayMap *r, const struct drm_gpuva *va)
{
    r->addr = va->va.addr;
    r->range = va->va.range;
    r->bo = up_idx(va->gem.obj);
    r->offset = va->gem.offset;
}

static void *up_vm_new(uint64_t start, uint64_t range,
                       uint64_t rsv_start, uint64_t rsv_range, int *err)
{
    UpVm *u;
    uint64_t end;

    /* nv-vmbind's nvvb_gpuvm_new() checks; see the file comment. */
    if (range == 0 || __builtin_add_overflow(start, range, &end) ||
        (rsv_range && (__builtin_add_overflow(rsv_start, rsv_range, &end) ||
                       rsv_start < start || end > start + range))) {
        *err = -EINVAL;
        return NULL;
    }
    u = g_new0(UpVm, 1);
    u->bos = g_ptr_array_new();
    u->r_obj = drm_gpuvm_resv_object_alloc(&up_drm);
    drm_gpuvm_init(&u->gpuvm, "upstream", 0, &up_drm, u->r_obj,
                   start, range, rsv_start, rsv_range, &up_vm_ops);
    drm_gem_object_put(u->r_obj);   /* the VM holds its own reference */
    *err = 0;
    return u;
}

static void up_vm_free_all(void *opaque)
{
    UpVm *u = opaque;
    struct drm_gpuva *va, *next;
    GPtrArray *bos = u->bos;
    guint i;

    drm_gpuvm_for_each_va_safe(va, next, &u->gpuvm) {
        if (va == &u->gpuvm.kernel_alloc_node) {
            continue;
        }
        drm_gpuva_unlink(va);
        drm_gpuva_remove(va);
        g_free(va);
    }
    drm_gpuvm_put(&u->gpuvm);       /* frees u */
    for (i = 0; i < bos->len; i++) {
        drm_gem_object_put(&((UpBo *)g_ptr_array_index(bos, i))->base);
    }
    g_ptr_array_free(bos, true);
}

static void convert(GArray *out, struct drm_gpuva_op *op)
{
    GpuvmReplayOp r = { 0 };

    switch (op->op) {
    case DRM_GPUVA_OP_MAP:
        r.type = GPUVM_REPLAY_MAP;
        from_opmap(&r.va, &op->map);
        break;
    case DRM_GPUVA_OP_REMAP:
        r.type = GPUVM_REPLAY_REMAP;
        from_va(&r.va, op->remap.unmap->va);
        r.keep = op->remap.unmap->keep;
        r.has_prev = op->remap.prev != NULL;
        r.has_next = op->remap.next != NULL;
        if (r.has_prev) {
            from_opmap(&r.prev, op->remap.prev);
        }
        if (r.has_next) {
            from_opmap(&r.next, op->remap.next);
        }
        break;
    case DRM_GPUVA_OP_UNMAP:
        r.type = GPUVM_REPLAY_UNMAP;
        from_va(&r.va, op->unmap.va);
        r.keep = op->unmap.keep;
        break;
    default:
        g_error("unexpected drm_gpuva_op %d", op->op);
    }
    g_array_append_val(out, r);
}

/* Apply the ops as nouveau's prepare + link steps do (DOC: Examples). */
static void apply(UpVm *u, struct drm_gpuva_ops *ops,
                  struct drm_gem_object *obj)
{
    struct drm_gpuvm_bo *vm_bo = NULL;
    struct drm_gpuva_op *op;

    if (obj) {
        vm_bo = drm_gpuvm_bo_obtain(&u->gpuvm, obj);
        g_assert(!IS_ERR(vm_bo));
    }
    drm_gpuva_for_each_op(op, ops) {
        struct drm_gpuva *va, *prev = NULL, *next = NULL;

        switch (op->op) {
        case DRM_GPUVA_OP_MAP:
            va = g_new0(struct drm_gpuva, 1);
            drm_gpuva_map(&u->gpuvm, va, &op->map);
            if (vm_bo) {
                drm_gpuva_link(va, vm_bo);
            }
            break;
        case DRM_GPUVA_OP_REMAP:
            va = op->remap.unmap->va;
            if (op->remap.prev) {
                prev = g_new0(struct drm_gpuva, 1);
            }
            if (op->remap.next) {
                next = g_new0(struct drm_gpuva, 1);
            }
            drm_gpuva_remap(prev, next, &op->remap);
            if (prev) {
                drm_gpuva_link(prev, va->vm_bo);
            }
            if (next) {
                drm_gpuva_link(next, va->vm_bo);
            }
            drm_gpuva_unlink(va);
            g_free(va);
            break;
        case DRM_GPUVA_OP_UNMAP:
            va = op->unmap.va;
            drm_gpuva_unlink(va);
            drm_gpuva_unmap(&op->unmap);
            g_free(va);
            break;
        default:
            g_error("unexpected drm_gpuva_op %d", op->op);
        }
    }
    drm_gpuvm_bo_put(vm_bo);
}

static int up_run(UpVm *u, struct drm_gpuva_ops *ops,
                  struct drm_gem_object *obj, GArray *out)
{
    struct drm_gpuva_op *op;

    if (IS_ERR(ops)) {
        return PTR_ERR(ops);
    }
    /* Convert first: applying frees the mappings the ops point to. */
    drm_gpuva_for_each_op(op, ops) {
        convert(out, op);
    }
    apply(u, ops, obj);
    drm_gpuva_ops_free(&u->gpuvm, ops);
    return 0;
}

static int up_map(void *opaque, uint64_t addr, uint64_t range, int bo,
                  uint64_t offset, GArray *out)
{
    UpVm *u = opaque;
    struct drm_gem_object *obj = up_bo(u, bo);

    return up_run(u, drm_gpuvm_sm_map_ops_create(&u->gpuvm, addr, range,
                                                 obj, offset), obj, out);
}

static int up_unmap(void *opaque, uint64_t addr, uint64_t range, GArray *out)
{
    UpVm *u = opaque;

    return up_run(u, drm_gpuvm_sm_unmap_ops_create(&u->gpuvm, addr, range),
                  NULL, out);
}

static void up_dump(void *opaque, GArray *maps)
{
    UpVm *u = opaque;
    struct drm_gpuva *va;

    drm_gpuvm_for_each_va(va, &u->gpuvm) {
        GpuvmReplayMap m;

        if (va == &u->gpuvm.kernel_alloc_node) {
            continue;   /* the reserved window is not a mapping */
        }
        from_va(&m, va);
        g_array_append_val(maps, m);
    }
}

const GpuvmReplayBackend gpuvm_replay_upstream = {
    .name = "Linux's drm_gpuvm.c (userspace build)",
    .vm_new = up_vm_new,
    .vm_free = up_vm_free_all,
    .map = up_map,
    .unmap = up_unmap,
    .dump = up_dump,
};
