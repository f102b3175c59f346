/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: PCI device, BAR0 registers, VRAM, MSI-X.
 *
 * This file only translates between QEMU (QOM, PCI, MMIO, VMState) and the
 * device's registers; the register ABI is include/hw/display/nv-vmbind-regs.h
 * and docs/specs/nv-vmbind.rst documents it.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "internal.h"
#include "../common/gpu.h"
#include "../common/monitor.h"
#include "../trace.h"

uint32_t nv_vmbind_caps(NvVmbindState *s)
{
    return NVVB_CAP_VRAM | NVVB_CAP_MSIX | NVVB_CAP_GMMU |
           NVVB_CAP_FAULT_BUF | NVVB_CAP_PROBE | NVVB_CAP_BIND_QUEUE |
           NVVB_CAP_COPY_ENGINE | NVVB_CAP_LIMITS |
           (s->quiet_inline ? NVVB_CAP_QUIET_INLINE : 0) |
           (s->tlb_enabled ? NVVB_CAP_TLB : 0);
}

/*
 * The registers with storage in s->regs: the bits a write stores as they
 * are (wmask; 0 where the write has code of its own, or none), and every
 * bit the device can leave in the register (vmask), which a migration
 * load checks.  Registers not listed are computed on read or write-only.
 */
typedef struct NvVmbindRegBits {
    uint32_t wmask, vmask;
} NvVmbindRegBits;

#define RW(mask)        { (mask), (mask) }
#define RO(mask)        { 0, (mask) }
#define RING(base) \
    [((base) + NVVB_RING_BASE_LO) / 4] = RW(~0u), \
    [((base) + NVVB_RING_BASE_HI) / 4] = RW(~0u), \
    [((base) + NVVB_RING_SIZE) / 4] = RW(~0u), \
    [((base) + NVVB_RING_HEAD) / 4] = RO(NVVB_RING_SIZE_MAX - 1), \
    [((base) + NVVB_RING_TAIL) / 4] = RO(NVVB_RING_SIZE_MAX - 1), \
    [((base) + NVVB_RING_STATUS) / 4] = RO(NVVB_RING_STATUS_BAD_TAIL | \
                                           NVVB_RING_STATUS_BAD_RING | \
                                           NVVB_RING_STATUS_DMA_ERROR), \
    [((base) + NVVB_RING_COMPLETED) / 4] = RO(~0u), \
    [((base) + NVVB_RING_ERRORS) / 4] = RO(~0u)

static const NvVmbindRegBits nv_vmbind_reg_bits[NVVB_NUM_REGS] = {
    [NVVB_REG_SCRATCH / 4] = RW(~0u),
    [NVVB_REG_INTR_STATUS / 4] = RO(NVVB_INTR_ALL),            /* W1C */
    [NVVB_REG_INTR_ENABLE / 4] = RW(NVVB_INTR_ALL),
    [NVVB_REG_INVALIDATE_PDB / 4] = RW(~0u),
    [NVVB_REG_INVALIDATE_UPPER_PDB / 4] = RW(NV_GMMU_INVAL_UPPER_PDB_MASK),
    [NVVB_REG_INVALIDATE / 4] = RW(~NVVB_INVALIDATE_TRIGGER),
    [NVVB_REG_INVALIDATE_VADDR / 4] = RW(~0u),
    [NVVB_REG_INVALIDATE_UPPER_VADDR / 4] = RW(~0u),
    [NVVB_REG_TLB_INVALIDATES / 4] = RO(~0u),
    [NVVB_REG_CTX_TARGET / 4] = RW(NVVB_CTX_APERTURE_MASK | NVVB_CTX_MODE_INST),
    [NVVB_REG_CTX_ADDR_LO / 4] = RW(~0xfffu),
    [NVVB_REG_CTX_ADDR_HI / 4] = RW(~0u),
    [NVVB_REG_FAULT_BUF_LO / 4] = RW(NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS |
                                     NVVB_FAULT_BUF_LO_APERTURE_MASK |
                                     NVVB_FAULT_BUF_LO_ADDR_MASK),
    [NVVB_REG_FAULT_BUF_HI / 4] = RW(~0u),
    [NVVB_REG_FAULT_BUF_GET / 4] = RO(NVVB_FAULT_BUF_PTR_MASK |
                                      NVVB_FAULT_BUF_OVERFLOW |
                                      NVVB_FAULT_BUF_GETPTR_CORRUPTED),
    [NVVB_REG_FAULT_BUF_PUT / 4] = RO(NVVB_FAULT_BUF_PTR_MASK),
    [NVVB_REG_FAULT_BUF_SIZE / 4] = RO(NVVB_FAULT_BUF_SIZE_VAL_MASK |
                                       NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR |
                                       NVVB_FAULT_BUF_SIZE_ENABLE),
    [NVVB_REG_FAULT_COUNT / 4] = RO(~0u),
    [NVVB_REG_FAULT_DROPPED / 4] = RO(~0u),
    [NVVB_REG_PROBE_VA_LO / 4] = RW(~0u),
    [NVVB_REG_PROBE_VA_HI / 4] = RW(~0u),
    [NVVB_REG_PROBE_ACCESS / 4] = RW(NVVB_PROBE_ACCESS_TYPE_MASK |
                                     NVVB_PROBE_ACCESS_PRIV),
    [NVVB_REG_PROBE_DMA_ADDR_LO / 4] = RW(~0u),
    [NVVB_REG_PROBE_DMA_ADDR_HI / 4] = RW(~0u),
    [NVVB_REG_PROBE_DMA_LEN / 4] = RW(~0u),
    [NVVB_REG_PROBE_STATUS / 4] = RO(NVVB_PROBE_STATUS_RESULT_MASK |
                                     NVVB_PROBE_STATUS_FAULT_TYPE_MASK |
                                     NVVB_PROBE_STATUS_LEVEL_MASK |
                                     NVVB_PROBE_STATUS_TLB_HIT),
    [NVVB_REG_PROBE_PA_LO / 4] = RO(~0u),
    [NVVB_REG_PROBE_PA_HI / 4] = RO(~0u),
    [NVVB_REG_PROBE_INFO / 4] = RO(~0u),
    [NVVB_REG_PROBE_PTE_LO / 4] = RO(~0u),
    [NVVB_REG_PROBE_PTE_HI / 4] = RO(~0u),
    [NVVB_REG_PROBE_ENTRY_LO / 4] = RO(~0u),
    [NVVB_REG_PROBE_ENTRY_HI / 4] = RO(~0u),
    [NVVB_REG_PROBE_DMA_DONE / 4] = RO(~0u),
    RING(NVVB_REG_BIND_RING),
    RING(NVVB_REG_CE_RING),
    [NVVB_REG_VM_PDB_SELECT / 4] = RW(~0u),
};

void nv_vmbind_raise_intr(NvVmbindState *s, uint32_t intr)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned vec;

    NV_VMBIND_REG(s, NVVB_REG_INTR_STATUS) |= intr;
    for (vec = 0; vec < NVVB_MSIX_NR_VECTORS; vec++) {
        if ((intr & NV_VMBIND_REG(s, NVVB_REG_INTR_ENABLE) & (1u << vec)) &&
            msix_enabled(pdev)) {
            trace_nv_vmbind_irq(vec);
            msix_notify(pdev, vec);
        }
    }
}

static void nv_vmbind_reset_state(NvVmbindState *s)
{
    /* VRAM keeps its contents across reset, as on hardware. */
    memset(s->regs, 0, sizeof(s->regs));
    nv_vmbind_gmmu_reset(s);
    nv_vmbind_bind_reset(s);
}

/* A register's storage, or NULL if it has none. */
static uint32_t *nv_vmbind_reg_storage(NvVmbindState *s, hwaddr addr)
{
    if (addr / 4 >= NVVB_NUM_REGS || !nv_vmbind_reg_bits[addr / 4].vmask) {
        return NULL;
    }
    return &s->regs[addr / 4];
}

static uint64_t nv_vmbind_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    NvVmbindState *s = opaque;
    uint32_t *reg = nv_vmbind_reg_storage(s, addr);
    uint64_t val = 0;
    uint32_t v32;

    if (size != 4 || (addr & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "nv-vmbind: %u-byte read at 0x%" HWADDR_PRIx
                      " ignored (registers are 32-bit aligned)\n", size, addr);
        return 0;
    }

    /* Computed registers, then stored ones. */
    switch (addr) {
    case NVVB_REG_MAGIC:
        val = NVVB_MAGIC_VALUE;
        break;
    case NVVB_REG_VERSION:
        val = NVVB_VERSION_VALUE;
        break;
    case NVVB_REG_CAPS:
        val = nv_vmbind_caps(s);
        break;
    case NVVB_REG_VRAM_SIZE_LO:
        val = (uint32_t)s->vram_size;
        break;
    case NVVB_REG_VRAM_SIZE_HI:
        val = s->vram_size >> 32;
        break;
    case NVVB_REG_MSIX_VECTORS:
        val = NVVB_MSIX_NR_VECTORS;
        break;
    default:
        if (nv_vmbind_gmmu_read(s, addr, &v32) ||
            nv_vmbind_bind_read(s, addr, &v32)) {
            val = v32;
        } else if (reg) {
            val = *reg;
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: read of unknown "
                          "register 0x%" HWADDR_PRIx "\n", addr);
        }
        break;
    }
    trace_nv_vmbind_mmio_read(addr, size, val);
    return val;
}

static void nv_vmbind_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                 unsigned size)
{
    NvVmbindState *s = opaque;
    uint32_t *reg = nv_vmbind_reg_storage(s, addr);
    uint32_t wmask = reg ? nv_vmbind_reg_bits[addr / 4].wmask : 0;

    trace_nv_vmbind_mmio_write(addr, size, val);
    if (size != 4 || (addr & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "nv-vmbind: %u-byte write at 0x%" HWADDR_PRIx
                      " ignored (registers are 32-bit aligned)\n", size, addr);
        return;
    }
    if (wmask) {
        *reg = val & wmask;
    }

    /* Side effects. */
    switch (addr) {
    case NVVB_REG_RESET:
        if (val == NVVB_RESET_VALUE) {
            trace_nv_vmbind_reset("register");
            nv_vmbind_reset_state(s);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "nv-vmbind: RESET written with 0x%" PRIx64
                          ", expected 0x%x; ignored\n", val, NVVB_RESET_VALUE);
        }
        break;
    case NVVB_REG_INTR_STATUS:
        *reg &= ~val;
        break;
    default:
        if (nv_vmbind_gmmu_write(s, addr, val) ||
            nv_vmbind_bind_write(s, addr, val) || wmask) {
            break;
        }
        qemu_log_mask(LOG_GUEST_ERROR,
                      "nv-vmbind: write of 0x%" PRIx64 " to read-only or "
                      "unknown register 0x%" HWADDR_PRIx "\n", val, addr);
        break;
    }
}

static const MemoryRegionOps nv_vmbind_mmio_ops = {
    .read = nv_vmbind_mmio_read,
    .write = nv_vmbind_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Let odd-sized accesses reach the handlers, which reject them. */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void nv_vmbind_realize(PCIDevice *pdev, Error **errp)
{
    NvVmbindState *s = NV_VMBIND(pdev);
    int i;

    if (s->vram_size < NVVB_VRAM_SIZE_MIN ||
        s->vram_size > NVVB_VRAM_SIZE_MAX || !is_power_of_2(s->vram_size)) {
        error_setg(errp, "nv-vmbind: property 'vram-size' must be a power of "
                   "two between %llu MiB and %llu GiB (got %" PRIu64 " bytes)",
                   NVVB_VRAM_SIZE_MIN / MiB, NVVB_VRAM_SIZE_MAX / GiB,
                   s->vram_size);
        return;
    }
    if (s->tlb_entries < 1 || s->tlb_entries > NVVB_TLB_ENTRIES_MAX) {
        error_setg(errp, "nv-vmbind: property 'tlb-entries' must be between "
                   "1 and %u (got %u)", NVVB_TLB_ENTRIES_MAX, s->tlb_entries);
        return;
    }

    memory_region_init_io(&s->mmio, OBJECT(s), &nv_vmbind_mmio_ops, s,
                          "nv-vmbind-mmio", NVVB_MMIO_SIZE);
    pci_register_bar(pdev, NVVB_BAR_MMIO, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);

    /* RAM-backed so that it migrates with the RAM of the machine. */
    if (!memory_region_init_ram(&s->vram, OBJECT(s), "nv-vmbind-vram",
                                s->vram_size, errp)) {
        return;
    }
    s->vram_ptr = memory_region_get_ram_ptr(&s->vram);
    pci_register_bar(pdev, NVVB_BAR_VRAM,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->vram);

    if (msix_init_exclusive_bar(pdev, NVVB_MSIX_NR_VECTORS, NVVB_BAR_MSIX,
                                errp)) {
        return;
    }
    for (i = 0; i < NVVB_MSIX_NR_VECTORS; i++) {
        msix_vector_use(pdev, i);
    }
    nv_vmbind_gmmu_realize(s);
    if (!nv_vmbind_bind_realize(s, errp)) {
        nv_vmbind_gmmu_unrealize(s);
        msix_uninit_exclusive_bar(pdev);
        return;
    }
}

static void nv_vmbind_exit(PCIDevice *pdev)
{
    nv_vmbind_bind_unrealize(NV_VMBIND(pdev));
    nv_vmbind_gmmu_unrealize(NV_VMBIND(pdev));
    msix_uninit_exclusive_bar(pdev);
}

static void nv_vmbind_reset_hold(Object *obj, ResetType type)
{
    trace_nv_vmbind_reset("device");
    nv_vmbind_reset_state(NV_VMBIND(obj));
}

/*
 * A loaded register holds only bits its writes and the device can leave
 * (the masks above; 0 where there is no storage), then the rings and the
 * fault ring are checked as a whole.
 */
static int nv_vmbind_post_load(void *opaque, int version_id)
{
    NvVmbindState *s = opaque;
    unsigned i;
    int ret;

    for (i = 0; i < NVVB_NUM_REGS; i++) {
        if (s->regs[i] & ~nv_vmbind_reg_bits[i].vmask) {
            error_report("nv-vmbind: register 0x%x: invalid value 0x%x in "
                         "the migration stream", i * 4, s->regs[i]);
            return -EINVAL;
        }
    }
    ret = nv_vmbind_gmmu_post_load(s);
    if (!ret) {
        ret = nv_vmbind_ring_post_load(&s->bind_ring);
    }
    if (!ret) {
        ret = nv_vmbind_ring_post_load(&s->ce_ring);
    }
    return ret;
}

static const VMStateDescription vmstate_nv_vmbind = {
    .name = TYPE_NV_VMBIND,
    /* 2: all register values in one array (were named fields) */
    .version_id = 2,
    .minimum_version_id = 2,
    .post_load = nv_vmbind_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, NvVmbindState),
        VMSTATE_MSIX(parent_obj, NvVmbindState),
        VMSTATE_UINT32_ARRAY(regs, NvVmbindState, NVVB_NUM_REGS),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_nv_vmbind_objects,
        NULL
    },
};

static const Property nv_vmbind_properties[] = {
    DEFINE_PROP_SIZE("vram-size", NvVmbindState, vram_size,
                     NVVB_VRAM_SIZE_DEFAULT),
    DEFINE_PROP_BOOL("tlb", NvVmbindState, tlb_enabled, true),
    DEFINE_PROP_BOOL("quiet-inline", NvVmbindState, quiet_inline, true),
    DEFINE_PROP_UINT32("tlb-entries", NvVmbindState, tlb_entries,
                       NV_GMMU_TLB_DEFAULT_CAPACITY),
    DEFINE_PROP_SIZE("pt-pool-size", NvVmbindState, pt_pool_size, 0),
    DEFINE_PROP_UINT32("max-vms", NvVmbindState, max_vms, NVVB_MAX_VMS),
    DEFINE_PROP_UINT32("max-bos", NvVmbindState, max_bos, NVVB_MAX_BOS - 1),
    DEFINE_PROP_UINT32("max-sg-entries", NvVmbindState, max_sg_entries,
                       NVVB_SG_TOTAL_DEFAULT),
    DEFINE_PROP_UINT32("bind-work-budget", NvVmbindState, bind_work_budget,
                       NVVB_BIND_WORK_DEFAULT),
    DEFINE_PROP_UINT32("max-bind-work", NvVmbindState, max_bind_work,
                       NVVB_BIND_REQ_WORK_DEFAULT),
    /* Fault injection: the next N binds' table updates fail. */
    DEFINE_PROP_UINT32("x-fail-tables", NvVmbindState, x_fail_tables, 0),
    DEFINE_PROP_UINT32("max-qmp-entries", NvVmbindState, qmp_max_entries,
                       NVVB_QMP_ENTRIES_DEFAULT),
};

/* TYPE_NV_VMBIND_GPU: what the shared monitor commands need. */
static const NvGmmuMem *nv_vmbind_gpu_gmmu_mem(Object *obj)
{
    return &NV_VMBIND(obj)->gpu_mem.mem;
}

static uint32_t nv_vmbind_gpu_qmp_max_entries(Object *obj)
{
    return NV_VMBIND(obj)->qmp_max_entries;
}

static void nv_vmbind_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    NvvbGpuClass *gc = NV_VMBIND_GPU_CLASS(klass);

    k->realize = nv_vmbind_realize;
    k->exit = nv_vmbind_exit;
    k->vendor_id = NVVB_PCI_VENDOR_ID;
    k->device_id = NVVB_PCI_DEVICE_ID;
    k->subsystem_vendor_id = NVVB_PCI_SUBSYSTEM_VENDOR_ID;
    k->subsystem_id = NVVB_PCI_SUBSYSTEM_ID;
    k->revision = NVVB_PCI_REVISION;
    k->class_id = NVVB_PCI_CLASS >> 8;
    rc->phases.hold = nv_vmbind_reset_hold;
    dc->desc = "nv-vmbind paravirtual GPU (NVIDIA VER2 GMMU model)";
    dc->vmsd = &vmstate_nv_vmbind;
    device_class_set_props(dc, nv_vmbind_properties);
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
    gc->gmmu_mem = nv_vmbind_gpu_gmmu_mem;
    gc->qmp_max_entries = nv_vmbind_gpu_qmp_max_entries;
}

static const TypeInfo nv_vmbind_info = {
    .name = TYPE_NV_VMBIND,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(NvVmbindState),
    .class_init = nv_vmbind_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { TYPE_NV_VMBIND_GPU },
        { }
    },
};

static void nv_vmbind_register_types(void)
{
    type_register_static(&nv_vmbind_info);
}

type_init(nv_vmbind_register_types)
