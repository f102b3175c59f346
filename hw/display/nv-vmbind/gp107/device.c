/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: an NVIDIA GP107 that Linux's unmodified nouveau driver
 * binds to (noaccel: no engines run), so that nouveau's VM_BIND, built on
 * drm_gpuvm, writes real VER2 page tables the device walks and the host
 * checks.  This file is the PCI/QOM shell: BAR0 (registers,
 * regs.c), BAR1 and BAR3 (translated apertures, mmu.c), MSI
 * and INTx, VRAM, properties and reset.  docs/specs/nv-vmbind-gp107.rst
 * documents the model.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "internal.h"
#include "fifo.h"
#include "../common/gpu.h"
#include "../common/monitor.h"
#include "../trace.h"

#define NV_GP107_VRAM_MIN       (32 * MiB)
#define NV_GP107_VRAM_MAX       (4 * GiB)

/*
 * BAR0 as the guest sees it: the FIFO (fifo.c) answers the registers it
 * owns, scattered over PMC, PFIFO, PTOP, PBDMA and CCSR, and sees every
 * write after it lands; everything else goes to the unit map (s->bar0,
 * regs.c) through an address space of its own, so `info mtree` still
 * shows one region per unit.
 */
static uint64_t gp107_bar0_read(void *opaque, hwaddr addr, unsigned size)
{
    NvGp107State *s = opaque;
    uint8_t buf[8] = { 0 };
    uint64_t val;

    if (nv_gp107_fifo_read(s, addr, size, &val)) {
        trace_nv_gp107_bar0_read("FIFO", addr, size, val);
        return val;
    }
    address_space_read(&s->bar0_as, addr, MEMTXATTRS_UNSPECIFIED, buf, size);
    return ldn_le_p(buf, size);
}

static void gp107_bar0_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    NvGp107State *s = opaque;
    uint8_t buf[8];

    if (nv_gp107_fifo_write(s, addr, val, size)) {
        trace_nv_gp107_bar0_write("FIFO", addr, size, val);
    } else {
        stn_le_p(buf, size, val);
        address_space_write(&s->bar0_as, addr, MEMTXATTRS_UNSPECIFIED, buf,
                            size);
    }
    nv_gp107_fifo_bar0_written(s, addr, val);
}

/*
 * Registers are 32-bit; the VGA CRTC ports are 8-bit and PROM/PRAMIN take
 * any size up to 4.  Wider accesses are split by the memory core.
 */
static const MemoryRegionOps gp107_bar0_ops = {
    .read = gp107_bar0_read,
    .write = gp107_bar0_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void gp107_reset_state(NvGp107State *s)
{
    /* VRAM keeps its contents, as on hardware. */
    nv_gp107_regs_reset(s);
    nv_gp107_mmu_reset(s);
    nv_gp107_fifo_reset(s);
    s->unhandled = 0;
}

static void gp107_realize(PCIDevice *pdev, Error **errp)
{
    NvGp107State *s = NV_GP107(pdev);
    uint8_t *conf = pdev->config;
    Error *err = NULL;

    if (s->vram_size < NV_GP107_VRAM_MIN || s->vram_size > NV_GP107_VRAM_MAX ||
        !is_power_of_2(s->vram_size)) {
        error_setg(errp, "nv-vmbind-gp107: 'vram-size' must be a power of "
                   "two from 32 MiB to 4 GiB (got %" PRIu64 ")", s->vram_size);
        return;
    }
    if (s->bar1_size < 16 * MiB || s->bar1_size > 64 * GiB ||
        !is_power_of_2(s->bar1_size) || s->bar3_size < 16 * MiB ||
        s->bar3_size > 1 * GiB || !is_power_of_2(s->bar3_size)) {
        error_setg(errp, "nv-vmbind-gp107: 'bar1-size' (16 MiB..64 GiB) and "
                   "'bar3-size' (16 MiB..1 GiB) must be powers of two");
        return;
    }
    if (s->pdb_capacity < 1 || s->pdb_capacity > NV_GMMU_PDBSET_MAX_CAPACITY) {
        error_setg(errp, "nv-vmbind-gp107: 'pdbs' must be 1..%u",
                   NV_GMMU_PDBSET_MAX_CAPACITY);
        return;
    }
    if (s->qmp_max_entries < 1 || s->qmp_max_entries > NVVB_QMP_ENTRIES_MAX) {
        error_setg(errp, "nv-vmbind-gp107: 'max-qmp-entries' must be 1..%u",
                   NVVB_QMP_ENTRIES_MAX);
        return;
    }

    nv_gp107_vbios_build(s->vbios, NV_GP107_PCI_VENDOR_ID,
                         NV_GP107_PCI_DEVICE_ID, 0);

    /* INTx pin A: nouveau's request_irq needs an interrupt line. */
    conf[PCI_INTERRUPT_PIN] = NV_GP107_PCI_INT_PIN;

    address_space_init(&s->bar0_as, &s->bar0, "nv-gp107-bar0");
    memory_region_init_io(&s->bar0_io, OBJECT(s), &gp107_bar0_ops, s,
                          "nv-gp107-bar0-io", NV_GP107_BAR0_SIZE);
    pci_register_bar(pdev, NV_GP107_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->bar0_io);
    memory_region_init_io(&s->bar1, OBJECT(s), &nv_gp107_bar1_ops, s,
                          "nv-gp107-bar1", s->bar1_size);
    pci_register_bar(pdev, NV_GP107_BAR_FB,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->bar1);
    memory_region_init_io(&s->bar3, OBJECT(s), &nv_gp107_bar3_ops, s,
                          "nv-gp107-bar3", s->bar3_size);
    pci_register_bar(pdev, NV_GP107_BAR_INST,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->bar3);

    /* VRAM: device memory, reached only through PRAMIN, BAR1 and BAR3. */
    if (!memory_region_init_ram(&s->vram_mr, OBJECT(s), "nv-gp107-vram",
                                s->vram_size, errp)) {
        return;
    }

    if (s->msi && msi_init(pdev, 0x48, 1, true, false, &err) < 0) {
        error_propagate(errp, err);
        return;
    }
    nv_gp107_mmu_realize(s);
    nv_gp107_fifo_realize(s);
}

static void gp107_exit(PCIDevice *pdev)
{
    NvGp107State *s = NV_GP107(pdev);

    nv_gp107_fifo_unrealize(s);
    msi_uninit(pdev);
    nv_gp107_mmu_unrealize(s);
    address_space_destroy(&s->bar0_as);
    /* What a failed load allocated and left behind. */
    g_clear_pointer(&s->pdbs_mig, g_free);
}

/* BAR0 and its register tables exist from the start, as in sysbus devices. */
static void gp107_instance_init(Object *obj)
{
    nv_gp107_regs_init(NV_GP107(obj));
}

static void gp107_instance_finalize(Object *obj)
{
    nv_gp107_regs_finalize(NV_GP107(obj));
}

static void gp107_reset_hold(Object *obj, ResetType type)
{
    trace_nv_gp107_reset();
    gp107_reset_state(NV_GP107(obj));
}

static int gp107_post_load(void *opaque, int version_id)
{
    NvGp107State *s = opaque;

    /*
     * Config space travels in the stream and the PCI core checks only its
     * cmask bits, not INTERRUPT_PIN: another pin would make the next
     * interrupt abort in pci_irq_handler().
     */
    if (PCI_DEVICE(s)->config[PCI_INTERRUPT_PIN] != NV_GP107_PCI_INT_PIN) {
        error_report("nv-vmbind-gp107: interrupt pin %u in the migration "
                     "stream, expected %u",
                     PCI_DEVICE(s)->config[PCI_INTERRUPT_PIN],
                     NV_GP107_PCI_INT_PIN);
        return -EINVAL;
    }
    if (!nv_gp107_regs_post_load(s)) {
        error_report("nv-vmbind-gp107: invalid BAR0 register state in the "
                     "migration stream");
        return -EINVAL;
    }
    /* The TLB is a cache: start empty on the destination. */
    nv_gmmu_tlb_flush_all(s->tlb);
    return 0;
}

/*
 * The live-PDB set migrates as an array of plain entries built before the
 * save and checked on load as an invalidate would have left them.
 */
static const VMStateDescription vmstate_gp107_pdb = {
    .name = "nv-vmbind-gp107/pdb",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(aperture, NvGp107PdbMig),
        VMSTATE_UINT32(tag, NvGp107PdbMig),
        VMSTATE_UINT64(addr, NvGp107PdbMig),
        VMSTATE_UINT64(first_seq, NvGp107PdbMig),
        VMSTATE_UINT64(last_seq, NvGp107PdbMig),
        VMSTATE_UINT64(count, NvGp107PdbMig),
        VMSTATE_END_OF_LIST()
    },
};

static bool gp107_pdbs_needed(void *opaque)
{
    NvGp107State *s = opaque;

    return nv_gmmu_pdbset_count(s->pdbs) || nv_gmmu_pdbset_evictions(s->pdbs);
}

static int gp107_pdbs_pre_save(void *opaque)
{
    NvGp107State *s = opaque;
    unsigned cap = nv_gmmu_pdbset_capacity(s->pdbs), n, i;
    g_autofree NvGmmuPdbEntry *e = g_new(NvGmmuPdbEntry, cap);

    n = nv_gmmu_pdbset_list(s->pdbs, e, cap);
    s->pdbs_mig = g_new0(NvGp107PdbMig, n);
    for (i = 0; i < n; i++) {
        s->pdbs_mig[i] = (NvGp107PdbMig) {
            .aperture = e[i].aperture, .tag = e[i].tag, .addr = e[i].addr,
            .first_seq = e[i].first_seq, .last_seq = e[i].last_seq,
            .count = e[i].count,
        };
    }
    s->pdbs_mig_n = n;
    s->pdbs_mig_evictions = nv_gmmu_pdbset_evictions(s->pdbs);
    return 0;
}

static int gp107_pdbs_post_save(void *opaque)
{
    NvGp107State *s = opaque;

    g_clear_pointer(&s->pdbs_mig, g_free);
    s->pdbs_mig_n = 0;
    return 0;
}

/*
 * The entries a failed load allocated and left behind (post_load, which
 * frees them, runs only after a complete subsection): the array is
 * VMS_ALLOC, so the next load would overwrite the pointer.
 */
static int gp107_pdbs_pre_load(void *opaque)
{
    NvGp107State *s = opaque;

    g_clear_pointer(&s->pdbs_mig, g_free);
    s->pdbs_mig_n = 0;
    return 0;
}

/* Before the entries are allocated: no more than this set can hold. */
static bool gp107_pdbs_n_valid(void *opaque, int version_id)
{
    NvGp107State *s = opaque;

    return s->pdbs_mig_n >= 0 &&
           s->pdbs_mig_n <= nv_gmmu_pdbset_capacity(s->pdbs);
}

/*
 * An entry as invalidates leave it: an address INVALIDATE_PDB and
 * _UPPER_PDB can name (4 KiB aligned, 60 bits), a known tag, sequence
 * numbers within the device's invalidate count and at most one invalidate
 * per sequence number; the set's own rules are nv_gmmu_pdbset_restore()'s.
 */
static bool gp107_pdb_mig_valid(NvGp107State *s, const NvGp107PdbMig *m)
{
    return !(m->addr & 0xfff) &&
           (m->addr >> 12 >> 28) <= NV_GMMU_INVAL_UPPER_PDB_MASK &&
           m->tag <= NV_GP107_PDB_BAR2 && m->first_seq >= 1 &&
           m->last_seq <= s->inval_seq && m->first_seq <= m->last_seq &&
           m->count <= m->last_seq - m->first_seq + 1;
}

static int gp107_pdbs_post_load(void *opaque, int version_id)
{
    NvGp107State *s = opaque;
    g_autofree NvGmmuPdbEntry *e = g_new0(NvGmmuPdbEntry, s->pdbs_mig_n);
    bool ok = true;
    int i;

    for (i = 0; ok && i < s->pdbs_mig_n; i++) {
        const NvGp107PdbMig *m = &s->pdbs_mig[i];

        ok = gp107_pdb_mig_valid(s, m);
        e[i] = (NvGmmuPdbEntry) {
            .aperture = m->aperture, .addr = m->addr, .tag = m->tag,
            .first_seq = m->first_seq, .last_seq = m->last_seq,
            .count = m->count,
        };
    }
    ok = ok && nv_gmmu_pdbset_restore(s->pdbs, e, s->pdbs_mig_n,
                                      s->pdbs_mig_evictions);
    g_clear_pointer(&s->pdbs_mig, g_free);
    s->pdbs_mig_n = 0;
    if (!ok) {
        error_report("nv-vmbind-gp107: invalid live-PDB set in the migration "
                     "stream");
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_gp107_pdbs = {
    .name = "nv-vmbind-gp107/pdbs",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = gp107_pdbs_needed,
    .pre_save = gp107_pdbs_pre_save,
    .post_save = gp107_pdbs_post_save,
    .pre_load = gp107_pdbs_pre_load,
    .post_load = gp107_pdbs_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT32(pdbs_mig_n, NvGp107State),
        VMSTATE_VALIDATE("entries within the set's capacity",
                         gp107_pdbs_n_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(pdbs_mig, NvGp107State, pdbs_mig_n, 0,
                                    vmstate_gp107_pdb, NvGp107PdbMig),
        VMSTATE_UINT64(pdbs_mig_evictions, NvGp107State),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_nv_gp107 = {
    .name = TYPE_NV_GP107,
    /*
     * 2: every BAR0 register in regs[] (register API tables);
     * 3: regs[] holds GR's falcon configuration too
     */
    .version_id = 3,
    .minimum_version_id = 3,
    .post_load = gp107_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, NvGp107State),
        VMSTATE_UINT32_ARRAY(regs, NvGp107State, NV_GP107_NREGS),
        VMSTATE_UINT8(crtc_index, NvGp107State),
        VMSTATE_INT64(ptimer_offset, NvGp107State),
        VMSTATE_UINT64(ptimer_last, NvGp107State),
        VMSTATE_UINT64(inval_seq, NvGp107State),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_gp107_pdbs,
        NULL
    },
};

static const Property gp107_properties[] = {
    DEFINE_PROP_SIZE("vram-size", NvGp107State, vram_size, 256 * MiB),
    DEFINE_PROP_SIZE("bar1-size", NvGp107State, bar1_size,
                     NV_GP107_BAR1_SIZE_DEFAULT),
    DEFINE_PROP_SIZE("bar3-size", NvGp107State, bar3_size,
                     NV_GP107_BAR3_SIZE_DEFAULT),
    DEFINE_PROP_BOOL("msi", NvGp107State, msi, true),
    DEFINE_PROP_UINT32("pdbs", NvGp107State, pdb_capacity,
                       NV_GMMU_PDBSET_DEFAULT_CAPACITY),
    /* Test mode: corrupt the Nth PTE written to a user VMM (0 = off). */
    DEFINE_PROP_UINT32("x-corrupt-pte", NvGp107State, corrupt_pte, 0),
    /* Test mode: copy-engine writes land one 4 KiB page off. */
    DEFINE_PROP_BOOL("x-corrupt-ce", NvGp107State, corrupt_ce, false),
    DEFINE_PROP_BOOL("x-corrupt-ce-data", NvGp107State, corrupt_ce_data,
                     false),
    /* Test mode: the same for unprivileged (user) channels only. */
    DEFINE_PROP_BOOL("x-corrupt-user-ce", NvGp107State, corrupt_user_ce,
                     false),
    /* Ranges one x-nv-vmbind-query-pdbs answer holds, over all PDBs. */
    DEFINE_PROP_UINT32("max-qmp-entries", NvGp107State, qmp_max_entries,
                       NVVB_QMP_ENTRIES_DEFAULT),
};

/* TYPE_NV_VMBIND_GPU: what the shared monitor commands need. */
static const NvGmmuMem *gp107_gpu_gmmu_mem(Object *obj)
{
    return &NV_GP107(obj)->gpu_mem.mem;
}

static uint32_t gp107_gpu_qmp_max_entries(Object *obj)
{
    return NV_GP107(obj)->qmp_max_entries;
}

static void gp107_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    NvvbGpuClass *gc = NV_VMBIND_GPU_CLASS(klass);

    k->realize = gp107_realize;
    k->exit = gp107_exit;
    k->vendor_id = NV_GP107_PCI_VENDOR_ID;
    k->device_id = NV_GP107_PCI_DEVICE_ID;
    k->subsystem_vendor_id = NV_GP107_PCI_VENDOR_ID;
    k->subsystem_id = 0x0000;
    k->revision = NV_GP107_PCI_REVISION;
    k->class_id = NV_GP107_PCI_CLASS >> 8;
    rc->phases.hold = gp107_reset_hold;
    dc->desc = "NVIDIA GP107 model for nouveau (nv-vmbind, VER2 GMMU)";
    dc->vmsd = &vmstate_nv_gp107;
    device_class_set_props(dc, gp107_properties);
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
    gc->gmmu_mem = gp107_gpu_gmmu_mem;
    gc->qmp_max_entries = gp107_gpu_qmp_max_entries;
}

static const TypeInfo gp107_info = {
    .name = TYPE_NV_GP107,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(NvGp107State),
    .instance_init = gp107_instance_init,
    .instance_finalize = gp107_instance_finalize,
    .class_init = gp107_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { TYPE_NV_VMBIND_GPU },
        { }
    },
};

static void gp107_register_types(void)
{
    type_register_static(&gp107_info);
}

type_init(gp107_register_types)
