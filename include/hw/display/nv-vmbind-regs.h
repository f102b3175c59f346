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
#define NVVB_MSIX_VEC_FAULT           0   /* a fault record was written */
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
#define   NVVB_VERSION_VALUE \
    ((NVVB_VERSION_MAJOR << 16) | NVVB_VERSION_MINOR)
#define NVVB_REG_CAPS                 0x0008      /* RO: NVVB_CAP_* */
#define NVVB_REG_VRAM_SIZE_LO         0x000c      /* RO: VRAM bytes 31:0 */
#define NVVB_REG_VRAM_SIZE_HI         0x0010      /* RO: VRAM bytes 63:32 */
#define NVVB_REG_SCRATCH              0x0014      /* RW: no side effects */
#define NVVB_REG_RESET                0x0018      /* WO: NVVB_RESET_VALUE */
#define   NVVB_RESET_VALUE            0x52535421u /* "!TSR" */
#define NVVB_REG_MSIX_VECTORS         0x001c      /* RO: MSI-X vectors */
#define NVVB_REG_INTR_STATUS          0x0020      /* RW1C: NVVB_INTR_* */
#define NVVB_REG_INTR_ENABLE          0x0024      /* RW: NVVB_INTR_* enabled */

/* Capability bits in NVVB_REG_CAPS: set only for what the device implements. */
#define NVVB_CAP_VRAM                 (1u << 0)   /* VRAM BAR */
#define NVVB_CAP_MSIX                 (1u << 1)   /* MSI-X vectors */
#define NVVB_CAP_GMMU                 (1u << 2)   /* VER2 walker, invalidate */
#define NVVB_CAP_TLB                  (1u << 3)   /* TLB on (tlb=on property) */
#define NVVB_CAP_FAULT_BUF            (1u << 4)   /* fault ring */
#define NVVB_CAP_PROBE                (1u << 5)   /* TRANSLATE and DMA probes */
#define NVVB_CAP_BIND_QUEUE           (1u << 6)   /* VM contexts, bind queue */
#define NVVB_CAP_COPY_ENGINE          (1u << 7)   /* copy-engine ring */
#define NVVB_CAP_LIMITS               (1u << 8)   /* limit registers 0x04a0 */
#define NVVB_CAP_QUIET_INLINE         (1u << 9)   /* NVVB_DESC_F_QUIET */

/* Interrupt causes; each is delivered on the MSI-X vector of the same name. */
#define NVVB_INTR_FAULT               (1u << NVVB_MSIX_VEC_FAULT)
#define NVVB_INTR_BIND                (1u << NVVB_MSIX_VEC_BIND)
#define NVVB_INTR_COPY                (1u << NVVB_MSIX_VEC_COPY)
#define NVVB_INTR_MISC                (1u << NVVB_MSIX_VEC_MISC)
#define NVVB_INTR_ALL                 0xfu

/*
 * GMMU block (0x0100 - 0x01ff): invalidate and TLB.
 *
 * MMU_CTRL, INVALIDATE_PDB, INVALIDATE_UPPER_PDB and INVALIDATE have the
 * layout of NVIDIA's NV_PFB_PRI_MMU_CTRL (0x100c80), _INVALIDATE_PDB
 * (0x100cb8), _INVALIDATE_UPPER_PDB (0x100cec) and _INVALIDATE (0x100cbc), so
 * a driver's gp100-style invalidate code works unchanged.  Invalidates
 * complete synchronously: MMU_CTRL always reads PRI_FIFO_EMPTY with space.
 */
#define NVVB_REG_MMU_CTRL             0x0100      /* RO */
#define   NVVB_MMU_CTRL_PRI_FIFO_EMPTY        (1u << 15)
#define   NVVB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT  16
#define   NVVB_MMU_CTRL_PRI_FIFO_SPACE_MASK   (0xffu << 16)
#define NVVB_REG_INVALIDATE_PDB       0x0104      /* RW */
#define   NVVB_INVALIDATE_PDB_APERTURE_SYS    (1u << 1)   /* 0 = VRAM */
#define   NVVB_INVALIDATE_PDB_ADDR_SHIFT      4   /* field = PDB >> 12 */
#define NVVB_REG_INVALIDATE_UPPER_PDB 0x0108      /* RW: bits 19:0 */
#define NVVB_REG_INVALIDATE           0x010c      /* RW: write with TRIGGER */
#define   NVVB_INVALIDATE_ALL_VA              (1u << 0)
#define   NVVB_INVALIDATE_ALL_PDB             (1u << 1)
#define   NVVB_INVALIDATE_HUBTLB_ONLY         (1u << 2)
#define   NVVB_INVALIDATE_CACHE_LEVEL_SHIFT   24
#define   NVVB_INVALIDATE_CACHE_LEVEL_MASK    (7u << 24)
#define   NVVB_INVALIDATE_TRIGGER             (1u << 31)
#define NVVB_REG_INVALIDATE_VADDR     0x0110      /* RW: VA >> 12[31:0] */
#define NVVB_REG_INVALIDATE_UPPER_VADDR 0x0114    /* RW: VA >> 12, bits 63:32 */
#define NVVB_REG_TLB_HITS             0x0120      /* RO: leaf TLB hits */
#define NVVB_REG_TLB_MISSES           0x0124      /* RO: walks (misses) */
#define NVVB_REG_TLB_INVALIDATES      0x0128      /* RO: invalidates executed */
#define NVVB_REG_TLB_CAPACITY         0x012c      /* RO: entries; 0 = TLB off */

/*
 * Translation context (0x0140 - 0x017f): the address space the probes use.
 * CTX_TARGET selects a page directory directly (MODE_PDB; VA limit 2^49) or
 * an instance block whose PAGE_DIR_BASE at +0x200 is decoded on every probe
 * (MODE_INST; a bad one is an UNBOUND_INST_BLOCK fault).
 */
#define NVVB_REG_CTX_TARGET           0x0140      /* RW */
#define   NVVB_CTX_APERTURE_MASK              0x3u    /* NVVB_APERTURE_* */
#define   NVVB_CTX_MODE_INST                  (1u << 4)
#define NVVB_REG_CTX_ADDR_LO          0x0144      /* RW: bits 11:0 ignored */
#define NVVB_REG_CTX_ADDR_HI          0x0148      /* RW */

/* Target apertures, with NVIDIA's instance-block/PDB target encoding. */
#define NVVB_APERTURE_VID             0
#define NVVB_APERTURE_SYS_COH         2
#define NVVB_APERTURE_SYS_NCOH        3

/*
 * Fault buffer (0x0180 - 0x01bf), the layout of GV100's
 * NV_PFB_PRI_MMU_FAULT_BUFFER_* with physical addressing only.  Entries are
 * NVIDIA's 32-byte NV_MMU_FAULT_BUF_ENTRY (see nv-gmmu-ver2.h).  The device
 * writes the entry at PUT and advances PUT; the driver consumes at GET and
 * writes GET back.  The ring is full when PUT + 1 == GET (mod SIZE): the
 * record is dropped and OVERFLOW set in GET and PUT until written 1 to GET.
 */
#define NVVB_REG_FAULT_BUF_LO         0x0180      /* RW */
#define   NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS    (1u << 0)   /* must be 1 */
#define   NVVB_FAULT_BUF_LO_APERTURE_SHIFT    1           /* NVVB_APERTURE_* */
#define   NVVB_FAULT_BUF_LO_APERTURE_MASK     (3u << 1)
#define   NVVB_FAULT_BUF_LO_ADDR_MASK         0xfffff000u
#define NVVB_REG_FAULT_BUF_HI         0x0184      /* RW: address bits 63:32 */
#define NVVB_REG_FAULT_BUF_GET        0x0188      /* RW */
#define NVVB_REG_FAULT_BUF_PUT        0x018c      /* RO */
#define   NVVB_FAULT_BUF_PTR_MASK             0xfffffu
#define   NVVB_FAULT_BUF_GETPTR_CORRUPTED     (1u << 30)
#define   NVVB_FAULT_BUF_OVERFLOW             (1u << 31)  /* W1C in GET */
#define NVVB_REG_FAULT_BUF_SIZE       0x0190      /* RW */
#define   NVVB_FAULT_BUF_SIZE_VAL_MASK        0xfffffu    /* entries */
#define   NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR   (1u << 29)
#define   NVVB_FAULT_BUF_SIZE_SET_DEFAULT     (1u << 30)
#define   NVVB_FAULT_BUF_SIZE_ENABLE          (1u << 31)
#define   NVVB_FAULT_BUF_DEFAULT_ENTRIES      64
#define NVVB_REG_FAULT_COUNT          0x0194      /* RO: faults raised */
#define NVVB_REG_FAULT_DROPPED        0x0198      /* RO: records not written */
#define NVVB_FAULT_ENTRY_SIZE         32

/*
 * Probes (0x0200 - 0x02ff), after QEMU's iommu-testdev: translate one VA,
 * or move PROBE_DMA_LEN bytes between a GPU VA and system memory, through
 * the walker and the TLB.  Writing PROBE_CMD runs the probe synchronously;
 * results are in PROBE_STATUS and the result registers.  A fault also goes
 * to the fault buffer, with the access type of the probe.
 */
#define NVVB_REG_PROBE_VA_LO          0x0200      /* RW */
#define NVVB_REG_PROBE_VA_HI          0x0204      /* RW */
#define NVVB_REG_PROBE_ACCESS         0x0208      /* RW */
#define   NVVB_PROBE_ACCESS_TYPE_MASK         0xfu    /* NVIDIA ACCESS_TYPE */
#define   NVVB_PROBE_ACCESS_PRIV              (1u << 8)
#define NVVB_REG_PROBE_DMA_ADDR_LO    0x020c      /* RW: system memory */
#define NVVB_REG_PROBE_DMA_ADDR_HI    0x0210      /* RW */
#define NVVB_REG_PROBE_DMA_LEN        0x0214      /* RW: bytes */
#define   NVVB_PROBE_DMA_MAX                  (1u << 20)
#define NVVB_REG_PROBE_CMD            0x0218      /* WO */
#define   NVVB_PROBE_CMD_TRANSLATE            1
#define   NVVB_PROBE_CMD_DMA_READ             2   /* GPU VA -> system memory */
#define   NVVB_PROBE_CMD_DMA_WRITE            3   /* system memory -> GPU VA */
#define NVVB_REG_PROBE_STATUS         0x021c      /* RO */
#define   NVVB_PROBE_STATUS_RESULT_MASK       0xfu
#define     NVVB_PROBE_RESULT_IDLE            0
#define     NVVB_PROBE_RESULT_MAPPED          1
#define     NVVB_PROBE_RESULT_SPARSE          2
#define     NVVB_PROBE_RESULT_FAULT           3
#define     NVVB_PROBE_RESULT_BAD_CMD         4   /* command, length, access */
#define     NVVB_PROBE_RESULT_DMA_ERROR       5   /* memory unreachable */
#define   NVVB_PROBE_STATUS_FAULT_TYPE_SHIFT  8   /* NVIDIA FAULT_TYPE */
#define   NVVB_PROBE_STATUS_FAULT_TYPE_MASK   (0x1fu << 8)
#define   NVVB_PROBE_STATUS_LEVEL_SHIFT       16  /* NVVB_LEVEL_* */
#define   NVVB_PROBE_STATUS_LEVEL_MASK        (0xfu << 16)
#define   NVVB_PROBE_STATUS_TLB_HIT           (1u << 20)
#define NVVB_REG_PROBE_PA_LO          0x0220      /* RO: address of the VA */
#define NVVB_REG_PROBE_PA_HI          0x0224      /* RO */
#define NVVB_REG_PROBE_INFO           0x0228      /* RO */
#define   NVVB_PROBE_INFO_APERTURE_MASK       0x3u    /* PTE aperture code */
#define   NVVB_PROBE_INFO_PAGE_SHIFT_SHIFT    8
#define   NVVB_PROBE_INFO_PAGE_SHIFT_MASK     (0x3fu << 8)
#define   NVVB_PROBE_INFO_KIND_SHIFT          16
#define   NVVB_PROBE_INFO_KIND_MASK           (0xffu << 16)
#define   NVVB_PROBE_INFO_FLAGS_SHIFT         24  /* leaf entry bits 7:0 */
#define NVVB_REG_PROBE_PTE_LO         0x022c      /* RO: leaf entry (raw) */
#define NVVB_REG_PROBE_PTE_HI         0x0230      /* RO */
#define NVVB_REG_PROBE_ENTRY_LO       0x0234      /* RO: address of leaf or */
#define NVVB_REG_PROBE_ENTRY_HI       0x0238      /* RO: faulting entry */
#define NVVB_REG_PROBE_DMA_DONE       0x023c      /* RO: bytes moved */

/*
 * Fault records raised by the device's own clients carry MMU_CLIENT_TYPE =
 * HUB, CLIENT = 0 and this ENGINE_ID.  With CTX_TARGET in PDB mode, the
 * INST fields of a record hold the page-directory address instead.
 */
#define NVVB_FAULT_ENGINE_PROBE       0x01
#define NVVB_FAULT_ENGINE_COPY        0x02

/* Page-table levels as reported in PROBE_STATUS. */
#define NVVB_LEVEL_PD3                0
#define NVVB_LEVEL_PD2                1
#define NVVB_LEVEL_PD1                2
#define NVVB_LEVEL_PD0                3
#define NVVB_LEVEL_PT_BIG             4
#define NVVB_LEVEL_PT_SMALL           5
#define NVVB_LEVEL_NONE               15

/*
 * Rings (bind queue at 0x0400, copy engine at 0x0500).  Both are arrays of
 * SIZE 64-byte descriptors in system memory.  The driver fills descriptors
 * and writes TAIL (the index after the last one); that write is the
 * doorbell.  The device consumes from HEAD, writes each descriptor's status
 * back in place, then its fence, and advances HEAD.  Descriptors complete in
 * order; a bad descriptor completes with an error status and the ring goes
 * on.  Writing BASE or SIZE resets HEAD and TAIL to 0.
 */
#define NVVB_REG_BIND_RING            0x0400
#define NVVB_REG_CE_RING              0x0500
#define NVVB_RING_BASE_LO             0x00        /* RW: 64-byte aligned */
#define NVVB_RING_BASE_HI             0x04        /* RW */
#define NVVB_RING_SIZE                0x08        /* RW: entries, 0 = off */
#define   NVVB_RING_SIZE_MAX                  4096    /* power of two */
#define NVVB_RING_HEAD                0x0c        /* RO */
#define NVVB_RING_TAIL                0x10        /* RW: doorbell */
#define NVVB_RING_STATUS              0x14        /* RO; bits are sticky */
#define   NVVB_RING_STATUS_BAD_TAIL           (1u << 0)   /* TAIL >= SIZE */
#define   NVVB_RING_STATUS_BAD_RING           (1u << 1)   /* BASE/SIZE bad */
#define   NVVB_RING_STATUS_DMA_ERROR          (1u << 2)   /* ring unreadable */
#define NVVB_RING_COMPLETED           0x18        /* RO: descriptors done */
#define NVVB_RING_ERRORS              0x1c        /* RO: ... with status != 0 */

/* VM contexts and the page-table pool (bind queue block). */
#define NVVB_REG_MAX_VMS              0x0480      /* RO: VM ids are 0..N-1 */
#define   NVVB_MAX_VMS                        64
#define NVVB_REG_PT_POOL_BASE_LO      0x0484      /* RO: VRAM owned by the */
#define NVVB_REG_PT_POOL_BASE_HI      0x0488      /*     device for tables */
#define NVVB_REG_PT_POOL_SIZE         0x048c      /* RO: bytes */
#define NVVB_REG_PT_POOL_FREE         0x0490      /* RO: bytes free */
#define NVVB_REG_VM_PDB_SELECT        0x0494      /* RW: VM id */
#define NVVB_REG_VM_PDB_LO            0x0498      /* RO: PD3 of the selected */
#define NVVB_REG_VM_PDB_HI            0x049c      /*     VM (0 if none) */
#define NVVB_MAX_BOS                  65536       /* BO ids 1..65535 */
#define NVVB_MAX_SG_ENTRIES           65536       /* per BO */

/*
 * Resource limits (with NVVB_CAP_LIMITS).  Each is a device property; a
 * request beyond one fails with ENOSPC (BOs, scatter entries) or EINVAL
 * (ids), and MAX_VMS above reads the max-vms property.  Work per slice
 * bounds how much of the bind queue one main-loop turn executes: the ring
 * yields after the descriptor that brings the slice's page-table entries
 * (plus scatter entries read) to BIND_WORK_BUDGET; a descriptor is never
 * split.  DIVERGENCES counts binds whose page tables could not follow the
 * GPUVM (a device bug; it stays 0).
 */
#define NVVB_REG_MAX_BOS              0x04a0      /* RO: BO ids 1..N */
#define NVVB_REG_SG_MAX_ENTRIES       0x04a4      /* RO: all BOs together */
#define NVVB_REG_SG_FREE_ENTRIES      0x04a8      /* RO: not in use now */
#define NVVB_REG_SG_MAX_PER_BO        0x04ac      /* RO: NVVB_MAX_SG_ENTRIES */
#define NVVB_REG_BIND_WORK_BUDGET     0x04b0      /* RO: entries per slice */
#define NVVB_REG_BIND_SLICES          0x04b4      /* RO: slices run (wraps) */
#define NVVB_REG_DIVERGENCES          0x04b8      /* RO: see above */
#define NVVB_REG_QMP_MAX_ENTRIES      0x04bc      /* RO: QMP answer bound */
/*
 * Page-table entries one MAP, UNMAP or BO_MOVE may write (estimated before
 * anything changes, from the backing's extents and page sizes); a request
 * beyond it fails with E2BIG and must be split by the driver.
 */
#define NVVB_REG_MAX_BIND_WORK        0x04c0      /* RO: entries/request */

/*
 * Descriptors: 64 bytes, little endian.  Common header, then arguments
 * whose layout depends on the opcode.
 */
#define NVVB_DESC_SIZE                64
#define NVVB_DESC_OPCODE              0x00        /* u16 */
#define NVVB_DESC_FLAGS               0x02        /* u16 */
#define   NVVB_DESC_F_FENCE                   (1u << 0)   /* write fence */
#define   NVVB_DESC_F_INTR                    (1u << 1)   /* raise MSI-X */
/*
 * No interrupt for this descriptor if it completes inside the TAIL write
 * that made it pending (NVVB_CAP_QUIET_INLINE): the driver checks the
 * fence when the write returns.
 */
#define   NVVB_DESC_F_QUIET                   (1u << 2)
#define NVVB_DESC_STATUS              0x04        /* u32, written by device */
#define NVVB_DESC_FENCE_ADDR          0x08        /* u64: system memory */
#define NVVB_DESC_FENCE_VALUE         0x10        /* u64 */
#define NVVB_DESC_ARGS                0x18

/* Completion status: 0 or a Linux errno value. */
#define NVVB_STATUS_OK                0
#define NVVB_STATUS_ENOENT            2   /* no such sparse region */
#define NVVB_STATUS_E2BIG             7   /* beyond MAX_BIND_WORK */
#define NVVB_STATUS_EFAULT            14  /* GPU fault or unreachable memory */
#define NVVB_STATUS_EBUSY             16  /* object still in use */
#define NVVB_STATUS_EEXIST            17  /* id in use, region overlap */
#define NVVB_STATUS_ENODEV            19  /* no such VM */
#define NVVB_STATUS_EINVAL            22  /* malformed request */
#define NVVB_STATUS_ENOSPC            28  /* page-table pool exhausted */
#define NVVB_STATUS_EOPNOTSUPP        95  /* unknown opcode */
#define NVVB_STATUS_PENDING           0xffffffffu /* driver's initial value */

/* Bind queue opcodes. */
#define NVVB_OP_NOP                   0x00
#define NVVB_OP_VM_CREATE             0x01
#define NVVB_OP_VM_DESTROY            0x02
#define NVVB_OP_BO_CREATE             0x03
#define NVVB_OP_BO_DESTROY            0x04
#define NVVB_OP_MAP                   0x05
#define NVVB_OP_UNMAP                 0x06
#define NVVB_OP_BO_MOVE               0x07

/* Copy-engine opcodes (copy-engine ring only). */
#define NVVB_OP_CE_COPY               0x10
#define NVVB_OP_CE_FILL               0x11
#define NVVB_OP_CE_SEMAPHORE          0x12

/*
 * VM_CREATE / VM_DESTROY arguments.  As with nouveau's VM_INIT, a VM spans
 * [0, 2^47) and the kernel-managed range inside it is reserved: binds that
 * touch it fail with EINVAL.
 */
#define NVVB_VM_ID                    0x18        /* u32 */
#define NVVB_VM_KERNEL_START          0x20        /* u64 */
#define NVVB_VM_KERNEL_RANGE          0x28        /* u64: 0 = none */
#define NVVB_VM_VA_END                (1ull << 47)

/* BO_CREATE / BO_MOVE / BO_DESTROY arguments. */
#define NVVB_BO_ID                    0x18        /* u32, 1..65535 */
#define NVVB_BO_PLACEMENT             0x1c        /* u32 */
#define   NVVB_BO_VRAM                        0   /* ADDR = VRAM offset */
#define   NVVB_BO_SYSMEM                      1   /* ADDR = scatter list */
#define NVVB_BO_SIZE                  0x20        /* u64, 4 KiB multiple */
#define NVVB_BO_ADDR                  0x28        /* u64 */
#define NVVB_BO_SG_COUNT              0x30        /* u32 */
/* Scatter-list entry: 16 bytes, 4 KiB-aligned system-memory extents. */
#define NVVB_SG_ENTRY_SIZE            16
#define NVVB_SG_ADDR                  0x00        /* u64 */
#define NVVB_SG_LEN                   0x08        /* u64 */

/* MAP / UNMAP arguments. */
#define NVVB_MAP_VM_ID                0x18        /* u32 */
#define NVVB_MAP_BO_ID                0x1c        /* u32, 0 for SPARSE */
#define NVVB_MAP_VA                   0x20        /* u64, 4 KiB aligned */
#define NVVB_MAP_RANGE                0x28        /* u64, 4 KiB multiple */
#define NVVB_MAP_BO_OFFSET            0x30        /* u64, 4 KiB aligned */
#define NVVB_MAP_FLAGS                0x38        /* u32 */
#define   NVVB_MAP_KIND_MASK                  0xffu       /* PTE kind */
#define   NVVB_MAP_SPARSE                     (1u << 8)   /* as nouveau */
#define   NVVB_MAP_READ_ONLY                  (1u << 9)
#define   NVVB_MAP_PRIV                       (1u << 10)
#define   NVVB_MAP_NO_ATOMIC                  (1u << 11)

/* CE_COPY / CE_FILL / CE_SEMAPHORE arguments. */
#define NVVB_CE_VM_ID                 0x18        /* u32 */
#define NVVB_CE_PATTERN               0x1c        /* u32 (FILL) */
#define NVVB_CE_SRC_VA                0x20        /* u64 (COPY) */
#define NVVB_CE_DST_VA                0x28        /* u64 (COPY, FILL, SEM) */
#define NVVB_CE_LENGTH                0x30        /* u64 (COPY, FILL) */
#define NVVB_CE_SEM_VALUE             0x38        /* u64 (SEMAPHORE) */
#define   NVVB_CE_LENGTH_MAX                  (64ull << 20)

#endif /* HW_DISPLAY_NV_VMBIND_REGS_H */
