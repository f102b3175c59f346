/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: QAPI conversions shared by the monitor commands of both
 * device personalities (paravirt/monitor.c, gp107/monitor.c).
 */
#ifndef HW_DISPLAY_NV_VMBIND_MONITOR_H
#define HW_DISPLAY_NV_VMBIND_MONITOR_H

#include "qapi/qapi-types-nv-vmbind.h"
#include "../core/gmmu-dump.h"

/*
 * max-qmp-entries of both devices: ranges one monitor answer may hold
 * (~5 KiB of QEMU memory each while it is built; 64 K exceed the token
 * limit of QEMU's JSON parser).
 */
#define NVVB_QMP_ENTRIES_DEFAULT    (1u << 13)
#define NVVB_QMP_ENTRIES_MAX        (1u << 22)

NvVmbindAperture nv_vmbind_aperture_qapi(NvGmmuAperture a);
/* PTE attribute names ("ro", "priv", "vol", "noatomic", "encrypted"). */
strList *nv_vmbind_flag_list(uint8_t flags);
/* A page directory named over QMP: vid/sys/ncoh, 4 KiB aligned. */
bool nv_vmbind_qapi_pdb(NvGmmuPdb *pdb, bool has_aper, NvVmbindAperture aper,
                        uint64_t addr, Error **errp);
/* nv_gmmu_dump() callback: appends to the NvVmbindMappingList ** @opaque. */
bool nv_vmbind_dump_qmp(void *opaque, const NvGmmuMapping *m);

/*
 * A bounded nv_gmmu_dump() into a QAPI list: once @left ranges were
 * appended, the next one is refused (the dump returns STOPPED) and its VA
 * recorded in @next_va, where a later call resumes.
 */
typedef struct NvVmbindDumpQmp {
    NvVmbindMappingList **tail;
    uint64_t left;
    uint64_t next_va;
} NvVmbindDumpQmp;
bool nv_vmbind_dump_qmp_bounded(void *opaque, const NvGmmuMapping *m);
/* The answer bound of device @id, either type (max-qmp-entries). */
uint32_t nv_vmbind_qmp_max_entries(const char *id);

#endif /* HW_DISPLAY_NV_VMBIND_MONITOR_H */
