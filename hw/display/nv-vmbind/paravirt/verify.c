/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: the GPUVM as oracle for the page tables.
 *
 * x-nv-vmbind-verify walks a VM's VER2 tables (the coalesced dump of the
 * same walker the device translates with) and compares the result, range
 * by range, with what the VM's GPUVM says: every mapping translates to its
 * BO's backing with its attributes, sparse regions read as sparse where
 * nothing is mapped, and nothing else is mapped.  x-nv-vmbind-query-vms
 * exposes the GPUVM side.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "internal.h"
#include "../core/gmmu-dump.h"
#include "../core/ptm.h"

/* Bounds the answer a confused VM can produce. */
#define NVVB_VERIFY_MAX_MISMATCHES  1024

/* PTE attributes the GPUVM decides (VOL and page size are the device's). */
#define NVVB_VERIFY_FLAGS   (NV_GMMU_PTE_READ_ONLY | NV_GMMU_PTE_PRIVILEGE | \
                             NV_GMMU_PTE_ATOMIC_DISABLE)

typedef enum {
    NVVB_RANGE_UNMAPPED,
    NVVB_RANGE_SPARSE,
    NVVB_RANGE_MAPPED,
} NvVmbindRangeState;

/* A range with one translation: pa is the address of va. */
typedef struct NvVmbindRange {
    uint64_t va;
    uint64_t size;
    NvVmbindRangeState state;
    NvGmmuAperture aperture;
    uint64_t pa;
    uint8_t flags;
    uint8_t kind;
} NvVmbindRange;

static void nv_vmbind_range_add(GArray *a, uint64_t va, uint64_t size,
                                NvVmbindRangeState state,
                                NvGmmuAperture aper, uint64_t pa,
                                uint8_t flags, uint8_t kind)
{
    NvVmbindRange r = {
        .va = va, .size = size, .state = state, .aperture = aper,
        .pa = pa, .flags = flags & NVVB_VERIFY_FLAGS, .kind = kind,
    };

    g_array_append_val(a, r);
}

static uint8_t nv_vmbind_attr_pte_flags(uint32_t attrs)
{
    return (attrs & NVVB_MAP_READ_ONLY ? NV_GMMU_PTE_READ_ONLY : 0) |
           (attrs & NVVB_MAP_PRIV ? NV_GMMU_PTE_PRIVILEGE : 0) |
           (attrs & NVVB_MAP_NO_ATOMIC ? NV_GMMU_PTE_ATOMIC_DISABLE : 0);
}

/* The GPUVM's view: mapped extents, sorted, and sparse regions, sorted. */
static void nv_vmbind_expected(NvvbVm *vm, GArray *maps, GArray *regions)
{
    const NvvbSparseRegion *r;
    NvvbGpuVa *va;

    NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
        NvvbBuffer *bo = va->bo ? va->bo->opaque : NULL;
        uint32_t attrs = nvvb_vm_va_attrs(va);
        uint64_t done = 0;

        while (bo && done < va->range) {
            NvGmmuAperture aper;
            uint64_t pa, contig;

            if (!nvvb_buffer_resolve(bo, va->bo_offset + done, &aper, &pa,
                                      &contig)) {
                break;
            }
            contig = MIN(contig, va->range - done);
            nv_vmbind_range_add(maps, va->addr + done, contig,
                                NVVB_RANGE_MAPPED, aper, pa,
                                nv_vmbind_attr_pte_flags(attrs),
                                attrs & NVVB_MAP_KIND_MASK);
            done += contig;
        }
    }
    NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
        nv_vmbind_range_add(regions, r->addr, r->range, NVVB_RANGE_SPARSE,
                            NV_GMMU_APER_NONE, 0, 0, 0);
    }
}

static bool nv_vmbind_actual_cb(void *opaque, const NvGmmuMapping *m)
{
    nv_vmbind_range_add(opaque, m->va, m->size,
                        m->sparse ? NVVB_RANGE_SPARSE : NVVB_RANGE_MAPPED,
                        m->aperture, m->pa, m->flags, m->kind);
    return true;
}

/* The state of @x in a sorted, non-overlapping list; *cur only advances. */
static const NvVmbindRange *nv_vmbind_range_at(GArray *a, guint *cur,
                                               uint64_t x)
{
    while (*cur < a->len &&
           g_array_index(a, NvVmbindRange, *cur).va +
           g_array_index(a, NvVmbindRange, *cur).size <= x) {
        (*cur)++;
    }
    if (*cur < a->len && g_array_index(a, NvVmbindRange, *cur).va <= x) {
        return &g_array_index(a, NvVmbindRange, *cur);
    }
    return NULL;
}

static char *nv_vmbind_range_str(const NvVmbindRange *r, uint64_t x)
{
    if (!r || r->state == NVVB_RANGE_UNMAPPED) {
        return g_strdup("unmapped");
    }
    if (r->state == NVVB_RANGE_SPARSE) {
        return g_strdup("sparse");
    }
    return g_strdup_printf("%s 0x%" PRIx64 " kind=0x%02x%s%s%s",
                           nv_gmmu_aperture_name(r->aperture),
                           r->pa + (x - r->va), r->kind,
                           r->flags & NV_GMMU_PTE_READ_ONLY ? " ro" : "",
                           r->flags & NV_GMMU_PTE_PRIVILEGE ? " priv" : "",
                           r->flags & NV_GMMU_PTE_ATOMIC_DISABLE ?
                           " noatomic" : "");
}

static bool nv_vmbind_range_same(const NvVmbindRange *e,
                                 const NvVmbindRange *a, uint64_t x)
{
    NvVmbindRangeState es = e ? e->state : NVVB_RANGE_UNMAPPED;
    NvVmbindRangeState as = a ? a->state : NVVB_RANGE_UNMAPPED;

    if (es != as) {
        return false;
    }
    if (es != NVVB_RANGE_MAPPED) {
        return true;
    }
    return e->aperture == a->aperture &&
           e->pa + (x - e->va) == a->pa + (x - a->va) &&
           e->flags == a->flags && e->kind == a->kind;
}

static gint nv_vmbind_u64_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void nv_vmbind_add_bounds(GArray *bounds, GArray *ranges)
{
    guint i;

    for (i = 0; i < ranges->len; i++) {
        NvVmbindRange *r = &g_array_index(ranges, NvVmbindRange, i);
        uint64_t end = r->va + r->size;

        g_array_append_val(bounds, r->va);
        g_array_append_val(bounds, end);
    }
}

/* Appends @vm's mismatches to @tail; returns how many. */
static unsigned nv_vmbind_verify_vm(NvVmbindState *s, NvvbVm *vm,
                                    NvVmbindMismatchList ***tail,
                                    unsigned budget)
{
    g_autoptr(GArray) maps = g_array_new(false, false, sizeof(NvVmbindRange));
    g_autoptr(GArray) regions = g_array_new(false, false,
                                            sizeof(NvVmbindRange));
    g_autoptr(GArray) actual = g_array_new(false, false,
                                           sizeof(NvVmbindRange));
    g_autoptr(GArray) bounds = g_array_new(false, false, sizeof(uint64_t));
    NvVmbindMismatch *last = NULL;
    guint cm = 0, cr = 0, ca = 0, i;
    NvGmmuDumpStats stats;
    unsigned found = 0;
    NvGmmuPdb pdb;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    nv_vmbind_expected(vm, maps, regions);
    nvvb_gpuvm_unlock(vm->uvmm->vm);

    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, nvvb_ptm_pdb(vm->ptm));
    if (nv_gmmu_dump(&s->gpu_mem.mem, &pdb, 0, NV_GMMU_VA_LIMIT, 0,
                     nv_vmbind_actual_cb, actual, &stats) !=
        NV_GMMU_DUMP_DONE) {
        NvVmbindMismatch *m = g_new0(NvVmbindMismatch, 1);

        m->vm = vm->id;
        m->va = stats.next_va;
        m->size = NV_GMMU_VA_LIMIT - stats.next_va;
        m->expected = g_strdup("a complete walk");
        m->actual = g_strdup("walk budget exhausted");
        QAPI_LIST_APPEND(*tail, m);
        return 1;
    }

    nv_vmbind_add_bounds(bounds, maps);
    nv_vmbind_add_bounds(bounds, regions);
    nv_vmbind_add_bounds(bounds, actual);
    g_array_sort(bounds, nv_vmbind_u64_cmp);

    for (i = 0; i + 1 < bounds->len && found < budget; i++) {
        uint64_t x = g_array_index(bounds, uint64_t, i);
        uint64_t y = g_array_index(bounds, uint64_t, i + 1);
        const NvVmbindRange *e, *r, *a;

        if (x == y) {
            continue;
        }
        /* A mapping wins over the region it lies in. */
        e = nv_vmbind_range_at(maps, &cm, x);
        r = nv_vmbind_range_at(regions, &cr, x);
        a = nv_vmbind_range_at(actual, &ca, x);
        if (!e) {
            e = r;
        }
        if (nv_vmbind_range_same(e, a, x)) {
            continue;
        }
        if (last && last->va + last->size == x) {
            last->size += y - x;        /* one report per run */
            continue;
        }
        last = g_new0(NvVmbindMismatch, 1);
        last->vm = vm->id;
        last->va = x;
        last->size = y - x;
        last->expected = nv_vmbind_range_str(e, x);
        last->actual = nv_vmbind_range_str(a, x);
        QAPI_LIST_APPEND(*tail, last);
        found++;
    }
    return found;
}

NvVmbindMismatchList *qmp_x_nv_vmbind_verify(const char *id, bool has_vm,
                                             uint32_t vm_id, Error **errp)
{
    NvVmbindState *s = nv_vmbind_find(id, errp);
    NvVmbindMismatchList *head = NULL, **tail = &head;
    unsigned budget = NVVB_VERIFY_MAX_MISMATCHES;
    unsigned i;

    if (!s) {
        return NULL;
    }
    if (has_vm && (vm_id >= NVVB_MAX_VMS || !s->vms[vm_id])) {
        error_setg(errp, "no VM %u", vm_id);
        return NULL;
    }
    for (i = 0; i < NVVB_MAX_VMS && budget; i++) {
        if (s->vms[i] && (!has_vm || i == vm_id)) {
            budget -= nv_vmbind_verify_vm(s, s->vms[i], &tail, budget);
        }
    }
    return head;
}

NvVmbindVmInfoList *qmp_x_nv_vmbind_query_vms(const char *id, Error **errp)
{
    NvVmbindState *s = nv_vmbind_find(id, errp);
    NvVmbindVmInfoList *head = NULL, **tail = &head;
    uint64_t left;
    unsigned i;

    if (!s) {
        return NULL;
    }
    /* Mappings and regions of all VMs together: at most max-qmp-entries. */
    left = s->qmp_max_entries;
    for (i = 0; i < NVVB_MAX_VMS; i++) {
        NvvbVm *vm = s->vms[i];
        NvVmbindVmMappingList **mtail;
        NvVmbindVmRegionList **rtail;
        NvVmbindVmInfo *info;
        const NvvbSparseRegion *r;
        NvvbPtmStats st;
        NvvbGpuVa *va;

        if (!vm) {
            continue;
        }
        info = g_new0(NvVmbindVmInfo, 1);
        info->id = vm->id;
        info->pdb = nvvb_ptm_pdb(vm->ptm);
        info->kernel_start = vm->kernel_start;
        info->kernel_range = vm->kernel_range;
        nvvb_ptm_get_stats(vm->ptm, &st);
        info->table_bytes = st.table_bytes;
        mtail = &info->mappings;
        rtail = &info->regions;
        nvvb_gpuvm_lock(vm->uvmm->vm);
        NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
            NvVmbindVmMapping *m;

            if (!left) {
                info->has_truncated = info->truncated = true;
                break;
            }
            left--;
            m = g_new0(NvVmbindVmMapping, 1);

            m->va = va->addr;
            m->range = va->range;
            m->bo = va->bo ? va->bo->handle : 0;
            m->offset = va->bo_offset;
            m->flags = nvvb_vm_va_attrs(va);
            m->in_region = va->flags & NVVB_GPUVA_IN_REGION;
            QAPI_LIST_APPEND(mtail, m);
        }
        NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
            NvVmbindVmRegion *reg;

            if (!left) {
                info->has_truncated = info->truncated = true;
                break;
            }
            left--;
            reg = g_new0(NvVmbindVmRegion, 1);
            reg->va = r->addr;
            reg->range = r->range;
            QAPI_LIST_APPEND(rtail, reg);
        }
        nvvb_gpuvm_unlock(vm->uvmm->vm);
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}
