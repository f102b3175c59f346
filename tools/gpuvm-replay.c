/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nvvb-gpuvm replay format: parser and printer shared by nvvb-gpuvm
 * (nv-vmbind's GPUVM) and the upstream drm_gpuvm replay of the
 * differential test.  See gpuvm-replay.h.
 */
#include "gpuvm-replay.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/**
 * gpuvm_replay_errno_name() - the symbolic name of a (negative) errno
 * @err: negative errno
 *
 * Returns: "EINVAL" etc., or "E?" for a code the GPUVM never returns
 */
const char *gpuvm_replay_errno_name(int err)
{
    switch (-err) {
    case EINVAL:
        return "EINVAL";
    case ENOSPC:
        return "ENOSPC";
    case EEXIST:
        return "EEXIST";
    case ENOENT:
        return "ENOENT";
    case EBUSY:
        return "EBUSY";
    case ENOMEM:
        return "ENOMEM";
    default:
        return "E?";
    }
}

static const char *bo_name(int bo, char *const *names)
{
    return bo == GPUVM_REPLAY_NO_BO ? "-" : names[bo];
}

static void print_piece(FILE *out, const char *key, bool has,
                        const GpuvmReplayMap *m, char *const *names)
{
    if (!has) {
        fprintf(out, " %s=-", key);
        return;
    }
    fprintf(out, " %s=0x%" PRIx64 ":0x%" PRIx64 ":%s:0x%" PRIx64, key,
            m->addr, m->range, bo_name(m->bo, names), m->offset);
}

/**
 * gpuvm_replay_print_op() - print one op line in the replay format
 * @out: where
 * @op: the op
 * @bo_names: BO names by index
 */
void gpuvm_replay_print_op(FILE *out, const GpuvmReplayOp *op,
                           char *const *bo_names)
{
    static const char *const kind[] = {
        [GPUVM_REPLAY_MAP] = "map",
        [GPUVM_REPLAY_REMAP] = "remap",
        [GPUVM_REPLAY_UNMAP] = "unmap",
    };
    const GpuvmReplayMap *m = &op->va;

    fprintf(out, "%s 0x%" PRIx64 " 0x%" PRIx64 " %s 0x%" PRIx64,
            kind[op->type], m->addr, m->range, bo_name(m->bo, bo_names),
            m->offset);
    if (op->type != GPUVM_REPLAY_MAP) {
        fprintf(out, " keep=%d", op->keep);
    }
    if (op->type == GPUVM_REPLAY_REMAP) {
        print_piece(out, "prev", op->has_prev, &op->prev, bo_names);
        print_piece(out, "next", op->has_next, &op->next, bo_names);
    }
    fputc('\n', out);
}

static bool map_equal(const GpuvmReplayMap *a, const GpuvmReplayMap *b)
{
    return a->addr == b->addr && a->range == b->range && a->bo == b->bo &&
           a->offset == b->offset;
}

/**
 * gpuvm_replay_op_equal() - do two ops agree in every field?
 * @a: one op
 * @b: the other
 *
 * Fields that do not exist for the op type (keep of a MAP, prev/next of a
 * non-REMAP, an absent piece) are ignored.
 *
 * Returns: true if equal
 */
bool gpuvm_replay_op_equal(const GpuvmReplayOp *a, const GpuvmReplayOp *b)
{
    if (a->type != b->type || !map_equal(&a->va, &b->va)) {
        return false;
    }
    if (a->type == GPUVM_REPLAY_MAP) {
        return true;
    }
    if (a->keep != b->keep) {
        return false;
    }
    if (a->type == GPUVM_REPLAY_UNMAP) {
        return true;
    }
    return a->has_prev == b->has_prev && a->has_next == b->has_next &&
           (!a->has_prev || map_equal(&a->prev, &b->prev)) &&
           (!a->has_next || map_equal(&a->next, &b->next));
}

/* Decimal, or hexadecimal with 0x; the whole token, no overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        unsigned d;

        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
        } else if (base == 16 && g_ascii_isxdigit(*s)) {
            d = g_ascii_xdigit_value(*s);
        } else {
            return false;
        }
        if (v > (UINT64_MAX - d) / base) {
            return false;
        }
        v = v * base + d;
    }
    *out = v;
    return true;
}

typedef struct Replay {
    const GpuvmReplayBackend *be;
    void *vm;
    GPtrArray *names;       /* index -> name (NULL-terminated for printing) */
    GHashTable *by_name;    /* name -> index + 1 */
    GArray *ops;
    GArray *maps;
    FILE *out;
} Replay;

static int bo_index(Replay *r, const char *name)
{
    gpointer v;
    int idx;

    if (!strcmp(name, "-")) {
        return GPUVM_REPLAY_NO_BO;
    }
    v = g_hash_table_lookup(r->by_name, name);
    if (v) {
        return GPOINTER_TO_INT(v) - 1;
    }
    idx = r->names->len - 1;  /* overwrite the NULL terminator */
    g_ptr_array_index(r->names, idx) = g_strdup(name);
    g_ptr_array_add(r->names, NULL);
    g_hash_table_insert(r->by_name, g_ptr_array_index(r->names, idx),
                        GINT_TO_POINTER(idx + 1));
    return idx;
}

static void emit_result(Replay *r, int ret)
{
    guint i;

    if (ret) {
        fprintf(r->out, "error %s\n", gpuvm_replay_errno_name(ret));
    } else {
        for (i = 0; i < r->ops->len; i++) {
            gpuvm_replay_print_op(r->out,
                                  &g_array_index(r->ops, GpuvmReplayOp, i),
                                  (char *const *)r->names->pdata);
        }
    }
    fputs("--\n", r->out);
}

static void emit_dump(Replay *r)
{
    guint i;

    g_array_set_size(r->maps, 0);
    r->be->dump(r->vm, r->maps);
    for (i = 0; i < r->maps->len; i++) {
        GpuvmReplayMap *m = &g_array_index(r->maps, GpuvmReplayMap, i);

        fprintf(r->out, "va 0x%" PRIx64 " 0x%" PRIx64 " %s 0x%" PRIx64 "\n",
                m->addr, m->range,
                bo_name(m->bo, (char *const *)r->names->pdata), m->offset);
    }
    fputs("--\n", r->out);
}

/* Returns NULL on success, else a message for the syntax error. */
static const char *run_line(Replay *r, char **tok, guint n)
{
    uint64_t v[4];
    guint i;
    int ret;

    if (!strcmp(tok[0], "vm")) {
        if (n != 3 && n != 5) {
            return "usage: vm START RANGE [RESERVED_START RESERVED_RANGE]";
        }
        for (i = 1; i < n; i++) {
            if (!parse_u64(tok[i], &v[i - 1])) {
                return "bad number";
            }
        }
        if (n == 3) {
            v[2] = v[3] = 0;
        }
        if (r->vm) {
            r->be->vm_free(r->vm);
        }
        r->vm = r->be->vm_new(v[0], v[1], v[2], v[3], &ret);
        if (!r->vm) {
            fprintf(r->out, "error %s\n--\n", gpuvm_replay_errno_name(ret));
        }
        return NULL;
    }
    if (!strcmp(tok[0], "map")) {
        if (n != 5) {
            return "usage: map ADDR RANGE BO OFFSET";
        }
        if (!parse_u64(tok[1], &v[0]) || !parse_u64(tok[2], &v[1]) ||
            !parse_u64(tok[4], &v[2])) {
            return "bad number";
        }
        if (!r->vm) {
            return "no vm";
        }
        g_array_set_size(r->ops, 0);
        ret = r->be->map(r->vm, v[0], v[1], bo_index(r, tok[3]), v[2],
                         r->ops);
        emit_result(r, ret);
        return NULL;
    }
    if (!strcmp(tok[0], "unmap")) {
        if (n != 3) {
            return "usage: unmap ADDR RANGE";
        }
        if (!parse_u64(tok[1], &v[0]) || !parse_u64(tok[2], &v[1])) {
            return "bad number";
        }
        if (!r->vm) {
            return "no vm";
        }
        g_array_set_size(r->ops, 0);
        ret = r->be->unmap(r->vm, v[0], v[1], r->ops);
        emit_result(r, ret);
        return NULL;
    }
    if (!strcmp(tok[0], "dump")) {
        if (n != 1) {
            return "usage: dump";
        }
        if (!r->vm) {
            return "no vm";
        }
        emit_dump(r);
        return NULL;
    }
    return "unknown command";
}

/**
 * gpuvm_replay_run() - run a replay script
 * @be: the implementation
 * @in: the script
 * @out: where results go
 * @err: where syntax errors go
 *
 * Returns: 0, or 2 at the first syntax error (unknown command, wrong number
 * of arguments, bad number, map/unmap/dump before any vm)
 */
int gpuvm_replay_run(const GpuvmReplayBackend *be, FILE *in, FILE *out,
                     FILE *err)
{
    Replay r = {
        .be = be,
        .names = g_ptr_array_new_with_free_func(g_free),
        .by_name = g_hash_table_new(g_str_hash, g_str_equal),
        .ops = g_array_new(false, true, sizeof(GpuvmReplayOp)),
        .maps = g_array_new(false, true, sizeof(GpuvmReplayMap)),
        .out = out,
    };
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int status = 0;

    g_ptr_array_add(r.names, NULL);
    while (getline(&line, &cap, in) >= 0) {
        char *hash = strchr(line, '#');
        char **tok;
        guint n = 0, i;
        const char *msg;

        lineno++;
        if (hash) {
            *hash = '\0';
        }
        tok = g_strsplit_set(g_strstrip(line), " \t", -1);
        /* Squeeze out the empty tokens runs of blanks leave. */
        for (i = 0; tok[i]; i++) {
            if (*tok[i]) {
                char *t = tok[i];

                tok[i] = tok[n];
                tok[n++] = t;
            }
        }
        msg = n ? run_line(&r, tok, n) : NULL;
        g_strfreev(tok);
        if (msg) {
            fprintf(err, "line %u: %s\n", lineno, msg);
            status = 2;
            break;
        }
    }
    fflush(out);
    free(line);
    if (r.vm) {
        be->vm_free(r.vm);
    }
    g_array_free(r.ops, true);
    g_array_free(r.maps, true);
    g_hash_table_destroy(r.by_name);
    g_ptr_array_free(r.names, true);
    return status;
}

static const char usage_text[] =
"Usage: %s [--help]%s < SCRIPT\n"
"\n"
"Replays a GPU VA space script through %s and prints the split/merge ops\n"
"of every request, exactly as Linux's drm_gpuvm would.\n"
"\n"
"Script: one command per line; '#' starts a comment; numbers are decimal\n"
"or 0x hex; BO is a name ('-' = no BO).\n"
"  vm START RANGE [RESERVED_START RESERVED_RANGE]   (re)create the space\n"
"  map ADDR RANGE BO OFFSET                        sm_map, then apply\n"
"  unmap ADDR RANGE                                sm_unmap, then apply\n"
"  dump                                            list the mappings\n"
"\n"
"Output, numbers as lowercase 0x hex; each map/unmap prints its ops in\n"
"order, then '--':\n"
"  map ADDR RANGE BO OFFSET\n"
"  remap ADDR RANGE BO OFFSET keep=0|1 prev=ADDR:RANGE:BO:OFFSET|- "
"next=ADDR:RANGE:BO:OFFSET|-\n"
"  unmap ADDR RANGE BO OFFSET keep=0|1\n"
"  error ERRNO                  (e.g. error EINVAL; nothing changed)\n"
"For remap and unmap, ADDR..OFFSET is the existing mapping being split or\n"
"removed.  dump prints 'va ADDR RANGE BO OFFSET' per mapping, then '--'.\n"
"A vm command prints nothing, or 'error ERRNO' and '--' if refused.\n"
"%s"
"\n"
"Exit status: 0, or 2 for a malformed script (message on stderr).\n";

/**
 * gpuvm_replay_usage() - print the help text
 * @out: where
 * @prog: program name
 * @impl: what implements the GPUVM (for the text)
 * @extra_usage: extra options on the usage line ("" for none)
 * @extra_help: extra help paragraphs ("" for none)
 */
void gpuvm_replay_usage(FILE *out, const char *prog, const char *impl,
                        const char *extra_usage, const char *extra_help)
{
    fprintf(out, usage_text, prog, extra_usage, impl, extra_help);
}

/**
 * gpuvm_replay_main() - main() of a replay tool: --help, else run stdin
 * @be: the implementation
 * @argc: argument count
 * @argv: arguments (only --help is known)
 *
 * Returns: the exit status
 */
int gpuvm_replay_main(const GpuvmReplayBackend *be, int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--help")) {
        gpuvm_replay_usage(stdout, argv[0], be->name, "", "");
        return 0;
    }
    if (argc != 1) {
        gpuvm_replay_usage(stderr, argv[0], be->name, "", "");
        return 2;
    }
    return gpuvm_replay_run(be, stdin, stdout, stderr);
}
