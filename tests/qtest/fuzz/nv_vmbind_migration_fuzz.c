/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU fuzz target "nv-vmbind-migration": the device sections of both
 * devices' migration streams, the one input the management side (not the
 * guest) controls.  Once, the devices are given real state through
 * qtest-style accesses -- nv-vmbind: rings, a VM, BOs in VRAM, mappings, a
 * sparse region; nv-vmbind-gp107: page tables, BAR1/BAR3 bound,
 * invalidates -- and each device section is saved into a buffer.
 *
 * Input: a byte selecting the device (bit 0) and the mode (bits 2:1):
 * 0: (u16 offset, u8 value) patches to the saved section; 1: the rest of
 * the input replaces the section; 2: the saved section less its last u16
 * bytes (a truncated stream); 3: as 0.  The section is loaded with
 * vmstate_load_state() from a QEMUFile over a buffer channel, as the
 * incoming migration does.  A refused stream must leave nothing behind a
 * reset cannot clear; an accepted one must leave a device that works: a
 * doorbell on each ring (nv-vmbind) or a BAR1 access and an invalidate
 * (gp107) complete, and QMP answers.  Then the device is reset and the
 * saved section loads again (it must).  Hangs: libFuzzer's -timeout.
 */
#include "qemu/osdep.h"

#include "hw/pci/pci_device.h"
#include "hw/qdev-core.h"
#include "io/channel-buffer.h"
#include "migration/vmstate.h"
#include "../migration/qemu-file.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "qom/object.h"
#include "tests/qtest/libqtest.h"
#include "tests/qtest/libqos/libqos-malloc.h"
#include "tests/qtest/libqos/malloc-pc.h"
#include "tests/qtest/libqos/nv-vmbind.h"
#include "tests/qtest/libqos/pci-pc.h"
#include "hw/display/nv-gmmu-ver2.h"
#include "hw/display/nv-gp107.h"
#include "fuzz.h"

#define PV_DEVFN    QPCI_DEVFN(4, 0)
#define GP_DEVFN    QPCI_DEVFN(5, 0)
#define GP_INST     0x010000
#define GP_PD3      0x011000
#define GP_PD2      0x012000
#define GP_PD1      0x013000
#define GP_PD0      0x014000
#define GP_SPT      0x015000

typedef struct Section {
    const char *path;
    DeviceState *dev;
    const VMStateDescription *vmsd;
    uint8_t *data;
    size_t len;
    /* What a fresh destination has and a reset does not restore. */
    int32_t pci_version;        /* PCIDevice.version_id */
    uint8_t *pci_config;
} Section;

static Section sections[2] = {
    { "/machine/peripheral/pv0" },
    { "/machine/peripheral/gp0" },
};

static QGuestAllocator alloc;
static QPCIBus *bus;
static QNvVmbind pv;
static QPCIDevice *gp;
static QPCIBar gp_bar0, gp_bar1;

static void gp_wr(uint32_t reg, uint32_t val)
{
    qpci_io_writel(gp, gp_bar0, reg, val);
}

static void gp_vram_wr64(uint64_t addr, uint64_t val)
{
    gp_wr(NV_PBUS_BAR0_WINDOW, addr >> 16);
    gp_wr(NV_PRAMIN_BASE + (addr & 0xffff), val);
    gp_wr(NV_PRAMIN_BASE + (addr & 0xffff) + 4, val >> 32);
}

static void gp_invalidate(uint64_t pdb)
{
    gp_wr(NV_PFB_MMU_INVALIDATE_PDB, (uint32_t)((pdb >> 12) << 4));
    gp_wr(NV_PFB_MMU_INVALIDATE_UPPER_PDB, (uint32_t)(pdb >> 40));
    gp_wr(NV_PFB_MMU_INVALIDATE, 0x80000001);
}

/* State a driver would leave: what the sections then carry. */
static void setup_pv(QTestState *s)
{
    uint8_t d[NVVB_DESC_SIZE];
    QNvRing bind, ce;
    unsigned i;

    qnvvb_init(&pv, bus, PV_DEVFN);
    qnvring_init(&bind, &pv, &alloc, NVVB_REG_BIND_RING, 64);
    qnvring_init(&ce, &pv, &alloc, NVVB_REG_CE_RING, 16);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 1, 0x200000, 0x400000);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 2, 0x10000, 0x800000);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    qnvdesc_vm_create(d, 0, 0, 0);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    qnvdesc_map(d, 0, 0, 0x100000000ULL, 0x40000000, 0, NVVB_MAP_SPARSE);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    for (i = 0; i < 8; i++) {
        qnvdesc_map(d, 0, 1 + i % 2, 0x100000ULL * (i + 1), 0x1000,
                    (i / 2) * 0x1000ULL, 0);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    }
    qnvdesc_map(d, 0, 1, 0x40000000ULL, 0x200000, 0, 0);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
}

static void setup_gp(QTestState *s)
{
    gp = qpci_device_find(bus, GP_DEVFN);
    g_assert_nonnull(gp);
    qpci_device_enable(gp);
    gp_bar0 = qpci_iomap(gp, NV_GP107_BAR_REGS, NULL);
    gp_bar1 = qpci_iomap(gp, NV_GP107_BAR_FB, NULL);
    gp_vram_wr64(GP_INST + NV_GMMU_RAMIN_PDB_LO,
                 nv_gmmu_ramin_pdb_encode(0, GP_PD3,
                                          NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                          NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    gp_vram_wr64(GP_INST + NV_GMMU_RAMIN_ADR_LIMIT_LO,
                 nv_gmmu_ramin_limit_encode((16 << 20) - 1));
    gp_vram_wr64(GP_PD3, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD2, false));
    gp_vram_wr64(GP_PD2, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD1, false));
    gp_vram_wr64(GP_PD1, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD0, false));
    gp_vram_wr64(GP_PD0 + 8, nv_gmmu_pd0_small_encode(NV_GMMU_APER_VID,
                                                      GP_SPT, false));
    gp_vram_wr64(GP_SPT, nv_gmmu_pte_encode(NV_GMMU_APER_VID, 0x200000, 0,
                                            0));
    gp_wr(NV_PBUS_BAR1_BLOCK, NV_PBUS_BLOCK_MODE_VIRTUAL | (GP_INST >> 12));
    gp_wr(NV_PBUS_BAR2_BLOCK, NV_PBUS_BLOCK_MODE_VIRTUAL | (GP_INST >> 12));
    gp_invalidate(GP_PD3);
    gp_invalidate(0x30000);
    qpci_io_writel(gp, gp_bar1, 0x10, 0x12345678);
}

static void section_save(Section *sec)
{
    QIOChannelBuffer *bioc = qio_channel_buffer_new(4096);
    QEMUFile *f = qemu_file_new_output(QIO_CHANNEL(bioc));

    sec->dev = DEVICE(object_resolve_path(sec->path, NULL));
    g_assert_nonnull(sec->dev);
    sec->vmsd = DEVICE_GET_CLASS(sec->dev)->vmsd;
    sec->pci_version = PCI_DEVICE(sec->dev)->version_id;
    sec->pci_config = g_memdup2(PCI_DEVICE(sec->dev)->config,
                                pci_config_size(PCI_DEVICE(sec->dev)));
    g_assert_nonnull(sec->vmsd);
    g_assert_cmpint(vmstate_save_state(f, sec->vmsd, sec->dev, NULL), ==, 0);
    qemu_fflush(f);
    sec->len = bioc->usage;
    sec->data = g_memdup2(bioc->data, bioc->usage);
    qemu_fclose(f);
    object_unref(OBJECT(bioc));
}

static int section_load(Section *sec, const uint8_t *data, size_t len)
{
    QIOChannelBuffer *bioc = qio_channel_buffer_new(len);
    QEMUFile *f;
    int ret;

    if (len) {
        qio_channel_write_all(QIO_CHANNEL(bioc), (const char *)data, len,
                              &error_abort);
        qio_channel_io_seek(QIO_CHANNEL(bioc), 0, SEEK_SET, &error_abort);
    }
    f = qemu_file_new_input(QIO_CHANNEL(bioc));
    ret = vmstate_load_state(f, sec->vmsd, sec->dev, sec->vmsd->version_id);
    qemu_fclose(f);
    object_unref(OBJECT(bioc));
    return ret;
}

static void migration_pre_fuzz(QTestState *s)
{
    pc_alloc_init(&alloc, s, ALLOC_NO_FLAGS);
    bus = qpci_new_pc(s, &alloc);
    setup_pv(s);
    setup_gp(s);
    flush_events(s);
    section_save(&sections[0]);
    section_save(&sections[1]);
}

/*
 * An accepted stream: the device must still work, and its monitor
 * commands answer (called directly: the in-process fuzzer has no QMP).
 * The BARs are used where setup mapped them: a stream may move them
 * (config space is in it), and accesses that miss are harmless.
 */
static void exercise(QTestState *s, unsigned which)
{
    if (which == 0) {
        static const uint32_t rings[] = {
            NVVB_REG_BIND_RING, NVVB_REG_CE_RING
        };
        unsigned i;

        for (i = 0; i < G_N_ELEMENTS(rings); i++) {
            uint32_t tail = qnvvb_readl(&pv, rings[i] + NVVB_RING_TAIL);

            qnvvb_writel(&pv, rings[i] + NVVB_RING_TAIL, tail);
            flush_events(s);
            qnvvb_readl(&pv, rings[i] + NVVB_RING_HEAD);
        }
        qapi_free_NvVmbindVmInfoList(qmp_x_nv_vmbind_query_vms("pv0",
                                                               &error_abort));
    } else {
        qpci_io_readl(gp, gp_bar1, 0x10);
        qpci_io_writel(gp, gp_bar1, 0x20, 1);
        gp_invalidate(GP_PD3);
        flush_events(s);
        qapi_free_NvVmbindPdbs(qmp_x_nv_vmbind_query_pdbs("gp0", false, false,
                                                          &error_abort));
    }
}

static void migration_fuzz(QTestState *s, const unsigned char *data,
                           size_t size)
{
    unsigned which, mode;
    Section *sec;
    g_autofree uint8_t *stream = NULL;
    uint32_t irq_state;
    size_t len;
    int ret;

    if (!size) {
        return;
    }
    which = data[0] & 1;
    mode = data[0] >> 1 & 3;
    sec = &sections[which];
    data++;
    size--;
    if (mode == 1) {
        stream = g_memdup2(data, size);
        len = size;
    } else if (mode == 2) {
        stream = g_memdup2(sec->data, sec->len);
        len = sec->len - MIN(sec->len, size >= 2 ? lduw_le_p(data) : 1);
    } else {
        stream = g_memdup2(sec->data, sec->len);
        len = sec->len;
        for (; size >= 3 && len; data += 3, size -= 3) {
            stream[lduw_le_p(data) % len] = data[2];
        }
    }
    irq_state = PCI_DEVICE(sec->dev)->irq_state;
    ret = section_load(sec, stream, len);
    /*
     * INTx levels are counted by the bus too, in the bus's own section,
     * which this target does not load: keep the device's in step with it.
     */
    PCI_DEVICE(sec->dev)->irq_state = irq_state;
    if (ret == 0) {
        exercise(s, which);
    }
    /*
     * Back to the saved state, as a fresh destination: QEMU exits after a
     * refused incoming stream, so what the refused load wrote where a
     * reset does not reach -- config space (read-only bytes included) and
     * PCIDevice.version_id, which the next load is checked against -- is
     * put back first; then a reset, and the saved section loads.
     */
    memcpy(PCI_DEVICE(sec->dev)->config, sec->pci_config,
           pci_config_size(PCI_DEVICE(sec->dev)));
    PCI_DEVICE(sec->dev)->version_id = sec->pci_version;
    fuzz_reset(s);
    g_assert_cmpint(section_load(sec, sec->data, sec->len), ==, 0);
}

static GString *migration_cmdline(FuzzTarget *t)
{
    return g_string_new(TARGET_NAME " -machine pc,accel=qtest -m 128M "
                        "-display none "
                        "-device nv-vmbind,id=pv0,addr=04.0 "
                        "-device nv-vmbind-gp107,id=gp0,addr=05.0,"
                        "vram-size=32M,bar1-size=16M,bar3-size=16M");
}

static void register_nv_vmbind_migration_fuzz(void)
{
    fuzz_add_target(&(FuzzTarget){
        .name = "nv-vmbind-migration",
        .description = "nv-vmbind and nv-vmbind-gp107: mutated device "
                       "sections of a real migration stream, loaded",
        .get_init_cmdline = migration_cmdline,
        .pre_fuzz = migration_pre_fuzz,
        .fuzz = migration_fuzz,
    });
}

fuzz_target_init(register_nv_vmbind_migration_fuzz);
