/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers for the GMMU core, see gmmu-fake.h.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-fake.h"

static uint8_t *fake_ptr(FakeMem *fm, NvGmmuAperture aper, uint64_t addr,
                         uint64_t len)
{
    uint8_t *base;
    uint64_t size;

    switch (aper) {
    case NV_GMMU_APER_VID:
        base = fm->vram;
        size = fm->vram_size;
        break;
    case NV_GMMU_APER_SYS_COH:
    case NV_GMMU_APER_SYS_NCOH:
        base = fm->sys;
        size = fm->sys_size;
        break;
    default:
        return NULL;
    }
    if (addr > size || len > size - addr) {
        return NULL;
    }
    return base + addr;
}

static bool fake_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                      void *buf, size_t len)
{
    FakeMem *fm = opaque;
    uint8_t *p;

    fm->reads++;
    if (aper == NV_GMMU_APER_PEER) {
        fm->peer_reads++;
    }
    if (fm->fail_after >= 0 && fm->reads > (unsigned)fm->fail_after) {
        return false;
    }
    p = fake_ptr(fm, aper, addr, len);
    if (!p) {
        return false;
    }
    memcpy(buf, p, len);
    return true;
}

static bool fake_write(void *opaque, NvGmmuAperture aper, uint64_t addr,
                       const void *buf, size_t len)
{
    uint8_t *p = fake_ptr(opaque, aper, addr, len);

    if (!p) {
        return false;
    }
    memcpy(p, buf, len);
    return true;
}

void *fake_host_ptr(void *opaque, NvGmmuAperture aper, uint64_t addr,
                    uint64_t len, bool write)
{
    FakeMem *fm = opaque;
    uint8_t *p;

    if (fm->fail_after >= 0) {
        return NULL;
    }
    p = fake_ptr(fm, aper, addr, len);
    fm->host_ptrs += p != NULL;
    return p;
}

void fake_host_written(void *opaque, NvGmmuAperture aper, uint64_t addr,
                       uint64_t len)
{
    FakeMem *fm = opaque;

    g_assert_nonnull(fake_ptr(fm, aper, addr, len));
    fm->host_written += len;
}

void fake_init(FakeMem *fm, uint64_t vram_size, uint64_t sys_size)
{
    memset(fm, 0, sizeof(*fm));
    fm->vram = g_malloc0(vram_size);
    fm->vram_size = vram_size;
    fm->sys = g_malloc0(sys_size ? sys_size : 1);
    fm->sys_size = sys_size;
    /* Keep address 0 unused so that a zero entry never looks valid. */
    fm->vram_next = 0x1000;
    fm->sys_next = 0x1000;
    fm->fail_after = -1;
    fm->mem.read = fake_read;
    fm->mem.write = fake_write;
    fm->mem.opaque = fm;
}

void fake_free(FakeMem *fm)
{
    g_free(fm->vram);
    g_free(fm->sys);
}

uint64_t fake_alloc(FakeMem *fm, NvGmmuAperture aper, uint64_t size,
                    uint64_t align)
{
    uint64_t *next = aper == NV_GMMU_APER_VID ? &fm->vram_next : &fm->sys_next;
    uint64_t addr = (*next + align - 1) & ~(align - 1);
    uint8_t *p = fake_ptr(fm, aper, addr, size);

    g_assert_nonnull(p);
    memset(p, 0, size);
    *next = addr + size;
    return addr;
}

void fake_w64(FakeMem *fm, NvGmmuAperture aper, uint64_t addr, uint64_t v)
{
    uint8_t b[8];
    int i;

    for (i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    g_assert_true(fake_write(fm, aper, addr, b, 8));
}

void fake_w32(FakeMem *fm, NvGmmuAperture aper, uint64_t addr, uint32_t v)
{
    uint8_t b[4];
    int i;

    for (i = 0; i < 4; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    g_assert_true(fake_write(fm, aper, addr, b, 4));
}

uint64_t fake_r64(FakeMem *fm, NvGmmuAperture aper, uint64_t addr)
{
    uint8_t *p = fake_ptr(fm, aper, addr, 8);
    uint64_t v = 0;
    int i;

    g_assert_nonnull(p);
    for (i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

void fake_wpd0(FakeMem *fm, NvGmmuAperture aper, uint64_t addr, NvGmmuPd0 e)
{
    fake_w64(fm, aper, addr, e.lo);
    fake_w64(fm, aper, addr + 8, e.hi);
}

void fake_vm_init(FakeVm *vm, FakeMem *fm, NvGmmuAperture table_aper)
{
    vm->fm = fm;
    vm->table_aper = table_aper;
    nv_gmmu_pdb_init(&vm->pdb, table_aper,
                     fake_alloc(fm, table_aper, 0x1000, 0x1000));
}

uint64_t fake_vm_entry(FakeVm *vm, uint64_t va, NvGmmuLevel level)
{
    FakeMem *fm = vm->fm;
    NvGmmuAperture aper = vm->pdb.aperture;
    uint64_t table = vm->pdb.addr;
    uint64_t e, lo, hi, ea;
    int l;

    for (l = NV_GMMU_LEVEL_PD3; l < (int)level && l <= NV_GMMU_LEVEL_PD1;
         l++) {
        ea = table + (uint64_t)nv_gmmu_level_index(l, va) * 8;
        e = fake_r64(fm, aper, ea);
        if (nv_gmmu_pde_aperture(e) == NV_GMMU_APER_NONE) {
            uint64_t t = fake_alloc(fm, vm->table_aper, 0x1000, 0x1000);

            e = nv_gmmu_pde_encode(vm->table_aper, t,
                                   vm->table_aper == NV_GMMU_APER_SYS_COH);
            fake_w64(fm, aper, ea, e);
        }
        aper = nv_gmmu_pde_aperture(e);
        table = nv_gmmu_pde_addr(e);
    }
    if (level <= NV_GMMU_LEVEL_PD0) {
        return table + (uint64_t)nv_gmmu_level_index(level, va) *
                       nv_gmmu_level_entry_size(level);
    }

    /* A PT below PD0: make sure the right half of the dual PDE exists. */
    ea = table + (uint64_t)nv_gmmu_level_index(NV_GMMU_LEVEL_PD0, va) * 16;
    lo = fake_r64(fm, aper, ea);
    hi = fake_r64(fm, aper, ea + 8);
    if (level == NV_GMMU_LEVEL_PT_BIG) {
        if (nv_gmmu_pd0_is_pte(lo) ||
            nv_gmmu_pd0_big_aperture(lo) == NV_GMMU_APER_NONE) {
            uint64_t t = fake_alloc(fm, vm->table_aper, 0x100, 0x100);

            lo = nv_gmmu_pd0_big_encode(vm->table_aper, t, false);
            fake_w64(fm, aper, ea, lo);
        }
        return nv_gmmu_pd0_big_addr(lo) +
               (uint64_t)nv_gmmu_level_index(level, va) * 8;
    }
    if (nv_gmmu_pd0_is_pte(lo)) {
        fake_w64(fm, aper, ea, 0);
    }
    if (nv_gmmu_pd0_small_aperture(hi) == NV_GMMU_APER_NONE) {
        uint64_t t = fake_alloc(fm, vm->table_aper, 0x1000, 0x1000);

        hi = nv_gmmu_pd0_small_encode(vm->table_aper, t, false);
        fake_w64(fm, aper, ea + 8, hi);
    }
    return nv_gmmu_pd0_small_addr(hi) +
           (uint64_t)nv_gmmu_level_index(level, va) * 8;
}

/* Aperture of the table holding @level's entry for @va (after creation). */
static NvGmmuAperture fake_vm_entry_aper(FakeVm *vm, uint64_t va,
                                         NvGmmuLevel level)
{
    /* Every table this builder creates lives in table_aper; the root is
     * the PDB. */
    return level == NV_GMMU_LEVEL_PD3 ? vm->pdb.aperture : vm->table_aper;
}

void fake_vm_set(FakeVm *vm, uint64_t va, NvGmmuLevel level, uint64_t v)
{
    uint64_t ea = fake_vm_entry(vm, va, level);

    fake_w64(vm->fm, fake_vm_entry_aper(vm, va, level), ea, v);
}

void fake_vm_map(FakeVm *vm, uint64_t va, unsigned shift, uint64_t pte)
{
    NvGmmuLevel level = shift == NV_GMMU_PAGE_SHIFT_4K ? NV_GMMU_LEVEL_PT_SMALL
                      : shift == NV_GMMU_PAGE_SHIFT_64K ? NV_GMMU_LEVEL_PT_BIG
                      : NV_GMMU_LEVEL_PD0;
    uint64_t ea = fake_vm_entry(vm, va, level);
    NvGmmuAperture aper = fake_vm_entry_aper(vm, va, level);

    if (level == NV_GMMU_LEVEL_PD0) {
        fake_wpd0(vm->fm, aper, ea, nv_gmmu_pd0_encode_pte(pte));
    } else {
        fake_w64(vm->fm, aper, ea, pte);
    }
}
