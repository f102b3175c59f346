/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: device state shared by the QEMU glue files.
 *
 * nv-vmbind.c       PCI device, identification registers, reset, VMState
 * nv-vmbind-gmmu.c  GMMU registers: context, invalidate, fault ring, probes
 * nv-vmbind-monitor.c  QMP and HMP
 *
 * The QEMU-independent core (gmmu-*.c, gpuvm*.c) is beside these files.
 */
#ifndef HW_DISPLAY_NV_VMBIND_INTERNAL_H
#define HW_DISPLAY_NV_VMBIND_INTERNAL_H

#include "hw/pci/pci_device.h"
#include "hw/display/nv-vmbind.h"
#include "hw/display/nv-vmbind-regs.h"
#include "gmmu-walk.h"
#include "gmmu-tlb.h"

/* Upper bound of the tlb-entries property: keeps the TLB's memory bounded. */
#define NVVB_TLB_ENTRIES_MAX    65536

typedef struct NvVmbindProbe {
    uint32_t va_lo, va_hi;
    uint32_t access;
    uint32_t dma_addr_lo, dma_addr_hi;
    uint32_t dma_len;
    uint32_t status;
    uint32_t pa_lo, pa_hi;
    uint32_t info;
    uint32_t pte_lo, pte_hi;
    uint32_t entry_lo, entry_hi;
    uint32_t dma_done;
} NvVmbindProbe;

struct NvVmbindState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion vram;
    uint8_t *vram_ptr;

    /* Properties. */
    uint64_t vram_size;
    bool tlb_enabled;
    uint32_t tlb_entries;

    /* Identification block. */
    uint32_t scratch;
    uint32_t intr_status;
    uint32_t intr_enable;

    /* GMMU block: TLB and NVIDIA-layout invalidate registers. */
    NvGmmuMem mem;
    NvGmmuTlb *tlb;
    uint32_t inval_pdb;
    uint32_t inval_upper_pdb;
    uint32_t inval;
    uint32_t inval_vaddr;
    uint32_t inval_upper_vaddr;
    uint32_t inval_count;

    /* Translation context used by the probes. */
    uint32_t ctx_target;
    uint32_t ctx_addr_lo;
    uint32_t ctx_addr_hi;

    /* Fault buffer. */
    uint32_t fault_buf_lo;
    uint32_t fault_buf_hi;
    uint32_t fault_get;         /* PTR | GETPTR_CORRUPTED | OVERFLOW */
    uint32_t fault_put;         /* PTR only; flags are mirrored from GET */
    uint32_t fault_size;
    uint32_t fault_count;
    uint32_t fault_dropped;

    NvVmbindProbe probe;
};

/* nv-vmbind.c */
uint32_t nv_vmbind_caps(NvVmbindState *s);
void nv_vmbind_raise_intr(NvVmbindState *s, uint32_t intr);
GSList *nv_vmbind_all_devices(void);

/* nv-vmbind-gmmu.c */
void nv_vmbind_gmmu_realize(NvVmbindState *s);
void nv_vmbind_gmmu_unrealize(NvVmbindState *s);
void nv_vmbind_gmmu_reset(NvVmbindState *s);
bool nv_vmbind_gmmu_read(NvVmbindState *s, hwaddr addr, uint32_t *val);
bool nv_vmbind_gmmu_write(NvVmbindState *s, hwaddr addr, uint32_t val);
int nv_vmbind_gmmu_post_load(NvVmbindState *s);
/* Reports a fault to the fault buffer and raises NVVB_INTR_FAULT. */
void nv_vmbind_fault_report(NvVmbindState *s, NvGmmuAperture inst_aperture,
                            uint64_t inst_addr, uint64_t va,
                            uint8_t fault_type, uint8_t access_type,
                            uint16_t engine_id);
extern const VMStateDescription vmstate_nv_vmbind_gmmu;

#endif /* HW_DISPLAY_NV_VMBIND_INTERNAL_H */
