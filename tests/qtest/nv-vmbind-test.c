/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for the nv-vmbind paravirtual GPU: identification, BARs, VRAM,
 * registers, reset and property validation.
 *
 * The tests act as a bare-metal driver through libqos (see
 * libqos/nv-vmbind.c) against a real QEMU with the device.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "hw/pci/pci_regs.h"
#include "libqos/nv-vmbind.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

static void test_ident(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;

    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_VENDOR_ID), ==,
                    NVVB_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_DEVICE_ID), ==,
                    NVVB_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_CLASS_DEVICE), ==,
                    NVVB_PCI_CLASS >> 8);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    NVVB_PCI_SUBSYSTEM_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_SUBSYSTEM_ID), ==,
                    NVVB_PCI_SUBSYSTEM_ID);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_MAGIC), ==, NVVB_MAGIC_VALUE);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_VERSION), ==, NVVB_VERSION_VALUE);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_CAPS) &
                    (NVVB_CAP_VRAM | NVVB_CAP_MSIX), ==,
                    NVVB_CAP_VRAM | NVVB_CAP_MSIX);
    g_assert_cmpuint(qnvvb_readl(d, NVVB_REG_MSIX_VECTORS), ==,
                     NVVB_MSIX_NR_VECTORS);
    g_assert_cmpuint(qpci_msix_table_size(&d->dev), ==, NVVB_MSIX_NR_VECTORS);
}

static void check_bars(QNvVmbind *d, uint64_t vram_size)
{
    uint32_t bar2 = qpci_config_readl(&d->dev, PCI_BASE_ADDRESS_2);

    g_assert_cmphex(d->mmio_size, ==, NVVB_MMIO_SIZE);
    g_assert_cmphex(d->vram_size, ==, vram_size);
    /* VRAM: 64-bit, prefetchable memory BAR. */
    g_assert_cmphex(bar2 & PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    g_assert_true(bar2 & PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_VRAM_SIZE_LO), ==,
                    (uint32_t)vram_size);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_VRAM_SIZE_HI), ==,
                    vram_size >> 32);
}

static void test_bars(void *obj, void *data, QGuestAllocator *alloc)
{
    check_bars(obj, NVVB_VRAM_SIZE_DEFAULT);
}

static void test_bars_64m(void *obj, void *data, QGuestAllocator *alloc)
{
    check_bars(obj, 64 << 20);
}

static void test_vram_rw(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;
    const uint64_t offs[] = { 0, 0x1000, d->vram_size / 2,
                              d->vram_size - 64 };
    uint8_t buf[64], back[64];
    size_t i, j;

    for (i = 0; i < G_N_ELEMENTS(offs); i++) {
        for (j = 0; j < sizeof(buf); j++) {
            buf[j] = (uint8_t)(i * 37 + j * 11 + 1);
        }
        qpci_memwrite(&d->dev, d->vram, offs[i], buf, sizeof(buf));
    }
    for (i = 0; i < G_N_ELEMENTS(offs); i++) {
        for (j = 0; j < sizeof(buf); j++) {
            buf[j] = (uint8_t)(i * 37 + j * 11 + 1);
        }
        qpci_memread(&d->dev, d->vram, offs[i], back, sizeof(back));
        g_assert_cmpmem(buf, sizeof(buf), back, sizeof(back));
    }
    /* Sized accesses of every width. */
    qpci_io_writeq(&d->dev, d->vram, 0x2000, 0x0123456789abcdefull);
    g_assert_cmphex(qpci_io_readq(&d->dev, d->vram, 0x2000), ==,
                    0x0123456789abcdefull);
    g_assert_cmphex(qpci_io_readl(&d->dev, d->vram, 0x2004), ==, 0x01234567);
    g_assert_cmphex(qpci_io_readw(&d->dev, d->vram, 0x2002), ==, 0x89ab);
    g_assert_cmphex(qpci_io_readb(&d->dev, d->vram, 0x2001), ==, 0xcd);
}

static void test_scratch(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;
    const uint32_t vals[] = { 0, 0xffffffff, 0xdeadbeef, 0x00c0ffee };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vals); i++) {
        qnvvb_writel(d, NVVB_REG_SCRATCH, vals[i]);
        g_assert_cmphex(qnvvb_readl(d, NVVB_REG_SCRATCH), ==, vals[i]);
    }
}

static void test_bad_access(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;

    qnvvb_writel(d, NVVB_REG_SCRATCH, 0x11223344);
    /* Narrow, wide and misaligned accesses are ignored and read 0. */
    g_assert_cmphex(qpci_io_readb(&d->dev, d->mmio, NVVB_REG_MAGIC), ==, 0);
    g_assert_cmphex(qpci_io_readw(&d->dev, d->mmio, NVVB_REG_MAGIC), ==, 0);
    g_assert_cmphex(qpci_io_readl(&d->dev, d->mmio, NVVB_REG_MAGIC + 2), ==,
                    0);
    qpci_io_writeb(&d->dev, d->mmio, NVVB_REG_SCRATCH, 0x55);
    qpci_io_writew(&d->dev, d->mmio, NVVB_REG_SCRATCH, 0x5555);
    /* An aligned 8-byte write covering SCRATCH (0x10-0x17) is one access. */
    qpci_io_writeq(&d->dev, d->mmio, NVVB_REG_VRAM_SIZE_HI,
                   0x5555555555555555ull);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_SCRATCH), ==, 0x11223344);
    /* Read-only and unknown registers ignore writes; unknown reads are 0. */
    qnvvb_writel(d, NVVB_REG_MAGIC, 0);
    qnvvb_writel(d, NVVB_REG_VRAM_SIZE_LO, 0);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_MAGIC), ==, NVVB_MAGIC_VALUE);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_VRAM_SIZE_LO), ==,
                    (uint32_t)d->vram_size);
    qnvvb_writel(d, NVVB_MMIO_SIZE - 4, 0xffffffff);
    g_assert_cmphex(qnvvb_readl(d, NVVB_MMIO_SIZE - 4), ==, 0);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_SCRATCH), ==, 0x11223344);
}

static void test_reset_register(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;

    qnvvb_writel(d, NVVB_REG_SCRATCH, 0xcafef00d);
    qnvvb_writel(d, NVVB_REG_INTR_ENABLE, NVVB_INTR_ALL);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_INTR_ENABLE), ==, NVVB_INTR_ALL);
    qpci_io_writel(&d->dev, d->vram, 0x100, 0x5a5a5a5a);

    /* A wrong value is ignored. */
    qnvvb_writel(d, NVVB_REG_RESET, NVVB_RESET_VALUE ^ 1);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_SCRATCH), ==, 0xcafef00d);

    qnvvb_writel(d, NVVB_REG_RESET, NVVB_RESET_VALUE);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_SCRATCH), ==, 0);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_INTR_ENABLE), ==, 0);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_MAGIC), ==, NVVB_MAGIC_VALUE);
    /* VRAM survives a reset, as on hardware. */
    g_assert_cmphex(qpci_io_readl(&d->dev, d->vram, 0x100), ==, 0x5a5a5a5a);
}

static void test_system_reset(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;
    QTestState *qts = d->dev.bus->qts;

    qnvvb_writel(d, NVVB_REG_SCRATCH, 0x600dcafe);
    qnvvb_writel(d, NVVB_REG_INTR_ENABLE, NVVB_INTR_BIND);
    qpci_io_writel(&d->dev, d->vram, 0x40, 0xa5a5a5a5);

    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(qts, "RESET");
    qnvvb_remap(d);

    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_MAGIC), ==, NVVB_MAGIC_VALUE);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_SCRATCH), ==, 0);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_INTR_ENABLE), ==, 0);
    g_assert_cmphex(qpci_io_readl(&d->dev, d->vram, 0x40), ==, 0xa5a5a5a5);
    /* The machine was reset under qgraph's feet: don't reuse it. */
    qos_invalidate_command_line();
}

static void test_intr_registers(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;

    /* Only defined causes can be enabled; status is write-1-to-clear. */
    qnvvb_writel(d, NVVB_REG_INTR_ENABLE, 0xffffffff);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_INTR_ENABLE), ==, NVVB_INTR_ALL);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_INTR_STATUS), ==, 0);
    qnvvb_writel(d, NVVB_REG_INTR_STATUS, 0xffffffff);
    g_assert_cmphex(qnvvb_readl(d, NVVB_REG_INTR_STATUS), ==, 0);
}

static void test_qmp_query(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvVmbind *d = obj;
    QDict *rsp, *dev;
    QList *list;

    rsp = qtest_qmp(d->dev.bus->qts,
                    "{ 'execute': 'x-nv-vmbind-query-devices' }");
    g_assert(qdict_haskey(rsp, "return"));
    list = qdict_get_qlist(rsp, "return");
    g_assert_cmpuint(qlist_size(list), ==, 1);
    dev = qobject_to(QDict, qlist_peek(list));
    g_assert_cmpstr(qdict_get_str(dev, "id"), ==, "gpu0");
    g_assert_cmpuint(qdict_get_int(dev, "vram-size"), ==, d->vram_size);
    g_assert_cmphex(qdict_get_int(dev, "caps"), ==,
                    qnvvb_readl(d, NVVB_REG_CAPS));
    qobject_unref(rsp);
}

/*
 * Bad property values: QEMU must refuse to start and name the property.
 * This spawns its own QEMU, so it does not use the graph's instance.
 */
static void check_bad_vram(const char *value)
{
    g_autofree char *dev = g_strdup_printf("nv-vmbind,vram-size=%s", value);
    const char *argv[] = { g_getenv("QTEST_QEMU_BINARY"), "-M", "pc", "-accel",
                           "qtest", "-display", "none", "-nodefaults",
                           "-device", dev, NULL };
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &gerr));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_nonnull(strstr(err, "vram-size"));
}

static void test_bad_props(void *obj, void *data, QGuestAllocator *alloc)
{
    check_bad_vram("3M");           /* not a power of two */
    check_bad_vram("512K");         /* below 1 MiB */
    check_bad_vram("32G");          /* above 16 GiB */
    check_bad_vram("0");
    check_bad_vram("banana");       /* not a size at all */
}

static void nv_vmbind_register_tests(void)
{
    QOSGraphTestOptions opts_64m = {
        .edge.extra_device_opts = "vram-size=64M",
    };

    qos_add_test("ident", "nv-vmbind", test_ident, NULL);
    qos_add_test("bars", "nv-vmbind", test_bars, NULL);
    qos_add_test("bars-64m", "nv-vmbind", test_bars_64m, &opts_64m);
    qos_add_test("vram-rw", "nv-vmbind", test_vram_rw, NULL);
    qos_add_test("scratch", "nv-vmbind", test_scratch, NULL);
    qos_add_test("bad-access", "nv-vmbind", test_bad_access, NULL);
    qos_add_test("reset-register", "nv-vmbind", test_reset_register, NULL);
    qos_add_test("system-reset", "nv-vmbind", test_system_reset, NULL);
    qos_add_test("intr-registers", "nv-vmbind", test_intr_registers, NULL);
    qos_add_test("qmp-query-devices", "nv-vmbind", test_qmp_query, NULL);
    qos_add_test("bad-props", "nv-vmbind", test_bad_props, NULL);
}

libqos_init(nv_vmbind_register_tests);
