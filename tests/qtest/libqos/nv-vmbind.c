/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libqos driver for the nv-vmbind paravirtual GPU: a qgraph node that
 * consumes "pci-bus" and produces "pci-device", with its BARs mapped.
 */

#include "qemu/osdep.h"
#include "../libqtest.h"
#include "qemu/module.h"
#include "nv-vmbind.h"

uint32_t qnvvb_readl(QNvVmbind *d, uint32_t reg)
{
    return qpci_io_readl(&d->dev, d->mmio, reg);
}

void qnvvb_writel(QNvVmbind *d, uint32_t reg, uint32_t val)
{
    qpci_io_writel(&d->dev, d->mmio, reg, val);
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
