/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: QMP commands and the HMP "info nv-vmbind".
 *
 * Introspection walks read the page tables as they are now, through the
 * same accessor as the device but bypassing the TLB and without raising
 * fault records, so looking never changes what the guest sees.  The
 * commands that serve both device types are in ../common/monitor.c.
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
#include "../common/gpu.h"
#include "../core/gmmu-dump.h"
#include "../core/gmmu-fault.h"

GSList *nv_vmbind_all_devices(void)
{
    return nvvb_gpu_list(TYPE_NV_VMBIND);
}

NvVmbindState *nv_vmbind_find(const char *id, Error **errp)
{
    Object *obj = nvvb_gpu_find(TYPE_NV_VMBIND, id, errp);

    return obj ? NV_VMBIND(obj) : NULL;
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

NvVmbindDeviceInfoList *qmp_x_nv_vmbind_query_devices(Error **errp)
{
    g_autoptr(GSList) devs = nv_vmbind_all_devices();
    NvVmbindDeviceInfoList *head = NULL, **tail = &head;
    GSList *l;

    for (l = devs; l; l = l->next) {
        NvVmbindState *s = l->data;
        NvVmbindDeviceInfo *info = g_new0(NvVmbindDeviceInfo, 1);

        info->id = g_strdup(nvvb_gpu_id(OBJECT(s)));
        info->qom_path = object_get_canonical_path(OBJECT(s));
        info->vram_size = s->vram_size;
        info->caps = nv_vmbind_caps(s);
        info->has_bind_pending = info->has_bind_slices = true;
        info->bind_pending = nv_vmbind_ring_pending(&s->bind_ring);
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
            const char *did = nvvb_gpu_id(l->data);

            s = l->data;
            monitor_printf(mon, "%s (%s): %02x:%02x.%x vram %" PRIu64
                           " MiB, caps 0x%x\n", did[0] ? did : "-",
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
    if (nv_gmmu_dump(&s->gpu_mem.mem, &pdb,
                     qdict_get_try_int(qdict, "start", 0),
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
