/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: migration of BOs, VM contexts and their GPUVM
 * state.
 *
 * VRAM, and with it every page table, migrates as RAM.  The objects the
 * device keeps outside guest memory are sent as a flat list: BOs and their
 * backing, and for each VM its sparse regions and mappings with their
 * attributes, then the page-table manager's own state (which pool pages
 * hold which tables).  The destination rebuilds each VM's GPUVM by
 * replaying the regions and mappings through the GPUVM's bind checks, and
 * the manager with nvvb_ptm_load(), which claims the same pool pages, so
 * page directories and tables keep their VRAM addresses.
 *
 * The stream is checked like guest input: counts are bounded and every
 * replayed request goes through the normal validation.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "migration/qemu-file-types.h"
#include "migration/vmstate.h"
#include "internal.h"
#include "../core/ptm.h"

#define NVVB_MIGRATE_MAGIC      0x4e56564du     /* "MVVN" */

static int nv_vmbind_objects_put(QEMUFile *f, void *pv, size_t size,
                                 const VMStateField *field, JSONWriter *vmdesc)
{
    NvVmbindState *s = pv;
    GHashTableIter it;
    gpointer key, value;
    GByteArray *blob;
    unsigned i, j;

    qemu_put_be32(f, NVVB_MIGRATE_MAGIC);
    qemu_put_be32(f, g_hash_table_size(s->bos));
    g_hash_table_iter_init(&it, s->bos);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        NvvbBuffer *bo = value;

        qemu_put_be32(f, bo->id);
        qemu_put_be32(f, bo->placement);
        qemu_put_be64(f, bo->size);
        qemu_put_be64(f, bo->vram_addr);
        qemu_put_be32(f, bo->nsg);
        for (j = 0; j < bo->nsg; j++) {
            qemu_put_be64(f, bo->sg[j].addr);
            qemu_put_be64(f, bo->sg[j].len);
        }
    }

    for (i = 0; i < NVVB_MAX_VMS; i++) {
        NvvbVm *vm = s->vms[i];
        const NvvbSparseRegion *r;
        NvvbGpuVa *va;

        if (!vm) {
            continue;
        }
        qemu_put_be32(f, vm->id);
        qemu_put_be64(f, vm->kernel_start);
        qemu_put_be64(f, vm->kernel_range);
        nvvb_gpuvm_lock(vm->uvmm->vm);
        NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
            qemu_put_be32(f, 1);
            qemu_put_be64(f, r->addr);
            qemu_put_be64(f, r->range);
        }
        NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
            qemu_put_be32(f, 2);
            qemu_put_be64(f, va->addr);
            qemu_put_be64(f, va->range);
            qemu_put_be32(f, va->bo->handle);
            qemu_put_be64(f, va->bo_offset);
            qemu_put_be32(f, nvvb_vm_va_attrs(va));
        }
        nvvb_gpuvm_unlock(vm->uvmm->vm);
        qemu_put_be32(f, 0);                    /* end of this VM's GPUVM */
        blob = nvvb_ptm_save(vm->ptm);
        qemu_put_be32(f, blob->len);
        qemu_put_buffer(f, blob->data, blob->len);
        g_byte_array_unref(blob);
    }
    qemu_put_be32(f, UINT32_MAX);               /* end of VMs */
    qemu_put_be32(f, s->vm_pdb_select);
    return 0;
}

static int nv_vmbind_objects_get_bos(QEMUFile *f, NvVmbindState *s)
{
    uint32_t nbos = qemu_get_be32(f), i, j;

    if (nbos >= NVVB_MAX_BOS) {
        error_report("nv-vmbind: migration: %u BOs", nbos);
        return -EINVAL;
    }
    for (i = 0; i < nbos; i++) {
        NvvbBuffer *bo = g_new0(NvvbBuffer, 1);

        bo->id = qemu_get_be32(f);
        bo->placement = qemu_get_be32(f);
        bo->size = qemu_get_be64(f);
        bo->vram_addr = qemu_get_be64(f);
        bo->nsg = qemu_get_be32(f);
        /* The destination's limits apply as they do to BO_CREATE. */
        if (!bo->id || bo->id > s->max_bos ||
            g_hash_table_lookup(s->bos, GUINT_TO_POINTER(bo->id)) ||
            bo->nsg > NVVB_MAX_SG_ENTRIES ||
            bo->nsg > s->max_sg_entries - s->sg_entries ||
            !nvvb_buffer_shape_ok(bo, s->pt_pool_base) ||
            (bo->placement == NVVB_BO_SYSMEM && !bo->nsg)) {
            error_report("nv-vmbind: migration: bad BO %u", bo->id);
            g_free(bo);
            return -EINVAL;
        }
        bo->sg = g_new0(NvvbSgEntry, bo->nsg);
        for (j = 0; j < bo->nsg; j++) {
            bo->sg[j].addr = qemu_get_be64(f);
            bo->sg[j].len = qemu_get_be64(f);
        }
        if (!nvvb_buffer_check(bo, s->pt_pool_base)) {
            error_report("nv-vmbind: migration: BO %u: bad extents", bo->id);
            nvvb_buffer_free(bo);
            return -EINVAL;
        }
        nvvb_buffer_publish(bo, bo->id);
        g_hash_table_insert(s->bos, GUINT_TO_POINTER(bo->id), bo);
        s->sg_entries += bo->nsg;
    }
    return 0;
}

/* Replays one VM's regions and mappings into a fresh GPUVM. */
static int nv_vmbind_vm_get_gpuvm(QEMUFile *f, NvVmbindState *s,
                                  NvvbVm *vm)
{
    uint32_t tag;
    int ret = 0;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    /* Each record is one bind: a bad one stops the load, see below. */
    while (!ret && (tag = qemu_get_be32(f)) != 0) {
        NvvbBindOp op = {
            .op = NVVB_BIND_OP_MAP,
            .flags = NVVB_BIND_SPARSE,
            .addr = qemu_get_be64(f),
            .range = qemu_get_be64(f),
        };
        uint32_t flags = 0;

        if (tag == 2) {
            NvvbBuffer *bo = g_hash_table_lookup(s->bos, GUINT_TO_POINTER(
                                                 qemu_get_be32(f)));

            op.bo = bo ? bo->core : NULL;
            op.bo_offset = qemu_get_be64(f);
            flags = qemu_get_be32(f);
            op.flags = flags & NVVB_MAP_KIND_MASK;
        } else if (tag != 1) {
            ret = -EINVAL;
            break;
        }
        ret = qemu_file_get_error(f);
        if (!ret) {
            ret = nvvb_uvmm_bind(vm->uvmm, &op, NULL);
        }
        if (!ret && tag == 2) {
            nvvb_vm_va_set_attrs(nvvb_gpuva_find(vm->uvmm->vm, op.addr,
                                                 op.range), flags);
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
static int nv_vmbind_vm_get(QEMUFile *f, NvVmbindState *s, uint32_t id)
{
    uint64_t kstart = qemu_get_be64(f), krange = qemu_get_be64(f);
    g_autofree uint8_t *blob = NULL;
    NvvbVm *vm = NULL;
    uint32_t len;
    int ret;

    if (id >= s->max_vms || s->vms[id]) {
        error_report("nv-vmbind: migration: bad VM id %u", id);
        return -EINVAL;
    }
    /* The stream has the GPUVM first: the tables are claimed after it. */
    ret = nvvb_vm_new(&vm, &s->vm_env, id, kstart, krange,
                      NVVB_VM_TABLES_RESTORE);
    if (!ret) {
        ret = nv_vmbind_vm_get_gpuvm(f, s, vm);
    }
    if (!ret) {
        /* Bounded by the pool: a table record is a few bytes per page. */
        len = qemu_get_be32(f);
        if (len > s->pt_pool_size) {
            ret = -EINVAL;
        } else {
            blob = g_malloc(len);
            qemu_get_buffer(f, blob, len);
            ret = qemu_file_get_error(f);
        }
    }
    if (!ret) {
        ret = nvvb_vm_restore_tables(vm, blob, len);
    }
    if (ret) {
        error_report("nv-vmbind: migration: VM %u: %s", id, strerror(-ret));
        nvvb_vm_free(vm);
        return ret;
    }
    s->vms[id] = vm;
    return 0;
}

static int nv_vmbind_objects_get(QEMUFile *f, void *pv, size_t size,
                                 const VMStateField *field)
{
    NvVmbindState *s = pv;
    uint32_t id;
    int ret;

    if (qemu_get_be32(f) != NVVB_MIGRATE_MAGIC) {
        error_report("nv-vmbind: migration: bad object stream");
        return -EINVAL;
    }
    nv_vmbind_bind_clear(s);
    ret = nv_vmbind_objects_get_bos(f, s);
    if (ret) {
        return ret;
    }
    while ((id = qemu_get_be32(f)) != UINT32_MAX) {
        ret = nv_vmbind_vm_get(f, s, id);
        if (ret) {
            return ret;
        }
    }
    s->vm_pdb_select = qemu_get_be32(f);
    return qemu_file_get_error(f);
}

const VMStateInfo vmstate_info_nv_vmbind_objects = {
    .name = "nv-vmbind-objects",
    .get = nv_vmbind_objects_get,
    .put = nv_vmbind_objects_put,
};
