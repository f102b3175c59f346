/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libqos driver for the nv-vmbind paravirtual GPU: a qgraph node that
 * consumes "pci-bus" and produces "pci-device", with its BARs mapped.
 */

#include "qemu/osdep.h"
#include "../libqtest.h"
#include "qemu/module.h"
#include "qemu/bswap.h"
#include "libqos-malloc.h"
#include "nv-vmbind.h"

uint32_t qnvvb_readl(QNvVmbind *d, uint32_t reg)
{
    return qpci_io_readl(&d->dev, d->mmio, reg);
}

void qnvvb_writel(QNvVmbind *d, uint32_t reg, uint32_t val)
{
    qpci_io_writel(&d->dev, d->mmio, reg, val);
}

/* ---- Page-table builder ---- */

static unsigned qnvvb_target(NvGmmuAperture aper)
{
    switch (aper) {
    case NV_GMMU_APER_SYS_COH:
        return NVVB_APERTURE_SYS_COH;
    case NV_GMMU_APER_SYS_NCOH:
        return NVVB_APERTURE_SYS_NCOH;
    default:
        return NVVB_APERTURE_VID;
    }
}

void qnvgmmu_init(QNvGmmu *g, QNvVmbind *d, QGuestAllocator *alloc,
                  NvGmmuAperture aper, uint64_t vram_base)
{
    memset(g, 0, sizeof(*g));
    g->d = d;
    g->qts = d->dev.bus->qts;
    g->alloc = alloc;
    g->aper = aper;
    g->vram_next = vram_base;
    g->pd3 = qnvgmmu_alloc(g, aper, 0x1000);
}

void qnvgmmu_memwrite(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr,
                      const void *buf, size_t len)
{
    if (aper == NV_GMMU_APER_VID) {
        g_assert_cmpuint(addr + len, <=, g->d->vram_size);
        qpci_memwrite(&g->d->dev, g->d->vram, addr, buf, len);
    } else {
        qtest_memwrite(g->qts, addr, buf, len);
    }
}

void qnvgmmu_memread(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len)
{
    if (aper == NV_GMMU_APER_VID) {
        g_assert_cmpuint(addr + len, <=, g->d->vram_size);
        qpci_memread(&g->d->dev, g->d->vram, addr, buf, len);
    } else {
        qtest_memread(g->qts, addr, buf, len);
    }
}

void qnvgmmu_write64(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr,
                     uint64_t val)
{
    uint64_t le = cpu_to_le64(val);

    qnvgmmu_memwrite(g, aper, addr, &le, sizeof(le));
}

uint64_t qnvgmmu_read64(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr)
{
    uint64_t le;

    qnvgmmu_memread(g, aper, addr, &le, sizeof(le));
    return le64_to_cpu(le);
}

uint64_t qnvgmmu_alloc(QNvGmmu *g, NvGmmuAperture aper, uint64_t size)
{
    g_autofree uint8_t *zero = g_malloc0(size);
    uint64_t addr;

    size = ROUND_UP(size, 0x1000);
    if (aper == NV_GMMU_APER_VID) {
        addr = g->vram_next;
        g->vram_next += size;
    } else {
        addr = ROUND_UP(guest_alloc(g->alloc, size + 0x1000), 0x1000);
    }
    qnvgmmu_memwrite(g, aper, addr, zero, size);
    return addr;
}

/* Follows (or creates) the upper PDE at @addr, returning its table. */
static uint64_t qnvgmmu_next_table(QNvGmmu *g, NvGmmuAperture aper,
                                   uint64_t addr, NvGmmuAperture *next_aper)
{
    uint64_t pde = qnvgmmu_read64(g, aper, addr);

    if (nv_gmmu_pde_aperture(pde) == NV_GMMU_APER_NONE) {
        uint64_t t = qnvgmmu_alloc(g, g->aper, 0x1000);

        pde = nv_gmmu_pde_encode(g->aper, t, false);
        qnvgmmu_write64(g, aper, addr, pde);
    }
    *next_aper = nv_gmmu_pde_aperture(pde);
    return nv_gmmu_pde_addr(pde);
}

uint64_t qnvgmmu_entry(QNvGmmu *g, NvGmmuLevel level, uint64_t va)
{
    NvGmmuAperture aper = g->aper;
    uint64_t table = g->pd3, e, half;
    NvGmmuLevel l;

    for (l = NV_GMMU_LEVEL_PD3; ; l++) {
        e = table + (uint64_t)nv_gmmu_level_index(l, va) *
            nv_gmmu_level_entry_size(l);
        if (l == level) {
            return e;
        }
        if (l < NV_GMMU_LEVEL_PD0) {
            table = qnvgmmu_next_table(g, aper, e, &aper);
            continue;
        }
        /* PD0: the big table hangs off the low qword, small off the high. */
        g_assert(level == NV_GMMU_LEVEL_PT_BIG ||
                 level == NV_GMMU_LEVEL_PT_SMALL);
        if (level == NV_GMMU_LEVEL_PT_SMALL) {
            table = qnvgmmu_next_table(g, aper, e + 8, &aper);
        } else {
            half = qnvgmmu_read64(g, aper, e);
            if (nv_gmmu_pd0_big_aperture(half) == NV_GMMU_APER_NONE) {
                uint64_t t = qnvgmmu_alloc(g, g->aper, 0x1000);

                half = nv_gmmu_pd0_big_encode(g->aper, t, false);
                qnvgmmu_write64(g, aper, e, half);
            }
            aper = nv_gmmu_pd0_big_aperture(half);
            table = nv_gmmu_pd0_big_addr(half);
        }
        return table + (uint64_t)nv_gmmu_level_index(level, va) * 8;
    }
}

uint64_t qnvgmmu_map(QNvGmmu *g, uint64_t va, unsigned page_shift,
                     uint64_t pte)
{
    NvGmmuLevel level = page_shift == NV_GMMU_PAGE_SHIFT_2M ?
                        NV_GMMU_LEVEL_PD0 :
                        page_shift == NV_GMMU_PAGE_SHIFT_64K ?
                        NV_GMMU_LEVEL_PT_BIG : NV_GMMU_LEVEL_PT_SMALL;
    uint64_t e = qnvgmmu_entry(g, level, va);

    /*
     * Table entries sit in the tables' aperture: the builder puts every
     * table in g->aper.
     */
    qnvgmmu_write64(g, g->aper, e, pte);
    if (level == NV_GMMU_LEVEL_PD0) {
        qnvgmmu_write64(g, g->aper, e + 8, 0);
    }
    return e;
}

uint64_t qnvgmmu_inst(QNvGmmu *g, NvGmmuAperture aper, uint32_t extra_flags,
                      uint64_t adr_limit)
{
    uint64_t inst = qnvgmmu_alloc(g, aper, NV_GMMU_RAMIN_SIZE);
    uint64_t pdb = nv_gmmu_ramin_pdb_encode(qnvvb_target(g->aper), g->pd3,
                                            NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                            NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB) |
                   extra_flags;

    qnvgmmu_write64(g, aper, inst + NV_GMMU_RAMIN_PDB_LO, pdb);
    qnvgmmu_write64(g, aper, inst + NV_GMMU_RAMIN_ADR_LIMIT_LO,
                    adr_limit | 0xfff);
    return inst;
}

/* ---- Probe helpers ---- */

static void qnvvb_ctx(QNvVmbind *d, uint32_t target, uint64_t addr)
{
    qnvvb_writel(d, NVVB_REG_CTX_TARGET, target);
    qnvvb_writel(d, NVVB_REG_CTX_ADDR_LO, (uint32_t)addr);
    qnvvb_writel(d, NVVB_REG_CTX_ADDR_HI, addr >> 32);
}

void qnvvb_ctx_pdb(QNvVmbind *d, NvGmmuAperture aper, uint64_t pdb)
{
    qnvvb_ctx(d, qnvvb_target(aper), pdb);
}

void qnvvb_ctx_inst(QNvVmbind *d, NvGmmuAperture aper, uint64_t inst)
{
    qnvvb_ctx(d, qnvvb_target(aper) | NVVB_CTX_MODE_INST, inst);
}

uint32_t qnvvb_translate(QNvVmbind *d, uint64_t va, uint32_t access)
{
    qnvvb_writel(d, NVVB_REG_PROBE_VA_LO, (uint32_t)va);
    qnvvb_writel(d, NVVB_REG_PROBE_VA_HI, va >> 32);
    qnvvb_writel(d, NVVB_REG_PROBE_ACCESS, access);
    qnvvb_writel(d, NVVB_REG_PROBE_CMD, NVVB_PROBE_CMD_TRANSLATE);
    return qnvvb_readl(d, NVVB_REG_PROBE_STATUS);
}

uint32_t qnvvb_dma(QNvVmbind *d, uint32_t cmd, uint64_t va, uint64_t sysaddr,
                   uint32_t len, uint32_t access)
{
    qnvvb_writel(d, NVVB_REG_PROBE_VA_LO, (uint32_t)va);
    qnvvb_writel(d, NVVB_REG_PROBE_VA_HI, va >> 32);
    qnvvb_writel(d, NVVB_REG_PROBE_ACCESS, access);
    qnvvb_writel(d, NVVB_REG_PROBE_DMA_ADDR_LO, (uint32_t)sysaddr);
    qnvvb_writel(d, NVVB_REG_PROBE_DMA_ADDR_HI, sysaddr >> 32);
    qnvvb_writel(d, NVVB_REG_PROBE_DMA_LEN, len);
    qnvvb_writel(d, NVVB_REG_PROBE_CMD, cmd);
    return qnvvb_readl(d, NVVB_REG_PROBE_STATUS);
}

uint64_t qnvvb_probe_pa(QNvVmbind *d)
{
    return ((uint64_t)qnvvb_readl(d, NVVB_REG_PROBE_PA_HI) << 32) |
           qnvvb_readl(d, NVVB_REG_PROBE_PA_LO);
}

void qnvvb_invalidate_all(QNvVmbind *d)
{
    qnvvb_writel(d, NVVB_REG_INVALIDATE, NVVB_INVALIDATE_TRIGGER |
                 NVVB_INVALIDATE_ALL_PDB | NVVB_INVALIDATE_ALL_VA);
}

/* ---- Fault buffer ---- */

void qnvvb_fault_ring_init(QNvFaultRing *fr, QNvVmbind *d,
                           QGuestAllocator *alloc, uint32_t entries)
{
    uint64_t size = (uint64_t)entries * NVVB_FAULT_ENTRY_SIZE;

    fr->d = d;
    fr->qts = d->dev.bus->qts;
    fr->entries = entries;
    fr->base = ROUND_UP(guest_alloc(alloc, size + 0x1000), 0x1000);
    qtest_memset(fr->qts, fr->base, 0, size);
    qnvvb_writel(d, NVVB_REG_FAULT_BUF_HI, fr->base >> 32);
    qnvvb_writel(d, NVVB_REG_FAULT_BUF_LO, (uint32_t)fr->base |
                 NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS |
                 (NVVB_APERTURE_SYS_COH << NVVB_FAULT_BUF_LO_APERTURE_SHIFT));
    qnvvb_writel(d, NVVB_REG_FAULT_BUF_SIZE, entries |
                 NVVB_FAULT_BUF_SIZE_ENABLE |
                 NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR);
}

bool qnvvb_fault_pop(QNvFaultRing *fr, QNvFault *f)
{
    uint32_t get = qnvvb_readl(fr->d, NVVB_REG_FAULT_BUF_GET) &
                   NVVB_FAULT_BUF_PTR_MASK;
    uint32_t put = qnvvb_readl(fr->d, NVVB_REG_FAULT_BUF_PUT) &
                   NVVB_FAULT_BUF_PTR_MASK;
    uint64_t at = fr->base + (uint64_t)get * NVVB_FAULT_ENTRY_SIZE;
    uint32_t w[8];
    int i;

    if (get == put) {
        return false;
    }
    qtest_memread(fr->qts, at, w, sizeof(w));
    for (i = 0; i < 8; i++) {
        w[i] = le32_to_cpu(w[i]);
    }
    /*
     * NV_MMU_FAULT_BUF_ENTRY, decoded here from the manual's layout (not
     * with the device's own decoder): dwords 0/1 INST, 2/3 ADDR, 6
     * ENGINE_ID, 7 INFO.
     */
    f->inst_aper = (w[0] >> 8) & 3;
    f->inst = ((uint64_t)w[1] << 32) | (w[0] & 0xfffff000);
    f->addr = ((uint64_t)w[3] << 32) | (w[2] & 0xfffff000);
    f->engine = w[6] & 0x1ff;
    f->type = w[7] & 0x1f;
    f->access = (w[7] >> 16) & 0xf;
    f->hub = (w[7] >> 20) & 1;
    f->valid = w[7] >> 31;
    /* Consume: clear VALID, advance GET. */
    qtest_writel(fr->qts, at + 28, 0);
    qnvvb_writel(fr->d, NVVB_REG_FAULT_BUF_GET, (get + 1) % fr->entries);
    return true;
}

/* ---- Rings ---- */

void qnvring_init(QNvRing *r, QNvVmbind *d, QGuestAllocator *alloc,
                  uint32_t reg, uint32_t size)
{
    r->d = d;
    r->qts = d->dev.bus->qts;
    r->reg = reg;
    r->size = size;
    r->tail = 0;
    r->base = ROUND_UP(guest_alloc(alloc, size * NVVB_DESC_SIZE + 64), 64);
    qtest_memset(r->qts, r->base, 0, size * NVVB_DESC_SIZE);
    qnvvb_writel(d, reg + NVVB_RING_BASE_LO, (uint32_t)r->base);
    qnvvb_writel(d, reg + NVVB_RING_BASE_HI, r->base >> 32);
    qnvvb_writel(d, reg + NVVB_RING_SIZE, size);
}

uint32_t qnvring_put(QNvRing *r, const uint8_t *desc)
{
    uint8_t d[NVVB_DESC_SIZE];
    uint32_t slot = r->tail;

    memcpy(d, desc, sizeof(d));
    stl_le_p(d + NVVB_DESC_STATUS, NVVB_STATUS_PENDING);
    qtest_memwrite(r->qts, r->base + (uint64_t)slot * NVVB_DESC_SIZE, d,
                   sizeof(d));
    r->tail = (r->tail + 1) % r->size;
    return slot;
}

void qnvring_kick_wait(QNvRing *r)
{
    int i;

    qnvvb_writel(r->d, r->reg + NVVB_RING_TAIL, r->tail);
    /* The device completes in a bottom half; poll HEAD, bounded. */
    for (i = 0; i < 100000; i++) {
        if (qnvvb_readl(r->d, r->reg + NVVB_RING_HEAD) == r->tail) {
            return;
        }
        qtest_clock_step(r->qts, 1000);
    }
    g_assert_not_reached();
}

uint32_t qnvring_status(QNvRing *r, uint32_t slot)
{
    return qtest_readl(r->qts, r->base + (uint64_t)slot * NVVB_DESC_SIZE +
                       NVVB_DESC_STATUS);
}

uint32_t qnvring_exec(QNvRing *r, const uint8_t *desc)
{
    uint32_t slot = qnvring_put(r, desc);

    qnvring_kick_wait(r);
    return qnvring_status(r, slot);
}

static void qnvdesc_init(uint8_t *d, uint16_t op)
{
    memset(d, 0, NVVB_DESC_SIZE);
    stw_le_p(d + NVVB_DESC_OPCODE, op);
}

void qnvdesc_vm_create(uint8_t *d, uint32_t vm, uint64_t kstart,
                       uint64_t krange)
{
    qnvdesc_init(d, NVVB_OP_VM_CREATE);
    stl_le_p(d + NVVB_VM_ID, vm);
    stq_le_p(d + NVVB_VM_KERNEL_START, kstart);
    stq_le_p(d + NVVB_VM_KERNEL_RANGE, krange);
}

void qnvdesc_vm_destroy(uint8_t *d, uint32_t vm)
{
    qnvdesc_init(d, NVVB_OP_VM_DESTROY);
    stl_le_p(d + NVVB_VM_ID, vm);
}

void qnvdesc_bo_vram(uint8_t *d, uint16_t op, uint32_t bo, uint64_t size,
                     uint64_t vram)
{
    qnvdesc_init(d, op);
    stl_le_p(d + NVVB_BO_ID, bo);
    stl_le_p(d + NVVB_BO_PLACEMENT, NVVB_BO_VRAM);
    stq_le_p(d + NVVB_BO_SIZE, size);
    stq_le_p(d + NVVB_BO_ADDR, vram);
}

void qnvdesc_bo_sys(uint8_t *d, uint16_t op, uint32_t bo, uint64_t size,
                    uint64_t sg, uint32_t nsg)
{
    qnvdesc_init(d, op);
    stl_le_p(d + NVVB_BO_ID, bo);
    stl_le_p(d + NVVB_BO_PLACEMENT, NVVB_BO_SYSMEM);
    stq_le_p(d + NVVB_BO_SIZE, size);
    stq_le_p(d + NVVB_BO_ADDR, sg);
    stl_le_p(d + NVVB_BO_SG_COUNT, nsg);
}

void qnvdesc_bo_destroy(uint8_t *d, uint32_t bo)
{
    qnvdesc_init(d, NVVB_OP_BO_DESTROY);
    stl_le_p(d + NVVB_BO_ID, bo);
}

void qnvdesc_map(uint8_t *d, uint32_t vm, uint32_t bo, uint64_t va,
                 uint64_t range, uint64_t offset, uint32_t flags)
{
    qnvdesc_init(d, NVVB_OP_MAP);
    stl_le_p(d + NVVB_MAP_VM_ID, vm);
    stl_le_p(d + NVVB_MAP_BO_ID, bo);
    stq_le_p(d + NVVB_MAP_VA, va);
    stq_le_p(d + NVVB_MAP_RANGE, range);
    stq_le_p(d + NVVB_MAP_BO_OFFSET, offset);
    stl_le_p(d + NVVB_MAP_FLAGS, flags);
}

void qnvdesc_unmap(uint8_t *d, uint32_t vm, uint64_t va, uint64_t range,
                   uint32_t flags)
{
    qnvdesc_init(d, NVVB_OP_UNMAP);
    stl_le_p(d + NVVB_MAP_VM_ID, vm);
    stq_le_p(d + NVVB_MAP_VA, va);
    stq_le_p(d + NVVB_MAP_RANGE, range);
    stl_le_p(d + NVVB_MAP_FLAGS, flags);
}

void qnvdesc_ce(uint8_t *d, uint16_t op, uint32_t vm, uint64_t src,
                uint64_t dst, uint64_t len, uint32_t pattern, uint64_t value)
{
    qnvdesc_init(d, op);
    stl_le_p(d + NVVB_CE_VM_ID, vm);
    stl_le_p(d + NVVB_CE_PATTERN, pattern);
    stq_le_p(d + NVVB_CE_SRC_VA, src);
    stq_le_p(d + NVVB_CE_DST_VA, dst);
    stq_le_p(d + NVVB_CE_LENGTH, len);
    stq_le_p(d + NVVB_CE_SEM_VALUE, value);
}

static void qnvvb_map(QNvVmbind *d)
{
    /*
     * VRAM first: the PC bus allocator hands out 0xe0000000 upwards, and
     * a 256 MiB BAR placed after a small one would be aligned up to
     * 0xf0000000, overlapping the IOAPIC/LAPIC/BIOS ranges.
     */
    d->vram = qpci_iomap(&d->dev, NVVB_BAR_VRAM, &d->vram_size);
    d->mmio = qpci_iomap(&d->dev, NVVB_BAR_MMIO, &d->mmio_size);
}

void qnvvb_remap(QNvVmbind *d)
{
    QPCIBus *bus = d->dev.bus;

    /* Start the allocator over: the reset cleared every BAR anyway. */
    bus->mmio_alloc_ptr = 0xE0000000;
    d->dev.msix_enabled = false;
    qnvvb_map(d);
    qpci_device_enable(&d->dev);
}

void qnvvb_init(QNvVmbind *d, QPCIBus *bus, int devfn)
{
    QPCIAddress addr = {
        .vendor_id = NVVB_PCI_VENDOR_ID,
        .device_id = NVVB_PCI_DEVICE_ID,
        .devfn = devfn,
    };

    memset(d, 0, sizeof(*d));
    qpci_device_init(&d->dev, bus, &addr);
    qnvvb_map(d);
    qpci_device_enable(&d->dev);
}

static void *qnvvb_get_driver(void *obj, const char *interface)
{
    QNvVmbind *d = obj;

    if (!g_strcmp0(interface, "pci-device")) {
        return &d->dev;
    }
    fprintf(stderr, "%s not present in nv-vmbind\n", interface);
    g_assert_not_reached();
}

static void qnvvb_start_hw(QOSGraphObject *obj)
{
    QNvVmbind *d = (QNvVmbind *)obj;

    qpci_device_enable(&d->dev);
}

static void qnvvb_destructor(QOSGraphObject *obj)
{
    QNvVmbind *d = (QNvVmbind *)obj;

    if (d->dev.msix_enabled) {
        qpci_msix_disable(&d->dev);
    }
    qpci_iounmap(&d->dev, d->mmio);
    qpci_iounmap(&d->dev, d->vram);
}

static void *qnvvb_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QNvVmbind *d = g_new0(QNvVmbind, 1);

    qpci_device_init(&d->dev, pci_bus, addr);
    qnvvb_map(d);
    d->obj.get_driver = qnvvb_get_driver;
    d->obj.start_hw = qnvvb_start_hw;
    d->obj.destructor = qnvvb_destructor;
    return &d->obj;
}

static void qnvvb_register_nodes(void)
{
    QPCIAddress addr = {
        .vendor_id = NVVB_PCI_VENDOR_ID,
        .device_id = NVVB_PCI_DEVICE_ID,
        .devfn = QPCI_DEVFN(4, 0),
    };
    QOSGraphEdgeOptions opts = {
        .extra_device_opts = "addr=04.0,id=gpu0",
    };

    add_qpci_address(&opts, &addr);
    qos_node_create_driver("nv-vmbind", qnvvb_create);
    qos_node_consumes("nv-vmbind", "pci-bus", &opts);
    qos_node_produces("nv-vmbind", "pci-device");
}

libqos_init(qnvvb_register_nodes);
