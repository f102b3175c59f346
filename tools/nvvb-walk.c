/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nvvb-walk: walk NVIDIA VER2 page tables in memory images.
 *
 *   nvvb-walk --vram FILE [--sysmem FILE] --pdb APER:ADDR
 *             [--access read|write|atomic] [--priv] VA...
 *   nvvb-walk --vram FILE [--sysmem FILE] --pdb APER:ADDR --dump
 *             [--range START:END]
 *
 * VRAM file offset 0 is VRAM address 0; sysmem file offset 0 is DMA address
 * 0 (both sysmem apertures).  Output formats: docs/devel/nv-vmbind-gmmu.rst
 * ("nvvb-walk").  Exit status 0 when it ran, 2 on bad usage or unreadable
 * files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gmmu-dump.h"
#include "gmmu-fault.h"
#include "gmmu-walk.h"

typedef struct Image {
    GMappedFile *file;
    const uint8_t *data;
    uint64_t size;
} Image;

typedef struct Mem {
    Image vram;
    Image sys;
} Mem;

static bool mem_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len)
{
    Mem *m = opaque;
    const Image *img;

    switch (aper) {
    case NV_GMMU_APER_VID:
        img = &m->vram;
        break;
    case NV_GMMU_APER_SYS_COH:
    case NV_GMMU_APER_SYS_NCOH:
        img = &m->sys;
        break;
    default:
        return false;
    }
    if (addr > img->size || len > img->size - addr) {
        return false;
    }
    memcpy(buf, img->data + addr, len);
    return true;
}

static void usage_error(const char *fmt, ...)
    G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

static void usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "nvvb-walk: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'nvvb-walk --help'.\n");
    exit(2);
}

/* Decimal, or hex with 0x; the whole string must be a number. */
static bool parse_u64(const char *s, uint64_t *v)
{
    const char *digits = s;
    guint base = 10;
    char *end;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        digits = s + 2;
        base = 16;
    }
    if (!g_ascii_isxdigit(digits[0]) || (base == 10 &&
                                         !g_ascii_isdigit(digits[0]))) {
        return false;
    }
    errno = 0;
    *v = g_ascii_strtoull(digits, &end, base);
    return errno == 0 && *end == '\0';
}

static bool parse_aper_addr(const char *s, NvGmmuAperture *aper,
                            uint64_t *addr)
{
    const char *colon = strchr(s, ':');
    size_t n;

    if (!colon) {
        return false;
    }
    n = colon - s;
    if (n == 3 && !strncmp(s, "vid", 3)) {
        *aper = NV_GMMU_APER_VID;
    } else if (n == 3 && !strncmp(s, "sys", 3)) {
        *aper = NV_GMMU_APER_SYS_COH;
    } else if (n == 4 && !strncmp(s, "ncoh", 4)) {
        *aper = NV_GMMU_APER_SYS_NCOH;
    } else {
        return false;
    }
    return parse_u64(colon + 1, addr);
}

static void load_image(const char *path, Image *img)
{
    GError *err = NULL;

    img->file = g_mapped_file_new(path, false, &err);
    if (!img->file) {
        fprintf(stderr, "nvvb-walk: %s\n", err->message);
        g_error_free(err);
        exit(2);
    }
    img->data = (const uint8_t *)g_mapped_file_get_contents(img->file);
    img->size = g_mapped_file_get_length(img->file);
}

static const char *page_name(unsigned shift)
{
    switch (shift) {
    case 12:
        return "4k";
    case 16:
        return "64k";
    case 21:
        return "2m";
    case 29:
        return "512m";
    case 38:
        return "256g";
    case 47:
        return "128t";
    default:
        return "?";
    }
}

static void print_attrs(NvGmmuAperture aper, uint64_t pa, unsigned shift,
                        uint8_t kind, uint8_t flags)
{
    printf(" %s 0x%" PRIx64 " %s kind=0x%02x%s%s%s%s\n",
           nv_gmmu_aperture_name(aper), pa, page_name(shift), kind,
           flags & NV_GMMU_PTE_READ_ONLY ? " ro" : "",
           flags & NV_GMMU_PTE_PRIVILEGE ? " priv" : "",
           flags & NV_GMMU_PTE_VOL ? " vol" : "",
           flags & NV_GMMU_PTE_ATOMIC_DISABLE ? " noatomic" : "");
}

static bool print_mapping(void *opaque, const NvGmmuMapping *m)
{
    printf("0x%" PRIx64 "-0x%" PRIx64, m->va, m->va + m->size);
    if (m->sparse) {
        printf(" sparse %s\n", page_name(m->page_shift));
    } else {
        print_attrs(m->aperture, m->pa, m->page_shift, m->kind, m->flags);
    }
    return true;
}

static const char help_text[] =
"Walk NVIDIA VER2 (Pascal-Turing) GPU page tables in memory images.\n"
"\n"
"  nvvb-walk --vram FILE [--sysmem FILE] --pdb APER:ADDR\n"
"            [--access read|write|atomic] [--priv] VA...\n"
"  nvvb-walk --vram FILE [--sysmem FILE] --pdb APER:ADDR --dump\n"
"            [--range START:END]\n"
"\n"
"APER is vid, sys (coherent) or ncoh (non-coherent); --inst APER:ADDR\n"
"reads the page-directory base from an instance block instead of --pdb.\n"
"Numbers are decimal or 0x hex.  VRAM file offset 0 is VRAM address 0,\n"
"sysmem file offset 0 is DMA address 0.\n"
"\n"
"Output, one line per VA:\n"
"  0x<va> <vid|peer|sys|ncoh> 0x<pa> <4k|64k|2m> kind=0x<kk>"
"[ ro][ priv][ vol][ noatomic]\n"
"  0x<va> sparse\n"
"  0x<va> fault <NVIDIA fault type, e.g. PDE, PTE, RO_VIOLATION>\n"
"With --dump, one line per coalesced range [start, end):\n"
"  0x<start>-0x<end> <aper> 0x<pa> <page> kind=0x<kk>[ flags]\n"
"  0x<start>-0x<end> sparse <granule>\n"
"\n"
"Exit status: 0 when it ran, 2 on bad usage or unreadable files.";

int main(int argc, char **argv)
{
    char *vram_path = NULL, *sys_path = NULL, *pdb_arg = NULL;
    char *inst_arg = NULL, *access_arg = NULL, *range_arg = NULL;
    gboolean priv = false, do_dump = false;
    GOptionEntry entries[] = {
        { "vram", 0, 0, G_OPTION_ARG_FILENAME, &vram_path,
          "VRAM image (offset 0 = VRAM address 0)", "FILE" },
        { "sysmem", 0, 0, G_OPTION_ARG_FILENAME, &sys_path,
          "system memory image (offset 0 = DMA address 0)", "FILE" },
        { "pdb", 0, 0, G_OPTION_ARG_STRING, &pdb_arg,
          "page directory (PD3) base", "APER:ADDR" },
        { "inst", 0, 0, G_OPTION_ARG_STRING, &inst_arg,
          "instance block holding the PDB (instead of --pdb)", "APER:ADDR" },
        { "access", 0, 0, G_OPTION_ARG_STRING, &access_arg,
          "read (default), write or atomic", "TYPE" },
        { "priv", 0, 0, G_OPTION_ARG_NONE, &priv,
          "privileged access", NULL },
        { "dump", 0, 0, G_OPTION_ARG_NONE, &do_dump,
          "print the coalesced mappings instead of walking VAs", NULL },
        { "range", 0, 0, G_OPTION_ARG_STRING, &range_arg,
          "with --dump: VA range [START, END)", "START:END" },
        { NULL }
    };
    NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, false, false };
    GOptionContext *ctx;
    GError *err = NULL;
    Mem mem = { { 0 } };
    NvGmmuMem accessor = { mem_read, NULL, &mem };
    NvGmmuAperture aper;
    NvGmmuPdb pdb;
    bool bound = true;
    uint64_t addr;
    int i;

    ctx = g_option_context_new("VA...");
    g_option_context_set_summary(ctx, help_text);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        usage_error("%s", err->message);
    }
    g_option_context_free(ctx);

    if (!vram_path) {
        usage_error("--vram is required");
    }
    if (!!pdb_arg == !!inst_arg) {
        usage_error("give exactly one of --pdb and --inst");
    }
    if (access_arg) {
        if (!strcmp(access_arg, "read")) {
            acc.type = NV_GMMU_ACCESS_TYPE_VIRT_READ;
        } else if (!strcmp(access_arg, "write")) {
            acc.type = NV_GMMU_ACCESS_TYPE_VIRT_WRITE;
        } else if (!strcmp(access_arg, "atomic")) {
            acc.type = NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG;
        } else {
            usage_error("bad --access '%s' (read, write or atomic)",
                        access_arg);
        }
    }
    acc.priv = priv;
    if (do_dump && argc > 1) {
        usage_error("--dump takes no VAs (use --range)");
    }
    if (!do_dump && (argc < 2 || range_arg)) {
        usage_error(range_arg ? "--range needs --dump" : "no VA given");
    }
    if (!parse_aper_addr(pdb_arg ? pdb_arg : inst_arg, &aper, &addr)) {
        usage_error("bad %s '%s' (APER:ADDR, APER = vid, sys or ncoh)",
                    pdb_arg ? "--pdb" : "--inst", pdb_arg ? pdb_arg : inst_arg);
    }
    for (i = 1; i < argc; i++) {
        uint64_t va;

        if (!parse_u64(argv[i], &va)) {
            usage_error("bad VA '%s'", argv[i]);
        }
    }

    load_image(vram_path, &mem.vram);
    if (sys_path) {
        load_image(sys_path, &mem.sys);
    }

    if (pdb_arg) {
        nv_gmmu_pdb_init(&pdb, aper, addr);
    } else {
        bound = nv_gmmu_inst_decode(&accessor, aper, addr, &pdb);
    }

    if (do_dump) {
        uint64_t start = 0, end = NV_GMMU_VA_LIMIT;
        NvGmmuDumpStats st;

        if (range_arg) {
            gchar **p = g_strsplit(range_arg, ":", 2);

            if (!p[0] || !p[1] || !parse_u64(p[0], &start) ||
                !parse_u64(p[1], &end)) {
                usage_error("bad --range '%s' (START:END)", range_arg);
            }
            g_strfreev(p);
        }
        if (!bound) {
            printf("# unbound instance block: %s\n",
                   nv_gmmu_fault_type_name(
                       NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK));
        } else if (nv_gmmu_dump(&accessor, &pdb, start, end, 0, print_mapping,
                                NULL, &st) == NV_GMMU_DUMP_TRUNCATED) {
            printf("# truncated at 0x%" PRIx64 " after %" PRIu64
                   " entries\n", st.next_va, st.entries);
        }
    } else {
        for (i = 1; i < argc; i++) {
            NvGmmuWalkResult r;
            uint64_t va;

            parse_u64(argv[i], &va);
            printf("0x%" PRIx64, va);
            if (!bound) {
                printf(" fault %s\n", nv_gmmu_fault_type_name(
                           NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK));
                continue;
            }
            switch (nv_gmmu_walk(&accessor, &pdb, va, &acc, &r)) {
            case NV_GMMU_WALK_OK:
                print_attrs(r.tr.aperture, r.pa, r.tr.page_shift, r.tr.kind,
                            r.tr.flags);
                break;
            case NV_GMMU_WALK_SPARSE:
                printf(" sparse\n");
                break;
            default:
                printf(" fault %s\n", nv_gmmu_fault_type_name(r.fault_type));
                break;
            }
        }
    }

    if (mem.vram.file) {
        g_mapped_file_unref(mem.vram.file);
    }
    if (mem.sys.file) {
        g_mapped_file_unref(mem.sys.file);
    }
    g_free(vram_path);
    g_free(sys_path);
    g_free(pdb_arg);
    g_free(inst_arg);
    g_free(access_arg);
    g_free(range_arg);
    return 0;
}
