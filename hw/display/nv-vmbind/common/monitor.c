/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: monitor plumbing both devices share (monitor.h): QAPI
 * conversions, the bounded dump into a QAPI list, and the commands that
 * serve either device type because they only walk its memory:
 * x-nv-vmbind-translate, x-nv-vmbind-query-mappings, x-nv-vmbind-read.
 * Walks read the tables as they are now, bypass the TLB and raise no
 * fault, so looking never changes what the guest sees.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "../core/gmmu-fault.h"
#include "gpu.h"
#include "monitor.h"

/* x-nv-vmbind-read: bytes per answer (base64 in one QMP reply). */
#define NV_VMBIND_READ_MAX      (1u << 20)

/* The memory accessor of device @id, either type. */
static const NvGmmuMem *nvvb_gpu_gmmu_mem(const char *id, Error **errp)
{
    Object *obj = nvvb_gpu_find(TYPE_NV_VMBIND_GPU, id, errp);

    return obj ? NV_VMBIND_GPU_GET_CLASS(obj)->gmmu_mem(obj) : NULL;
}

static NvGmmuAperture nv_vmbind_qapi_aperture(NvVmbindAperture a)
{
    switch (a) {
    case NV_VMBIND_APERTURE_VID:
        return NV_GMMU_APER_VID;
    case NV_VMBIND_APERTURE_PEER:
        return NV_GMMU_APER_PEER;
    case NV_VMBIND_APERTURE_SYS:
        return NV_GMMU_APER_SYS_COH;
    case NV_VMBIND_APERTURE_NCOH:
        return NV_GMMU_APER_SYS_NCOH;
    default:
        return NV_GMMU_APER_NONE;
    }
}

NvVmbindAperture nv_vmbind_aperture_qapi(NvGmmuAperture a)
{
    switch (a) {
    case NV_GMMU_APER_PEER:
        return NV_VMBIND_APERTURE_PEER;
    case NV_GMMU_APER_SYS_COH:
        return NV_VMBIND_APERTURE_SYS;
    case NV_GMMU_APER_SYS_NCOH:
        return NV_VMBIND_APERTURE_NCOH;
    default:
        return NV_VMBIND_APERTURE_VID;
    }
}

bool nv_vmbind_qapi_pdb(NvGmmuPdb *pdb, bool has_aper,
                        NvVmbindAperture aper, uint64_t addr, Error **errp)
{
    NvGmmuAperture a = has_aper ? nv_vmbind_qapi_aperture(aper) :
                       NV_GMMU_APER_VID;

    if (a != NV_GMMU_APER_VID && !nv_gmmu_aperture_is_sys(a)) {
        error_setg(errp, "a page directory lives in vid, sys or ncoh memory");
        return false;
    }
    if (addr & 0xfff) {
        error_setg(errp, "page directory address 0x%" PRIx64 " is not 4 KiB "
                   "aligned", addr);
        return false;
    }
    nv_gmmu_pdb_init(pdb, a, addr);
    return true;
}

/* PTE attribute names, in the order nvvb-walk prints them. */
strList *nv_vmbind_flag_list(uint8_t flags)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {
        { NV_GMMU_PTE_READ_ONLY, "ro" },
        { NV_GMMU_PTE_PRIVILEGE, "priv" },
        { NV_GMMU_PTE_VOL, "vol" },
        { NV_GMMU_PTE_ATOMIC_DISABLE, "noatomic" },
        { NV_GMMU_PTE_ENCRYPTED, "encrypted" },
    };
    strList *head = NULL, **tail = &head;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++) {
        if (flags & names[i].bit) {
            QAPI_LIST_APPEND(tail, g_strdup(names[i].name));
        }
    }
    return head;
}

static bool nv_vmbind_parse_access(const char *name, uint8_t *type,
                                   Error **errp)
{
    if (!name || !strcmp(name, "read")) {
        *type = NV_GMMU_ACCESS_TYPE_VIRT_READ;
    } else if (!strcmp(name, "write")) {
        *type = NV_GMMU_ACCESS_TYPE_VIRT_WRITE;
    } else if (!strcmp(name, "atomic")) {
        *type = NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG;
    } else {
        error_setg(errp, "access must be read, write or atomic, not '%s'",
                   name);
        return false;
    }
    return true;
}

NvVmbindTranslation *qmp_x_nv_vmbind_translate(const char *id,
                                               bool has_pdb_aperture,
                                               NvVmbindAperture pdb_aperture,
                                               uint64_t pdb, uint64_t va,
                                               const char *access,
                                               bool has_priv, bool priv,
                                               Error **errp)
{
    const NvGmmuMem *mem = nvvb_gpu_gmmu_mem(id, errp);
    NvGmmuAccess acc = { .priv = has_priv && priv, .peer_unsupported = true };
    NvVmbindTranslation *t;
    NvVmbindWalkStepList **tail;
    NvGmmuWalkResult res;
    NvGmmuPdb p;
    unsigned i;

    if (!mem || !nv_vmbind_parse_access(access, &acc.type, errp) ||
        !nv_vmbind_qapi_pdb(&p, has_pdb_aperture, pdb_aperture, pdb, errp)) {
        return NULL;
    }
    nv_gmmu_walk(mem, &p, va, &acc, &res);

    t = g_new0(NvVmbindTranslation, 1);
    t->va = va;
    tail = &t->steps;
    for (i = 0; i < res.nsteps; i++) {
        NvVmbindWalkStep *st = g_new0(NvVmbindWalkStep, 1);

        st->level = g_strdup(nv_gmmu_level_name(res.steps[i].level));
        st->aperture = nv_vmbind_aperture_qapi(res.steps[i].aperture);
        st->address = res.steps[i].addr;
        st->entry = res.steps[i].raw[0];
        if (res.steps[i].level == NV_GMMU_LEVEL_PD0) {
            st->has_entry_hi = true;
            st->entry_hi = res.steps[i].raw[1];
        }
        st->ok = res.steps[i].ok;
        QAPI_LIST_APPEND(tail, st);
    }
    switch (res.status) {
    case NV_GMMU_WALK_OK:
        t->status = g_strdup("mapped");
        t->has_aperture = t->has_address = t->has_page_size = true;
        t->has_kind = true;
        t->aperture = nv_vmbind_aperture_qapi(res.tr.aperture);
        t->address = res.pa;
        t->page_size = 1ULL << res.tr.page_shift;
        t->kind = res.tr.kind;
        t->flags = nv_vmbind_flag_list(res.tr.flags);
        break;
    case NV_GMMU_WALK_SPARSE:
        t->status = g_strdup("sparse");
        break;
    default:
        t->status = g_strdup("fault");
        t->fault = g_strdup(nv_gmmu_fault_type_name(res.fault_type));
        break;
    }
    return t;
}

bool nv_vmbind_dump_qmp(void *opaque, const NvGmmuMapping *m)
{
    NvVmbindMappingList ***tail = opaque;
    NvVmbindMapping *e = g_new0(NvVmbindMapping, 1);

    e->va = m->va;
    e->size = m->size;
    e->sparse = m->sparse;
    e->page_size = 1ULL << m->page_shift;
    e->kind = m->kind;
    e->flags = nv_vmbind_flag_list(m->flags);
    if (!m->sparse) {
        e->has_aperture = e->has_address = true;
        e->aperture = nv_vmbind_aperture_qapi(m->aperture);
        e->address = m->pa;
    }
    QAPI_LIST_APPEND(*tail, e);
    return true;
}

bool nv_vmbind_dump_qmp_bounded(void *opaque, const NvGmmuMapping *m)
{
    NvVmbindDumpQmp *dq = opaque;

    /* Guest-built tables decide the number of ranges: bound the answer. */
    if (!dq->left) {
        /* The dump counts this range as covered: resume at its start. */
        dq->next_va = m->va;
        return false;
    }
    dq->left--;
    return nv_vmbind_dump_qmp(&dq->tail, m);
}

uint32_t nv_vmbind_qmp_max_entries(const char *id)
{
    Object *obj = nvvb_gpu_find(TYPE_NV_VMBIND_GPU, id, NULL);

    return obj ? NV_VMBIND_GPU_GET_CLASS(obj)->qmp_max_entries(obj) :
           NVVB_QMP_ENTRIES_DEFAULT;
}

NvVmbindMappings *qmp_x_nv_vmbind_query_mappings(const char *id,
                                                 bool has_pdb_aperture,
                                                 NvVmbindAperture pdb_aperture,
                                                 uint64_t pdb, bool has_start,
                                                 uint64_t start, bool has_end,
                                                 uint64_t end, Error **errp)
{
    const NvGmmuMem *mem = nvvb_gpu_gmmu_mem(id, errp);
    NvVmbindMappings *ret;
    NvVmbindDumpQmp dq;
    NvGmmuDumpStatus st;
    NvGmmuDumpStats stats;
    NvGmmuPdb p;

    if (!mem ||
        !nv_vmbind_qapi_pdb(&p, has_pdb_aperture, pdb_aperture, pdb, errp)) {
        return NULL;
    }
    ret = g_new0(NvVmbindMappings, 1);
    dq.tail = &ret->mappings;
    dq.left = nv_vmbind_qmp_max_entries(id);
    st = nv_gmmu_dump(mem, &p, has_start ? start : 0,
                      has_end ? end : NV_GMMU_VA_LIMIT, 0,
                      nv_vmbind_dump_qmp_bounded, &dq, &stats);
    ret->complete = st == NV_GMMU_DUMP_DONE;
    if (!ret->complete) {
        ret->has_next_va = true;
        ret->next_va = st == NV_GMMU_DUMP_STOPPED ? dq.next_va : stats.next_va;
    }
    return ret;
}

NvVmbindBytes *qmp_x_nv_vmbind_read(const char *id, bool has_pdb_aperture,
                                    NvVmbindAperture pdb_aperture,
                                    uint64_t pdb, uint64_t va, uint32_t size,
                                    Error **errp)
{
    const NvGmmuMem *mem = nvvb_gpu_gmmu_mem(id, errp);
    NvGmmuAccess acc = {
        .type = NV_GMMU_ACCESS_TYPE_VIRT_READ,
        .priv = true,
        .peer_unsupported = true,
    };
    g_autofree uint8_t *buf = NULL;
    NvVmbindBytes *ret;
    uint32_t done = 0;
    NvGmmuPdb p;

    if (!mem) {
        return NULL;
    }
    if (!nv_vmbind_qapi_pdb(&p, has_pdb_aperture, pdb_aperture, pdb, errp)) {
        return NULL;
    }
    if (size == 0 || size > NV_VMBIND_READ_MAX || va + size < va) {
        error_setg(errp, "size must be 1..%u bytes", NV_VMBIND_READ_MAX);
        return NULL;
    }
    buf = g_malloc(size);
    while (done < size) {
        uint64_t cur = va + done, page, chunk;
        NvGmmuWalkResult res;

        nv_gmmu_walk(mem, &p, cur, &acc, &res);
        if (res.status != NV_GMMU_WALK_OK) {
            const char *f = nv_gmmu_fault_type_name(res.fault_type);

            error_setg(errp, "va 0x%" PRIx64 " is %s", cur,
                       res.status == NV_GMMU_WALK_SPARSE ? "sparse" :
                       f ? f : "not mapped");
            return NULL;
        }
        page = 1ULL << res.tr.page_shift;
        chunk = MIN(page - (cur & (page - 1)), size - done);
        if (!mem->read(mem->opaque, res.tr.aperture, res.pa, buf + done,
                       chunk)) {
            error_setg(errp, "va 0x%" PRIx64 " -> %s 0x%" PRIx64
                       " is not readable", cur,
                       nv_gmmu_aperture_name(res.tr.aperture), res.pa);
            return NULL;
        }
        done += chunk;
    }
    ret = g_new0(NvVmbindBytes, 1);
    ret->data = g_base64_encode(buf, size);
    return ret;
}
