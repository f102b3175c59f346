# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side check of nouveau's VM_BIND page tables on nv-vmbind-gp107.

A hook for scripts/guest/boot.py.  The guest test
(linux-guest-driver/tests/gp107/nouveau-vmbind-test.c, run with -c)
reports every request on the console as "@nvvb ..." lines and stops at
each "@nvvb check" until the host answers.  At each stop this hook:

 1. replays the case's accepted requests into our in-VMM GPUVM
    (tools/nvvb-gpuvm, format in docs/specs/nv-vmbind-gpuvm.rst) and takes
    its mapping table;
 2. finds the page directory nouveau built for that VM among the live PDBs
    the device learnt from invalidates (x-nv-vmbind-query-pdbs): the user
    PDB last invalidated among those with anything in the case's VA window;
 3. walks it (x-nv-vmbind-query-mappings over the window) and requires the
    mapped VA ranges to equal the GPUVM's, and the sparse ranges to equal
    the sparse regions minus the mappings;
 4. reads every mapped range through the PDB (x-nv-vmbind-read) and
    compares it with the bytes the guest wrote through the BO's mmap;
 5. translates each hole (x-nv-vmbind-translate): it must fault, or read
    as sparse inside a sparse region.

Each stop adds TAP results.  With ctx.args expect=corrupt (the device runs
with x-corrupt-pte=N) the check must find a mismatch: then one result says
whether the corruption the device reports was caught.

ctx.args: gpuvm=PATH of nvvb-gpuvm (required), device=ID (default gpu0),
expect=ok|corrupt.
"""

import base64
import re
import struct
import subprocess

MASK32 = 0xffffffff


def pattern(seed, i):
    """Word i of a BO filled with seed (nvvb_pattern in the guest test)."""
    x = ((seed * 0x9e3779b1) ^ (i * 0x85ebca77)) & MASK32
    x ^= x >> 15
    x = (x * 0x2c1b3c6d) & MASK32
    x ^= x >> 12
    return x


def pattern_bytes(seed, off, size):
    """Bytes [off, off + size) of a BO filled with seed (off, size 4-aligned)."""
    w0 = off // 4
    return struct.pack('<%dI' % (size // 4),
                       *[pattern(seed, w0 + i) for i in range(size // 4)])


def merge(intervals):
    """Union of (start, end) intervals, sorted, adjacent ones merged."""
    out = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def subtract(a, b):
    """Intervals of a not covered by b (both merged)."""
    out = []
    for s, e in a:
        cur = s
        for bs, be in b:
            if be <= cur or bs >= e:
                continue
            if bs > cur:
                out.append((cur, bs))
            cur = max(cur, be)
        if cur < e:
            out.append((cur, e))
    return out


def fmt(iv):
    return ' '.join('[0x%x,0x%x)' % x for x in iv) or '(none)'


class Case:
    def __init__(self, vid, fields):
        self.id = vid
        self.start = int(fields['start'], 0)
        self.range = int(fields['range'], 0)
        self.kstart = int(fields['kstart'], 0)
        self.krange = int(fields['krange'], 0)
        w = fields['window'].split(',')
        self.window = (int(w[0], 0), int(w[0], 0) + int(w[1], 0))
        self.bos = {}           # name -> dict(size, domain, seed)
        self.ops = []           # accepted requests, in order
        self.regions = []       # sparse regions (start, end)


class Hook:
    def __init__(self, ctx):
        self.ctx = ctx
        self.qmp = ctx.qmp
        self.dev = ctx.args.get('device', 'gpu0')
        self.gpuvm = ctx.args['gpuvm']
        self.expect = ctx.args.get('expect', 'ok')
        self.cases = {}
        self.res = []
        self.mismatches = []    # (what, detail) of failed comparisons
        self.checks = 0

    # ---- console ----

    def line(self, text):
        i = text.find('@nvvb ')
        if i < 0:
            return
        words = text[i + 6:].split()
        if not words:
            return
        cmd, args = words[0], words[1:]
        if cmd == 'vm':
            fields = dict(w.split('=', 1) for w in args[1:])
            self.cases[args[0]] = Case(args[0], fields)
        elif cmd == 'bo':
            c = self.cases[args[0]]
            fields = dict(w.split('=', 1) for w in args[2:])
            c.bos[args[1]] = {'size': int(fields['size'], 0),
                              'domain': fields['domain'], 'seed': None}
        elif cmd == 'fill':
            c = self.cases[args[0]]
            c.bos[args[1]]['seed'] = int(args[2].split('=', 1)[1], 0)
        elif cmd == 'op':
            self.cases[args[0]].ops.append(args[1:])
        elif cmd == 'end':
            try:
                self.summary()
            finally:
                self.ctx.send('go\n')
        elif cmd == 'check':
            try:
                self.check(self.cases[args[0]], ' '.join(args[1:]))
            finally:
                self.ctx.send('go\n')

    # ---- replay into the GPUVM ----

    def replay(self, c):
        """Mapping table of our GPUVM after c's accepted requests."""
        script = ['vm 0x%x 0x%x 0x%x 0x%x' % (c.start, c.range, c.kstart,
                                               c.krange)]
        regions = []
        for op in c.ops:
            kind = op[0]
            a, r = int(op[1], 0), int(op[2], 0)
            if kind == 'map':
                script.append('map 0x%x 0x%x %s %s' % (a, r, op[3], op[4]))
            elif kind == 'unmap':
                script.append('unmap 0x%x 0x%x' % (a, r))
            elif kind == 'sparse':
                regions.append((a, a + r))
            elif kind == 'unsparse':
                # Removing a region unmaps what is mapped inside it.
                script.append('unmap 0x%x 0x%x' % (a, r))
                regions.remove((a, a + r))
        script.append('dump')
        p = subprocess.run([self.gpuvm], input='\n'.join(script) + '\n',
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError('nvvb-gpuvm failed: %s' % p.stderr.strip())
        if re.search(r'^error ', p.stdout, re.M):
            raise RuntimeError('nvvb-gpuvm refused a request nouveau '
                               'accepted:\n' + p.stdout)
        dump = []
        for ln in p.stdout.splitlines():
            m = re.match(r'va (\S+) (\S+) (\S+) (\S+)$', ln)
            if m:
                dump.append((int(m.group(1), 0), int(m.group(2), 0),
                             m.group(3), int(m.group(4), 0)))
        c.regions = regions
        return dump

    # ---- device side ----

    def find_pdb(self, c):
        """(aperture, pdb) of the user VM touching c's window, or None."""
        pdbs = self.qmp.cmd('x-nv-vmbind-query-pdbs', id=self.dev)
        best = None
        for p in pdbs['pdbs']:
            if p['role'] == 'bar1':
                # How nouveau maps BOs for the CPU (BO page size).
                ms = self.walk(p['aperture'], p['pdb'], (0, 1 << 40))
                sizes = sorted({m['page-size'] >> 10 for m in ms
                                if not m['sparse']})
                self.ctx.log('BAR1 VMM maps %d KiB with %s KiB pages' % (
                    sum(m['size'] for m in ms if not m['sparse']) >> 10,
                    '/'.join(map(str, sizes)) or 'no'))
            if p['role'] != 'user':
                continue
            ms = self.walk(p['aperture'], p['pdb'], c.window)
            if ms and (best is None or p['last-seq'] > best['last-seq']):
                best = p
        self.last_pdbs = pdbs
        return None if best is None else (best['aperture'], best['pdb'])

    def walk(self, aper, pdb, window):
        r = self.qmp.cmd('x-nv-vmbind-query-mappings', id=self.dev,
                         pdb_aperture=aper, pdb=pdb, start=window[0],
                         end=window[1])
        if not r['complete']:
            raise RuntimeError('walk of 0x%x did not complete' % pdb)
        return r['mappings']

    def translate(self, aper, pdb, va):
        return self.qmp.cmd('x-nv-vmbind-translate', id=self.dev,
                            pdb_aperture=aper, pdb=pdb, va=va)

    def read(self, aper, pdb, va, size):
        out = b''
        while size:
            n = min(size, 1 << 20)
            r = self.qmp.cmd('x-nv-vmbind-read', id=self.dev,
                             pdb_aperture=aper, pdb=pdb, va=va, size=n)
            out += base64.b64decode(r['data'])
            va += n
            size -= n
        return out

    # ---- the check ----

    def result(self, ok, name):
        self.res.append((ok, 'host: ' + name))
        self.ctx.log('%s %s' % ('ok' if ok else 'FAIL', name))

    def check(self, c, what):
        self.checks += 1
        tag = 'vm %s %s' % (c.id, what)
        try:
            dump = self.replay(c)
        except Exception as e:  # noqa: BLE001 - reported as a failure
            self.result(False, '%s: GPUVM replay: %s' % (tag, e))
            return
        lo, hi = c.window
        want_mapped = merge([(va, va + r) for va, r, _, _ in dump
                             if va < hi and va + r > lo])
        want_sparse = subtract(merge(c.regions), want_mapped)
        loc = self.find_pdb(c)
        if loc is None:
            ok = not want_mapped and not want_sparse
            self.result(ok, '%s: no page directory maps the window, %s' %
                        (tag, 'as the GPUVM expects' if ok else
                         'but the GPUVM has ' + fmt(want_mapped)))
            if not ok:
                self.mismatches.append((tag, 'no PDB'))
            return
        aper, pdb = loc
        walked = self.walk(aper, pdb, c.window)
        got_mapped = merge([(m['va'], m['va'] + m['size'])
                            for m in walked if not m['sparse']])
        got_sparse = merge([(m['va'], m['va'] + m['size'])
                            for m in walked if m['sparse']])
        ok = got_mapped == want_mapped
        self.result(ok, '%s: walked mapped ranges of PDB %s:0x%x equal the '
                    'GPUVM replay (%d ranges)%s' %
                    (tag, aper, pdb, len(want_mapped), '' if ok else
                     ': walked %s, GPUVM %s' % (fmt(got_mapped),
                                                fmt(want_mapped))))
        if not ok:
            self.mismatches.append((tag, 'ranges'))
        ok = got_sparse == want_sparse
        self.result(ok, '%s: sparse ranges equal the sparse regions minus '
                    'the mappings (%d)%s' %
                    (tag, len(want_sparse), '' if ok else
                     ': walked %s, expected %s' % (fmt(got_sparse),
                                                   fmt(want_sparse))))
        if not ok:
            self.mismatches.append((tag, 'sparse'))

        # Bytes through the GPU VA == bytes written through the BO mmap.
        nbytes, bad = 0, []
        for va, r, bo, off in dump:
            if not (va < hi and va + r > lo):
                continue
            b = c.bos.get(bo)
            if b is None or b['seed'] is None:
                continue
            try:
                got = self.read(aper, pdb, va, r)
            except Exception as e:  # noqa: BLE001
                bad.append('0x%x: %s' % (va, e))
                continue
            want = pattern_bytes(b['seed'], off, r)
            nbytes += r
            if got != want:
                first = next(i for i in range(r) if got[i] != want[i])
                bad.append('%s+0x%x at va 0x%x' % (bo, off + first,
                                                   va + first))
        ok = not bad
        self.result(ok, '%s: %d bytes read through the page tables equal '
                    'what the guest wrote through the BO mmaps%s' %
                    (tag, nbytes, '' if ok else ': differ at ' +
                     ', '.join(bad[:4])))
        if not ok:
            self.mismatches.append((tag, 'bytes'))

        # Holes fault; sparse reads as sparse.
        probes, bad = 0, []
        for s, e in subtract([c.window], want_mapped):
            in_sparse = any(rs <= s < re_ for rs, re_ in want_sparse)
            for va in sorted({s, max(s, e - 4096)}):
                sp = any(rs <= va < re_ for rs, re_ in want_sparse)
                t = self.translate(aper, pdb, va)
                probes += 1
                want = 'sparse' if sp else 'fault'
                if t['status'] != want:
                    bad.append('0x%x is %s, not %s' % (va, t['status'], want))
            del in_sparse
        ok = not bad
        self.result(ok, '%s: %d probes of unmapped VAs fault or read as '
                    'sparse%s' % (tag, probes, '' if ok else ': ' +
                                  ', '.join(bad[:4])))
        if not ok:
            self.mismatches.append((tag, 'holes'))

    def summary(self):
        """Log what the device saw: PDBs by role, page sizes, BAR traffic."""
        pdbs = self.qmp.cmd('x-nv-vmbind-query-pdbs', id=self.dev,
                            mappings=True)
        self.last_pdbs = pdbs
        for p in pdbs['pdbs']:
            sizes = {}
            for m in p.get('mappings', []):
                k = 'sparse' if m['sparse'] else '%dK' % (m['page-size'] >> 10)
                sizes[k] = sizes.get(k, 0) + m['size']
            self.ctx.log('PDB %s:0x%x %s: %d invalidates, mapped %s' % (
                p['aperture'], p['pdb'], p['role'], p['invalidates'],
                ', '.join('%s %d KiB' % (k, v >> 10)
                          for k, v in sorted(sizes.items())) or 'nothing'))
        self.ctx.log('%d invalidates, %d PDBs live (capacity %d, %d evicted), '
                     '%d unhandled BAR0 accesses; BAR1 %s, BAR2 %s' % (
                         pdbs['invalidates'], len(pdbs['pdbs']),
                         pdbs['capacity'], pdbs['evictions'],
                         pdbs['unhandled'], pdbs['bar1'], pdbs['bar2']))

    def results(self):
        if self.expect == 'corrupt':
            try:
                pdbs = self.qmp.cmd('x-nv-vmbind-query-pdbs', id=self.dev)
            except Exception:  # noqa: BLE001 - QEMU may have exited
                pdbs = getattr(self, 'last_pdbs', {})
            corrupted = 'corrupted-pte' in pdbs
            caught = bool(self.mismatches)
            return [(corrupted and caught,
                     'host: the device corrupted a PTE write%s and the check '
                     'caught it%s' %
                     (' (vram 0x%x)' % pdbs['corrupted-pte'] if corrupted
                      else ' (it reports none)',
                      ' (%s)' % ', '.join('%s: %s' % m
                                          for m in self.mismatches[:3])
                      if caught else ': NOT caught'))]
        out = list(self.res)
        out.append((self.checks > 0, 'host: %d checkpoints checked' %
                    self.checks))
        return out
