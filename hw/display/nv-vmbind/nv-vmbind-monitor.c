/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: QMP commands and the HMP "info nv-vmbind".
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "qobject/qdict.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "hw/qdev-core.h"
#include "hw/display/nv-vmbind.h"

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
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

void hmp_info_nv_vmbind(Monitor *mon, const QDict *qdict)
{
    g_autoptr(GSList) devs = nv_vmbind_all_devices();
    GSList *l;

    if (!devs) {
        monitor_printf(mon, "no nv-vmbind device\n");
        return;
    }
    for (l = devs; l; l = l->next) {
        NvVmbindState *s = l->data;
        PCIDevice *pdev = PCI_DEVICE(s);

        monitor_printf(mon, "%s (%s): %02x:%02x.%x vram %" PRIu64
                       " MiB, caps 0x%x\n",
                       nv_vmbind_dev_id(s)[0] ? nv_vmbind_dev_id(s) : "-",
                       object_get_canonical_path_component(OBJECT(s)),
                       pci_dev_bus_num(pdev), PCI_SLOT(pdev->devfn),
                       PCI_FUNC(pdev->devfn), s->vram_size >> 20,
                       nv_vmbind_caps(s));
    }
}
