/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: migration of BOs, VM contexts and their GPUVM
 * state.
 *
 * VRAM, and with it every page table, migrates as RAM.  The objects the
 * device keeps outside guest memory migrate in subsection
 * "nv-vmbind/objects" as arrays of plain records that pre_save builds:
 * BOs, their scatter extents (BO after BO), VMs, their sparse regions and
 * their mappings with attributes (VM after VM), and each VM's page-table
 * manager state (which pool pages hold which tables, nvvb_ptm_save()) as
 * bytes.  Each count is bounded before its array is allocated.
 *
 * post_load rebuilds through the checks guest requests pass: BOs as
 * BO_CREATE checks them, each VM's GPUVM by replaying its regions and
 * mappings through the GPUVM's bind checks, and the tables with
 * nvvb_vm_restore_tables(), which claims the same pool pages, so page
 * directories and tables keep their VRAM addresses.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "migration/vmstate.h"
#include "internal.h"
#include "../core/ptm.h"

struct NvVmbindBoRec {
    uint32_t id;
    uint32_t placement;
    uint32_t nsg;               /* its extents in the sg array */
    uint64_t size;
    uint64_t vram_addr;
};

struct NvVmbindSgRec {
    uint64_t addr;
    uint64_t len;
};

struct NvVmbindVmRec {
    uint32_t id;
    uint32_t nregions;          /* its records in the regions array */
    uint32_t nmaps;             /* ... in the maps array */
    uint32_t ptm_len;           /* ... bytes in the ptm array */
    uint64_t kernel_start;
    uint64_t kernel_range;
};

struct NvVmbindRegionRec {
    uint64_t addr;
    uint64_t range;
};

struct NvVmbindMapRec {
    uint64_t addr;
    uint64_t range;
    uint64_t bo_offset;
    uint32_t bo_id;
    uint32_t flags;             /* NVVB_MAP_{KIND,READ_ONLY,PRIV,NO_ATOMIC} */
};

/* ---- Save ---- */

static gint nv_vmbind_id_cmp(gconstpointer a, gconstpointer b)
{
    uint32_t x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);

    return x < y ? -1 : x > y;
}

/* Appends @vm's regions, mappings and manager state; fills @rec. */
static void nv_vmbind_vm_save(NvvbVm *vm, NvVmbindVmRec *rec,
                              GArray *regions, GArray *maps, GByteArray *ptm)
{
    g_autoptr(GByteArray) blob = NULL;
    const NvvbSparseRegion *r;
    NvvbGpuVa *va;

    *rec = (NvVmbindVmRec) {
        .id = vm->id,
        .kernel_start = vm->kernel_start,
        .kernel_range = vm->kernel_range,
    };
    nvvb_gpuvm_lock(vm->uvmm->vm);
    NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
        NvVmbindRegionRec rr = { .addr = r->addr, .range = r->range };

        g_array_append_val(regions, rr);
        rec->nregions++;
    }
    NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
        NvVmbindMapRec m = {
            .addr = va->addr,
            .range = va->range,
            .bo_offset = va->bo_offset,
            .bo_id = va->bo->handle,
            .flags = nvvb_vm_va_attrs(va),
        };

        g_array_append_val(maps, m);
        rec->nmaps++;
    }
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    blob = nvvb_ptm_save(vm->ptm);
    g_byte_array_append(ptm, blob->data, blob->len);
    rec->ptm_len = blob->len;
}

static int nv_vmbind_objects_pre_save(void *opaque)
{
    NvVmbindState *s = opaque;
    NvVmbindMigObjects *m = &s->mig;
    g_autoptr(GArray) sg = g_array_new(false, false, sizeof(NvVmbindSgRec));
    g_autoptr(GArray) vms = g_array_new(false, false, sizeof(NvVmbindVmRec));
    g_autoptr(GArray) regions = g_array_new(false, false,
                                            sizeof(NvVmbindRegionRec));
    g_autoptr(GArray) maps = g_array_new(false, false,
                                         sizeof(NvVmbindMapRec));
    g_autoptr(GByteArray) ptm = g_byte_array_new();
    g_autoptr(GList) ids = g_list_sort(g_hash_table_get_keys(s->bos),
                                       nv_vmbind_id_cmp);
    GList *l;
    unsigned i, j;

    /* BOs in id order, so that equal states give equal streams. */
    m->nbos = g_list_length(ids);
    m->bos = g_new0(NvVmbindBoRec, m->nbos);
    for (l = ids, i = 0; l; l = l->next, i++) {
        NvvbBuffer *bo = g_hash_table_lookup(s->bos, l->data);

        m->bos[i] = (NvVmbindBoRec) {
            .id = bo->id, .placement = bo->placement, .nsg = bo->nsg,
            .size = bo->size, .vram_addr = bo->vram_addr,
        };
        for (j = 0; j < bo->nsg; j++) {
            NvVmbindSgRec e = { .addr = bo->sg[j].addr, .len = bo->sg[j].len };

            g_array_append_val(sg, e);
        }
    }
    for (i = 0; i < NVVB_MAX_VMS; i++) {
        NvVmbindVmRec rec;

        if (s->vms[i]) {
            nv_vmbind_vm_save(s->vms[i], &rec, regions, maps, ptm);
            g_array_append_val(vms, rec);
        }
    }
    m->nsg = sg->len;
    m->sg = (NvVmbindSgRec *)g_array_free(g_steal_pointer(&sg), false);
    m->nvms = vms->len;
    m->vms = (NvVmbindVmRec *)g_array_free(g_steal_pointer(&vms), false);
    m->nregions = regions->len;
    m->regions = (NvVmbindRegionRec *)g_array_free(
                     g_steal_pointer(&regions), false);
    m->nmaps = maps->len;
    m->maps = (NvVmbindMapRec *)g_array_free(g_steal_pointer(&maps), false);
    m->ptm_len = ptm->len;
    m->ptm = g_byte_array_free(g_steal_pointer(&ptm), false);
    return 0;
}

static void nv_vmbind_objects_release(NvVmbindMigObjects *m)
{
    g_free(m->bos);
    g_free(m->sg);
    g_free(m->vms);
    g_free(m->regions);
    g_free(m->maps);
    g_free(m->ptm);
    memset(m, 0, sizeof(*m));
}

static int nv_vmbind_objects_post_save(void *opaque)
{
    nv_vmbind_objects_release(&((NvVmbindState *)opaque)->mig);
    return 0;
}

/* Arrays a failed load allocated and left behind. */
static int nv_vmbind_objects_pre_load(void *opaque)
{
    nv_vmbind_objects_release(&((NvVmbindState *)opaque)->mig);
    return 0;
}

static bool nv_vmbind_objects_needed(void *opaque)
{
    NvVmbindState *s = opaque;
    unsigned i;

    for (i = 0; i < NVVB_MAX_VMS; i++) {
        if (s->vms[i]) {
            return true;
        }
    }
    return g_hash_table_size(s->bos) > 0;
}

/* ---- Load: counts, before their arrays are allocated ---- */

static bool nv_vmbind_mig_nbos_ok(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;

    return s->mig.nbos >= 0 && s->mig.nbos <= s->max_bos;
}

static bool nv_vmbind_mig_nsg_ok(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;

    return s->mig.nsg >= 0 && s->mig.nsg <= s->max_sg_entries;
}

static bool nv_vmbind_mig_nvms_ok(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;

    return s->mig.nvms >= 0 && s->mig.nvms <= s->max_vms;
}

/*
 * Each sparse region and each mapping holds at least one entry of its own
 * in a table in the pool, so neither can outnumber the pool's entries.
 */
static bool nv_vmbind_mig_nregions_ok(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;

    return s->mig.nregions >= 0 && s->mig.nregions <= s->pt_pool_size / 8;
}

static bool nv_vmbind_mig_nmaps_ok(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;

    return s->mig.nmaps >= 0 && s->mig.nmaps <= s->pt_pool_size / 8;
}

/*
 * nvvb_ptm_save() writes 24 bytes, 16 per sparse region and 17 per table
 * (a pool page of 4 KiB at least): a generous bound of all VMs' bytes.
 */
static bool nv_vmbind_mig_ptm_len_ok(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;
    NvVmbindMigObjects *m = &s->mig;

    return m->ptm_len <= 24ULL * m->nvms +
                         16ULL * ((uint64_t)m->nregions + m->nmaps) +
                         s->pt_pool_size;
}

/* ---- Load: rebuild ---- */

/* A BO as BO_CREATE checks it, with the destination's limits. */
static int nv_vmbind_bo_load(NvVmbindState *s, const NvVmbindBoRec *rec,
                             const NvVmbindSgRec *sg)
{
    NvvbBuffer *bo;
    uint32_t j;

    if (!rec->id || rec->id > s->max_bos ||
        g_hash_table_lookup(s->bos, GUINT_TO_POINTER(rec->id)) ||
        rec->nsg > NVVB_MAX_SG_ENTRIES ||
        rec->nsg > s->max_sg_entries - s->sg_entries ||
        (rec->placement == NVVB_BO_SYSMEM) != (rec->nsg != 0) ||
        (rec->placement == NVVB_BO_SYSMEM && rec->vram_addr)) {
        error_report("nv-vmbind: migration: bad BO %u", rec->id);
        return -EINVAL;
    }
    bo = g_new0(NvvbBuffer, 1);
    bo->id = rec->id;
    bo->placement = rec->placement;
    bo->size = rec->size;
    bo->vram_addr = rec->vram_addr;
    bo->nsg = rec->nsg;
    bo->sg = g_new0(NvvbSgEntry, bo->nsg);
    for (j = 0; j < bo->nsg; j++) {
        bo->sg[j].addr = sg[j].addr;
        bo->sg[j].len = sg[j].len;
    }
    if (!nvvb_buffer_check(bo, s->pt_pool_base)) {
        error_report("nv-vmbind: migration: BO %u: bad size, address or "
                     "extents", bo->id);
        nvvb_buffer_free(bo);
        return -EINVAL;
    }
    nvvb_buffer_publish(bo, bo->id);
    g_hash_table_insert(s->bos, GUINT_TO_POINTER(bo->id), bo);
    s->sg_entries += bo->nsg;
    return 0;
}

/* Replays one VM's regions, then its mappings, into its fresh GPUVM. */
static int nv_vmbind_vm_load_gpuvm(NvVmbindState *s, NvvbVm *vm,
                                   const NvVmbindRegionRec *regions,
                                   uint32_t nregions,
                                   const NvVmbindMapRec *maps, uint32_t nmaps)
{
    uint32_t i;
    int ret = 0;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    for (i = 0; !ret && i < nregions + nmaps; i++) {
        const NvVmbindMapRec *m = i < nregions ? NULL : &maps[i - nregions];
        NvvbBindOp op = {
            .op = NVVB_BIND_OP_MAP,
            .flags = NVVB_BIND_SPARSE,
        };

        if (m) {
            NvvbBuffer *bo = g_hash_table_lookup(s->bos,
                                                 GUINT_TO_POINTER(m->bo_id));

            op.addr = m->addr;
            op.range = m->range;
            op.bo = bo ? bo->core : NULL;
            op.bo_offset = m->bo_offset;
            op.flags = m->flags & NVVB_MAP_KIND_MASK;
            /* MAP's flag check; SPARSE is a region, not a mapping. */
            if (m->flags & ~(NVVB_MAP_KIND_MASK | NVVB_MAP_READ_ONLY |
                             NVVB_MAP_PRIV | NVVB_MAP_NO_ATOMIC)) {
                ret = -EINVAL;
            }
        } else {
            op.addr = regions[i].addr;
            op.range = regions[i].range;
        }
        /* The GPUVM's bind checks: a bad record stops the load. */
        if (!ret) {
            ret = nvvb_uvmm_bind(vm->uvmm, &op, NULL);
        }
        if (!ret && m) {
            nvvb_vm_va_set_attrs(nvvb_gpuva_find(vm->uvmm->vm, op.addr,
                                                 op.range), m->flags);
        }
        if (ret) {
            error_report("nv-vmbind: migration: VM %u: cannot restore "
                         "0x%" PRIx64 "+0x%" PRIx64 ": %s", vm->id, op.addr,
                         op.range, strerror(-ret));
        }
    }
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    return ret;
}

/* One VM: its GPUVM, then its page-table manager on the same pool pages. */
static int nv_vmbind_vm_load(NvVmbindState *s, const NvVmbindVmRec *rec,
                             const NvVmbindRegionRec *regions,
                             const NvVmbindMapRec *maps, const uint8_t *ptm)
{
    NvvbVm *vm = NULL;
    int ret;

    if (rec->id >= s->max_vms || s->vms[rec->id]) {
        error_report("nv-vmbind: migration: bad VM id %u", rec->id);
        return -EINVAL;
    }
    /* The GPUVM first: the tables are claimed after it. */
    ret = nvvb_vm_new(&vm, &s->vm_env, rec->id, rec->kernel_start,
                      rec->kernel_range, NVVB_VM_TABLES_RESTORE);
    if (!ret) {
        ret = nv_vmbind_vm_load_gpuvm(s, vm, regions, rec->nregions, maps,
                                      rec->nmaps);
    }
    if (!ret) {
        ret = nvvb_vm_restore_tables(vm, ptm, rec->ptm_len);
    }
    if (ret) {
        error_report("nv-vmbind: migration: VM %u: %s", rec->id,
                     strerror(-ret));
        nvvb_vm_free(vm);
        return ret;
    }
    s->vms[rec->id] = vm;
    return 0;
}

/*
 * The per-object counts must add up to the arrays; each object is then
 * rebuilt in stream order, BOs first (mappings reference them).
 */
static int nv_vmbind_objects_rebuild(NvVmbindState *s)
{
    NvVmbindMigObjects *m = &s->mig;
    uint64_t nsg = 0, nregions = 0, nmaps = 0, ptm_len = 0;
    int32_t i;
    int ret = 0;

    for (i = 0; i < m->nbos; i++) {
        nsg += m->bos[i].nsg;
    }
    for (i = 0; i < m->nvms; i++) {
        nregions += m->vms[i].nregions;
        nmaps += m->vms[i].nmaps;
        ptm_len += m->vms[i].ptm_len;
    }
    if (nsg != m->nsg || nregions != m->nregions || nmaps != m->nmaps ||
        ptm_len != m->ptm_len) {
        error_report("nv-vmbind: migration: object counts do not add up");
        return -EINVAL;
    }
    nsg = nregions = nmaps = ptm_len = 0;
    for (i = 0; !ret && i < m->nbos; i++) {
        ret = nv_vmbind_bo_load(s, &m->bos[i], m->sg ? m->sg + nsg : NULL);
        nsg += m->bos[i].nsg;
    }
    for (i = 0; !ret && i < m->nvms; i++) {
        const NvVmbindVmRec *rec = &m->vms[i];

        /* An empty array was not allocated. */
        ret = nv_vmbind_vm_load(s, rec,
                                m->regions ? m->regions + nregions : NULL,
                                m->maps ? m->maps + nmaps : NULL,
                                m->ptm ? m->ptm + ptm_len : NULL);
        nregions += rec->nregions;
        nmaps += rec->nmaps;
        ptm_len += rec->ptm_len;
    }
    return ret;
}

static int nv_vmbind_objects_post_load(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;
    int ret;

    nv_vmbind_bind_clear(s);
    ret = nv_vmbind_objects_rebuild(s);
    nv_vmbind_objects_release(&s->mig);
    return ret;
}

/* ---- Descriptions ---- */

static const VMStateDescription vmstate_nv_vmbind_bo_rec = {
    .name = "nv-vmbind/bo",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(id, NvVmbindBoRec),
        VMSTATE_UINT32(placement, NvVmbindBoRec),
        VMSTATE_UINT32(nsg, NvVmbindBoRec),
        VMSTATE_UINT64(size, NvVmbindBoRec),
        VMSTATE_UINT64(vram_addr, NvVmbindBoRec),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_nv_vmbind_sg_rec = {
    .name = "nv-vmbind/sg",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(addr, NvVmbindSgRec),
        VMSTATE_UINT64(len, NvVmbindSgRec),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_nv_vmbind_vm_rec = {
    .name = "nv-vmbind/vm",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(id, NvVmbindVmRec),
        VMSTATE_UINT32(nregions, NvVmbindVmRec),
        VMSTATE_UINT32(nmaps, NvVmbindVmRec),
        VMSTATE_UINT32(ptm_len, NvVmbindVmRec),
        VMSTATE_UINT64(kernel_start, NvVmbindVmRec),
        VMSTATE_UINT64(kernel_range, NvVmbindVmRec),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_nv_vmbind_region_rec = {
    .name = "nv-vmbind/region",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(addr, NvVmbindRegionRec),
        VMSTATE_UINT64(range, NvVmbindRegionRec),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_nv_vmbind_map_rec = {
    .name = "nv-vmbind/map",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(addr, NvVmbindMapRec),
        VMSTATE_UINT64(range, NvVmbindMapRec),
        VMSTATE_UINT64(bo_offset, NvVmbindMapRec),
        VMSTATE_UINT32(bo_id, NvVmbindMapRec),
        VMSTATE_UINT32(flags, NvVmbindMapRec),
        VMSTATE_END_OF_LIST()
    },
};

/* Version 2: arrays of records (1 was a hand-written stream). */
const VMStateDescription vmstate_nv_vmbind_objects = {
    .name = "nv-vmbind/objects",
    .version_id = 2,
    .minimum_version_id = 2,
    .needed = nv_vmbind_objects_needed,
    .pre_save = nv_vmbind_objects_pre_save,
    .post_save = nv_vmbind_objects_post_save,
    .pre_load = nv_vmbind_objects_pre_load,
    .post_load = nv_vmbind_objects_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT32(mig.nbos, NvVmbindState),
        VMSTATE_VALIDATE("BOs within max-bos", nv_vmbind_mig_nbos_ok),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig.bos, NvVmbindState, mig.nbos, 0,
                                    vmstate_nv_vmbind_bo_rec, NvVmbindBoRec),
        VMSTATE_INT32(mig.nsg, NvVmbindState),
        VMSTATE_VALIDATE("extents within max-sg-entries",
                         nv_vmbind_mig_nsg_ok),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig.sg, NvVmbindState, mig.nsg, 0,
                                    vmstate_nv_vmbind_sg_rec, NvVmbindSgRec),
        VMSTATE_INT32(mig.nvms, NvVmbindState),
        VMSTATE_VALIDATE("VMs within max-vms", nv_vmbind_mig_nvms_ok),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig.vms, NvVmbindState, mig.nvms, 0,
                                    vmstate_nv_vmbind_vm_rec, NvVmbindVmRec),
        VMSTATE_INT32(mig.nregions, NvVmbindState),
        VMSTATE_VALIDATE("regions within the pool's entries",
                         nv_vmbind_mig_nregions_ok),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig.regions, NvVmbindState,
                                    mig.nregions, 0,
                                    vmstate_nv_vmbind_region_rec,
                                    NvVmbindRegionRec),
        VMSTATE_INT32(mig.nmaps, NvVmbindState),
        VMSTATE_VALIDATE("mappings within the pool's entries",
                         nv_vmbind_mig_nmaps_ok),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig.maps, NvVmbindState, mig.nmaps, 0,
                                    vmstate_nv_vmbind_map_rec,
                                    NvVmbindMapRec),
        VMSTATE_UINT32(mig.ptm_len, NvVmbindState),
        VMSTATE_VALIDATE("table records within the pool",
                         nv_vmbind_mig_ptm_len_ok),
        VMSTATE_VBUFFER_ALLOC_UINT32(mig.ptm, NvVmbindState, 0, NULL,
                                     mig.ptm_len),
        VMSTATE_END_OF_LIST()
    },
};
