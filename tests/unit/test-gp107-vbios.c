/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The synthetic GP107 VBIOS (gp107-vbios.c) against an independent
 * re-implementation of the checks Linux 6.12's nouveau applies to it on
 * the probe path of a POSTed GP107 (chipset 0x137) with NvBios=PROM:
 *
 *  nvkm bios ctor   bios/shadow.c shadow_image (PROM method: 4 KiB header
 *                   fetch, image, checksum score), bios/image.c
 *                   nvbios_imagen, bios/pcir.c, bios/npde.c, bios/base.c
 *                   nvkm_bios_new (BMP absent, BIT found, 'i' version)
 *  devinit preinit  devinit/gm200.c gm200_devinit_post ('I' v1 >= 0x1c,
 *                   PMU type 0x04 via bios/pmu.c nvbios_pmuRm), _preos
 *  fb oneinit/init  fb/base.c nvkm_fb_bios_memtype (M0203), fb/ramgp100.c
 *                   gp100_ram_init (rammap v0x10/0x11, header >= 0x15)
 *  i2c/gpio ctor    bios/dcb.c dcb_table
 *  DRM              nouveau_bios.c NVInitVBIOS / parse_bit_structure ('i'
 *                   >= 15 bytes, DAC table, 'I' >= 14 bytes)
 *
 * Every read goes through checked accessors that count out-of-image reads
 * (nouveau prints "OOB" for those); each check asserts there were none.
 * Negative cases corrupt the image and show each check can fail.
 */
#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "gp107-vbios.h"

typedef struct Rom {
    const uint8_t *d;
    uint32_t size;
    unsigned oob;
} Rom;

static uint8_t rd08(Rom *r, uint32_t a)
{
    if (a >= r->size) {
        r->oob++;
        return 0;
    }
    return r->d[a];
}

static uint16_t rd16(Rom *r, uint32_t a)
{
    if (a + 2 > r->size || a + 2 < a) {
        r->oob++;
        return 0;
    }
    return r->d[a] | (r->d[a + 1] << 8);
}

static uint32_t rd32(Rom *r, uint32_t a)
{
    if (a + 4 > r->size || a + 4 < a) {
        r->oob++;
        return 0;
    }
    return rd16(r, a) | ((uint32_t)rd16(r, a + 2) << 16);
}

/* ---- shadowing: the score nouveau gives the PROM image ---- */

typedef struct Image {
    uint32_t base, size;
    uint8_t type;
    bool last;
} Image;

static bool image_parse(Rom *r, uint32_t base, Image *img)
{
    uint16_t sig = rd16(r, base), hdr;
    uint32_t pcir, npde, s;

    if (sig != 0xaa55 && sig != 0xbb77 && sig != 0x4e56) {
        return false;
    }
    pcir = rd16(r, base + 0x18);
    if (!pcir) {
        return false;
    }
    pcir += base;
    s = rd32(r, pcir);
    if (s != 0x52494350 && s != 0x53494752 && s != 0x5344504e) {
        return false;
    }
    hdr = rd16(r, pcir + 0x0a);
    img->base = base;
    img->size = rd16(r, pcir + 0x10) * 512;
    img->type = rd08(r, pcir + 0x14);
    img->last = rd08(r, pcir + 0x15) & 0x80;
    if (img->type != 0x70) {
        npde = (pcir + hdr + 0x0f) & ~0x0fu;
        if (rd32(r, npde) == 0x4544504e) {
            img->size = rd16(r, npde + 0x08) * 512;
            img->last = rd08(r, npde + 0x0a) & 0x80;
        }
    } else {
        img->last = true;
    }
    return true;
}

/* PROM fetches through a 1 MiB window; data beyond the image reads 0. */
static int shadow_score(Rom *r, uint32_t offset)
{
    Image img;
    uint8_t sum = 0;
    uint32_t i;
    int score = 1;

    /* shadow_fetch(offset + 0x1000): the window always has it. */
    if (offset + 0x1000 > 0x100000) {
        return 0;
    }
    if (!image_parse(r, offset, &img) || img.size == 0) {
        return 0;
    }
    if (img.base + img.size > r->size || img.base + img.size > 0x100000) {
        return 0;
    }
    if (img.type == 0) {
        for (i = 0; i < img.size; i++) {
            sum += r->d[img.base + i];
        }
        score += sum ? 1 : 3;   /* PROM: not rw, checksum not required */
    } else {
        score += 3;
    }
    if (!img.last) {
        score += shadow_score(r, offset + img.size);
    }
    return score;
}

static uint32_t findstr(Rom *r, const char *s, unsigned len)
{
    uint32_t i;

    for (i = 0; i + len <= r->size; i++) {
        if (!memcmp(r->d + i, s, len)) {
            return i;
        }
    }
    return 0;
}

typedef struct Bit {
    uint8_t id, version;
    uint16_t length, offset;
} Bit;

/* nvkm bit_entry(), also DRM bit_table(): the same walk. */
static int bit_entry(Rom *r, char id, Bit *b)
{
    uint32_t bit = findstr(r, "\xff\xb8" "BIT", 5), e;
    uint8_t n;

    if (!bit) {
        return -1;
    }
    n = rd08(r, bit + 10);
    e = bit + 12;
    while (n--) {
        if (rd08(r, e) == (uint8_t)id) {
            b->id = id;
            b->version = rd08(r, e + 1);
            b->length = rd16(r, e + 2);
            b->offset = rd16(r, e + 4);
            return 0;
        }
        e += rd08(r, bit + 9);
    }
    return -2;
}

/* nvbios_pmuRm(): find a PMU application; descriptor fields must be in
 * the image (nvbios_rd32 of each). */
static bool pmu_find(Rom *r, uint8_t type)
{
    Bit p;
    uint32_t t, d, e;
    uint8_t hdr, len, cnt, i;

    if (bit_entry(r, 'p', &p) || p.version != 2 || p.length < 4) {
        return false;
    }
    t = rd32(r, p.offset);
    if (!t) {
        return false;
    }
    hdr = rd08(r, t + 1);
    len = rd08(r, t + 2);
    cnt = rd08(r, t + 3);
    for (i = 0; i < cnt; i++) {
        e = t + hdr + i * len;
        if (rd08(r, e) == type && (d = rd32(r, e + 2))) {
            unsigned o;

            for (o = 0x08; o <= 0x2c; o += 4) {
                rd32(r, d + o);
            }
            return true;
        }
    }
    return false;
}

typedef struct Parsed {
    int score;
    bool bmp;
    uint32_t version;       /* major<<24 | chip<<16 | minor<<8 | micro */
    uint8_t patch;
    bool devinit_ok;
    bool preos_found;
    bool rammap_ok;
    uint8_t rammap_scripts;
    int memtype;            /* -1: not matched */
    bool dcb_ok;
    uint8_t dcb_entries;
    bool drm_ok;
    unsigned oob;
} Parsed;

static void parse_all(const uint8_t *img, uint32_t size, uint8_t ramcfg,
                      Parsed *p)
{
    Rom r = { .d = img, .size = size };
    Bit b;

    memset(p, 0, sizeof(*p));
    p->score = shadow_score(&r, 0);
    p->bmp = findstr(&r, "\xff\x7f" "NV\0", 5) != 0;
    if (!bit_entry(&r, 'i', &b) && b.length >= 4) {
        p->version = ((uint32_t)rd08(&r, b.offset + 3) << 24) |
                     (rd08(&r, b.offset + 2) << 16) |
                     (rd08(&r, b.offset + 1) << 8) | rd08(&r, b.offset);
        p->patch = rd08(&r, b.offset + 4);
    }

    /* gm200_devinit_post(post = false), then gm200_devinit_preos. */
    p->devinit_ok = !bit_entry(&r, 'I', &b) && b.version == 1 &&
                    b.length >= 0x1c && pmu_find(&r, 0x04);
    p->preos_found = pmu_find(&r, 0x01);

    /* gp100_ram_init. */
    if (!bit_entry(&r, 'P', &b) && b.version == 2) {
        uint32_t rm = rd32(&r, b.offset + 4);
        uint8_t ver = rm ? rd08(&r, rm) : 0;

        if ((ver == 0x10 || ver == 0x11) && rd08(&r, rm + 1) >= 0x15) {
            p->rammap_ok = true;
            p->rammap_scripts = rd08(&r, rm + 0x14);
            rd32(&r, rm + 0x10);
        }
    }

    /* nvkm_fb_bios_memtype -> nvbios_M0203Em(ramcfg). */
    p->memtype = -1;
    if (!bit_entry(&r, 'M', &b) && b.version == 2 && b.length > 4) {
        uint32_t t = rd16(&r, b.offset + 3);

        if (t && rd08(&r, t) == 0x10 && rd08(&r, t + 4) == 0x00) {
            uint8_t hdr = rd08(&r, t + 1), len = rd08(&r, t + 2);
            uint8_t cnt = rd08(&r, t + 3), i;

            for (i = 0; i < cnt; i++) {
                uint8_t v = rd08(&r, t + hdr + i * len);

                if ((v >> 4) == ramcfg) {
                    p->memtype = v & 0xf;
                    break;
                }
            }
        }
    }

    /* dcb_table (card_type > NV_04). */
    {
        uint16_t dcb = rd16(&r, 0x36);

        if (dcb) {
            uint8_t ver = rd08(&r, dcb);

            if (ver >= 0x30 && ver < 0x42 && rd32(&r, dcb + 6) == 0x4edcbdcb) {
                p->dcb_ok = true;
                p->dcb_entries = rd08(&r, dcb + 2);
            }
        }
    }

    /* DRM NVInitVBIOS: BIT path, parse_bit_structure. */
    p->drm_ok = false;
    if (findstr(&r, "\xff\xb8" "BIT", 5) && !bit_entry(&r, 'i', &b) &&
        b.length >= 15) {
        uint16_t dac = rd16(&r, b.offset + 13);
        bool dac_ok = true;

        rd08(&r, b.offset + 5);     /* feature byte */
        if (dac) {
            uint8_t dver = rd08(&r, dac);

            dac_ok = dver == 0x00 || dver == 0x10;
        }
        if (dac_ok && !bit_entry(&r, 'I', &b) && b.length >= 14) {
            rd16(&r, b.offset);     /* init script table pointer */
            p->drm_ok = true;
        }
        /* 'M': ram restrict fields, when long enough. */
        if (!bit_entry(&r, 'M', &b) && b.length >= 5) {
            rd08(&r, b.offset);
            rd16(&r, b.offset + 1);
        }
    }
    p->oob = r.oob;
}

static uint8_t *build(void)
{
    uint8_t *img = g_malloc(NV_GP107_VBIOS_SIZE);

    nv_gp107_vbios_build(img, 0x10de, 0x1c82, 0);
    return img;
}

static void fix_checksum(uint8_t *img)
{
    uint8_t sum = 0;
    unsigned i;

    for (i = 0; i < NV_GP107_VBIOS_SIZE - 1; i++) {
        sum += img[i];
    }
    img[NV_GP107_VBIOS_SIZE - 1] = (uint8_t)-sum;
}

static void test_generated_image(void)
{
    g_autofree uint8_t *img = build();
    Parsed p;

    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_cmpint(p.score, ==, 4);        /* image + valid checksum */
    g_assert_false(p.bmp);
    g_assert_cmphex(p.version, ==, NV_GP107_VBIOS_VERSION);
    g_assert_cmpuint(p.patch, ==, 1);
    g_assert_true(p.devinit_ok);
    g_assert_false(p.preos_found);          /* optional, absent */
    g_assert_true(p.rammap_ok);
    g_assert_cmpuint(p.rammap_scripts, ==, 0);
    g_assert_cmpint(p.memtype, ==, 3);      /* GDDR5 */
    g_assert_true(p.dcb_ok);
    g_assert_cmpuint(p.dcb_entries, ==, 0);
    g_assert_true(p.drm_ok);
    g_assert_cmpuint(p.oob, ==, 0);
    /* PCIR identity. */
    g_assert_cmphex(img[NV_GP107_VBIOS_PCIR + 4] |
                    (img[NV_GP107_VBIOS_PCIR + 5] << 8), ==, 0x10de);
}

static void test_ramcfg_strap(void)
{
    g_autofree uint8_t *img = g_malloc(NV_GP107_VBIOS_SIZE);
    Parsed p;

    nv_gp107_vbios_build(img, 0x10de, 0x1c82, 5);
    parse_all(img, NV_GP107_VBIOS_SIZE, 5, &p);
    g_assert_cmpint(p.memtype, ==, 3);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_cmpint(p.memtype, ==, -1);     /* "M0203E not matched!" */
    g_assert_cmpint(p.score, ==, 4);
}

/* The image is truncated in a 1 MiB window read as zeros past its end. */
static void test_prom_window(void)
{
    g_autofree uint8_t *img = build();
    g_autofree uint8_t *win = g_malloc0(0x2000);
    Parsed p;

    memcpy(win, img, NV_GP107_VBIOS_SIZE);
    parse_all(win, 0x2000, 0, &p);
    g_assert_cmpint(p.score, ==, 4);
    g_assert_true(p.devinit_ok && p.rammap_ok && p.drm_ok);
}

/* Each corruption must be caught by the check that guards it. */
static void test_negative(void)
{
    g_autofree uint8_t *img = build();
    Parsed p;

    /* Checksum off by one: usable, but scored 2 (nouveau warns). */
    img[0x7ff] ^= 1;
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_cmpint(p.score, ==, 2);
    img[0x7ff] ^= 1;

    /* 'i' shorter than 15: DRM fails ("BIT i table not long enough"). */
    img[NV_GP107_VBIOS_BIT + 12 + 2] = 14;
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_false(p.drm_ok);
    g_assert_true(p.devinit_ok);
    img[NV_GP107_VBIOS_BIT + 12 + 2] = 0x10;

    /* 'I' version 0: gm200_devinit_post fails. */
    img[NV_GP107_VBIOS_BIT + 18 + 1] = 0;
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_false(p.devinit_ok);
    img[NV_GP107_VBIOS_BIT + 18 + 1] = 1;

    /* No DEVINIT PMU application. */
    img[NV_GP107_VBIOS_PMU_TABLE + 4] = 0x01;
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_false(p.devinit_ok);
    g_assert_true(p.preos_found);
    img[NV_GP107_VBIOS_PMU_TABLE + 4] = 0x04;

    /* rammap header 0x14: gp100_ram_init fails. */
    img[NV_GP107_VBIOS_RAMMAP + 1] = 0x14;
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_false(p.rammap_ok);
    img[NV_GP107_VBIOS_RAMMAP + 1] = 0x15;

    /* A PMU descriptor pointer beyond the image reads out of bounds. */
    img[NV_GP107_VBIOS_PMU_TABLE + 6 + 1] = 0x20;   /* 0x2010 */
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_cmpuint(p.oob, >, 0);
    img[NV_GP107_VBIOS_PMU_TABLE + 6 + 1] = 0x02;

    /* PCIR says 16 blocks (8 KiB): the image is not all there. */
    img[NV_GP107_VBIOS_PCIR + 0x10] = 16;
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_cmpint(p.score, ==, 0);
    img[NV_GP107_VBIOS_PCIR + 0x10] = 8;

    /* Back to the original: everything passes again. */
    fix_checksum(img);
    parse_all(img, NV_GP107_VBIOS_SIZE, 0, &p);
    g_assert_cmpint(p.score, ==, 4);
    g_assert_true(p.devinit_ok && p.rammap_ok && p.drm_ok && p.dcb_ok);
}

/* Deterministic: the image is a pure function of its arguments. */
static void test_deterministic(void)
{
    g_autofree uint8_t *a = build();
    g_autofree uint8_t *b = build();

    g_assert_cmpmem(a, NV_GP107_VBIOS_SIZE, b, NV_GP107_VBIOS_SIZE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gp107-vbios/generated", test_generated_image);
    g_test_add_func("/gp107-vbios/ramcfg-strap", test_ramcfg_strap);
    g_test_add_func("/gp107-vbios/prom-window", test_prom_window);
    g_test_add_func("/gp107-vbios/negative", test_negative);
    g_test_add_func("/gp107-vbios/deterministic", test_deterministic);
    return g_test_run();
}
