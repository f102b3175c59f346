/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: what makes a device an nv-vmbind GPU for the monitor.
 *
 * Both personalities (nv-vmbind, nv-vmbind-gp107) implement the QOM
 * interface TYPE_NV_VMBIND_GPU, so code that serves either (QMP
 * translate, query-mappings, read) finds a device and its memory without
 * knowing the other folder's state structure.
 */
#ifndef HW_DISPLAY_NV_VMBIND_GPU_H
#define HW_DISPLAY_NV_VMBIND_GPU_H

#include "qom/object.h"
#include "../core/gmmu-walk.h"

#define TYPE_NV_VMBIND_GPU "nv-vmbind-gpu"

typedef struct NvvbGpuClass NvvbGpuClass;
DECLARE_CLASS_CHECKERS(NvvbGpuClass, NV_VMBIND_GPU, TYPE_NV_VMBIND_GPU)

struct NvvbGpuClass {
    InterfaceClass parent_class;

    /* The accessor the core walks this device's memory with. */
    const NvGmmuMem *(*gmmu_mem)(Object *obj);
    /* The max-qmp-entries property: ranges one monitor answer may hold. */
    uint32_t (*qmp_max_entries)(Object *obj);
};

/**
 * nvvb_gpu_list: the realized devices of a type
 * @type: TYPE_NV_VMBIND, TYPE_NV_GP107 or TYPE_NV_VMBIND_GPU (either)
 *
 * Returns: a list of Object pointers in QOM tree order; free the list
 * (not the objects) with g_slist_free().
 */
GSList *nvvb_gpu_list(const char *type);

/**
 * nvvb_gpu_find: a realized device of @type by id or QOM path
 * @type: as for nvvb_gpu_list()
 * @id: the device's id, or its QOM path when it starts with '/'
 * @errp: set when there is no such device
 *
 * Returns: the device, or NULL.
 */
Object *nvvb_gpu_find(const char *type, const char *id, Error **errp);

/**
 * nvvb_gpu_id: a device's id for the monitor
 * @obj: the device
 *
 * Returns: its id, or "" when it has none (never NULL).
 */
const char *nvvb_gpu_id(Object *obj);

#endif /* HW_DISPLAY_NV_VMBIND_GPU_H */
