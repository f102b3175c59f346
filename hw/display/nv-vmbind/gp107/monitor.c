/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: QMP.  x-nv-vmbind-query-pdbs lists the page
 * directories the device learnt from invalidates, with their walked
 * mappings.  Like the other introspection commands (../common/monitor.c),
 * walks read the tables as they are now, bypass the TLB and raise no
 * fault.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "hw/qdev-core.h"
#include "internal.h"
#include "fifo.h"
#include "../common/gpu.h"
#include "../common/monitor.h"
#include "../core/gmmu-dump.h"
#include "../core/gmmu-fault.h"

NvGp107State *nv_gp107_find(const char *id)
{
    Object *obj = nvvb_gpu_find(TYPE_NV_GP107, id, NULL);

    return obj ? NV_GP107(obj) : NULL;
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
            p->complete = nv_gmmu_dump(&s->gpu_mem.mem, &pdb, 0,
                                       NV_GMMU_VA_LIMIT, 0,
                                       nv_vmbind_dump_qmp_bounded, &dq,
                                       NULL) == NV_GMMU_DUMP_DONE;
        }
        QAPI_LIST_APPEND(tail, p);
    }
    return ret;
}


NvVmbindCeLog *qmp_x_nv_vmbind_ce_log(const char *id, bool has_after,
                                      uint64_t after, bool has_channel,
                                      uint16_t channel, Error **errp)
{
    NvGp107State *s = nv_gp107_find(id);
    NvVmbindCeAccessList **tail;
    NvVmbindCeLog *ret;
    uint64_t seq, total, first;
    uint32_t left;

    if (!s) {
        error_setg(errp, "no nv-vmbind-gp107 device '%s'", id);
        return NULL;
    }
    total = s->fifo->ce_log_seq;
    first = total > NV_GP107_CE_LOG_SIZE ? total - NV_GP107_CE_LOG_SIZE : 0;
    seq = has_after ? after : 0;
    ret = g_new0(NvVmbindCeLog, 1);
    ret->total = total;
    if (seq < first) {
        ret->lost = first - seq;
        seq = first;
    }
    tail = &ret->accesses;
    for (left = s->qmp_max_entries; seq < total && left; seq++) {
        const NvGp107CeRec *r = nv_gp107_fifo_ce_log(s, seq);
        NvVmbindCeAccess *a;

        if (!r || (has_channel && r->chid != channel)) {
            continue;
        }
        a = g_new0(NvVmbindCeAccess, 1);
        a->seq = seq;
        a->channel = r->chid;
        a->pdb_aperture = nv_vmbind_aperture_qapi(r->pdb_aper);
        a->pdb = r->pdb;
        a->va = r->va;
        a->aperture = nv_vmbind_aperture_qapi(r->aper);
        a->address = r->pa;
        a->size = r->len;
        a->write = r->write;
        QAPI_LIST_APPEND(tail, a);
        left--;
    }
    ret->next = seq;
    return ret;
}
