/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: GPUVM op lists to page-table manager batches, see
 * ptm-gpuvm.h.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "ptm-gpuvm.h"
#include "gpuvm-sparse.h"

#define PAGE_MASK_4K    0xfffull

/* Whole 4 KiB pages inside the VA space the tables can describe. */
static bool pages_ok(uint64_t va, uint64_t range)
{
    return range && !((va | range) & PAGE_MASK_4K) &&
           va < NV_GMMU_VA_LIMIT && range <= NV_GMMU_VA_LIMIT - va;
}

/* A refused op list: the manager never saw it, so nothing changed. */
static int refuse(NvvbPtmResult *res)
{
    if (res) {
        memset(res, 0, sizeof(*res));
        res->top_level = NV_GMMU_LEVEL_NONE;
    }
    return -EINVAL;
}

/* A `keep` op's range [a, b) must be rewritten by a MAP of @ops. */
static bool map_covers(const NvvbGpuVaOps *ops, uint64_t a, uint64_t b)
{
    const NvvbGpuVaOp *op;

    NVVB_GPUVA_OPS_FOREACH(op, ops) {
        if (op->type == NVVB_GPUVA_OP_MAP && op->map.addr <= a &&
            b - op->map.addr <= op->map.range) {
            return true;
        }
    }
    return false;
}

/*
 * The range [*a, *b) a REMAP removes from its mapping @va: what prev and
 * next do not keep.  False if prev / next are not the mapping's ends.
 */
static bool remap_removed(const NvvbGpuVaOpRemap *r, const NvvbGpuVa *va,
                          uint64_t *a, uint64_t *b)
{
    uint64_t end = va->addr + va->range;

    if (r->has_prev) {
        if (r->prev.addr != va->addr || !r->prev.range ||
            r->prev.range >= va->range) {
            return false;
        }
        *a = va->addr + r->prev.range;
    }
    if (r->has_next) {
        if (!r->next.range || r->next.range >= va->range ||
            r->next.addr != end - r->next.range) {
            return false;
        }
        *b = r->next.addr;
    }
    return *a < *b && !((*a | *b) & PAGE_MASK_4K);
}

/*
 * An UNMAP / REMAP op as a CLEAR step (@st->range 0 if `keep` leaves
 * nothing to clear).  False if the op is malformed, keeps what no MAP of
 * @ops rewrites, or removes a region mapping the manager has no region for.
 */
static bool op_to_clear(NvvbPtm *ptm, const NvvbGpuVaOps *ops,
                        const NvvbGpuVaOp *op, NvvbPtmStep *st)
{
    bool unmap = op->type == NVVB_GPUVA_OP_UNMAP;
    const NvvbGpuVaOpUnmap *u = unmap ? &op->unmap : &op->remap.unmap;
    const NvvbGpuVa *va = u->va;
    uint64_t a, b;

    if (!va || !pages_ok(va->addr, va->range)) {
        return false;
    }
    a = va->addr;
    b = va->addr + va->range;
    if (!unmap && !remap_removed(&op->remap, va, &a, &b)) {
        return false;
    }
    if (u->keep && !map_covers(ops, a, b)) {
        return false;
    }
    /* The GPUVM says it returns to sparse: the tables must agree. */
    if ((va->flags & NVVB_GPUVA_IN_REGION) &&
        !nvvb_ptm_in_sparse(ptm, va->addr, va->range)) {
        return false;
    }
    st->type = NVVB_PTM_STEP_CLEAR;
    st->va = a;
    st->range = u->keep ? 0 : b - a;
    return true;
}

int nvvb_ptm_apply_ops(NvvbPtm *ptm, const NvvbGpuVaOps *ops,
                       const NvvbPtmBacking *backing,
                       const NvvbPtmAttrs *attrs, NvvbPtmResult *res)
{
    g_autofree NvvbPtmStep *steps = g_new0(NvvbPtmStep, ops->n_ops + 1);
    const NvvbGpuVaOp *op;
    unsigned n = 0;

    NVVB_GPUVA_OPS_FOREACH(op, ops) {
        NvvbPtmStep *st = &steps[n];

        switch (op->type) {
        case NVVB_GPUVA_OP_MAP:
            st->type = NVVB_PTM_STEP_MAP;
            st->va = op->map.addr;
            st->range = op->map.range;
            st->bo_offset = op->map.bo_offset;
            n++;
            break;
        case NVVB_GPUVA_OP_UNMAP:
        case NVVB_GPUVA_OP_REMAP:
            if (!op_to_clear(ptm, ops, op, st)) {
                return refuse(res);
            }
            /* `keep`: the MAP rewrites it in place, nothing to clear. */
            n += st->range != 0;
            break;
        default:
            return refuse(res);
        }
    }
    return nvvb_ptm_apply(ptm, steps, n, backing, attrs, res);
}

int nvvb_ptm_revalidate(NvvbPtm *ptm, NvvbGpuVa *const *vas, unsigned n,
                        const NvvbPtmBacking *backing, NvvbPtmResult *res)
{
    g_autofree NvvbPtmStep *maps = g_new0(NvvbPtmStep, n + 1);
    unsigned k;

    for (k = 0; k < n; k++) {
        if (!vas[k]) {
            return refuse(res);
        }
        maps[k].type = NVVB_PTM_STEP_MAP;
        maps[k].va = vas[k]->addr;
        maps[k].range = vas[k]->range;
        maps[k].bo_offset = vas[k]->bo_offset;
    }
    return nvvb_ptm_rewrite(ptm, maps, n, backing, res);
}
