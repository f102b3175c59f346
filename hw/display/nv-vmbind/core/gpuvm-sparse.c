/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind's VM_BIND layer: nouveau's sparse-region rules over the GPUVM.
 *
 * DOC: Sparse regions
 *
 * nouveau_uvmm.c (Linux 6.12) layers "regions" over drm_gpuvm.  A MAP with
 * DRM_NOUVEAU_VM_BIND_SPARSE creates a region: a range whose unmapped
 * pages read as sparse (the PTEs carry the sparse marker) instead of
 * faulting.  Ordinary mappings then live either wholly inside one region
 * or wholly outside all of them; unmapping inside a region returns the
 * range to sparse; an UNMAP with SPARSE names a region exactly, unmaps
 * whatever is mapped in it and destroys it.  Regions never overlap each
 * other, and a region is only created where nothing is mapped.
 *
 * nvvb_uvmm_bind() applies one bind op with nouveau's checks, in nouveau's
 * order, returning nouveau's error codes (function names below are those
 * of nouveau_uvmm.c):
 *
 * 1. an op other than MAP/UNMAP: -EINVAL (bind_job_submit's default case);
 * 2. MAP whose handle names no BO: -ENOENT (drm_gem_object_lookup);
 * 3. bind_validate_op(), MAP only: bo_offset not page-aligned, bo_offset >=
 *    BO size, or range > size - bo_offset: -EINVAL; then for every op
 *    nouveau_uvmm_validate_range(): addr or range not page-aligned, or not
 *    drm_gpuvm_range_valid(): -EINVAL;
 * 4. bind_validate_map_common(), MAP and MAP+SPARSE: if a region overlaps
 *    the range, MAP+SPARSE gets -ENOSPC, and so does a MAP not wholly
 *    inside that region;
 * 5. MAP+SPARSE: nouveau_uvma_region_create(): -ENOSPC if anything is
 *    mapped in the range (-EEXIST if it overlaps a region, which step 4
 *    already excludes);
 *    UNMAP+SPARSE: nouveau_uvma_region_find() must find a region with
 *    exactly this addr and range, else -ENOENT;
 *    MAP / UNMAP: sm_map / sm_unmap and apply.
 *
 * A failed op changes nothing.  nouveau's jobs carry several ops and unwind
 * the earlier ones when a later one fails; callers of this single-op
 * function do that with the returned ops (or check everything first).
 * Differences: a zero-length range is -EINVAL here (drm_gpuvm would insert
 * a zero-length mapping), and dirty regions (being torn down by a running
 * job, nouveau waits for them) cannot exist since ops apply at once.
 *
 * Mappings created inside a region carry NVVB_GPUVA_IN_REGION; remap
 * pieces inherit it, so the page-table manager knows, for every unmapped
 * or split mapping, whether the freed range goes back to sparse.
 */
#include "gpuvm-sparse.h"
#include "gpuvm-bo.h"

#include <errno.h>

/* GTree's node API (upper bound, node_previous) appeared in 2.68. */
#if !GLIB_CHECK_VERSION(2, 68, 0)
#error "nv-vmbind's sparse regions need GLib >= 2.68 (GTree node API)"
#endif

static gint reg_key_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/**
 * nvvb_uvmm_new: create a VM_BIND space as nouveau's VM_INIT does
 * @out: receives it
 * @kernel_managed_addr: start of the kernel-managed window
 * @kernel_managed_size: its size (0: none)
 * @resv_id: the VM's reservation identity
 * @page_size: alignment unit (a power of two, e.g. 4096)
 *
 * The space is [0, NVVB_UVMM_VA_SPACE_END).
 *
 * Returns: 0, or -EINVAL if the window overflows or ends beyond the space
 * (nouveau_uvmm_ioctl_vm_init()) or @page_size is not a power of two
 */
int nvvb_uvmm_new(NvvbUvmm **out, uint64_t kernel_managed_addr,
                  uint64_t kernel_managed_size, uint64_t resv_id,
                  uint64_t page_size)
{
    NvvbUvmm *u;
    NvvbGpuVm *vm;
    uint64_t end;
    int ret;

    *out = NULL;
    if (__builtin_add_overflow(kernel_managed_addr, kernel_managed_size,
                               &end) || end > NVVB_UVMM_VA_SPACE_END) {
        return -EINVAL;
    }
    if (!page_size || (page_size & (page_size - 1))) {
        return -EINVAL;
    }
    ret = nvvb_gpuvm_new(&vm, "uvmm", 0, NVVB_UVMM_VA_SPACE_END,
                         kernel_managed_addr, kernel_managed_size, resv_id);
    if (ret) {
        return ret;
    }
    u = g_new0(NvvbUvmm, 1);
    u->vm = vm;
    u->page_size = page_size;
    u->regions = g_tree_new_full(reg_key_cmp, NULL, NULL, g_free);
    *out = u;
    return 0;
}

/**
 * nvvb_uvmm_free: destroy a VM_BIND space, its mappings and regions
 * @u: the space (may be NULL); the caller does not hold its lock
 */
void nvvb_uvmm_free(NvvbUvmm *u)
{
    if (!u) {
        return;
    }
    g_tree_destroy(u->regions);
    nvvb_gpuvm_destroy(u->vm);
    g_free(u);
}

/**
 * nvvb_uvmm_region_find_first: the lowest region overlapping a range
 * @u: the space; caller holds u->vm's lock
 * @addr: start
 * @range: length
 *
 * Returns: the region or NULL
 */
const NvvbSparseRegion *nvvb_uvmm_region_find_first(NvvbUvmm *u,
                                                    uint64_t addr,
                                                    uint64_t range)
{
    GTreeNode *after, *at;
    NvvbSparseRegion *reg;

    if (!range) {
        return NULL;
    }
    after = g_tree_upper_bound(u->regions, &addr);
    at = after ? g_tree_node_previous(after) : g_tree_node_last(u->regions);
    reg = at ? g_tree_node_value(at) : NULL;
    if (reg && addr - reg->addr < reg->range) {
        return reg;
    }
    reg = after ? g_tree_node_value(after) : NULL;
    return reg && reg->addr - addr < range ? reg : NULL;
}

/**
 * nvvb_uvmm_region_find: the region that is exactly [addr, addr + range)
 * @u: the space; caller holds u->vm's lock
 * @addr: start
 * @range: length
 *
 * Returns: the region or NULL
 */
const NvvbSparseRegion *nvvb_uvmm_region_find(NvvbUvmm *u, uint64_t addr,
                                              uint64_t range)
{
    NvvbSparseRegion *reg = g_tree_lookup(u->regions, &addr);

    return reg && reg->range == range ? reg : NULL;
}

/**
 * nvvb_uvmm_region_count: number of sparse regions
 * @u: the space; caller holds u->vm's lock
 *
 * Returns: the count
 */
guint nvvb_uvmm_region_count(NvvbUvmm *u)
{
    return g_tree_nnodes(u->regions);
}

/**
 * nvvb_uvmm_region_next: the next sparse region in address order
 * @u: the space; caller holds u->vm's lock
 * @prev: a region of @u, or NULL for the lowest one
 *
 * Returns: the region after @prev (or the first), or NULL if none
 */
const NvvbSparseRegion *nvvb_uvmm_region_next(NvvbUvmm *u,
                                              const NvvbSparseRegion *prev)
{
    GTreeNode *n = prev ? g_tree_upper_bound(u->regions, &prev->addr)
                        : g_tree_node_first(u->regions);

    return n ? g_tree_node_value(n) : NULL;
}

/* Step 3: bind_validate_op() and nouveau_uvmm_validate_range(). */
static int validate_op(NvvbUvmm *u, const NvvbBindOp *op, bool map)
{
    uint64_t mask = u->page_size - 1;

    if (map) {
        if ((op->bo_offset & mask) || op->bo->size <= op->bo_offset ||
            op->range > op->bo->size - op->bo_offset) {
            return -EINVAL;
        }
    }
    if ((op->addr & mask) || (op->range & mask) ||
        !nvvb_gpuvm_range_valid(u->vm, op->addr, op->range)) {
        return -EINVAL;
    }
    return 0;
}

static int do_map(NvvbUvmm *u, const NvvbBindOp *op, bool in_region,
                  NvvbGpuVaOps **out)
{
    NvvbGpuVaOps *ops;
    int ret;

    ret = nvvb_gpuvm_sm_map_ops_create(u->vm, op->addr, op->range, op->bo,
                                       op->bo_offset, &ops);
    if (ret) {
        return ret;
    }
    ret = nvvb_gpuvm_ops_apply(u->vm, ops, NULL);
    g_assert(ret == 0);     /* computed on the current state just now */
    if (in_region) {
        nvvb_gpuva_find(u->vm, op->addr, op->range)->flags |=
            NVVB_GPUVA_IN_REGION;
    }
    *out = ops;
    return 0;
}

static int do_unmap(NvvbUvmm *u, const NvvbBindOp *op, NvvbGpuVaOps **out)
{
    NvvbGpuVaOps *ops;
    int ret;

    ret = nvvb_gpuvm_sm_unmap_ops_create(u->vm, op->addr, op->range, &ops);
    if (ret) {
        return ret;
    }
    ret = nvvb_gpuvm_ops_apply(u->vm, ops, NULL);
    g_assert(ret == 0);
    *out = ops;
    return 0;
}

/**
 * nvvb_uvmm_bind: apply one VM_BIND op with nouveau's rules
 * @u: the space; caller holds u->vm's lock
 * @op: the op
 * @ops: if not NULL, receives the GPUVM ops that were applied (an empty
 *       list for MAP+SPARSE); free with nvvb_gpuva_ops_free().  Mappings
 *       they removed stay readable until then.
 *
 * The checks, their order and their errors are listed in "Sparse regions"
 * above.
 *
 * Returns: 0, -EINVAL, -ENOENT, -ENOSPC or -EEXIST; nothing changed then
 */
int nvvb_uvmm_bind(NvvbUvmm *u, const NvvbBindOp *op, NvvbGpuVaOps **ops)
{
    bool sparse = op->flags & NVVB_BIND_SPARSE;
    bool map = op->op == NVVB_BIND_OP_MAP;
    const NvvbSparseRegion *reg;
    NvvbGpuVaOps *done = NULL;
    int ret;

    nvvb_gpuvm_assert_held(u->vm);
    if (ops) {
        *ops = NULL;
    }
    if (op->op != NVVB_BIND_OP_MAP && op->op != NVVB_BIND_OP_UNMAP) {
        return -EINVAL;
    }
    if (map && !sparse && !op->bo) {
        return -ENOENT;
    }
    ret = validate_op(u, op, map && !sparse);
    if (ret) {
        return ret;
    }

    reg = nvvb_uvmm_region_find_first(u, op->addr, op->range);
    if (map && reg) {
        /* A region may not overlap another; a mapping must not straddle. */
        if (sparse || reg->addr > op->addr ||
            reg->addr + reg->range < op->addr + op->range) {
            return -ENOSPC;
        }
    }

    if (map && sparse) {
        NvvbSparseRegion *r;

        if (!nvvb_gpuvm_interval_empty(u->vm, op->addr, op->range)) {
            return -ENOSPC;
        }
        r = g_new0(NvvbSparseRegion, 1);
        r->addr = op->addr;
        r->range = op->range;
        g_tree_insert(u->regions, &r->addr, r);
        done = g_new0(NvvbGpuVaOps, 1);
    } else if (sparse) {
        reg = nvvb_uvmm_region_find(u, op->addr, op->range);
        if (!reg) {
            return -ENOENT;
        }
        ret = do_unmap(u, op, &done);
        if (ret) {
            return ret;
        }
        g_tree_remove(u->regions, &reg->addr);
    } else if (map) {
        ret = do_map(u, op, reg != NULL, &done);
    } else {
        ret = do_unmap(u, op, &done);
    }
    if (ret) {
        return ret;
    }
    if (ops) {
        *ops = done;
    } else {
        nvvb_gpuva_ops_free(done);
    }
    return 0;
}
