/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: VM contexts, BOs, the bind queue and the copy
 * engine ring.
 *
 * Each VM is an in-VMM GPUVM with nouveau's VM_BIND rules (NvvbUvmm) and a
 * page-table manager (NvvbPtm) that writes real VER2 tables into the
 * page-table pool at the top of VRAM.  A bind request is checked, turned
 * into GPUVM ops, written to the tables, and the TLB is invalidated for
 * that VM only if an entry changed.  A request that fails changes nothing:
 * the GPUVM refuses malformed requests before applying anything, and the
 * pool is checked against an upper bound of the tables the request can
 * allocate before the GPUVM is touched (so ENOSPC is conservative).
 *
 * Everything here runs in the rings' bottom halves, under the BQL.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "internal.h"
#include "../common/monitor.h"
#include "bind.h"
#include "../core/ptm.h"
#include "../core/ptm-gpuvm.h"
#include "../core/copy-engine.h"
#include "../trace.h"

/*
 * Tables a request can allocate, where nvvb_ptm_map_bound() (which covers a
 * MAP, including the larger pages its ends cut) does not apply: an UNMAP
 * cutting a larger page at each end needs at most a big and a small page
 * table per end; a sparse region's edges need at most one table per level
 * below PD3 at each end.
 */
#define NVVB_SPLIT_GRANULES     4
#define NVVB_SPARSE_GRANULES    (2 * (NV_GMMU_LEVEL_COUNT - 1) + 2)

/* Mapping attributes live in NvvbGpuVa.flags above the core's bits. */
#define NVVB_VA_ATTR_SHIFT      8
#define NVVB_VA_ATTR_MASK       (0xfffu << NVVB_VA_ATTR_SHIFT)

/* ---- BOs ---- */

bool nv_vmbind_bo_resolve(const NvVmbindBo *bo, uint64_t off,
                          NvGmmuAperture *aper, uint64_t *pa,
                          uint64_t *contig)
{
    uint32_t lo = 0, hi;

    if (off >= bo->size) {
        return false;
    }
    if (bo->placement == NVVB_BO_VRAM) {
        *aper = NV_GMMU_APER_VID;
        *pa = bo->vram_addr + off;
        *contig = bo->size - off;
        return true;
    }
    /* Binary search for the extent holding @off. */
    hi = bo->nsg;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (bo->sg[mid].bo_offset <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    *aper = NV_GMMU_APER_SYS_COH;
    *pa = bo->sg[lo].addr + (off - bo->sg[lo].bo_offset);
    *contig = bo->sg[lo].len - (off - bo->sg[lo].bo_offset);
    return true;
}

static bool nv_vmbind_ptm_backing(void *opaque, uint64_t bo_offset,
                                  NvvbPtmExtent *ext)
{
    return nv_vmbind_bo_resolve(opaque, bo_offset, &ext->aperture,
                                &ext->addr, &ext->len);
}

static void nv_vmbind_bo_backing(NvVmbindBo *bo, NvvbPtmBacking *b)
{
    b->fn = nv_vmbind_ptm_backing;
    b->opaque = bo;
}

static void nv_vmbind_bo_free(gpointer data)
{
    NvVmbindBo *bo = data;

    if (bo->core) {
        bo->core->opaque = NULL;
        nvvb_bo_unref(bo->core);
    }
    g_free(bo->sg);
    g_free(bo);
}

static NvVmbindBo *nv_vmbind_bo_get(NvVmbindState *s, uint32_t id)
{
    return g_hash_table_lookup(s->bos, GUINT_TO_POINTER(id));
}

/*
 * Checks a scatter list and fills in each extent's BO offset: extents are
 * non-empty, 4 KiB granular, do not wrap, lie where a system-memory PTE can
 * point (below 2^58), and add up to exactly @size.  Every backing the
 * device accepts must be expressible in the tables: otherwise a MAP would
 * reach the GPUVM and fail only in the page-table manager.
 */
bool nv_vmbind_sg_check(NvVmbindSg *sg, uint32_t nsg, uint64_t size)
{
    uint64_t total = 0;
    uint32_t i;

    for (i = 0; i < nsg; i++) {
        sg[i].bo_offset = total;
        if (!sg[i].len || ((sg[i].addr | sg[i].len) & 0xfff) ||
            sg[i].addr + sg[i].len < sg[i].addr ||
            !nv_gmmu_addr_fits(NV_GMMU_APER_SYS_COH,
                               sg[i].addr + sg[i].len - 1) ||
            sg[i].len > size - total) {
            return false;
        }
        total += sg[i].len;
    }
    return total == size;
}

/*
 * Validates a BO backing (BO_CREATE, BO_MOVE) into @bo.  The scatter list
 * is read from system memory once, here; it is bounded by
 * NVVB_MAX_SG_ENTRIES per BO and, with the @held entries the backing
 * replaces given back, by the device's max-sg-entries in total (ENOSPC).
 */
static uint32_t nv_vmbind_bo_parse(NvVmbindState *s, const uint8_t *d,
                                   NvVmbindBo *bo, uint32_t held)
{
    uint64_t size = nv_vmbind_desc_u64(d, NVVB_BO_SIZE);
    uint64_t addr = nv_vmbind_desc_u64(d, NVVB_BO_ADDR);
    uint32_t nsg = nv_vmbind_desc_u32(d, NVVB_BO_SG_COUNT);
    uint32_t i;

    bo->placement = nv_vmbind_desc_u32(d, NVVB_BO_PLACEMENT);
    bo->size = size;
    if (!size || (size & 0xfff)) {
        return NVVB_STATUS_EINVAL;
    }
    switch (bo->placement) {
    case NVVB_BO_VRAM:
        /* VRAM BOs live below the page-table pool. */
        if ((addr & 0xfff) || addr >= s->pt_pool_base ||
            size > s->pt_pool_base - addr) {
            return NVVB_STATUS_EINVAL;
        }
        bo->vram_addr = addr;
        return NVVB_STATUS_OK;
    case NVVB_BO_SYSMEM:
        if (!nsg || nsg > NVVB_MAX_SG_ENTRIES) {
            return NVVB_STATUS_EINVAL;
        }
        /* Host memory the guest can make the device hold: bounded. */
        if (nsg > s->max_sg_entries - (s->sg_entries - held)) {
            return NVVB_STATUS_ENOSPC;
        }
        s->bind_ring.work += nsg;
        bo->nsg = nsg;
        bo->sg = g_new(NvVmbindSg, nsg);
        for (i = 0; i < nsg; i++) {
            uint8_t e[NVVB_SG_ENTRY_SIZE];

            if (pci_dma_read(PCI_DEVICE(s), addr + (uint64_t)i * sizeof(e),
                             e, sizeof(e)) != MEMTX_OK) {
                return NVVB_STATUS_EFAULT;
            }
            bo->sg[i].addr = ldq_le_p(e + NVVB_SG_ADDR);
            bo->sg[i].len = ldq_le_p(e + NVVB_SG_LEN);
        }
        return nv_vmbind_sg_check(bo->sg, nsg, size) ? NVVB_STATUS_OK :
               NVVB_STATUS_EINVAL;
    default:
        return NVVB_STATUS_EINVAL;
    }
}

static uint32_t nv_vmbind_bo_create(NvVmbindState *s, const uint8_t *d)
{
    uint32_t id = nv_vmbind_desc_u32(d, NVVB_BO_ID);
    NvVmbindBo *bo;
    uint32_t st;

    if (!id || id > s->max_bos) {
        return NVVB_STATUS_EINVAL;
    }
    if (nv_vmbind_bo_get(s, id)) {
        return NVVB_STATUS_EEXIST;
    }
    bo = g_new0(NvVmbindBo, 1);
    bo->id = id;
    st = nv_vmbind_bo_parse(s, d, bo, 0);
    if (st != NVVB_STATUS_OK) {
        nv_vmbind_bo_free(bo);
        return st;
    }
    /*
     * Every BO has its own reservation here (resv_id = id, VMs use ids
     * above 2^32): to the GPUVM all of them are external objects.
     */
    bo->core = nvvb_bo_new(id, bo->size, id, bo);
    g_hash_table_insert(s->bos, GUINT_TO_POINTER(id), bo);
    s->sg_entries += bo->nsg;
    return NVVB_STATUS_OK;
}

static uint32_t nv_vmbind_bo_destroy(NvVmbindState *s, const uint8_t *d)
{
    NvVmbindBo *bo = nv_vmbind_bo_get(s, nv_vmbind_desc_u32(d, NVVB_BO_ID));

    if (!bo) {
        return NVVB_STATUS_ENOENT;
    }
    if (nvvb_bo_vm_bo_count(bo->core)) {
        return NVVB_STATUS_EBUSY;
    }
    s->sg_entries -= bo->nsg;
    g_hash_table_remove(s->bos, GUINT_TO_POINTER(bo->id));
    return NVVB_STATUS_OK;
}

/* ---- VMs ---- */

static NvVmbindVm *nv_vmbind_vm_get(NvVmbindState *s, uint32_t id)
{
    return id < s->max_vms ? s->vms[id] : NULL;
}

static void nv_vmbind_vm_invalidate(NvVmbindState *s, NvVmbindVm *vm,
                                    const NvvbPtmResult *res)
{
    NvGmmuTlbInvalidate inv = {
        .pdb_addr = nvvb_ptm_pdb(vm->ptm),
        .all_va = true,
        .cache_level = nvvb_ptm_cache_level(res),
    };

    if (!res->changed) {
        return;
    }
    trace_nv_vmbind_vm_invalidate(vm->id, inv.pdb_addr, inv.cache_level);
    nv_gmmu_tlb_invalidate(s->tlb, &inv);
}

void nv_vmbind_vm_free(NvVmbindState *s, NvVmbindVm *vm)
{
    NvvbPtmResult res = { .changed = true };

    if (vm->ptm) {
        nv_vmbind_vm_invalidate(s, vm, &res);
        nvvb_ptm_free(vm->ptm);
    }
    if (vm->uvmm) {
        nvvb_uvmm_free(vm->uvmm);
    }
    g_free(vm);
}

int nv_vmbind_vm_create(NvVmbindState *s, uint32_t id, uint64_t kstart,
                        uint64_t krange)
{
    NvVmbindVm *vm;
    int ret;

    if (id >= s->max_vms) {
        return -EINVAL;
    }
    if (s->vms[id]) {
        return -EEXIST;
    }
    vm = g_new0(NvVmbindVm, 1);
    vm->id = id;
    vm->kernel_start = kstart;
    vm->kernel_range = krange;
    /* The VM's own reservation: never equal to a BO's (ids < 2^16). */
    ret = nvvb_uvmm_new(&vm->uvmm, kstart, krange, (1ULL << 32) + id,
                        1u << NV_GMMU_PAGE_SHIFT_4K);
    if (!ret) {
        ret = nvvb_ptm_new(&vm->ptm, s->pt_pool, &s->mem);
    }
    if (ret) {
        nv_vmbind_vm_free(s, vm);
        return ret;
    }
    s->vms[id] = vm;
    trace_nv_vmbind_vm_create(id, nvvb_ptm_pdb(vm->ptm));
    return 0;
}

static uint32_t nv_vmbind_errno_status(int ret)
{
    switch (-ret) {
    case 0:
        return NVVB_STATUS_OK;
    case ENOENT:
        return NVVB_STATUS_ENOENT;
    case E2BIG:
        return NVVB_STATUS_E2BIG;
    case EBUSY:
        return NVVB_STATUS_EBUSY;
    case EEXIST:
        return NVVB_STATUS_EEXIST;
    case ENOSPC:
        return NVVB_STATUS_ENOSPC;
    case ENODEV:
        return NVVB_STATUS_ENODEV;
    case EINVAL:
        return NVVB_STATUS_EINVAL;
    default:
        return NVVB_STATUS_EFAULT;
    }
}

static uint32_t nv_vmbind_vm_destroy(NvVmbindState *s, uint32_t id)
{
    NvVmbindVm *vm = nv_vmbind_vm_get(s, id);
    NvvbPtmStats st;

    if (!vm) {
        return NVVB_STATUS_ENODEV;
    }
    /* Freeing the tables costs about one unit per entry they hold. */
    nvvb_ptm_get_stats(vm->ptm, &st);
    s->bind_ring.work += st.table_bytes / 8;
    s->vms[id] = NULL;
    nv_vmbind_vm_free(s, vm);
    return NVVB_STATUS_OK;
}

/*
 * Counts a bind or move the page tables could not follow (DIVERGENCES)
 * and reports it, rate-limited: a guest that found a way to trigger it
 * must not be able to flood the host log.  Reported are the 1st, 2nd,
 * 4th, 8th ... occurrence.
 */
static void nv_vmbind_divergence(NvVmbindState *s, const char *what,
                                 uint32_t id, const char *op, int err)
{
    s->divergences++;
    trace_nv_vmbind_divergence(what, id, op, err, s->divergences);
    if (!(s->divergences & (s->divergences - 1))) {
        error_report("nv-vmbind: %s %u: page tables could not follow a %s "
                     "(%s); divergence %u, further ones reported at powers "
                     "of two", what, id, op, strerror(-err), s->divergences);
    }
}

/* ---- MAP / UNMAP ---- */

static void nv_vmbind_attrs(uint32_t flags, NvvbPtmAttrs *a)
{
    a->kind = flags & NVVB_MAP_KIND_MASK;
    a->read_only = flags & NVVB_MAP_READ_ONLY;
    a->priv = flags & NVVB_MAP_PRIV;
    a->atomic_disable = flags & NVVB_MAP_NO_ATOMIC;
}

/*
 * Upper bound of the PTEs a mapping of [@va, @va + @len) onto memory at @pa
 * writes: 2 MiB pages where VA and PA agree modulo 2 MiB (smaller pages at
 * both ends), 64 KiB pages where they agree modulo 64 KiB, else 4 KiB.
 */
static uint64_t nv_vmbind_extent_work(uint64_t va, uint64_t pa, uint64_t len)
{
    uint64_t ptes = len >> NV_GMMU_PAGE_SHIFT_4K;

    if (!((va ^ pa) & ((1ULL << NV_GMMU_PAGE_SHIFT_2M) - 1))) {
        return MIN(ptes, (len >> NV_GMMU_PAGE_SHIFT_2M) + 2 * 512);
    }
    if (!((va ^ pa) & ((1ULL << NV_GMMU_PAGE_SHIFT_64K) - 1))) {
        return MIN(ptes, (len >> NV_GMMU_PAGE_SHIFT_64K) + 2 * 16);
    }
    return ptes;
}

/* PTEs mapping @bo (or sparse, @bo NULL) at [@va, @va + @range) writes. */
static uint64_t nv_vmbind_map_work(const NvVmbindBo *bo, uint64_t va,
                                   uint64_t range, uint64_t off)
{
    uint64_t work = 0, done = 0;

    if (!bo) {
        return nv_vmbind_extent_work(va, va, range);
    }
    while (done < range) {
        NvGmmuAperture aper;
        uint64_t pa, contig;

        /* Beyond the BO: the GPUVM refuses the request anyway. */
        if (!nv_vmbind_bo_resolve(bo, off + done, &aper, &pa, &contig) ||
            !contig) {
            break;
        }
        contig = MIN(contig, range - done);
        work += nv_vmbind_extent_work(va + done, pa, contig);
        done += contig;
    }
    return work;
}

/* PTEs unmapping (or re-mapping over) [@va, @va + @range) rewrites. */
static uint64_t nv_vmbind_unmap_work(NvVmbindVm *vm, uint64_t va,
                                     uint64_t range)
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

        work += nv_vmbind_map_work(g->bo ? g->bo->opaque : NULL, s0, e0 - s0,
                                   g->bo_offset + (s0 - g->addr));
    }
    return work;
}

/* Whether the pool can hold what a request of @granules may allocate. */
static bool nv_vmbind_pool_fits(NvVmbindState *s, uint64_t granules)
{
    return granules <= nvvb_pt_pool_free_granules(s->pt_pool);
}

int nv_vmbind_vm_bind(NvVmbindState *s, NvVmbindVm *vm, uint32_t opcode,
                      uint32_t bo_id, uint64_t va, uint64_t range,
                      uint64_t bo_offset, uint32_t flags)
{
    bool sparse = flags & NVVB_MAP_SPARSE;
    bool map = opcode == NVVB_OP_MAP;
    NvVmbindBo *bo = NULL;
    NvvbBindOp op = {
        .op = map ? NVVB_BIND_OP_MAP : NVVB_BIND_OP_UNMAP,
        .flags = (flags & NVVB_MAP_KIND_MASK) |
                 (sparse ? NVVB_BIND_SPARSE : 0),
        .addr = va,
        .range = range,
        .bo_offset = bo_offset,
    };
    NvvbPtmResult res = { 0 };
    NvvbGpuVaOps *ops = NULL;
    NvvbPtmBacking backing;
    NvvbPtmAttrs attrs;
    uint64_t need = NVVB_SPLIT_GRANULES;
    int ret;

    if ((flags & ~(NVVB_MAP_KIND_MASK | NVVB_MAP_SPARSE | NVVB_MAP_READ_ONLY |
                   NVVB_MAP_PRIV | NVVB_MAP_NO_ATOMIC)) ||
        (sparse && bo_id) || (!map && (flags & ~NVVB_MAP_SPARSE))) {
        return -EINVAL;
    }
    if (map && !sparse) {
        bo = nv_vmbind_bo_get(s, bo_id);
        /* A MAP naming no BO is the GPUVM's ENOENT, in nouveau's order. */
        op.bo = bo ? bo->core : NULL;
        if (bo) {
            nv_vmbind_bo_backing(bo, &backing);
            need = nvvb_ptm_map_bound(va, range, bo_offset, &backing);
        }
    } else if (map) {
        need = NVVB_SPARSE_GRANULES;
    }
    if (!nv_vmbind_pool_fits(s, need)) {
        return -ENOSPC;
    }
    /*
     * One request must not hold the main loop for long: refuse one whose
     * page-table work (new pages plus those it replaces) is too large.
     */
    if (!(map && sparse)) {
        uint64_t work;

        nvvb_gpuvm_lock(vm->uvmm->vm);
        work = nv_vmbind_unmap_work(vm, va, range);
        nvvb_gpuvm_unlock(vm->uvmm->vm);
        if (bo && range <= bo->size) {
            work += nv_vmbind_map_work(bo, va, range, bo_offset);
        }
        if (work > s->max_bind_work) {
            return -E2BIG;
        }
    }

    nvvb_gpuvm_lock(vm->uvmm->vm);
    ret = nvvb_uvmm_bind(vm->uvmm, &op, &ops);
    if (ret) {
        goto out;
    }
    if (s->x_fail_tables) {
        /* Fault injection (tests): the tables do not follow the GPUVM. */
        s->x_fail_tables--;
        ret = -EIO;
    } else if (map && sparse) {
        ret = nvvb_ptm_sparse(vm->ptm, va, range, true, &res);
    } else {
        nv_vmbind_attrs(flags, &attrs);
        ret = nvvb_ptm_apply_ops(vm->ptm, ops, bo ? &backing : NULL, &attrs,
                                 &res);
        if (!ret && map) {
            nv_vmbind_va_set_attrs(nvvb_gpuva_find(vm->uvmm->vm, va, range),
                                   flags);
        }
        if (!ret && !map && sparse) {
            NvvbPtmResult r2 = { 0 };

            ret = nvvb_ptm_sparse(vm->ptm, va, range, false, &r2);
            nvvb_ptm_result_merge(&res, &r2);
        }
    }
    if (ret) {
        /*
         * The GPUVM already changed and the tables could not follow: the
         * checks above make this unreachable for well-formed state, so it
         * is a device bug.  x-nv-vmbind-verify shows where.
         */
        nv_vmbind_divergence(s, "VM", vm->id, "bind", ret);
        ret = -EFAULT;
    }
out:
    s->bind_ring.work += res.written + res.skipped;
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    nv_vmbind_vm_invalidate(s, vm, &res);
    if (ops) {
        nvvb_gpuva_ops_free(ops);
    }
    return ret;
}

static uint32_t nv_vmbind_map(NvVmbindState *s, const uint8_t *d,
                              uint32_t opcode)
{
    NvVmbindVm *vm = nv_vmbind_vm_get(s, nv_vmbind_desc_u32(d,
                                                            NVVB_MAP_VM_ID));

    if (!vm) {
        return NVVB_STATUS_ENODEV;
    }
    return nv_vmbind_errno_status(
        nv_vmbind_vm_bind(s, vm, opcode, nv_vmbind_desc_u32(d, NVVB_MAP_BO_ID),
                          nv_vmbind_desc_u64(d, NVVB_MAP_VA),
                          nv_vmbind_desc_u64(d, NVVB_MAP_RANGE),
                          nv_vmbind_desc_u64(d, NVVB_MAP_BO_OFFSET),
                          nv_vmbind_desc_u32(d, NVVB_MAP_FLAGS)));
}

/* ---- BO_MOVE: drm_gpuvm's evict list and validate() ---- */

typedef struct NvVmbindRevalidate {
    NvVmbindVm *vm;
    NvVmbindBo *bo;             /* count: the new backing, not committed */
    NvvbPtmResult res;
    uint64_t granules;          /* bound only: count, don't write */
    uint64_t work;              /* bound only: PTEs the rewrite writes */
    bool count;
} NvVmbindRevalidate;

/*
 * drm_gpuvm's vm_bo_validate: rewrites the mappings of @vm_bo with the
 * backing of ITS OWN BO (vm_bo->bo), whichever BO is being moved; when
 * counting, with the new backing in rv->bo.
 */
static int nv_vmbind_revalidate_vm_bo(NvvbGpuVmBo *vm_bo, void *opaque)
{
    NvVmbindRevalidate *rv = opaque;
    g_autofree NvvbGpuVa **vas = NULL;
    NvvbPtmBacking backing;
    NvvbGpuVa *va;
    GList *l;
    unsigned n = 0;

    nv_vmbind_bo_backing(rv->count ? rv->bo : vm_bo->bo->opaque, &backing);
    vas = g_new(NvvbGpuVa *, nvvb_gpuvm_bo_va_count(vm_bo) + 1);
    NVVB_GPUVM_BO_FOREACH_VA(va, l, vm_bo) {
        if (rv->count) {
            rv->granules += nvvb_ptm_map_bound(va->addr, va->range,
                                               va->bo_offset, &backing);
            rv->work += nv_vmbind_map_work(rv->bo, va->addr, va->range,
                                           va->bo_offset);
        }
        vas[n++] = va;
    }
    if (rv->count) {
        return 0;
    }
    return nvvb_ptm_revalidate(rv->vm->ptm, vas, n, &backing, &rv->res);
}

static uint32_t nv_vmbind_bo_move(NvVmbindState *s, const uint8_t *d)
{
    NvVmbindBo *bo = nv_vmbind_bo_get(s, nv_vmbind_desc_u32(d, NVVB_BO_ID));
    NvVmbindBo nbo = { 0 };
    NvVmbindRevalidate rv = { 0 };
    uint64_t need = 0;
    uint32_t st;
    unsigned i;
    int ret = 0;

    if (!bo) {
        return NVVB_STATUS_ENOENT;
    }
    st = nv_vmbind_bo_parse(s, d, &nbo, bo->nsg);
    if (st == NVVB_STATUS_OK && nbo.size != bo->size) {
        st = NVVB_STATUS_EINVAL;
    }
    if (st != NVVB_STATUS_OK) {
        g_free(nbo.sg);
        return st;
    }

    /* Bound what rewriting every mapping with the new backing can take. */
    rv.bo = &nbo;
    rv.count = true;
    for (i = 0; i < NVVB_MAX_VMS; i++) {
        NvvbGpuVmBo *vm_bo;

        if (!s->vms[i]) {
            continue;
        }
        nvvb_gpuvm_lock(s->vms[i]->uvmm->vm);
        vm_bo = nvvb_gpuvm_bo_find(s->vms[i]->uvmm->vm, bo->core);
        if (vm_bo) {
            nv_vmbind_revalidate_vm_bo(vm_bo, &rv);
            /* _find() took a reference */
            nvvb_gpuvm_bo_put(vm_bo);
        }
        nvvb_gpuvm_unlock(s->vms[i]->uvmm->vm);
    }
    need = rv.granules;
    if (!nv_vmbind_pool_fits(s, need)) {
        g_free(nbo.sg);
        return NVVB_STATUS_ENOSPC;
    }
    if (rv.work > s->max_bind_work) {
        g_free(nbo.sg);
        return NVVB_STATUS_E2BIG;
    }

    /* Commit the new backing, then validate every VM. */
    s->sg_entries += (uint64_t)nbo.nsg - bo->nsg;
    g_free(bo->sg);
    bo->placement = nbo.placement;
    bo->vram_addr = nbo.vram_addr;
    bo->nsg = nbo.nsg;
    bo->sg = nbo.sg;
    /* Evicting walks every VM's list: hold them all, in id order. */
    for (i = 0; i < NVVB_MAX_VMS; i++) {
        if (s->vms[i]) {
            nvvb_gpuvm_lock(s->vms[i]->uvmm->vm);
        }
    }
    nvvb_bo_evict(bo->core, true);
    for (i = NVVB_MAX_VMS; i-- > 0;) {
        if (s->vms[i]) {
            nvvb_gpuvm_unlock(s->vms[i]->uvmm->vm);
        }
    }
    rv.bo = NULL;
    rv.count = false;
    for (i = 0; i < NVVB_MAX_VMS && !ret; i++) {
        if (!s->vms[i]) {
            continue;
        }
        rv.vm = s->vms[i];
        memset(&rv.res, 0, sizeof(rv.res));
        nvvb_gpuvm_lock(rv.vm->uvmm->vm);
        ret = nvvb_gpuvm_validate(rv.vm->uvmm->vm, nv_vmbind_revalidate_vm_bo,
                                  &rv);
        nvvb_gpuvm_unlock(rv.vm->uvmm->vm);
        nv_vmbind_vm_invalidate(s, rv.vm, &rv.res);
        s->bind_ring.work += rv.res.written + rv.res.skipped;
    }
    if (ret) {
        nv_vmbind_divergence(s, "BO", bo->id, "move", ret);
        return NVVB_STATUS_EFAULT;
    }
    return NVVB_STATUS_OK;
}

/* ---- Ring handlers ---- */

static uint32_t nv_vmbind_bind_exec(NvVmbindState *s, const uint8_t *d)
{
    uint16_t opcode = nv_vmbind_desc_u16(d, NVVB_DESC_OPCODE);

    switch (opcode) {
    case NVVB_OP_NOP:
        return NVVB_STATUS_OK;
    case NVVB_OP_VM_CREATE:
        return nv_vmbind_errno_status(
            nv_vmbind_vm_create(s, nv_vmbind_desc_u32(d, NVVB_VM_ID),
                                nv_vmbind_desc_u64(d, NVVB_VM_KERNEL_START),
                                nv_vmbind_desc_u64(d, NVVB_VM_KERNEL_RANGE)));
    case NVVB_OP_VM_DESTROY:
        return nv_vmbind_vm_destroy(s, nv_vmbind_desc_u32(d, NVVB_VM_ID));
    case NVVB_OP_BO_CREATE:
        return nv_vmbind_bo_create(s, d);
    case NVVB_OP_BO_DESTROY:
        return nv_vmbind_bo_destroy(s, d);
    case NVVB_OP_BO_MOVE:
        return nv_vmbind_bo_move(s, d);
    case NVVB_OP_MAP:
    case NVVB_OP_UNMAP:
        return nv_vmbind_map(s, d, opcode);
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: bind queue: unknown "
                      "opcode 0x%x\n", opcode);
        return NVVB_STATUS_EOPNOTSUPP;
    }
}

static uint32_t nv_vmbind_ce_exec(NvVmbindState *s, const uint8_t *d)
{
    uint16_t opcode = nv_vmbind_desc_u16(d, NVVB_DESC_OPCODE);
    NvVmbindVm *vm = nv_vmbind_vm_get(s, nv_vmbind_desc_u32(d,
                                                            NVVB_CE_VM_ID));
    uint64_t len = nv_vmbind_desc_u64(d, NVVB_CE_LENGTH);
    NvvbCeResult res = { 0 };
    NvGmmuPdb pdb;
    NvvbCeCtx ctx = { .mem = &s->mem, .pdb = &pdb, .tlb = s->tlb };
    int ret;

    if (opcode != NVVB_OP_CE_COPY && opcode != NVVB_OP_CE_FILL &&
        opcode != NVVB_OP_CE_SEMAPHORE) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: copy engine: unknown "
                      "opcode 0x%x\n", opcode);
        return NVVB_STATUS_EOPNOTSUPP;
    }
    if (!vm) {
        return NVVB_STATUS_ENODEV;
    }
    if (opcode != NVVB_OP_CE_SEMAPHORE &&
        (!len || len > NVVB_CE_LENGTH_MAX)) {
        return NVVB_STATUS_EINVAL;
    }
    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, nvvb_ptm_pdb(vm->ptm));
    switch (opcode) {
    case NVVB_OP_CE_COPY:
        ret = nvvb_ce_copy(s->ce, &ctx, nv_vmbind_desc_u64(d, NVVB_CE_SRC_VA),
                           nv_vmbind_desc_u64(d, NVVB_CE_DST_VA), len, &res);
        break;
    case NVVB_OP_CE_FILL:
        ret = nvvb_ce_fill(s->ce, &ctx, nv_vmbind_desc_u64(d, NVVB_CE_DST_VA),
                           len, nv_vmbind_desc_u32(d, NVVB_CE_PATTERN), &res);
        break;
    default:
        ret = nvvb_ce_semaphore(s->ce, &ctx,
                                nv_vmbind_desc_u64(d, NVVB_CE_DST_VA),
                                nv_vmbind_desc_u64(d, NVVB_CE_SEM_VALUE),
                                &res);
        break;
    }
    trace_nv_vmbind_ce(vm->id, opcode, len, ret, res.done);
    if (res.fault) {
        nv_vmbind_fault_report(s, NV_GMMU_APER_VID, pdb.addr, res.fault_va,
                               res.fault_type, res.access_type,
                               NVVB_FAULT_ENGINE_COPY);
        return NVVB_STATUS_EFAULT;
    }
    if (res.mem_error) {
        return NVVB_STATUS_EFAULT;
    }
    return nv_vmbind_errno_status(ret);
}

/* ---- Registers ---- */

bool nv_vmbind_bind_read(NvVmbindState *s, hwaddr addr, uint32_t *val)
{
    NvVmbindVm *vm;

    if (addr >= NVVB_REG_BIND_RING && addr < NVVB_REG_BIND_RING + 0x20) {
        *val = nv_vmbind_ring_read(&s->bind_ring, addr - NVVB_REG_BIND_RING);
        return true;
    }
    if (addr >= NVVB_REG_CE_RING && addr < NVVB_REG_CE_RING + 0x20) {
        *val = nv_vmbind_ring_read(&s->ce_ring, addr - NVVB_REG_CE_RING);
        return true;
    }
    switch (addr) {
    case NVVB_REG_MAX_VMS:
        *val = s->max_vms;
        return true;
    case NVVB_REG_MAX_BOS:
        *val = s->max_bos;
        return true;
    case NVVB_REG_SG_MAX_ENTRIES:
        *val = s->max_sg_entries;
        return true;
    case NVVB_REG_SG_FREE_ENTRIES:
        *val = s->max_sg_entries - s->sg_entries;
        return true;
    case NVVB_REG_SG_MAX_PER_BO:
        *val = NVVB_MAX_SG_ENTRIES;
        return true;
    case NVVB_REG_BIND_WORK_BUDGET:
        *val = s->bind_work_budget;
        return true;
    case NVVB_REG_BIND_SLICES:
        *val = s->bind_ring.slices;
        return true;
    case NVVB_REG_DIVERGENCES:
        *val = s->divergences;
        return true;
    case NVVB_REG_QMP_MAX_ENTRIES:
        *val = s->qmp_max_entries;
        return true;
    case NVVB_REG_MAX_BIND_WORK:
        *val = s->max_bind_work;
        return true;
    case NVVB_REG_PT_POOL_BASE_LO:
        *val = (uint32_t)s->pt_pool_base;
        return true;
    case NVVB_REG_PT_POOL_BASE_HI:
        *val = s->pt_pool_base >> 32;
        return true;
    case NVVB_REG_PT_POOL_SIZE:
        *val = s->pt_pool_size;
        return true;
    case NVVB_REG_PT_POOL_FREE:
        *val = nvvb_pt_pool_free_bytes(s->pt_pool);
        return true;
    case NVVB_REG_VM_PDB_SELECT:
        *val = s->vm_pdb_select;
        return true;
    case NVVB_REG_VM_PDB_LO:
    case NVVB_REG_VM_PDB_HI:
        vm = nv_vmbind_vm_get(s, s->vm_pdb_select);
        *val = !vm ? 0 : addr == NVVB_REG_VM_PDB_LO ?
               (uint32_t)nvvb_ptm_pdb(vm->ptm) : nvvb_ptm_pdb(vm->ptm) >> 32;
        return true;
    default:
        return false;
    }
}

bool nv_vmbind_bind_write(NvVmbindState *s, hwaddr addr, uint32_t val)
{
    if (addr >= NVVB_REG_BIND_RING && addr < NVVB_REG_BIND_RING + 0x20) {
        nv_vmbind_ring_write(&s->bind_ring, addr - NVVB_REG_BIND_RING, val);
        return true;
    }
    if (addr >= NVVB_REG_CE_RING && addr < NVVB_REG_CE_RING + 0x20) {
        nv_vmbind_ring_write(&s->ce_ring, addr - NVVB_REG_CE_RING, val);
        return true;
    }
    if (addr == NVVB_REG_VM_PDB_SELECT) {
        s->vm_pdb_select = val;
        return true;
    }
    return false;
}

/* ---- Life cycle ---- */

bool nv_vmbind_bind_realize(NvVmbindState *s, Error **errp)
{
    if (!s->pt_pool_size) {
        s->pt_pool_size = MIN(NVVB_PT_POOL_DEFAULT, s->vram_size / 4);
    }
    if (s->pt_pool_size & (NVVB_PT_POOL_GRANULE - 1) ||
        s->pt_pool_size < 64 * KiB || s->pt_pool_size > s->vram_size / 2) {
        error_setg(errp, "nv-vmbind: property 'pt-pool-size' must be a "
                   "multiple of 4 KiB between 64 KiB and half of vram-size "
                   "(got %" PRIu64 ")", s->pt_pool_size);
        return false;
    }
    if (s->max_vms < 1 || s->max_vms > NVVB_MAX_VMS) {
        error_setg(errp, "nv-vmbind: property 'max-vms' must be between 1 "
                   "and %u (got %u)", NVVB_MAX_VMS, s->max_vms);
        return false;
    }
    if (s->max_bos < 1 || s->max_bos > NVVB_MAX_BOS - 1) {
        error_setg(errp, "nv-vmbind: property 'max-bos' must be between 1 "
                   "and %u (got %u)", NVVB_MAX_BOS - 1, s->max_bos);
        return false;
    }
    if (s->max_sg_entries < 1 || s->max_sg_entries > NVVB_SG_TOTAL_MAX) {
        error_setg(errp, "nv-vmbind: property 'max-sg-entries' must be "
                   "between 1 and %u (got %u)", NVVB_SG_TOTAL_MAX,
                   s->max_sg_entries);
        return false;
    }
    if (s->bind_work_budget < NVVB_BIND_WORK_MIN) {
        error_setg(errp, "nv-vmbind: property 'bind-work-budget' must be at "
                   "least %u (got %u)", NVVB_BIND_WORK_MIN,
                   s->bind_work_budget);
        return false;
    }
    if (s->max_bind_work < NVVB_BIND_WORK_MIN) {
        error_setg(errp, "nv-vmbind: property 'max-bind-work' must be at "
                   "least %u (got %u)", NVVB_BIND_WORK_MIN, s->max_bind_work);
        return false;
    }
    if (s->qmp_max_entries < 1 || s->qmp_max_entries > NVVB_QMP_ENTRIES_MAX) {
        error_setg(errp, "nv-vmbind: property 'max-qmp-entries' must be "
                   "between 1 and %u (got %u)", NVVB_QMP_ENTRIES_MAX,
                   s->qmp_max_entries);
        return false;
    }
    s->pt_pool_base = s->vram_size - s->pt_pool_size;
    s->pt_pool = nvvb_pt_pool_new(s->pt_pool_base, s->pt_pool_size);
    s->bos = g_hash_table_new_full(NULL, NULL, NULL, nv_vmbind_bo_free);
    s->ce = nvvb_ce_new();
    /*
     * Budgets per main-loop turn: up to 256 binds, and no more than
     * bind-work-budget page-table (and scatter) entries, since one MAP of a
     * large BO can write millions; a copy can move 64 MiB, so the copy
     * engine yields after each command.
     */
    nv_vmbind_ring_init(s, &s->bind_ring, "bind", nv_vmbind_bind_exec,
                        NVVB_INTR_BIND, 256);
    s->bind_ring.work_budget = s->bind_work_budget;
    nv_vmbind_ring_init(s, &s->ce_ring, "ce", nv_vmbind_ce_exec,
                        NVVB_INTR_COPY, 1);
    return true;
}

/* Drops every VM and BO; the pool is empty afterwards. */
void nv_vmbind_bind_clear(NvVmbindState *s)
{
    unsigned i;

    for (i = 0; i < NVVB_MAX_VMS; i++) {
        if (s->vms[i]) {
            nv_vmbind_vm_free(s, s->vms[i]);
            s->vms[i] = NULL;
        }
    }
    g_hash_table_remove_all(s->bos);
    s->sg_entries = 0;
}

void nv_vmbind_bind_reset(NvVmbindState *s)
{
    nv_vmbind_ring_reset(&s->bind_ring);
    nv_vmbind_ring_reset(&s->ce_ring);
    nv_vmbind_bind_clear(s);
    s->vm_pdb_select = 0;
    s->divergences = 0;
}

void nv_vmbind_bind_unrealize(NvVmbindState *s)
{
    nv_vmbind_bind_clear(s);
    nv_vmbind_ring_fini(&s->bind_ring);
    nv_vmbind_ring_fini(&s->ce_ring);
    g_hash_table_destroy(s->bos);
    nvvb_ce_free(s->ce);
    nvvb_pt_pool_free(s->pt_pool);
}

void nv_vmbind_va_set_attrs(NvvbGpuVa *va, uint32_t map_flags)
{
    if (va) {
        va->flags = (va->flags & ~NVVB_VA_ATTR_MASK) |
                    ((map_flags & (NVVB_MAP_KIND_MASK | NVVB_MAP_READ_ONLY |
                                   NVVB_MAP_PRIV | NVVB_MAP_NO_ATOMIC))
                     << NVVB_VA_ATTR_SHIFT);
    }
}

uint32_t nv_vmbind_va_attr_flags(const NvvbGpuVa *va)
{
    return (va->flags & NVVB_VA_ATTR_MASK) >> NVVB_VA_ATTR_SHIFT;
}
