/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: QEMU device state shared by the glue files.
 *
 * The register ABI is in nv-vmbind-regs.h; the QEMU-independent core
 * (walker, GPUVM, ...) is in hw/display/nv-vmbind/.
 */
#ifndef HW_DISPLAY_NV_VMBIND_H
#define HW_DISPLAY_NV_VMBIND_H

#include "hw/pci/pci_device.h"
#include "qom/object.h"
#include "hw/display/nv-vmbind-regs.h"

#define TYPE_NV_VMBIND "nv-vmbind"
OBJECT_DECLARE_SIMPLE_TYPE(NvVmbindState, NV_VMBIND)

struct NvVmbindState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion vram;

    /* Properties. */
    uint64_t vram_size;

    /* Registers. */
    uint32_t scratch;
    uint32_t intr_status;
    uint32_t intr_enable;
};

/* Returns every realized nv-vmbind device, in QOM tree order. */
GSList *nv_vmbind_all_devices(void);

/* Returns the CAPS register value. */
uint32_t nv_vmbind_caps(NvVmbindState *s);

/* Raises interrupt cause @intr (NVVB_INTR_*) if enabled. */
void nv_vmbind_raise_intr(NvVmbindState *s, uint32_t intr);

#endif /* HW_DISPLAY_NV_VMBIND_H */
