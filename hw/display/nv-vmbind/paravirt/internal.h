/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: device state shared by the QEMU glue files.
 *
 * Files of this folder (the paravirtual device's QEMU glue):
 *   device.c    PCI device, BAR0 registers, VRAM, MSI-X, reset, VMState
 *   gmmu.c      GMMU registers: contexts, invalidate, fault ring, probes
 *   ring.[ch]   descriptor rings: doorbell, bottom half, budgets
 *   bind.c      bind queue and copy-engine ring: descriptors to core/vm.h
 *   verify.c    x-nv-vmbind-verify: the GPUVM as oracle for the tables
 *   migrate.c   migration of BOs, VMs and their GPUVM state
 *   monitor.c   QMP and HMP commands, device lookup by id or QOM path
 *
 * The QEMU-free engine (walker, TLB, GPUVM, page-table manager, copy
 * engine) is in ../core/; what both devices share is in ../common/.
 */
#ifndef HW_DISPLAY_NV_VMBIND_INTERNAL_H
#define HW_DISPLAY_NV_VMBIND_INTERNAL_H

#include "hw/pci/pci_device.h"
#include "migration/vmstate.h"
#include "hw/display/nv-vmbind.h"
#include "hw/display/nv-vmbind-regs.h"
#include "../core/gmmu-walk.h"
#include "../common/gpu-mem.h"
#include "../core/gmmu-tlb.h"
#include "../core/vm.h"
#include "ring.h"

typedef struct NvvbCe NvvbCe;

/* Default page-table pool: 16 MiB (or a quarter of a smaller VRAM). */
#define NVVB_PT_POOL_DEFAULT    (16ull << 20)

/* Upper bound of the tlb-entries property: keeps the TLB's memory bounded. */
#define NVVB_TLB_ENTRIES_MAX    65536

/*
 * Default resource limits (properties; see docs/specs/nv-vmbind.rst).
 * Scatter entries cost 24 bytes of host memory each: 1 M entries (24 MiB)
 * describe 4 GiB of 4 KiB pages.  A bind slice of 64 K entries is about a
 * millisecond of work.  A QMP answer costs about 5 KiB of host memory per
 * range or mapping while it is built and sent (measured: 16 K ranges, +87
 * MiB peak RSS; 64 K exceed the token limit of QEMU's own JSON parser), so
 * answers hold at most 8 K.
 */
#define NVVB_SG_TOTAL_DEFAULT       (1u << 20)
#define NVVB_SG_TOTAL_MAX           (1u << 26)
#define NVVB_BIND_WORK_DEFAULT      (1u << 16)
#define NVVB_BIND_WORK_MIN          512
/*
 * One request: 256 MiB of 4 KiB pages, ~10 ms (2 MiB pages count 1 each).
 * Measured: with 1 GiB requests queued, QMP waited up to 145 ms (a QMP
 * round trip spans several main-loop turns); with 256 MiB, 33 ms.
 */
#define NVVB_BIND_REQ_WORK_DEFAULT  (1u << 16)

/*
 * BAR0 registers 0x000-0x5ff; the rest of BAR0 holds none.  Registers
 * with state keep it in NvVmbindState.regs[offset / 4] (device.c lists
 * them), so one array migrates them all.
 */
#define NVVB_NUM_REGS           (0x600 / 4)

/* Storage of the register at BAR0 offset @off (an lvalue). */
#define NV_VMBIND_REG(s, off)   ((s)->regs[(off) / 4])

/* Migration records of the objects (migrate.c). */
typedef struct NvVmbindBoRec NvVmbindBoRec;
typedef struct NvVmbindSgRec NvVmbindSgRec;
typedef struct NvVmbindVmRec NvVmbindVmRec;
typedef struct NvVmbindRegionRec NvVmbindRegionRec;
typedef struct NvVmbindMapRec NvVmbindMapRec;

/*
 * The objects as arrays of records: built by pre_save and freed after the
 * save; allocated by the load and freed once post_load rebuilt them.
 */
typedef struct NvVmbindMigObjects {
    int32_t nbos, nsg, nvms, nregions, nmaps;
    uint32_t ptm_len;
    NvVmbindBoRec *bos;
    NvVmbindSgRec *sg;
    NvVmbindVmRec *vms;
    NvVmbindRegionRec *regions;
    NvVmbindMapRec *maps;
    uint8_t *ptm;               /* each VM's nvvb_ptm_save() bytes */
} NvVmbindMigObjects;

struct NvVmbindState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion vram;
    uint8_t *vram_ptr;

    /* Properties. */
    uint64_t vram_size;
    bool tlb_enabled;
    bool quiet_inline;          /* NVVB_CAP_QUIET_INLINE: F_QUIET honoured */
    uint32_t tlb_entries;

    /* Register values: identification, GMMU, probe, ring, bind blocks. */
    uint32_t regs[NVVB_NUM_REGS];

    /* GMMU: walker memory, TLB. */
    NvvbGpuMem gpu_mem;         /* VRAM + DMA accessor of the core */
    NvGmmuTlb *tlb;

    /* VM contexts, BOs, bind queue and copy engine (bind.c). */
    uint64_t pt_pool_size;      /* property; 0 = default */
    uint32_t max_vms;           /* property: VM ids 0..max_vms-1 */
    uint32_t max_bos;           /* property: BO ids 1..max_bos */
    uint32_t max_sg_entries;    /* property: scatter entries of all BOs */
    uint32_t bind_work_budget;  /* property: entries per bind-ring slice */
    uint32_t max_bind_work;     /* property: entries per request */
    uint32_t qmp_max_entries;   /* property: ranges/mappings per answer */
    uint64_t sg_entries;        /* scatter entries held now */
    uint32_t divergences;       /* binds the tables could not follow */
    uint32_t x_fail_tables;     /* property (tests): fail the next N */
    uint64_t pt_pool_base;
    NvvbPtPool *pt_pool;
    NvvbVmEnv vm_env;           /* what the VMs share (core/vm.h) */
    NvvbVm *vms[NVVB_MAX_VMS];
    GHashTable *bos;            /* id -> NvvbBuffer */
    NvvbCe *ce;
    NvVmbindRing bind_ring;
    NvVmbindRing ce_ring;

    /* Migration only (migrate.c). */
    NvVmbindMigObjects mig;
};

/* The 64-bit value of the register pair at @lo (bits 31:0), @lo + 4. */
static inline uint64_t nv_vmbind_reg64(NvVmbindState *s, hwaddr lo)
{
    return deposit64(NV_VMBIND_REG(s, lo), 32, 32, NV_VMBIND_REG(s, lo + 4));
}

static inline void nv_vmbind_reg64_set(NvVmbindState *s, hwaddr lo,
                                       uint64_t val)
{
    NV_VMBIND_REG(s, lo) = val;
    NV_VMBIND_REG(s, lo + 4) = val >> 32;
}

/* device.c */
uint32_t nv_vmbind_caps(NvVmbindState *s);
void nv_vmbind_raise_intr(NvVmbindState *s, uint32_t intr);
GSList *nv_vmbind_all_devices(void);

/* monitor.c: a device by id or QOM path. */
NvVmbindState *nv_vmbind_find(const char *id, Error **errp);

/* gmmu.c */
void nv_vmbind_gmmu_realize(NvVmbindState *s);
void nv_vmbind_gmmu_unrealize(NvVmbindState *s);
void nv_vmbind_gmmu_reset(NvVmbindState *s);
bool nv_vmbind_gmmu_read(NvVmbindState *s, hwaddr addr, uint32_t *val);
bool nv_vmbind_gmmu_write(NvVmbindState *s, hwaddr addr, uint32_t val);
/* Cross-register checks of a load (the fault ring's GET/PUT vs SIZE). */
int nv_vmbind_gmmu_post_load(NvVmbindState *s);
/* Reports a fault to the fault buffer and raises NVVB_INTR_FAULT. */
void nv_vmbind_fault_report(NvVmbindState *s, NvGmmuAperture inst_aperture,
                            uint64_t inst_addr, uint64_t va,
                            uint8_t fault_type, uint8_t access_type,
                            uint16_t engine_id);

/* bind.c */
bool nv_vmbind_bind_realize(NvVmbindState *s, Error **errp);
void nv_vmbind_bind_unrealize(NvVmbindState *s);
void nv_vmbind_bind_reset(NvVmbindState *s);
void nv_vmbind_bind_clear(NvVmbindState *s);
bool nv_vmbind_bind_read(NvVmbindState *s, hwaddr addr, uint32_t *val);
bool nv_vmbind_bind_write(NvVmbindState *s, hwaddr addr, uint32_t val);
/* migrate.c: BOs, VMs and their GPUVM state (a subsection). */
extern const VMStateDescription vmstate_nv_vmbind_objects;

#endif /* HW_DISPLAY_NV_VMBIND_INTERNAL_H */
