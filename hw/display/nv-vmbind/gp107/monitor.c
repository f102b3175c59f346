/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: QMP.  x-nv-vmbind-query-pdbs lists the page
 * directories the device learnt from invalidates, with their walked
 * mappings; x-nv-vmbind-read reads memory through a GPU VA (either
 * device type).  Like the other introspection commands, walks read the
 * tables as they are now, bypass the TLB and raise no fault.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "hw/qdev-core.h"
#include "internal.h"
#include "../paravirt/internal.h"
#include "../common/monitor.h"
#include "../core/gmmu-dump.h"
#include "../core/gmmu-fault.h"

#define NV_VMBIND_READ_MAX      (1u << 20)

static int gp107_collect(Object *obj, void *opaque)
{
    GSList **list = opaque;

    if (object_dynamic_cast(obj, TYPE_NV_GP107) && DEVICE(obj)->realized) {
        *list = g_slist_append(*list, obj);
    }
    return 0;
}

GSList *nv_gp107_all_devices(void)
{
    GSList *list = NULL;

    object_child_foreach_recursive(object_get_root(), gp107_collect, &list);
    return list;
}

NvGp107State *nv_gp107_find(const char *id)
{
    g_autoptr(GSList) devs = nv_gp107_all_devices();
    GSList *l;

    if (id[0] == '/') {
        Object *obj = object_resolve_path_type(id, TYPE_NV_GP107, NULL);

        if (obj && DEVICE(obj)->realized) {
            return NV_GP107(obj);
        }
    }
    for (l = devs; l; l = l->next) {
        const char *did = DEVICE(l->data)->id;

        if (did && !strcmp(did, id)) {
            return l->data;
        }
    }
    return NULL;
}

const NvGmmuMem *nv_vmbind_any_mem(const char *id, Error **errp)
{
    NvGp107State *g = nv_gp107_find(id);
    g_autoptr(GSList) devs = NULL;
    GSList *l;

    if (g) {
        return &g->mem;
    }
    if (id[0] == '/') {
        Object *obj = object_resolve_path_type(id, TYPE_NV_VMBIND, NULL);

        if (obj && DEVICE(obj)->realized) {
            return &NV_VMBIND(obj)->mem;
        }
    }
    devs = nv_vmbind_all_devices();
    for (l = devs; l; l = l->next) {
        const char *did = DEVICE(l->data)->id;

        if (did && !strcmp(did, id)) {
            return &((NvVmbindState *)l->data)->mem;
        }
    }
    error_setg(errp, "no nv-vmbind or nv-vmbind-gp107 device '%s'", id);
    return NULL;
}

static const char *role_name(uint32_t tag)
{
    switch (tag) {
    case NV_GP107_PDB_BAR1:
        return "bar1";
    case NV_GP107_PDB_BAR2:
        return "bar2";
    default:
        return "user";
    }
}

static NvVmbindBarStats *bar_stats(const NvGp107BarStats *st)
{
    NvVmbindBarStats *b = g_new0(NvVmbindBarStats, 1);

    b->reads = st->reads;
    b->writes = st->writes;
    b->unbound = st->unbound;
    b->faults = st->faults;
    b->sparse = st->sparse;
    b->sysmem = st->sysmem;
    return b;
}

NvVmbindPdbs *qmp_x_nv_vmbind_query_pdbs(const char *id, bool has_mappings,
                                         bool mappings, Error **errp)
{
    NvGp107State *s = nv_gp107_find(id);
    g_autofree NvGmmuPdbEntry *ents = NULL;
    NvVmbindPdbInfoList **tail;
    NvVmbindPdbs *ret;
    NvVmbindDumpQmp dq = { 0 };
    unsigned n, i;

    if (!s) {
        error_setg(errp, "no nv-vmbind-gp107 device '%s'", id);
        return NULL;
    }
    dq.left = s->qmp_max_entries;
    ret = g_new0(NvVmbindPdbs, 1);
    ret->capacity = nv_gmmu_pdbset_capacity(s->pdbs);
    ret->evictions = nv_gmmu_pdbset_evictions(s->pdbs);
    ret->invalidates = s->inval_seq;
    ret->unhandled = s->unhandled;
    ret->bar1 = bar_stats(&s->bar_stats[NV_GP107_VBAR1]);
    ret->bar2 = bar_stats(&s->bar_stats[NV_GP107_VBAR2]);
    if (s->corrupted) {
        ret->has_corrupted_pte = ret->has_corrupted_pdb = true;
        ret->corrupted_pte = s->corrupt_vram_addr;
        ret->corrupted_pdb = s->corrupt_pdb;
    }
    ents = g_new0(NvGmmuPdbEntry, ret->capacity);
    n = nv_gmmu_pdbset_list(s->pdbs, ents, ret->capacity);
    tail = &ret->pdbs;
    for (i = 0; i < n; i++) {
        NvVmbindPdbInfo *p = g_new0(NvVmbindPdbInfo, 1);

        p->aperture = nv_vmbind_aperture_qapi(ents[i].aperture);
        p->pdb = ents[i].addr;
        p->role = g_strdup(role_name(ents[i].tag));
        p->first_seq = ents[i].first_seq;
        p->last_seq = ents[i].last_seq;
        p->invalidates = ents[i].count;
        if (has_mappings && mappings) {
            NvGmmuPdb pdb;

            /*
             * One answer bound for all PDBs together: the guest picks the
             * PDBs and what they map (complete=false once it runs out).
             */
            dq.tail = &p->mappings;
            nv_gmmu_pdb_init(&pdb, ents[i].aperture, ents[i].addr);
            p->has_mappings = p->has_complete = true;
            p->complete = nv_gmmu_dump(&s->mem, &pdb, 0, NV_GMMU_VA_LIMIT, 0,
                                       nv_vmbind_dump_qmp_bounded, &dq,
                                       NULL) == NV_GMMU_DUMP_DONE;
        }
        QAPI_LIST_APPEND(tail, p);
    }
    return ret;
}

NvVmbindBytes *qmp_x_nv_vmbind_read(const char *id, bool has_pdb_aperture,
                                    NvVmbindAperture pdb_aperture,
                                    uint64_t pdb, uint64_t va, uint32_t size,
                                    Error **errp)
{
    const NvGmmuMem *mem = nv_vmbind_any_mem(id, errp);
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
