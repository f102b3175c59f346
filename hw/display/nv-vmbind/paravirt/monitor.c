/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: QMP commands and the HMP "info nv-vmbind".
 *
 * Introspection walks read the page tables as they are now, through the
 * same accessor as the device but bypassing the TLB and without raising
 * fault records, so looking never changes what the guest sees.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "qobject/qdict.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "hw/qdev-core.h"
#include "internal.h"
#include "../common/monitor.h"
#include "../gp107/internal.h"
#include "../core/gmmu-dump.h"
#include "../core/gmmu-fault.h"

static int nv_vmbind_collect(Object *obj, void *opaque)
{
    GSList **list = opaque;

    if (object_dynamic_cast(obj, TYPE_NV_VMBIND) && DEVICE(obj)->realized) {
        *list = g_slist_append(*list, obj);
    }
    return 0;
}

GSList *nv_vmbind_all_devices(void)
{
    GSList *list = NULL;

    object_child_foreach_recursive(object_get_root(), nv_vmbind_collect,
                                   &list);
    return list;
}

static const char *nv_vmbind_dev_id(NvVmbindState *s)
{
    return DEVICE(s)->id ? DEVICE(s)->id : "";
}

/* Finds a device by id or QOM path. */
NvVmbindState *nv_vmbind_find(const char *id, Error **errp)
{
    g_autoptr(GSList) devs = nv_vmbind_all_devices();
    GSList *l;

    if (id[0] == '/') {
        Object *obj = object_resolve_path_type(id, TYPE_NV_VMBIND, NULL);

        if (obj && DEVICE(obj)->realized) {
            return NV_VMBIND(obj);
        }
    }
    for (l = devs; l; l = l->next) {
        if (!strcmp(nv_vmbind_dev_id(l->data), id)) {
            return l->data;
        }
    }
    error_setg(errp, "no nv-vmbind device '%s'", id);
    return NULL;
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

static GString *nv_vmbind_flag_string(uint8_t flags)
{
    g_autoptr(strList) list = nv_vmbind_flag_list(flags);
    GString *str = g_string_new("");
    strList *l;

    for (l = list; l; l = l->next) {
        g_string_append_printf(str, " %s", l->value);
    }
    return str;
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
    /* Either device type: the walk only needs its memory accessor. */
    const NvGmmuMem *mem = nv_vmbind_any_mem(id, errp);
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
    NvVmbindState *s = nv_vmbind_find(id, NULL);
    NvGp107State *g = s ? NULL : nv_gp107_find(id);

    return s ? s->qmp_max_entries : g ? g->qmp_max_entries :
           NVVB_QMP_ENTRIES_DEFAULT;
}

NvVmbindMappings *qmp_x_nv_vmbind_query_mappings(const char *id,
                                                 bool has_pdb_aperture,
                                                 NvVmbindAperture pdb_aperture,
                                                 uint64_t pdb, bool has_start,
                                                 uint64_t start, bool has_end,
                                                 uint64_t end, Error **errp)
{
    const NvGmmuMem *mem = nv_vmbind_any_mem(id, errp);
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

NvVmbindDeviceInfoList *qmp_x_nv_vmbind_query_devices(Error **errp)
{
    g_autoptr(GSList) devs = nv_vmbind_all_devices();
    NvVmbindDeviceInfoList *head = NULL, **tail = &head;
    GSList *l;

    for (l = devs; l; l = l->next) {
        NvVmbindState *s = l->data;
        NvVmbindDeviceInfo *info = g_new0(NvVmbindDeviceInfo, 1);

        info->id = g_strdup(nv_vmbind_dev_id(s));
        info->qom_path = object_get_canonical_path(OBJECT(s));
        info->vram_size = s->vram_size;
        info->caps = nv_vmbind_caps(s);
        info->has_bind_pending = info->has_bind_slices = true;
        info->bind_pending = s->bind_ring.size ?
            (s->bind_ring.tail - s->bind_ring.head) & (s->bind_ring.size - 1) :
            0;
        info->bind_slices = s->bind_ring.slices;
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

/* ---- HMP ---- */

typedef struct NvVmbindDumpHmp {
    Monitor *mon;
    uint64_t left;              /* lines still allowed (max-qmp-entries) */
    uint64_t next_va;           /* the first range not printed */
} NvVmbindDumpHmp;

static bool nv_vmbind_dump_hmp(void *opaque, const NvGmmuMapping *m)
{
    NvVmbindDumpHmp *dh = opaque;
    Monitor *mon = dh->mon;
    g_autoptr(GString) flags = NULL;

    if (!dh->left) {
        dh->next_va = m->va;
        return false;
    }
    dh->left--;
    if (m->sparse) {
        monitor_printf(mon, "0x%012" PRIx64 "-0x%012" PRIx64 " sparse\n",
                       m->va, m->va + m->size - 1);
        return true;
    }
    flags = nv_vmbind_flag_string(m->flags);
    monitor_printf(mon, "0x%012" PRIx64 "-0x%012" PRIx64 " %s 0x%"
                   PRIx64 " %s kind=0x%02x%s\n", m->va, m->va + m->size - 1,
                   nv_gmmu_aperture_name(m->aperture), m->pa,
                   m->page_shift == NV_GMMU_PAGE_SHIFT_2M ? "2m" :
                   m->page_shift == NV_GMMU_PAGE_SHIFT_64K ? "64k" : "4k",
                   m->kind, flags->str);
    return true;
}

/* Parses "APER:ADDR" (vid, sys or ncoh), as nvvb-walk --pdb does. */
static bool nv_vmbind_parse_pdb(const char *str, NvGmmuPdb *pdb, Error **errp)
{
    static const struct {
        const char *name;
        NvVmbindAperture aper;
    } apers[] = {
        { "vid:", NV_VMBIND_APERTURE_VID },
        { "sys:", NV_VMBIND_APERTURE_SYS },
        { "ncoh:", NV_VMBIND_APERTURE_NCOH },
    };
    uint64_t addr;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(apers); i++) {
        const char *rest;

        if (strstart(str, apers[i].name, &rest)) {
            if (qemu_strtou64(rest, NULL, 0, &addr)) {
                break;
            }
            return nv_vmbind_qapi_pdb(pdb, true, apers[i].aper, addr, errp);
        }
    }
    error_setg(errp, "page directory must be vid:ADDR, sys:ADDR or ncoh:ADDR");
    return false;
}

/* "info nv-vmbind ID vms": each VM with its GPUVM mappings and regions. */
static void hmp_nv_vmbind_vms(Monitor *mon, const char *id, Error **errp)
{
    g_autoptr(NvVmbindVmInfoList) vms = qmp_x_nv_vmbind_query_vms(id, errp);
    NvVmbindVmInfoList *v;

    for (v = vms; v; v = v->next) {
        NvVmbindVmMappingList *m;
        NvVmbindVmRegionList *r;

        monitor_printf(mon, "vm %u: pdb vid:0x%" PRIx64 ", kernel-managed "
                       "0x%" PRIx64 "+0x%" PRIx64 ", %" PRIu64
                       " bytes of page tables\n", v->value->id, v->value->pdb,
                       v->value->kernel_start, v->value->kernel_range,
                       v->value->table_bytes);
        for (r = v->value->regions; r; r = r->next) {
            monitor_printf(mon, "  region 0x%012" PRIx64 "-0x%012" PRIx64
                           "\n", r->value->va,
                           r->value->va + r->value->range - 1);
        }
        for (m = v->value->mappings; m; m = m->next) {
            monitor_printf(mon, "  map    0x%012" PRIx64 "-0x%012" PRIx64
                           " bo %u offset 0x%" PRIx64 " flags 0x%x%s\n",
                           m->value->va, m->value->va + m->value->range - 1,
                           m->value->bo, m->value->offset, m->value->flags,
                           m->value->in_region ? " (in region)" : "");
        }
    }
}

/* "info nv-vmbind ID verify": x-nv-vmbind-verify, one line per mismatch. */
static void hmp_nv_vmbind_verify(Monitor *mon, const char *id, Error **errp)
{
    g_autoptr(NvVmbindMismatchList) list = qmp_x_nv_vmbind_verify(id, false,
                                                                  0, errp);
    NvVmbindMismatchList *l;

    if (errp && *errp) {
        return;
    }
    if (!list) {
        monitor_printf(mon, "page tables match the GPUVM of every VM\n");
    }
    for (l = list; l; l = l->next) {
        monitor_printf(mon, "vm %u 0x%012" PRIx64 "-0x%012" PRIx64
                       ": expected %s, tables say %s\n", l->value->vm,
                       l->value->va, l->value->va + l->value->size - 1,
                       l->value->expected, l->value->actual);
    }
}

void hmp_info_nv_vmbind(Monitor *mon, const QDict *qdict)
{
    const char *id = qdict_get_try_str(qdict, "id");
    const char *pdbstr = qdict_get_try_str(qdict, "pdb");
    g_autoptr(GSList) devs = NULL;
    NvGmmuDumpStats stats;
    NvVmbindDumpHmp dh;
    Error *err = NULL;
    NvVmbindState *s;
    NvGmmuPdb pdb;
    GSList *l;

    if (!id) {
        devs = nv_vmbind_all_devices();
        if (!devs) {
            monitor_printf(mon, "no nv-vmbind device\n");
        }
        for (l = devs; l; l = l->next) {
            PCIDevice *pdev = l->data;

            s = l->data;
            monitor_printf(mon, "%s (%s): %02x:%02x.%x vram %" PRIu64
                           " MiB, caps 0x%x\n",
                           nv_vmbind_dev_id(s)[0] ? nv_vmbind_dev_id(s) : "-",
                           object_get_canonical_path_component(OBJECT(s)),
                           pci_dev_bus_num(pdev), PCI_SLOT(pdev->devfn),
                           PCI_FUNC(pdev->devfn), s->vram_size >> 20,
                           nv_vmbind_caps(s));
        }
        return;
    }
    s = nv_vmbind_find(id, &err);
    if (!s) {
        goto out;
    }
    if (!pdbstr) {
        error_setg(&err, "usage: info nv-vmbind ID vms|verify|APER:PDB "
                   "[START [END]]");
        goto out;
    }
    if (!strcmp(pdbstr, "vms")) {
        hmp_nv_vmbind_vms(mon, id, &err);
        goto out;
    }
    if (!strcmp(pdbstr, "verify")) {
        hmp_nv_vmbind_verify(mon, id, &err);
        goto out;
    }
    if (!nv_vmbind_parse_pdb(pdbstr, &pdb, &err)) {
        goto out;
    }
    dh.mon = mon;
    dh.left = s->qmp_max_entries;
    if (nv_gmmu_dump(&s->mem, &pdb, qdict_get_try_int(qdict, "start", 0),
                     qdict_get_try_int(qdict, "end", NV_GMMU_VA_LIMIT), 0,
                     nv_vmbind_dump_hmp, &dh, &stats) != NV_GMMU_DUMP_DONE) {
        monitor_printf(mon, "(%s; continue from 0x%" PRIx64 ")\n",
                       dh.left ? "walk budget exhausted" :
                       "max-qmp-entries lines printed",
                       dh.left ? stats.next_va : dh.next_va);
    }
out:
    hmp_handle_error(mon, err);
}
