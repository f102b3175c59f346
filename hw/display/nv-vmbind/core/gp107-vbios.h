/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GP107: the synthetic VBIOS served through PROM (BAR0 0x300000).
 *
 * QEMU-independent core.  The image is generated, not a blob: a 4 KiB
 * legacy PCI expansion-ROM image (type 0, last image) holding a BIT
 * structure with exactly the tables Linux's nouveau needs to bring up a
 * POSTed GP107 with no display: 'i' (version), 'I' (devinit, v1), 'p' (PMU
 * table with a DEVINIT entry), 'P' (rammap v0x11 with no scripts), 'M'
 * (M0203 memory-type table) and an empty DCB 4.0.  The byte layout is in
 * docs/specs/nv-vmbind-gp107.rst; tests/unit/test-gp107-vbios.c re-checks
 * it the way nouveau parses it.
 */
#ifndef NV_VMBIND_GP107_VBIOS_H
#define NV_VMBIND_GP107_VBIOS_H

#include <stddef.h>
#include <stdint.h>

/* Size of the generated image (one 512-byte-unit PCI image of 8 blocks). */
#define NV_GP107_VBIOS_SIZE         4096

/* Offsets of the structures inside the image. */
#define NV_GP107_VBIOS_PCIR         0x040
#define NV_GP107_VBIOS_BIT          0x080
#define NV_GP107_VBIOS_BIT_I_DATA   0x100   /* 'i' */
#define NV_GP107_VBIOS_BIT_INIT     0x120   /* 'I' */
#define NV_GP107_VBIOS_BIT_PMU      0x140   /* 'p' */
#define NV_GP107_VBIOS_BIT_PERF     0x160   /* 'P' */
#define NV_GP107_VBIOS_BIT_MEM      0x180   /* 'M' */
#define NV_GP107_VBIOS_PMU_TABLE    0x200
#define NV_GP107_VBIOS_PMU_DEVINIT  0x210
#define NV_GP107_VBIOS_RAMMAP       0x280
#define NV_GP107_VBIOS_M0203        0x2c0
#define NV_GP107_VBIOS_DCB          0x300

/* VBIOS version reported by nouveau ("version 86.07.59.00.01"). */
#define NV_GP107_VBIOS_VERSION      0x86075900u

/**
 * nv_gp107_vbios_build: generate the image.
 * @buf: NV_GP107_VBIOS_SIZE bytes, overwritten
 * @vendor_id: PCI vendor ID recorded in the PCIR structure
 * @device_id: PCI device ID recorded in the PCIR structure
 * @ramcfg: the RAMCFG strap (PEXTDEV_BOOT_0 bits 5:2) the M0203 entry
 *          matches, 0..15
 *
 * The byte sum of the image is 0 (nouveau's checksum test).
 */
void nv_gp107_vbios_build(uint8_t *buf, uint16_t vendor_id,
                          uint16_t device_id, uint8_t ramcfg);

#endif /* NV_VMBIND_GP107_VBIOS_H */
