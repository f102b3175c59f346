/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GP107: synthetic VBIOS generator (see gp107-vbios.h).
 *
 * Field names follow nouveau's parsers (nvkm/subdev/bios/): every value
 * below is there because a parser on the probe path of a POSTed GP107
 * reads it; everything else is zero.
 */
#include <string.h>

#include "gp107-vbios.h"

static void put8(uint8_t *b, unsigned off, uint8_t v)
{
    b[off] = v;
}

static void put16(uint8_t *b, unsigned off, uint16_t v)
{
    b[off] = v;
    b[off + 1] = v >> 8;
}

static void put32(uint8_t *b, unsigned off, uint32_t v)
{
    put16(b, off, v);
    put16(b, off + 2, v >> 16);
}

/* One BIT table entry: id, version, data length, data pointer. */
static void bit_entry(uint8_t *b, unsigned off, char id, uint8_t ver,
                      uint16_t len, uint16_t ptr)
{
    put8(b, off, (uint8_t)id);
    put8(b, off + 1, ver);
    put16(b, off + 2, len);
    put16(b, off + 4, ptr);
}

void nv_gp107_vbios_build(uint8_t *b, uint16_t vendor_id,
                          uint16_t device_id, uint8_t ramcfg)
{
    const unsigned pcir = NV_GP107_VBIOS_PCIR;
    const unsigned bit = NV_GP107_VBIOS_BIT;
    unsigned e, i;
    uint8_t sum = 0;

    memset(b, 0, NV_GP107_VBIOS_SIZE);

    /* PCI expansion ROM header (nvbios_imagen). */
    put16(b, 0x00, 0xaa55);
    put8(b, 0x02, NV_GP107_VBIOS_SIZE / 512);   /* legacy size */
    put8(b, 0x03, 0xcb);                        /* retf: harmless entry */
    put16(b, 0x18, pcir);                       /* PCIR pointer */
    put16(b, 0x36, NV_GP107_VBIOS_DCB);         /* DCB pointer (dcb_table) */

    /*
     * PCI data structure (nvbios_pcirTp).  The NPDE probe at
     * (pcir + 0x18 + 0xf) & ~0xf = 0x60 finds zeros, so the PCIR size and
     * last flag stand.
     */
    memcpy(b + pcir, "PCIR", 4);
    put16(b, pcir + 0x04, vendor_id);
    put16(b, pcir + 0x06, device_id);
    put16(b, pcir + 0x0a, 0x18);                /* structure length */
    put8(b, pcir + 0x0c, 0x03);                 /* structure revision */
    put8(b, pcir + 0x0d, 0x00);                 /* class: 3D controller */
    put8(b, pcir + 0x0e, 0x02);
    put8(b, pcir + 0x0f, 0x03);
    put16(b, pcir + 0x10, NV_GP107_VBIOS_SIZE / 512);  /* image length */
    put16(b, pcir + 0x12, 0x0001);              /* code revision */
    put8(b, pcir + 0x14, 0x00);                 /* code type: x86 */
    put8(b, pcir + 0x15, 0x80);                 /* last image */

    /* BIT header: signature, version 1.0, header 12, entry 6, 5 entries. */
    memcpy(b + bit, "\xff\xb8" "BIT", 6);       /* includes the NUL */
    put16(b, bit + 0x06, 0x0100);
    put8(b, bit + 0x08, 12);
    put8(b, bit + 0x09, 6);
    put8(b, bit + 0x0a, 5);
    e = bit + 12;
    bit_entry(b, e, 'i', 0, 0x10, NV_GP107_VBIOS_BIT_I_DATA);
    bit_entry(b, e + 6, 'I', 1, 0x1c, NV_GP107_VBIOS_BIT_INIT);
    bit_entry(b, e + 12, 'p', 2, 0x04, NV_GP107_VBIOS_BIT_PMU);
    bit_entry(b, e + 18, 'P', 2, 0x20, NV_GP107_VBIOS_BIT_PERF);
    bit_entry(b, e + 24, 'M', 2, 0x05, NV_GP107_VBIOS_BIT_MEM);

    /*
     * 'i': version micro, minor, chip, major, patch; feature byte 0; DAC
     * load-detect table pointer (+13) 0.
     */
    put32(b, NV_GP107_VBIOS_BIT_I_DATA, NV_GP107_VBIOS_VERSION);
    put8(b, NV_GP107_VBIOS_BIT_I_DATA + 4, 0x01);

    /* 'I': all script pointers 0 -- only read when POSTing. */

    /* 'p' v2: u32 pointer to the PMU table. */
    put32(b, NV_GP107_VBIOS_BIT_PMU, NV_GP107_VBIOS_PMU_TABLE);
    /*
     * PMU table: version 1, header 4, entry 6, 1 entry; the entry is the
     * DEVINIT application (type 0x04), whose descriptor lies in-image.
     */
    put8(b, NV_GP107_VBIOS_PMU_TABLE + 0, 0x01);
    put8(b, NV_GP107_VBIOS_PMU_TABLE + 1, 4);
    put8(b, NV_GP107_VBIOS_PMU_TABLE + 2, 6);
    put8(b, NV_GP107_VBIOS_PMU_TABLE + 3, 1);
    put8(b, NV_GP107_VBIOS_PMU_TABLE + 4, 0x04);
    put32(b, NV_GP107_VBIOS_PMU_TABLE + 6, NV_GP107_VBIOS_PMU_DEVINIT);

    /* 'P' v2: +0 perf table 0, +4 rammap, +0x10 therm 0. */
    put32(b, NV_GP107_VBIOS_BIT_PERF + 4, NV_GP107_VBIOS_RAMMAP);
    /* rammap v0x11, header 0x15, no entries, no scripts (+0x10, +0x14). */
    put8(b, NV_GP107_VBIOS_RAMMAP + 0, 0x11);
    put8(b, NV_GP107_VBIOS_RAMMAP + 1, 0x15);

    /* 'M' v2: +0 restrict count 0, +1 restrict table 0, +3 M0203. */
    put16(b, NV_GP107_VBIOS_BIT_MEM + 3, NV_GP107_VBIOS_M0203);
    /*
     * M0203 v0x10, header 7, entry 2, 1 entry, type 0 (RAMCFG); the entry
     * maps strap @ramcfg to memory type 3 (GDDR5).
     */
    put8(b, NV_GP107_VBIOS_M0203 + 0, 0x10);
    put8(b, NV_GP107_VBIOS_M0203 + 1, 7);
    put8(b, NV_GP107_VBIOS_M0203 + 2, 2);
    put8(b, NV_GP107_VBIOS_M0203 + 3, 1);
    put8(b, NV_GP107_VBIOS_M0203 + 4, 0);
    put8(b, NV_GP107_VBIOS_M0203 + 7, ((ramcfg & 0xf) << 4) | 0x3);

    /* DCB 4.0 with no entries (dcb_table: signature at +6). */
    put8(b, NV_GP107_VBIOS_DCB + 0, 0x40);
    put8(b, NV_GP107_VBIOS_DCB + 1, 0x17);
    put8(b, NV_GP107_VBIOS_DCB + 2, 0);
    put8(b, NV_GP107_VBIOS_DCB + 3, 8);
    put32(b, NV_GP107_VBIOS_DCB + 6, 0x4edcbdcb);

    /* Checksum: the last byte makes the image sum to 0. */
    for (i = 0; i < NV_GP107_VBIOS_SIZE - 1; i++) {
        sum += b[i];
    }
    b[NV_GP107_VBIOS_SIZE - 1] = (uint8_t)-sum;
}
