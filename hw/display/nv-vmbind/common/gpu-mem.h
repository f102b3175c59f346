/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: the memory accessor both devices give the core.
 *
 * The walker, TLB, dump, page-table manager and copy engine reach memory
 * only through an NvGmmuMem; this is its one implementation over a
 * device's VRAM (a RAM MemoryRegion) and PCI DMA for the system-memory
 * apertures.  Every access is bounds-checked here, and VRAM writes mark
 * the region dirty so that live migration resends the page.
 */
#ifndef HW_DISPLAY_NV_VMBIND_GPU_MEM_H
#define HW_DISPLAY_NV_VMBIND_GPU_MEM_H

#include "hw/pci/pci_device.h"
#include "../core/gmmu-walk.h"

typedef struct NvvbGpuMem {
    NvGmmuMem mem;          /* what the core is given: read, write, opaque */
    PCIDevice *pci;         /* DMA master for SYS_COH / SYS_NCOH */
    MemoryRegion *vram;     /* RAM region, for dirty tracking */
    uint8_t *vram_ptr;
    uint64_t vram_size;
} NvvbGpuMem;

/**
 * nvvb_gpu_mem_init: set up the accessor of a device
 * @m: the accessor to fill
 * @pci: the device, master of DMA to system memory
 * @vram: the device's VRAM, an initialised RAM MemoryRegion
 *
 * Peer memory and NV_GMMU_APER_NONE are never reachable: reads and
 * writes there fail, and so do VRAM accesses that leave @vram.
 */
void nvvb_gpu_mem_init(NvvbGpuMem *m, PCIDevice *pci, MemoryRegion *vram);

/**
 * nvvb_gpu_mem_read: read device-visible memory
 * @m: the accessor
 * @aper: VID, SYS_COH or SYS_NCOH
 * @addr: address in @aper
 * @buf: destination
 * @len: bytes
 *
 * Returns: true if all of [@addr, @addr + @len) was read.
 */
bool nvvb_gpu_mem_read(NvvbGpuMem *m, NvGmmuAperture aper, uint64_t addr,
                       void *buf, size_t len);

/**
 * nvvb_gpu_mem_write: write device-visible memory
 * @m: the accessor
 * @aper: VID, SYS_COH or SYS_NCOH
 * @addr: address in @aper
 * @buf: source
 * @len: bytes
 *
 * Returns: true if all of [@addr, @addr + @len) was written.
 */
bool nvvb_gpu_mem_write(NvvbGpuMem *m, NvGmmuAperture aper, uint64_t addr,
                        const void *buf, size_t len);

#endif /* HW_DISPLAY_NV_VMBIND_GPU_MEM_H */
