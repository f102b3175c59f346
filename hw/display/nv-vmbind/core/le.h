/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind core: little-endian loads and stores.
 *
 * Page tables, instance blocks, fault-buffer entries and the page-table
 * manager's migration blob are little-endian byte arrays whatever the
 * host's byte order; the core reads and writes them only through these.
 * For core .c files (the QEMU glue has ldq_le_p() and friends).
 */
#ifndef NV_VMBIND_LE_H
#define NV_VMBIND_LE_H

#include <stdint.h>

static inline uint32_t ld_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t ld_le64(const uint8_t *p)
{
    return ld_le32(p) | (uint64_t)ld_le32(p + 4) << 32;
}

static inline void st_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void st_le64(uint8_t *p, uint64_t v)
{
    st_le32(p, (uint32_t)v);
    st_le32(p + 4, (uint32_t)(v >> 32));
}

#endif /* NV_VMBIND_LE_H */
