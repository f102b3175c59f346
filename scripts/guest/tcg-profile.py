#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Where a TCG guest's time goes, by guest function.
#
#   perf record -F 4000 -o perf.data -- qemu-system-x86_64 -perfmap ...
#   perf script -i perf.data -F tid,time,ip,sym > samples.txt
#   tcg-profile.py --samples samples.txt --system-map System.map \
#       [--log BOOT_LOG --ko DIR ...] [--from S --to S] [--top N]
#
# QEMU's -perfmap names the code it translates "guest-0x<guest pc>" (one
# entry per guest instruction); this maps those to guest kernel functions
# (System.map; modules through the "SECT <module> .text <addr>" lines the
# guest printed from /sys/module/*/sections and `nm` of the .ko files) and
# counts QEMU's own functions (helpers, translation, device model) apart,
# as "qemu:<name>".  --from/--to select seconds after the first sample.
import argparse
import bisect
import collections
import lzma
import os
import re
import subprocess
import sys
import tempfile


def load_system_map(path):
    syms = []
    with open(path) as f:
        for line in f:
            a, t, name = line.split()[:3]
            if t in 'tTwW':
                syms.append((int(a, 16), name))
    return syms


def ko_text_syms(ko):
    data = open(ko, 'rb').read()
    if ko.endswith('.xz'):
        data = lzma.decompress(data)
    with tempfile.NamedTemporaryFile(suffix='.ko') as t:
        t.write(data)
        t.flush()
        out = subprocess.run(['nm', '--defined-only', t.name],
                             capture_output=True, text=True).stdout
    res = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'tT':
            res.append((int(p[0], 16), p[2]))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--samples', required=True)
    ap.add_argument('--system-map', required=True)
    ap.add_argument('--log', help='guest log with SECT lines')
    ap.add_argument('--ko', action='append', default=[],
                    help='directory searched for module .ko(.xz) files')
    ap.add_argument('--from', dest='t0', type=float, default=0)
    ap.add_argument('--to', dest='t1', type=float, default=1e9)
    ap.add_argument('--top', type=int, default=40)
    ap.add_argument('--tid', type=int, help='only this thread')
    a = ap.parse_args()

    syms = load_system_map(a.system_map)
    if a.log:
        sect = re.findall(r'SECT (\S+) \.text (0x[0-9a-f]+)',
                          open(a.log, errors='replace').read())
        files = {}
        for d in a.ko:
            for root, _, names in os.walk(d):
                for n in names:
                    m = re.match(r'(.*)\.ko(\.xz)?$', n)
                    if m:
                        files.setdefault(m.group(1).replace('-', '_'),
                                         os.path.join(root, n))
        for mod, base in sect:
            if mod in files:
                syms += [(int(base, 16) + off, '%s:%s' % (mod, name))
                         for off, name in ko_text_syms(files[mod])]
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
        if m:
            pc = int(m.group(1), 16)
            i = bisect.bisect_right(addrs, pc) - 1
            cnt['guest:' + (syms[i][1] if i >= 0 else '?')] += 1
        else:
            cnt['qemu:' + sym] += 1
    if not total:
        sys.exit('no samples in the window')
    guest = sum(v for k, v in cnt.items() if k.startswith('guest:'))
    print('%d samples; %.1f%% in translated guest code, %.1f%% in QEMU '
          '(helpers, softmmu, translation, device model)' %
          (total, 100 * guest / total, 100 * (total - guest) / total))
    for k, v in cnt.most_common(a.top):
        print('%6.2f%%  %s' % (100 * v / total, k))


if __name__ == '__main__':
    main()
