#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Where a TCG guest's time goes, by guest function.
#
#   perf record -F 4000 -o perf.data -- qemu-system-x86_64 -perfmap ...
#   perf script -i perf.data -F tid,time,ip,sym > samples.txt
#   tcg-profile.py --samples samples.txt --log GUEST_LOG [--from S --to S]
#
# QEMU's -perfmap names the code it translates "guest-0x<guest pc>" (one
# entry per guest instruction); this maps those to guest functions through
# the "KSYM <addr> <type> <name> [<module>]" lines of GUEST_LOG (the guest's
# /proc/kallsyms, printed by nvvb-suite.sh with NVVB_PRINT_KALLSYMS=1) and
# counts QEMU's own functions (TB lookup, softmmu, translation, the device
# model) apart, as "qemu:<name>".  User-space PCs count as "guest:user".
# --from/--to select seconds after the first sample; --tid one thread.
import argparse
import bisect
import collections
import re
import sys


GROUPS = [
    # (prefix or regex on "guest:..."/"qemu:...", group)
    (r'guest:(drm_gpuvm|gpu_sched|drm_exec|drm|nvvb|drm_shmem_helper):',
     None),
    (r'guest:(clear_page|memset|memcpy|__?kmalloc|kfree|kvfree|__?slab|'
     r'slab_|___slab|allocate_slab|get_page_from_freelist|__rmqueue|'
     r'rmqueue|free_unref|__free_pages|kmem_cache|__kmem_cache|'
     r'__alloc_pages|alloc_pages|vmalloc|__vmalloc|kvmalloc)',
     'guest: allocation and zeroing'),
    (r'guest:(__list_|__rb_|rb_|_raw_spin|mutex|__mutex|ww_mutex|'
     r'__ww_mutex|dma_resv|dma_fence|xa_|__xa|mt_|mas_)',
     'guest: lists, trees, locks, fences'),
    (r'guest:(entry_SYSCALL|do_syscall|syscall_|__x64_sys|_copy_|'
     r'copy_user|rep_movs|__get_user|__put_user|irqentry|asm_)',
     'guest: syscall entry, user copies'),
    (r'guest:user', 'guest: user space'),
    (r'guest:', 'guest: other kernel'),
    (r'qemu:(nvvb_|nv_vmbind|nv_gmmu|ptm_|sm_walk|idx_|op_apply|map_check|'
     r'clear_node_range|wb_flush|txn_|find_table|table_)',
     'device model (QEMU)'),
    (r'qemu:', 'QEMU: TCG (TB lookup, translation, softmmu) and host'),
]


def group(key):
    for pat, name in GROUPS:
        m = re.match(pat, key)
        if m:
            return name or 'guest: ' + m.group(1)
    return 'other'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--samples', required=True)
    ap.add_argument('--log', required=True, help='guest log with KSYM lines')
    ap.add_argument('--from', dest='t0', type=float, default=0)
    ap.add_argument('--to', dest='t1', type=float, default=1e9)
    ap.add_argument('--top', type=int, default=40)
    ap.add_argument('--tid', type=int, help='only this thread')
    ap.add_argument('--groups', action='store_true',
                    help='also sum by group (guest module or kernel area, '
                    'device model, TCG)')
    a = ap.parse_args()

    syms = []
    for m in re.finditer(r'KSYM ([0-9a-f]{16}) [tT] (\S+)(?:[ \t]+\[(\S+)\])?',
                         open(a.log, errors='replace').read()):
        name = m.group(2) if not m.group(3) else \
            '%s:%s' % (m.group(3), m.group(2))
        syms.append((int(m.group(1), 16), name))
    if not syms:
        sys.exit('no KSYM lines in %s (NVVB_PRINT_KALLSYMS=1)' % a.log)
    syms.sort()
    addrs = [s[0] for s in syms]

    cnt = collections.Counter()
    total = 0
    first = None
    for line in open(a.samples):
        p = line.split()
        if len(p) < 4:
            continue
        tid, t, sym = int(p[0]), float(p[1].rstrip(':')), p[3]
        if first is None:
            first = t
        if not a.t0 <= t - first < a.t1 or (a.tid and tid != a.tid):
            continue
        total += 1
        m = re.match(r'guest-0x([0-9a-f]+)', sym)
        if not m:
            cnt['qemu:' + sym] += 1
            continue
        pc = int(m.group(1), 16)
        if pc < 1 << 47:
            cnt['guest:user'] += 1
            continue
        i = bisect.bisect_right(addrs, pc) - 1
        cnt['guest:' + (syms[i][1] if i >= 0 else '?')] += 1
    if not total:
        sys.exit('no samples in the window')
    guest = sum(v for k, v in cnt.items() if k.startswith('guest:'))
    print('%d samples; %.1f%% in translated guest code, %.1f%% in QEMU '
          '(TB lookup, softmmu, translation, device model)' %
          (total, 100 * guest / total, 100 * (total - guest) / total))
    for k, v in cnt.most_common(a.top):
        print('%6.2f%%  %s' % (100 * v / total, k))
    if a.groups:
        grp = collections.Counter()
        for k, v in cnt.items():
            grp[group(k)] += v
        print('by group:')
        for k, v in grp.most_common():
            print('%6.2f%%  %s' % (100 * v / total, k))


if __name__ == '__main__':
    main()
