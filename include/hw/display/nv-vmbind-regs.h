/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: PCI identity and BAR0 register interface.
 *
 * This header is the device ABI.  It is shared verbatim by the QEMU device
 * model, the qtests and the Linux guest driver, so it uses only fixed-width
 * integer constants: no QEMU, kernel or libc types.  docs/specs/nv-vmbind.rst
 * describes every register; keep the two in step.
 *
 * All registers are 32 bits wide, little endian, and must be accessed with
 * naturally aligned 32-bit loads and stores; other accesses are ignored (reads
 * return 0) and logged as guest errors.
 */
#ifndef HW_DISPLAY_NV_VMBIND_REGS_H
#define HW_DISPLAY_NV_VMBIND_REGS_H

/*
 * PCI identity.  0x1234 is the de-facto vendor ID of QEMU's own experimental
 * devices (edu is 1234:11e8): deliberately not NVIDIA's 0x10de, so that no
 * NVIDIA driver (nouveau, nvidia.ko) ever binds this paravirtual personality.
 */
#define NVVB_PCI_VENDOR_ID            0x1234
#define NVVB_PCI_DEVICE_ID            0x4e56      /* "NV" */
#define NVVB_PCI_SUBSYSTEM_VENDOR_ID  0x1af4      /* QEMU's subsystem vendor */
#define NVVB_PCI_SUBSYSTEM_ID         0x1100      /* QEMU's subsystem ID */
#define NVVB_PCI_CLASS                0x030200    /* display, 3D controller */
#define NVVB_PCI_REVISION             0x01

/* BARs. */
#define NVVB_BAR_MMIO                 0           /* registers, 32-bit */
#define NVVB_BAR_VRAM                 2           /* 64-bit, prefetchable */
#define NVVB_BAR_MSIX                 4           /* MSI-X table and PBA */
#define NVVB_MMIO_SIZE                0x10000u

/* VRAM size limits for the vram-size property (must be a power of two). */
#define NVVB_VRAM_SIZE_MIN            (1ull << 20)        /* 1 MiB */
#define NVVB_VRAM_SIZE_MAX            (16ull << 30)       /* 16 GiB */
#define NVVB_VRAM_SIZE_DEFAULT        (256ull << 20)      /* 256 MiB */

/* MSI-X vectors. */
#define NVVB_MSIX_VEC_FAULT           0   /* a record was written to the fault ring */
#define NVVB_MSIX_VEC_BIND            1   /* bind queue completion */
#define NVVB_MSIX_VEC_COPY            2   /* copy engine completion */
#define NVVB_MSIX_VEC_MISC            3   /* everything else */
#define NVVB_MSIX_NR_VECTORS          4

/*
 * Identification block (0x0000 - 0x00ff).
 */
#define NVVB_REG_MAGIC                0x0000      /* RO */
#define   NVVB_MAGIC_VALUE            0x4256564eu /* "NVVB" in memory order */
#define NVVB_REG_VERSION              0x0004      /* RO: major << 16 | minor */
#define   NVVB_VERSION_MAJOR          1
#define   NVVB_VERSION_MINOR          0
#define   NVVB_VERSION_VALUE          ((NVVB_VERSION_MAJOR << 16) | NVVB_VERSION_MINOR)
#define NVVB_REG_CAPS                 0x0008      /* RO: NVVB_CAP_* */
#define NVVB_REG_VRAM_SIZE_LO         0x000c      /* RO: VRAM bytes, bits 31:0 */
#define NVVB_REG_VRAM_SIZE_HI         0x0010      /* RO: VRAM bytes, bits 63:32 */
#define NVVB_REG_SCRATCH              0x0014      /* RW: no side effects */
#define NVVB_REG_RESET                0x0018      /* WO: write NVVB_RESET_VALUE */
#define   NVVB_RESET_VALUE            0x52535421u /* "!TSR" */
#define NVVB_REG_MSIX_VECTORS         0x001c      /* RO: number of MSI-X vectors */
#define NVVB_REG_INTR_STATUS          0x0020      /* RW1C: NVVB_INTR_* pending */
#define NVVB_REG_INTR_ENABLE          0x0024      /* RW: NVVB_INTR_* enabled */

/* Capability bits in NVVB_REG_CAPS: set only for what the device implements. */
#define NVVB_CAP_VRAM                 (1u << 0)   /* VRAM BAR */
#define NVVB_CAP_MSIX                 (1u << 1)   /* MSI-X vectors */

/* Interrupt causes; each is delivered on the MSI-X vector of the same name. */
#define NVVB_INTR_FAULT               (1u << NVVB_MSIX_VEC_FAULT)
#define NVVB_INTR_BIND                (1u << NVVB_MSIX_VEC_BIND)
#define NVVB_INTR_COPY                (1u << NVVB_MSIX_VEC_COPY)
#define NVVB_INTR_MISC                (1u << NVVB_MSIX_VEC_MISC)
#define NVVB_INTR_ALL                 0xfu

#endif /* HW_DISPLAY_NV_VMBIND_REGS_H */
