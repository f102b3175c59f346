/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nvvb-walk end to end: build VRAM/sysmem images with the VER2 encoders,
 * run the tool (path in argv[1]) and compare its exact output.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "gmmu-fake.h"

#define VID     NV_GMMU_APER_VID
#define PEER    NV_GMMU_APER_PEER
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

static const char *tool;
static char *dir, *vram_path, *sys_path, *pdb_arg, *inst_arg;

static void build_images(void)
{
    FakeMem fm;
    FakeVm vm;
    uint64_t inst;
    unsigned i;
    GError *err = NULL;

    /* Tables in VRAM, and the PD3 itself in sysmem for variety. */
    fake_init(&fm, 1 << 20, 1 << 16);
    fake_vm_init(&vm, &fm, VID);
    nv_gmmu_pdb_init(&vm.pdb, SYS, fake_alloc(&fm, SYS, 0x1000, 0x1000));

    fake_vm_map(&vm, 0x100000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0x06));
    fake_vm_map(&vm, 0x101000, 12,
                nv_gmmu_pte_encode(SYS, 0x6000, NV_GMMU_PTE_READ_ONLY |
                                   NV_GMMU_PTE_VOL, 0));
    fake_vm_map(&vm, 0x102000, 12,
                nv_gmmu_pte_encode(NCOH, 0x7000, NV_GMMU_PTE_PRIVILEGE |
                                   NV_GMMU_PTE_ATOMIC_DISABLE, 0));
    fake_vm_map(&vm, 0x103000, 12,
                nv_gmmu_pte_set_peer_id(nv_gmmu_pte_encode(PEER, 0x8000, 0, 0),
                                        2));
    fake_vm_set(&vm, 0x104000, NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_SPARSE);
    for (i = 0; i < 16; i++) {
        fake_vm_map(&vm, 0x200000 + i * 0x1000, 12,
                    nv_gmmu_pte_encode(VID, 0x100000 + i * 0x1000, 0, 0));
    }
    fake_vm_map(&vm, 0x40010000, 16, nv_gmmu_pte_encode(VID, 0x80000, 0, 0));
    fake_vm_map(&vm, 0x40200000, 21,
                nv_gmmu_pte_encode(SYS, 0x40000000, 0, 0xfe));
    fake_vm_set(&vm, 0x60000000, NV_GMMU_LEVEL_PD1, NV_GMMU_SPARSE);

    /* An instance block pointing at the same PD3, VA limit 0x40ffffff. */
    inst = fake_alloc(&fm, VID, 0x1000, 0x1000);
    fake_w64(&fm, VID, inst + NV_GMMU_RAMIN_PDB_LO,
             nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_SYS_MEM_COHERENT,
                                      vm.pdb.addr, NV_GMMU_RAMIN_VOL |
                                      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                      NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    fake_w64(&fm, VID, inst + NV_GMMU_RAMIN_ADR_LIMIT_LO, 0x40ffffff);

    dir = g_dir_make_tmp("nvvb-walk-XXXXXX", &err);
    g_assert_no_error(err);
    vram_path = g_build_filename(dir, "vram.bin", NULL);
    sys_path = g_build_filename(dir, "sys.bin", NULL);
    g_assert_true(g_file_set_contents(vram_path, (char *)fm.vram,
                                      fm.vram_size, NULL));
    g_assert_true(g_file_set_contents(sys_path, (char *)fm.sys, fm.sys_size,
                                      NULL));
    pdb_arg = g_strdup_printf("sys:0x%" G_GINT64_MODIFIER "x", vm.pdb.addr);
    inst_arg = g_strdup_printf("vid:%" G_GINT64_MODIFIER "u", inst);
    fake_free(&fm);
}

/* Run the tool with @args (NULL-terminated); return stdout. */
static char *run(int *status, const char *first, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    char *out = NULL, *err = NULL;
    GError *error = NULL;
    const char *a;
    va_list ap;

    g_ptr_array_add(argv, (gpointer)tool);
    va_start(ap, first);
    for (a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (gpointer)a);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, 0, NULL,
                               NULL, &out, &err, status, &error));
    g_assert_no_error(error);
    if (err[0]) {
        g_test_message("stderr: %s", err);
    }
    g_free(err);
    g_ptr_array_free(argv, true);
    return out;
}

static int exit_code(int status)
{
    GError *err = NULL;

    if (g_spawn_check_wait_status(status, &err)) {
        return 0;
    }
    g_assert_true(err->domain == G_SPAWN_EXIT_ERROR);
    status = err->code;
    g_error_free(err);
    return status;
}

static void test_walk(void)
{
    int st;
    char *out = run(&st, "--vram", vram_path, "--sysmem", sys_path,
                    "--pdb", pdb_arg,
                    "0x100123", "0x101fff", "0x102000", "0x103008",
                    "0x104010", "0x105000", "0x200000", "0x4001abcd",
                    "0x40234567", "0x60001000", "0x80000000",
                    "562949953421312", NULL);

    g_assert_cmpint(exit_code(st), ==, 0);
    g_assert_cmpstr(out, ==,
        "0x100123 vid 0x5123 4k kind=0x06\n"
        "0x101fff sys 0x6fff 4k kind=0x00 ro vol\n"
        "0x102000 fault PRIV_VIOLATION\n"
        "0x103008 peer 0x8008 4k kind=0x00\n"
        "0x104010 sparse\n"
        "0x105000 fault PTE\n"
        "0x200000 vid 0x100000 4k kind=0x00\n"
        "0x4001abcd vid 0x8abcd 64k kind=0x00\n"
        "0x40234567 sys 0x40034567 2m kind=0xfe\n"
        "0x60001000 sparse\n"
        "0x80000000 fault PDE\n"
        "0x2000000000000 fault VA_LIMIT_VIOLATION\n");
    g_free(out);
}

static void test_access(void)
{
    int st;
    char *out;

    out = run(&st, "--vram", vram_path, "--sysmem", sys_path, "--pdb",
              pdb_arg, "--access", "write", "0x101000", "0x100000", NULL);
    g_assert_cmpint(exit_code(st), ==, 0);
    g_assert_cmpstr(out, ==, "0x101000 fault RO_VIOLATION\n"
                             "0x100000 vid 0x5000 4k kind=0x06\n");
    g_free(out);
    out = run(&st, "--vram", vram_path, "--sysmem", sys_path, "--pdb",
              pdb_arg, "--priv", "0x102000", NULL);
    g_assert_cmpstr(out, ==,
                    "0x102000 ncoh 0x7000 4k kind=0x00 priv noatomic\n");
    g_free(out);
    out = run(&st, "--vram", vram_path, "--sysmem", sys_path, "--pdb",
              pdb_arg, "--priv", "--access", "atomic", "0x102000", "0x101000",
              NULL);
    g_assert_cmpstr(out, ==, "0x102000 fault ATOMIC_VIOLATION\n"
                             "0x101000 fault RO_VIOLATION\n");
    g_free(out);
    /* Without --sysmem the sysmem PD3 cannot be read. */
    out = run(&st, "--vram", vram_path, "--pdb", pdb_arg, "0x100000", NULL);
    g_assert_cmpint(exit_code(st), ==, 0);
    g_assert_cmpstr(out, ==, "0x100000 fault PDE\n");
    g_free(out);
}

static void test_inst(void)
{
    int st;
    char *out = run(&st, "--vram", vram_path, "--sysmem", sys_path,
                    "--inst", inst_arg, "0x100000", "0x41000000", NULL);

    g_assert_cmpint(exit_code(st), ==, 0);
    g_assert_cmpstr(out, ==, "0x100000 vid 0x5000 4k kind=0x06\n"
                             "0x41000000 fault VA_LIMIT_VIOLATION\n");
    g_free(out);
    /* An instance block of zeroes is unbound. */
    out = run(&st, "--vram", vram_path, "--inst", "vid:0", "0x0", NULL);
    g_assert_cmpstr(out, ==, "0x0 fault UNBOUND_INST_BLOCK\n");
    g_free(out);
}

static void test_dump(void)
{
    int st;
    char *out = run(&st, "--vram", vram_path, "--sysmem", sys_path,
                    "--pdb", pdb_arg, "--dump", NULL);

    g_assert_cmpint(exit_code(st), ==, 0);
    g_assert_cmpstr(out, ==,
        "0x100000-0x101000 vid 0x5000 4k kind=0x06\n"
        "0x101000-0x102000 sys 0x6000 4k kind=0x00 ro vol\n"
        "0x102000-0x103000 ncoh 0x7000 4k kind=0x00 priv noatomic\n"
        "0x103000-0x104000 peer 0x8000 4k kind=0x00\n"
        "0x104000-0x105000 sparse 4k\n"
        "0x200000-0x210000 vid 0x100000 4k kind=0x00\n"
        "0x40010000-0x40020000 vid 0x80000 64k kind=0x00\n"
        "0x40200000-0x40400000 sys 0x40000000 2m kind=0xfe\n"
        "0x60000000-0x80000000 sparse 512m\n");
    g_free(out);
    out = run(&st, "--vram", vram_path, "--sysmem", sys_path, "--pdb",
              pdb_arg, "--dump", "--range", "0x204000:0x40300000", NULL);
    g_assert_cmpstr(out, ==,
        "0x204000-0x210000 vid 0x104000 4k kind=0x00\n"
        "0x40010000-0x40020000 vid 0x80000 64k kind=0x00\n"
        "0x40200000-0x40300000 sys 0x40000000 2m kind=0xfe\n");
    g_free(out);
}

static void test_usage(void)
{
    char *bad = g_build_filename(dir, "missing.bin", NULL);
    int st;
    char *out;

    out = run(&st, "--help", NULL);
    g_assert_cmpint(exit_code(st), ==, 0);
    g_assert_nonnull(strstr(out, "--vram"));
    g_assert_nonnull(strstr(out, "--pdb"));
    g_free(out);

#define EXPECT_2(...) \
    do { \
        g_free(run(&st, __VA_ARGS__, NULL)); \
        g_assert_cmpint(exit_code(st), ==, 2); \
    } while (0)
    EXPECT_2("--pdb", pdb_arg, "0x0");                      /* no --vram */
    EXPECT_2("--vram", vram_path, "0x0");                   /* no --pdb */
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg);        /* no VA */
    EXPECT_2("--vram", vram_path, "--pdb", "peer:0", "0x0");
    EXPECT_2("--vram", vram_path, "--pdb", "vid", "0x0");
    EXPECT_2("--vram", vram_path, "--pdb", "vid:zz", "0x0");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "0xg");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "-1");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "0x10000000000000000");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "--access", "exec",
             "0x0");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "--dump", "0x0");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "--dump", "--range",
             "0x10");
    EXPECT_2("--vram", vram_path, "--pdb", pdb_arg, "--inst", inst_arg,
             "0x0");
    EXPECT_2("--vram", bad, "--pdb", pdb_arg, "0x0");
    EXPECT_2("--vram", vram_path, "--sysmem", bad, "--pdb", pdb_arg, "0x0");
    EXPECT_2("--bogus");
#undef EXPECT_2
    g_free(bad);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (argc < 2) {
        g_printerr("usage: %s PATH-TO-nvvb-walk\n", argv[0]);
        return 2;
    }
    tool = argv[1];
    build_images();
    g_test_add_func("/nvvb-walk/walk", test_walk);
    g_test_add_func("/nvvb-walk/access", test_access);
    g_test_add_func("/nvvb-walk/inst", test_inst);
    g_test_add_func("/nvvb-walk/dump", test_dump);
    g_test_add_func("/nvvb-walk/usage", test_usage);
    ret = g_test_run();
    g_unlink(vram_path);
    g_unlink(sys_path);
    g_rmdir(dir);
    g_free(vram_path);
    g_free(sys_path);
    g_free(pdb_arg);
    g_free(inst_arg);
    g_free(dir);
    return ret;
}
