/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: the TYPE_NV_VMBIND_GPU interface and device lookup (gpu.h).
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "hw/qdev-core.h"
#include "gpu.h"

typedef struct NvvbGpuCollect {
    const char *type;
    GSList *list;
} NvvbGpuCollect;

static int nvvb_gpu_collect(Object *obj, void *opaque)
{
    NvvbGpuCollect *c = opaque;

    if (object_dynamic_cast(obj, c->type) && DEVICE(obj)->realized) {
        c->list = g_slist_append(c->list, obj);
    }
    return 0;
}

GSList *nvvb_gpu_list(const char *type)
{
    NvvbGpuCollect c = { .type = type };

    object_child_foreach_recursive(object_get_root(), nvvb_gpu_collect, &c);
    return c.list;
}

const char *nvvb_gpu_id(Object *obj)
{
    return DEVICE(obj)->id ? DEVICE(obj)->id : "";
}

Object *nvvb_gpu_find(const char *type, const char *id, Error **errp)
{
    g_autoptr(GSList) devs = NULL;
    GSList *l;

    if (id[0] == '/') {
        Object *obj = object_resolve_path_type(id, type, NULL);

        if (obj && DEVICE(obj)->realized) {
            return obj;
        }
    }
    devs = nvvb_gpu_list(type);
    for (l = devs; l; l = l->next) {
        if (!strcmp(nvvb_gpu_id(l->data), id)) {
            return l->data;
        }
    }
    error_setg(errp, "no %s device '%s'",
               strcmp(type, TYPE_NV_VMBIND_GPU) ? type :
               "nv-vmbind or nv-vmbind-gp107", id);
    return NULL;
}

static const TypeInfo nvvb_gpu_info = {
    .name = TYPE_NV_VMBIND_GPU,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(NvvbGpuClass),
};

static void nvvb_gpu_register_types(void)
{
    type_register_static(&nvvb_gpu_info);
}

type_init(nvvb_gpu_register_types)
