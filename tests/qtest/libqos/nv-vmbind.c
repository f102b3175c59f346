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
