/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind core: a GPU VM as the VM_BIND path sees it, see vm.h.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */
#include <errno.h>

#include <glib.h>

#include "vm.h"
#include "ptm-gpuvm.h"

/*
 * Tables a request can allocate, where nvvb_ptm_map_bound() (which covers a
 * MAP, including the larger pages its ends cut) does not apply: an UNMAP
 * cutting a larger page at each end needs at most a big and a small page
 * table per end; a sparse region's edges need at most one table per level
 * below PD3 at each end.
 */
#define SPLIT_GRANULES      4
#define SPARSE_GRANULES     (2 * (NV_GMMU_LEVEL_COUNT - 1) + 2)

/* Flag bits a bind may carry. */
#define BIND_FLAGS          (NVVB_MAP_KIND_MASK | NVVB_MAP_SPARSE | \
                             NVVB_MAP_READ_ONLY | NVVB_MAP_PRIV | \
                             NVVB_MAP_NO_ATOMIC)

/* Mapping attributes live in NvvbGpuVa.flags above the core's bits. */
#define VA_ATTR_BITS        (NVVB_MAP_KIND_MASK | NVVB_MAP_READ_ONLY | \
                             NVVB_MAP_PRIV | NVVB_MAP_NO_ATOMIC)
#define VA_ATTR_SHIFT       8
#define VA_ATTR_MASK        (0xfffu << VA_ATTR_SHIFT)

/* ---- Shared helpers ---- */

static void result_init(NvvbVmResult *res)
{
    res->work = 0;
    res->diverged = 0;
}

static void vm_invalidate(NvvbVm *vm, const NvvbPtmResult *res)
{
    /* Unchanged tables are byte-for-byte what the TLB may hold. */
    if (res->changed && vm->env->invalidate) {
        vm->env->invalidate(vm->env->opaque, vm, res);
    }
}

/* Whether the pool can hold what a request of @granules may allocate. */
static bool pool_fits(const NvvbVmEnv *env, uint64_t granules)
{
    return granules <= nvvb_pt_pool_free_granules(env->pool);
}

void nvvb_vm_va_set_attrs(NvvbGpuVa *va, uint32_t map_flags)
{
    if (va) {
        va->flags = (va->flags & ~VA_ATTR_MASK) |
                    ((map_flags & VA_ATTR_BITS) << VA_ATTR_SHIFT);
    }
}

uint32_t nvvb_vm_va_attrs(const NvvbGpuVa *va)
{
    return (va->flags & VA_ATTR_MASK) >> VA_ATTR_SHIFT;
}

/* ---- Life cycle ---- */

int nvvb_vm_new(NvvbVm **out, NvvbVmEnv *env, uint32_t id,
                uint64_t kernel_start, uint64_t kernel_range,
                NvvbVmTables tables)
{
    NvvbVm *vm = g_new0(NvvbVm, 1);
    int ret;

    vm->id = id;
    vm->kernel_start = kernel_start;
    vm->kernel_range = kernel_range;
    vm->env = env;
    ret = nvvb_uvmm_new(&vm->uvmm, kernel_start, kernel_range,
                        NVVB_VM_RESV(id), 1u << NV_GMMU_PAGE_SHIFT_4K);
    /*
     * Restored tables must be claimed where they were: a fresh PD3 now
     * could take (and zero) a pool page one of them is in.
     */
    if (!ret && tables == NVVB_VM_TABLES_NEW) {
        ret = nvvb_ptm_new(&vm->ptm, env->pool, &env->mem);
    }
    if (ret) {
        nvvb_vm_free(vm);
        return ret;
    }
    *out = vm;
    return 0;
}

int nvvb_vm_restore_tables(NvvbVm *vm, const void *blob, size_t len)
{
    if (vm->ptm) {
        return -EEXIST;
    }
    return nvvb_ptm_load(&vm->ptm, vm->env->pool, &vm->env->mem, blob, len);
}

uint64_t nvvb_vm_teardown_work(const NvvbVm *vm)
{
    NvvbPtmStats st;

    if (!vm->ptm) {
        return 0;
    }
    nvvb_ptm_get_stats(vm->ptm, &st);
    return st.table_bytes / 8;
}

void nvvb_vm_free(NvvbVm *vm)
{
    /* Every translation of the VM goes, the PDB's included. */
    NvvbPtmResult all = {
        .changed = true,
        .top_level = NV_GMMU_LEVEL_PD3,
        .va_end = NV_GMMU_VA_LIMIT,
    };

    if (!vm) {
        return;
    }
    if (vm->ptm) {
        vm_invalidate(vm, &all);
        nvvb_ptm_free(vm->ptm);
    }
    nvvb_uvmm_free(vm->uvmm);
    g_free(vm);
}

/* ---- MAP / UNMAP ---- */

static bool bind_is_map(const NvvbVmBindOp *op)
{
    return op->op == NVVB_OP_MAP;
}

static bool bind_is_sparse(const NvvbVmBindOp *op)
{
    return op->flags & NVVB_MAP_SPARSE;
}

/* Unknown bits, a BO with SPARSE, or attributes on an UNMAP: malformed. */
static bool bind_flags_ok(const NvvbVmBindOp *op)
{
    return !(op->flags & ~BIND_FLAGS) &&
           !(bind_is_sparse(op) && op->bo_id) &&
           (bind_is_map(op) || !(op->flags & ~NVVB_MAP_SPARSE));
}

/* The buffer a request maps: a plain MAP's, never an UNMAP's or SPARSE's. */
static NvvbBuffer *bind_buffer(const NvvbVmBindOp *op)
{
    return bind_is_map(op) && !bind_is_sparse(op) ? op->bo : NULL;
}

/* Upper bound of the pool granules a request can allocate. */
static uint64_t bind_granules(const NvvbVmBindOp *op,
                              const NvvbPtmBacking *bk)
{
    if (bind_is_map(op) && bind_is_sparse(op)) {
        return SPARSE_GRANULES;
    }
    if (bk) {
        return nvvb_ptm_map_bound(op->va, op->range, op->bo_offset, bk);
    }
    /* UNMAP, or a MAP naming no BO (the GPUVM's -ENOENT comes later). */
    return SPLIT_GRANULES;
}

/* PTEs unmapping (or mapping over) [@va, @va + @range) rewrites. */
static uint64_t unmap_work(NvvbVm *vm, uint64_t va, uint64_t range)
{
    uint64_t work = 0;
    NvvbGpuVa *g;

    if (!range || va + range < va) {
        return 0;
    }
    for (g = nvvb_gpuva_find_first(vm->uvmm->vm, va, range);
         g && g->addr < va + range; g = nvvb_gpuva_next(g)) {
        uint64_t s0 = MAX(g->addr, va);
        uint64_t e0 = MIN(g->addr + g->range, va + range);

        work += nvvb_buffer_map_work(g->bo ? g->bo->opaque : NULL, s0,
                                     e0 - s0, g->bo_offset + (s0 - g->addr));
    }
    return work;
}

/* Table entries a request writes: what it replaces plus what it maps. */
static uint64_t bind_work(NvvbVm *vm, const NvvbVmBindOp *op,
                          const NvvbBuffer *bo)
{
    uint64_t work;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    work = unmap_work(vm, op->va, op->range);
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    /* A range beyond the buffer is the GPUVM's -EINVAL, not work. */
    if (bo && op->range <= bo->size) {
        work += nvvb_buffer_map_work(bo, op->va, op->range, op->bo_offset);
    }
    return work;
}

static void bind_attrs(uint32_t flags, NvvbPtmAttrs *a)
{
    a->kind = flags & NVVB_MAP_KIND_MASK;
    a->read_only = flags & NVVB_MAP_READ_ONLY;
    a->priv = flags & NVVB_MAP_PRIV;
    a->atomic_disable = flags & NVVB_MAP_NO_ATOMIC;
}

/*
 * Writes to the tables what the GPUVM just applied (@ops).  Called with
 * the GPUVM locked; an error here means GPUVM and tables diverged.
 */
static int bind_tables(NvvbVm *vm, const NvvbVmBindOp *op,
                       NvvbGpuVaOps *ops, const NvvbPtmBacking *bk,
                       NvvbPtmResult *res)
{
    NvvbPtmResult region = { 0 };
    NvvbPtmAttrs attrs;
    int ret;

    if (vm->env->fail_tables) {
        /* Fault injection (tests): the tables do not follow the GPUVM. */
        vm->env->fail_tables--;
        return -EIO;
    }
    if (bind_is_map(op) && bind_is_sparse(op)) {
        return nvvb_ptm_sparse(vm->ptm, op->va, op->range, true, res);
    }
    bind_attrs(op->flags, &attrs);
    ret = nvvb_ptm_apply_ops(vm->ptm, ops, bk, &attrs, res);
    if (ret) {
        return ret;
    }
    if (bind_is_map(op)) {
        /* Attributes are kept with the mapping (migration, verify). */
        nvvb_vm_va_set_attrs(nvvb_gpuva_find(vm->uvmm->vm, op->va,
                                             op->range), op->flags);
        return 0;
    }
    if (!bind_is_sparse(op)) {
        return 0;
    }
    /* UNMAP+SPARSE also destroyed the region: drop its markers. */
    ret = nvvb_ptm_sparse(vm->ptm, op->va, op->range, false, &region);
    nvvb_ptm_result_merge(res, &region);
    return ret;
}

/* Applies a checked request to the GPUVM, then to the tables. */
static int bind_commit(NvvbVm *vm, const NvvbVmBindOp *op, NvvbBuffer *bo,
                       const NvvbPtmBacking *bk, NvvbVmResult *out)
{
    NvvbBindOp gop = {
        .op = bind_is_map(op) ? NVVB_BIND_OP_MAP : NVVB_BIND_OP_UNMAP,
        .flags = (op->flags & NVVB_MAP_KIND_MASK) |
                 (bind_is_sparse(op) ? NVVB_BIND_SPARSE : 0),
        .bo = bo ? bo->core : NULL,
        .addr = op->va,
        .range = op->range,
        .bo_offset = op->bo_offset,
    };
    NvvbPtmResult res = { 0 };
    NvvbGpuVaOps *ops = NULL;
    int ret;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    ret = nvvb_uvmm_bind(vm->uvmm, &gop, &ops);
    if (!ret) {
        ret = bind_tables(vm, op, ops, bk, &res);
        if (ret) {
            out->diverged = ret;
            ret = -EFAULT;
        }
    }
    out->work += res.written + res.skipped;
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    vm_invalidate(vm, &res);
    if (ops) {
        nvvb_gpuva_ops_free(ops);
    }
    return ret;
}

int nvvb_vm_bind(NvvbVm *vm, const NvvbVmBindOp *op, NvvbVmResult *res)
{
    NvvbBuffer *bo = bind_buffer(op);
    NvvbPtmBacking bk;

    result_init(res);
    if (!vm->ptm) {
        return -ENODEV;
    }
    if (!bind_flags_ok(op)) {
        return -EINVAL;
    }
    if (bo) {
        nvvb_buffer_backing(bo, &bk);
    }
    if (!pool_fits(vm->env, bind_granules(op, bo ? &bk : NULL))) {
        return -ENOSPC;
    }
    /*
     * One request must not hold the caller for long: refuse one whose
     * table work (new pages plus those it replaces) is too large.
     */
    if (!(bind_is_map(op) && bind_is_sparse(op)) &&
        bind_work(vm, op, bo) > vm->env->max_work) {
        return -E2BIG;
    }
    return bind_commit(vm, op, bo, bo ? &bk : NULL, res);
}

/* ---- Moving a buffer: drm_gpuvm's evict list and validate() ---- */

typedef struct MoveCount {
    uint64_t granules;          /* pool granules the rewrites can take */
    uint64_t work;              /* PTEs they write */
} MoveCount;

/* What rewriting @vm_bo's mappings with the new backing @to costs. */
static void move_count_vm_bo(NvvbGpuVmBo *vm_bo, NvvbBuffer *to,
                             MoveCount *c)
{
    NvvbPtmBacking bk;
    NvvbGpuVa *va;
    GList *l;

    nvvb_buffer_backing(to, &bk);
    NVVB_GPUVM_BO_FOREACH_VA(va, l, vm_bo) {
        c->granules += nvvb_ptm_map_bound(va->addr, va->range,
                                          va->bo_offset, &bk);
        c->work += nvvb_buffer_map_work(to, va->addr, va->range,
                                        va->bo_offset);
    }
}

/* Bounds the rewrite of @bo's mappings in every VM, nothing committed. */
static void move_count(NvvbVm *const *vms, unsigned n, NvvbBuffer *bo,
                       NvvbBuffer *to, MoveCount *c)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        NvvbGpuVmBo *vm_bo;

        if (!vms[i]) {
            continue;
        }
        nvvb_gpuvm_lock(vms[i]->uvmm->vm);
        vm_bo = nvvb_gpuvm_bo_find(vms[i]->uvmm->vm, bo->core);
        if (vm_bo) {
            move_count_vm_bo(vm_bo, to, c);
            /* _find() took a reference */
            nvvb_gpuvm_bo_put(vm_bo);
        }
        nvvb_gpuvm_unlock(vms[i]->uvmm->vm);
    }
}

/* Puts @bo's vm_bos on their VMs' evict lists (only those it has now). */
static void move_evict(NvvbVm *const *vms, unsigned n, NvvbBuffer *bo)
{
    unsigned i;

    /* Evicting walks every VM's list: hold them all, in order. */
    for (i = 0; i < n; i++) {
        if (vms[i]) {
            nvvb_gpuvm_lock(vms[i]->uvmm->vm);
        }
    }
    nvvb_bo_evict(bo->core, true);
    for (i = n; i-- > 0;) {
        if (vms[i]) {
            nvvb_gpuvm_unlock(vms[i]->uvmm->vm);
        }
    }
}

typedef struct MoveValidate {
    NvvbVm *vm;
    NvvbPtmResult res;          /* all rewrites in this VM */
} MoveValidate;

/*
 * drm_gpuvm's vm_bo_validate: rewrites @vm_bo's mappings with the backing
 * of ITS OWN buffer (vm_bo->bo), whichever buffer is being moved: a vm_bo
 * left evicted by an earlier failure must never take another's backing.
 */
static int move_validate_vm_bo(NvvbGpuVmBo *vm_bo, void *opaque)
{
    MoveValidate *mv = opaque;
    g_autofree NvvbGpuVa **vas =
        g_new(NvvbGpuVa *, nvvb_gpuvm_bo_va_count(vm_bo) + 1);
    NvvbPtmResult r = { 0 };
    NvvbPtmBacking bk;
    NvvbGpuVa *va;
    GList *l;
    unsigned n = 0;
    int ret;

    nvvb_buffer_backing(vm_bo->bo->opaque, &bk);
    NVVB_GPUVM_BO_FOREACH_VA(va, l, vm_bo) {
        vas[n++] = va;
    }
    ret = nvvb_ptm_revalidate(mv->vm->ptm, vas, n, &bk, &r);
    /* Several vm_bos may be validated: invalidate for all of them. */
    nvvb_ptm_result_merge(&mv->res, &r);
    return ret;
}

/* Validates every VM in turn; stops at the first that fails. */
static int move_validate(NvvbVm *const *vms, unsigned n, NvvbVmResult *out)
{
    unsigned i;
    int ret = 0;

    for (i = 0; i < n && !ret; i++) {
        MoveValidate mv = { .vm = vms[i] };

        if (!vms[i]) {
            continue;
        }
        nvvb_gpuvm_lock(mv.vm->uvmm->vm);
        ret = nvvb_gpuvm_validate(mv.vm->uvmm->vm, move_validate_vm_bo, &mv);
        nvvb_gpuvm_unlock(mv.vm->uvmm->vm);
        vm_invalidate(mv.vm, &mv.res);
        out->work += mv.res.written + mv.res.skipped;
    }
    return ret;
}

int nvvb_vm_move_buffer(NvvbVmEnv *env, NvvbVm *const *vms, unsigned n,
                        NvvbBuffer *bo, NvvbBuffer *to, NvvbVmResult *res)
{
    MoveCount c = { 0 };
    int ret;

    result_init(res);
    if (to->size != bo->size) {
        return -EINVAL;
    }
    /* Bound what rewriting every mapping with the new backing can take. */
    move_count(vms, n, bo, to, &c);
    if (!pool_fits(env, c.granules)) {
        return -ENOSPC;
    }
    if (c.work > env->max_work) {
        return -E2BIG;
    }
    /* Commit the new backing, then evict and validate (drm_gpuvm). */
    nvvb_buffer_take_backing(bo, to);
    move_evict(vms, n, bo);
    ret = move_validate(vms, n, res);
    if (ret) {
        res->diverged = ret;
        return -EFAULT;
    }
    return 0;
}
