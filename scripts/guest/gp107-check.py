# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side check of nouveau's VM_BIND page tables on nv-vmbind-gp107.

A hook for scripts/guest/boot.py.  The guest test
(tests/guest/nouveau/nouveau-vmbind-test.c, run with -c)
reports every request as "@nvvb ..." lines and stops at each
"@nvvb check" until the host answers.  The protocol goes through a
serial port of its own (ctx.args proto=PATH, a QEMU socket chardev on the
guest's ttyS1, so kernel messages on the console cannot split its lines)
or, without proto=, through the console.  At each stop this hook:

 1. replays the case's accepted requests into our in-VMM GPUVM
    (tools/nvvb-gpuvm, format in docs/devel/nv-vmbind-gpuvm.rst) and takes
    its mapping table;
 2. finds the page directory nouveau built for that VM among the live PDBs
    the device learnt from invalidates (x-nv-vmbind-query-pdbs): the user
    PDB last invalidated among those with anything in the case's VA window;
 3. walks it (x-nv-vmbind-query-mappings over the window) and requires the
    mapped VA ranges to equal the GPUVM's, no valid PTE where the GPUVM has
    nothing (each stale PTE is named: VA, level, raw value), and the sparse
    ranges to equal the sparse regions minus the mappings;
 4. requires no 64 KiB page to have a valid big PTE over valid small PTEs
    (the walker would pick the big one; no driver means both);
 5. reads every mapped range through the PDB (x-nv-vmbind-read) and
    compares it with the bytes the guest wrote through the BO's mmap;
 6. translates each hole (x-nv-vmbind-translate): it must fault, or read
    as sparse inside a sparse region.
A legacy client (GEM_NEW without VM_INIT) is checked too: the kernel's
mapping of its BO, anywhere in its VMM, must hold the BO's bytes.

A case with evictable=1 (nouveau-accel-test.c: VRAM pressure under
acceleration) may have BOs evicted: nouveau unmaps an evicted BO's
VM_BIND mappings until it is validated again.  Step 1 then requires every
mapping to be resident in full or absent in full, a BO to be resident in
all its mappings or in none, and the BOs a checkpoint names as just
validated ("@nvvb check ID WHAT resident=BO") to be resident; step 5
reads the resident ones.  A stale PTE still fails step 2.

TAP names are stable ("host: CASE CHECKPOINT: what"); details (ranges,
PDB, counts) follow a failing line as "# ..." lines, with the PDE/PTE
chain (PD3, PD2, PD1, PD0 both halves, PT big/small, raw) of the first VA
that differs.  A small PTE shadowed by a valid big PTE is read through
nouveau's BAR2 VMM, which maps its page tables.

With ctx.args expect=corrupt (the device runs with x-corrupt-pte=N) the
check must find a mismatch: then one result says whether the corruption
the device reports was caught.  With corrupt_trace=FILE (the device's
nv_gp107_corrupt_pte trace) the hook also reads the corrupted PTE at every
later checkpoint: a corruption no check caught passes only if the guest
had provably overwritten it (it no longer held the corrupted value) at
every checkpoint after it.

ctx.args: gpuvm=PATH of nvvb-gpuvm (required), device=ID (default gpu0),
expect=ok|corrupt, proto=PATH (socket of the protocol port),
corrupt_trace=FILE.
"""

import base64
import re
import struct
import subprocess
import threading
import time

MASK32 = 0xffffffff
APERS = {0: 'invalid', 1: 'vid', 2: 'sys', 3: 'ncoh'}      # PDEs
PTE_APERS = {0: 'vid', 1: 'peer', 2: 'sys', 3: 'ncoh'}     # PTEs
# How many 4 KiB pages of stale ranges are named per check.
MAX_NAMED = 8
# A kernel error on the console (as boot.py sees it): time for a
# post-mortem walk of the case that was running, before QEMU is stopped.
KERNEL_BAD = re.compile(r'(Oops[: ]|BUG: |kernel BUG at|general protection '
                        r'fault|Kernel panic)')


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


def first_diff(a, b):
    """Lowest VA in exactly one of the merged interval lists, or None."""
    d = merge(subtract(a, b) + subtract(b, a))
    return d[0][0] if d else None


def fmt(iv):
    return ' '.join('[0x%x,0x%x)' % x for x in iv) or '(none)'


def pde_target(e):
    """(aperture name, address) of a PDE / dual-PDE half."""
    aper = APERS[(e >> 1) & 3]
    if aper == 'vid':
        return aper, ((e >> 8) & ((1 << 25) - 1)) << 12
    return aper, ((e >> 8) & ((1 << 46) - 1)) << 12


def pd0_big_target(lo):
    aper = APERS[(lo >> 1) & 3]
    if aper == 'vid':
        return aper, ((lo >> 4) & ((1 << 29) - 1)) << 8
    return aper, ((lo >> 4) & ((1 << 50) - 1)) << 8


def pte_str(e):
    """A PTE decoded: valid (aperture:address, kind), sparse, or invalid."""
    if e & 1:
        aper = PTE_APERS[(e >> 1) & 3]
        addr = ((e >> 8) & ((1 << (25 if aper == 'vid' else 46)) - 1)) << 12
        return 'valid %s:0x%x kind 0x%x%s' % (aper, addr, e >> 56,
                                              ' priv' if e & 0x20 else '')
    if e & 8:
        return 'sparse'
    return 'invalid' + (' priv' if e & 0x20 else '') if e else 'unmapped'


class Case:
    def __init__(self, vid, fields):
        self.id = vid
        self.name = fields.get('case', 'vm%s' % vid)
        self.legacy = fields.get('legacy') == '1'
        self.evictable = fields.get('evictable') == '1'
        self.resident = []      # BOs the checkpoint says are validated
        self.start = int(fields['start'], 0)
        self.range = int(fields['range'], 0)
        self.kstart = int(fields['kstart'], 0)
        self.krange = int(fields['krange'], 0)
        w = fields['window'].split(',')
        self.window = (int(w[0], 0), int(w[0], 0) + int(w[1], 0))
        self.bos = {}           # name -> dict(size, domain, seed)
        self.ops = []           # accepted requests, in order
        self.regions = []       # sparse regions (start, end)
        self.trying = None      # the request in flight ("try" line)


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
        self.corrupt_at = None  # checkpoint count when corruption was seen
        self.corrupt_seen = []  # (checkpoint, value now, still corrupted)
        self.lock = threading.Lock()
        self.sock = None
        self.thread = None
        self.bar2 = None        # per check: (aper, pdb, mappings) of BAR2
        self.inv_cache = {}
        self.active = None      # id of the case whose VM is open
        self.postmortem_done = False
        self.what = ''
        path = ctx.args.get('proto')
        if path:
            self.open_proto(path)

    # ---- the protocol port ----

    def open_proto(self, path):
        try:
            self.sock = self.ctx.connect_unix(path, 10)
        except OSError:
            self.sock = None
            self.ctx.log('protocol port %s: cannot connect' % path)
            return
        self.thread = threading.Thread(target=self.proto_reader, daemon=True)
        self.thread.start()

    def proto_reader(self):
        self.ctx.read_lines(self.sock, self.proto_line_safe)

    def proto_line_safe(self, text):
        try:
            self.proto_line(text)
        except Exception as e:  # noqa: BLE001 - reported
            import traceback
            traceback.print_exc()
            self.res.append((False, 'host: protocol line raised '
                             '%r\n# %s' % (e, text)))

    def send(self, text):
        if self.sock:
            try:
                self.sock.sendall(text.encode())
            except OSError:
                pass
        else:
            self.ctx.send(text)

    # ---- console ----

    def line(self, text):
        if KERNEL_BAD.search(text) and not self.postmortem_done:
            self.postmortem_done = True
            self.postmortem()
        if self.sock:
            return              # the protocol has its own port
        self.proto_line(text)

    def postmortem(self):
        """Log (no TAP result: what an Oops leaves varies) the page tables
        of the case that was running against its accepted requests, with
        the chain of the first VA that differs."""
        c = self.cases.get(self.active)
        if c is None or c.legacy:
            return
        if not self.lock.acquire(timeout=2):
            return
        try:
            self.ctx.log('post-mortem of case %s after the kernel error '
                         '(the request in flight is not in the replay):' %
                         c.name)
            dump = self.replay(c)
            lo, hi = c.window
            want = merge([(va, va + r) for va, r, _, _ in dump
                          if va < hi and va + r > lo])
            loc = self.find_pdb(c)
            if loc is None:
                self.ctx.log('  no user PDB maps the window; the GPUVM has %s'
                             % fmt(want))
                return
            got = merge([(m['va'], m['va'] + m['size'])
                         for m in self.walk(loc[0], loc[1], c.window)
                         if not m['sparse']])
            self.ctx.log('  walked %s' % fmt(got))
            self.ctx.log('  GPUVM  %s' % fmt(want))
            vas = {first_diff(got, want)}
            vas |= {s for s, _ in subtract(got, want)[:2]}
            if c.trying:
                # The request in flight: its first and last page.
                a, r = int(c.trying[1], 0), int(c.trying[2], 0)
                self.ctx.log('  in flight: %s' % ' '.join(c.trying))
                vas |= {a, a + r - 4096}
            for va in sorted(vas - {None}):
                for ln in self.chain(loc[0], loc[1], va):
                    self.ctx.log('  ' + ln)
        except Exception as e:  # noqa: BLE001 - QEMU may be going away
            self.ctx.log('  post-mortem failed: %s' % e)
        finally:
            self.lock.release()

    def proto_line(self, text):
        i = text.find('@nvvb ')
        if i < 0:
            return
        words = text[i + 6:].split()
        if not words:
            return
        cmd, args = words[0], words[1:]
        with self.lock:
            self.command(cmd, args)

    def command(self, cmd, args):
        if cmd == 'vm':
            fields = dict(w.split('=', 1) for w in args[1:])
            self.cases[args[0]] = Case(args[0], fields)
            self.active = args[0]
        elif cmd == 'close':
            if self.active == args[0]:
                self.active = None
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
            self.cases[args[0]].trying = None
        elif cmd == 'try':
            self.cases[args[0]].trying = args[1:]
        elif cmd == 'refused':
            self.cases[args[0]].trying = None
        elif cmd == 'end':
            try:
                self.summary()
            finally:
                self.send('go\n')
        elif cmd == 'check':
            try:
                c = self.cases[args[0]]
                what = ' '.join(w for w in args[1:] if '=' not in w)
                c.resident = [w.split('=', 1)[1] for w in args[1:]
                              if w.startswith('resident=')]
                if c.legacy:
                    self.check_legacy(c, what)
                else:
                    self.check(c, what)
            finally:
                self.send('go\n')

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

    def query_pdbs(self, **kw):
        pdbs = self.qmp.cmd('x-nv-vmbind-query-pdbs', id=self.dev, **kw)
        self.last_pdbs = pdbs
        if 'corrupted-pte' in pdbs and self.corrupt_at is None:
            self.corrupt_at = self.checks
        return pdbs

    def corrupt_value(self):
        """(vram address, value written, corrupted value) from the trace."""
        path = self.ctx.args.get('corrupt_trace')
        if not path:
            return None
        try:
            with open(path) as f:
                m = re.search(r'PTE at vram (0x[0-9a-f]+) 0x([0-9a-f]+) -> '
                              r'0x([0-9a-f]+)', f.read())
        except OSError:
            return None
        return m and (int(m.group(1), 16), int(m.group(2), 16),
                      int(m.group(3), 16))

    def note_corruption(self, tag):
        """At a checkpoint after the corruption: is it still in memory?"""
        if 'corrupted-pte' not in self.last_pdbs:
            return
        cv = self.corrupt_value()
        if cv is None:
            return
        b = self.read_table('vid', cv[0], 4)
        now = struct.unpack('<I', b)[0] if b else None
        self.corrupt_seen.append((tag, now, now is None or now == cv[2]))

    def find_pdb(self, c):
        """(aperture, pdb) of the user VM touching c's window, or None."""
        pdbs = self.query_pdbs()
        best = None
        self.bar2 = None
        for p in pdbs['pdbs']:
            if p['role'] == 'bar1' and self.checks == 1:
                # How nouveau maps BOs for the CPU (BO page size).
                ms = self.walk(p['aperture'], p['pdb'], (0, 1 << 40))
                sizes = sorted({m['page-size'] >> 10 for m in ms
                                if not m['sparse']})
                self.ctx.log('BAR1 VMM maps %d KiB with %s KiB pages' % (
                    sum(m['size'] for m in ms if not m['sparse']) >> 10,
                    '/'.join(map(str, sizes)) or 'no'))
            if p['role'] == 'bar2':
                self.bar2 = (p['aperture'], p['pdb'], None)
            if p['role'] != 'user':
                continue
            ms = self.walk(p['aperture'], p['pdb'], c.window)
            if ms and (best is None or p['last-seq'] > best['last-seq']):
                best = p
        if self.expect == 'corrupt':
            self.note_corruption('%s %s' % (c.name, self.what))
        return None if best is None else (best['aperture'], best['pdb'])

    def walk(self, aper, pdb, window):
        out, va = [], window[0]
        while True:
            r = self.qmp.cmd('x-nv-vmbind-query-mappings', id=self.dev,
                             pdb_aperture=aper, pdb=pdb, start=va,
                             end=window[1])
            out += r['mappings']
            if r['complete']:
                return out
            if r.get('next-va', window[1]) <= va:
                raise RuntimeError('walk of 0x%x did not complete' % pdb)
            va = r['next-va']

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

    def read_table(self, aper, addr, size):
        """Bytes of page-table memory, through nouveau's BAR2 VMM (which
        maps the page tables it writes), or None if it does not map them."""
        if self.bar2 is None:
            return None
        baper, bpdb, ms = self.bar2
        if ms is None:
            ms = [m for m in self.walk(baper, bpdb, (0, 1 << 40))
                  if not m['sparse']]
            self.bar2 = (baper, bpdb, ms)
        for m in ms:
            if (m['aperture'] == aper and m['address'] <= addr and
                    addr + size <= m['address'] + m['size']):
                try:
                    return self.read(baper, bpdb, m['va'] + addr -
                                     m['address'], size)
                except Exception:  # noqa: BLE001
                    return None
        return None

    # ---- triage: the PDE/PTE chain of one VA ----

    def chain(self, aper, pdb, va):
        """Lines naming every entry the walk of va reads, raw, root first,
        plus the small PTE a valid big PTE shadows."""
        t = self.translate(aper, pdb, va)
        out = ['chain of va 0x%x through PDB %s:0x%x (walker: %s)' % (
            va, aper, pdb, self.tr_str(t))]
        pd0_hi = None
        for st in t['steps']:
            lvl = st['level']
            where = '%s:0x%x' % (st['aperture'], st['address'])
            if not st['ok']:
                out.append('  %-8s @%s unreadable' % (lvl, where))
            elif lvl == 'PD0':
                lo, hi = st['entry'], st.get('entry-hi', 0)
                pd0_hi = hi
                if lo & 1:
                    out.append('  %-8s @%s lo 0x%016x (2 MiB PTE: %s)' % (
                        lvl, where, lo, pte_str(lo)))
                else:
                    out.append('  %-8s @%s lo 0x%016x (big PT %s:0x%x%s) '
                               'hi 0x%016x (small PT %s:0x%x%s)' % (
                                   lvl, where, lo, *pd0_big_target(lo),
                                   ' vol' if lo & 8 else '', hi,
                                   *pde_target(hi), ' vol' if hi & 8 else ''))
            elif lvl.startswith('PT'):
                out.append('  %-8s @%s 0x%016x (%s)' % (
                    lvl, where, st['entry'], pte_str(st['entry'])))
            else:
                out.append('  %-8s @%s 0x%016x (%s:0x%x%s)' % (
                    lvl, where, st['entry'], *pde_target(st['entry']),
                    ' vol' if st['entry'] & 8 else ''))
        last = t['steps'][-1]['level'] if t['steps'] else None
        if last == 'PT_BIG' and pd0_hi is not None:
            saper, sbase = pde_target(pd0_hi)
            if saper != 'invalid':
                addr = sbase + ((va >> 12) & 0x1ff) * 8
                b = self.read_table(saper, addr, 8)
                if b is None:
                    out.append('  PT_SMALL @%s:0x%x not readable through '
                               'BAR2' % (saper, addr))
                else:
                    e = struct.unpack('<Q', b)[0]
                    out.append('  PT_SMALL @%s:0x%x 0x%016x (%s; not used: '
                               'the big PTE decides)' % (saper, addr, e,
                                                         pte_str(e)))
        return out

    @staticmethod
    def tr_str(t):
        if t['status'] == 'mapped':
            return 'mapped %d KiB page -> %s:0x%x' % (
                t['page-size'] >> 10, t['aperture'], t['address'])
        if t['status'] == 'fault':
            return 'fault %s' % t.get('fault', '?')
        return t['status']

    def holder(self, c, aper, pdb, va):
        """'a+0x8000' if the 4 KiB page at va holds that page of a small BO
        of c, else None."""
        try:
            got = self.read(aper, pdb, va & ~0xfff, 4096)
        except Exception:  # noqa: BLE001
            return None
        w0 = struct.unpack('<I', got[:4])[0]
        for name, b in c.bos.items():
            if b['seed'] is None or b['size'] > (256 << 10):
                continue
            key = (b['seed'], b['size'])
            if key not in self.inv_cache:
                self.inv_cache[key] = {pattern(b['seed'], i): i * 4 for i in
                                       range(0, b['size'] // 4, 1024)}
            off = self.inv_cache[key].get(w0)
            if off is not None and got == pattern_bytes(b['seed'], off, 4096):
                return '%s+0x%x' % (name, off)
        return None

    # ---- the check ----

    def result(self, ok, tag, name, details=(), what=None):
        """One TAP result named 'host: TAG: NAME' (stable); details follow
        as '# ' lines; a failure is a mismatch for the corrupt mode."""
        self.res.append((ok, 'host: %s: %s%s' % (
            tag, name, ''.join('\n# ' + d for d in details))))
        self.ctx.log('%s %s: %s' % ('ok' if ok else 'FAIL', tag, name))
        for d in details:
            self.ctx.log('    ' + d)
        if not ok:
            self.mismatches.append((tag, what or name))

    def residency(self, c, dump, got_mapped):
        """For an evictable case: (ok, details, evicted BO names).  Each
        mapping in the window must be walked in full or not at all, each BO
        resident in all its mappings or none, and each BO the checkpoint
        names as just validated resident."""
        lo, hi = c.window
        state = {}              # BO -> set of True (resident) / False
        partial = []
        n = nres = 0
        for va, r, bo, _ in dump:
            if not (va < hi and va + r > lo):
                continue
            n += 1
            cov = sum(min(e, va + r) - max(s, va) for s, e in got_mapped
                      if s < va + r and e > va)
            if 0 < cov < r:
                partial.append('[0x%x,0x%x) of %s: %d of %d KiB walked' % (
                    va, va + r, bo, cov >> 10, r >> 10))
            nres += cov == r
            state.setdefault(bo, set()).add(cov == r)
        split = sorted(bo for bo, st in state.items() if len(st) > 1)
        evicted = {bo for bo, st in state.items() if st == {False}}
        det = partial[:6]
        if split:
            det.append('resident in some mappings but not others: %s' %
                       ' '.join(split[:8]))
        for bo in c.resident:
            if state.get(bo) != {True}:
                det.append('%s was just validated but is not resident in '
                           'all its mappings' % bo)
        self.ctx.log('%s: %d of %d mappings resident, %d BOs evicted' % (
            c.name, nres, n, len(evicted)))
        return not det, det, evicted | set(split)

    def check(self, c, what):
        self.checks += 1
        tag = '%s %s' % (c.name, what)
        self.what = what
        try:
            dump = self.replay(c)
        except Exception as e:  # noqa: BLE001 - reported as a failure
            self.result(False, tag, 'GPUVM replay', [str(e)], 'replay')
            return
        lo, hi = c.window
        want_mapped = merge([(va, va + r) for va, r, _, _ in dump
                             if va < hi and va + r > lo])
        want_sparse = subtract(merge(c.regions), want_mapped)
        loc = self.find_pdb(c)
        # No page directory maps anything in the window: the same checks
        # (and names) against an empty walk.
        aper, pdb = loc if loc else ('vid', None)
        walked = self.walk(aper, pdb, c.window) if loc else []
        got_mapped = merge([(m['va'], m['va'] + m['size'])
                            for m in walked if not m['sparse']])
        got_sparse = merge([(m['va'], m['va'] + m['size'])
                            for m in walked if m['sparse']])

        # Mapped ranges (an evictable case: minus whole evicted BOs).
        evicted = set()
        if c.evictable:
            ok, det, evicted = self.residency(c, dump, got_mapped)
            name = ('walked mapped ranges equal the GPUVM replay minus '
                    'whole evicted BOs')
        else:
            ok = got_mapped == want_mapped
            det = []
            name = 'walked mapped ranges equal the GPUVM replay'
        if not ok:
            det += ['walked %s' % fmt(got_mapped), 'GPUVM  %s' %
                    fmt(want_mapped)]
            if loc:
                det += self.chain(aper, pdb, first_diff(got_mapped,
                                                        want_mapped))
            else:
                det.append('no user PDB maps anything in the window')
        self.result(ok, tag, name, det if not ok else [], 'ranges')

        # Stale PTEs: valid where the guest mapped nothing (or unmapped).
        stale = subtract(got_mapped, want_mapped)
        det = []
        named = 0
        for s, e in stale:
            det.append('stale [0x%x,0x%x) (%d KiB)' % (s, e, (e - s) >> 10))
            va = s
            while va < e and named < MAX_NAMED:
                t = self.translate(aper, pdb, va)
                st = t['steps'][-1] if t['steps'] else None
                h = self.holder(c, aper, pdb, va)
                if st:
                    raw = st['entry']
                    det.append('  stale PTE va 0x%x: %s @%s:0x%x = 0x%016x '
                               '(%s)%s' % (va, st['level'], st['aperture'],
                                           st['address'], raw, pte_str(raw),
                                           ', holds ' + h if h else ''))
                named += 1
                va += t.get('page-size', 4096)
        if stale:
            det += self.chain(aper, pdb, stale[0][0])
        self.result(not stale, tag, 'no stale valid PTEs where the guest '
                    'mapped nothing', det, 'stale PTEs')

        # Sparse ranges.
        ok = got_sparse == want_sparse
        det = []
        if not ok:
            det = ['walked   %s' % fmt(got_sparse), 'expected %s' %
                   fmt(want_sparse)]
            if loc:
                det += self.chain(aper, pdb, first_diff(got_sparse,
                                                        want_sparse))
        self.result(ok, tag, 'sparse ranges equal the sparse regions minus '
                    'the mappings', det, 'sparse')

        # Big PTE valid over valid small PTEs.
        self.check_big_small(tag, aper, pdb, walked)

        # Bytes through the GPU VA == bytes written through the BO mmap.
        nbytes, bad, first = 0, [], None
        for va, r, bo, off in dump:
            if not (va < hi and va + r > lo):
                continue
            b = c.bos.get(bo)
            if b is None or b['seed'] is None or bo in evicted:
                continue
            want = pattern_bytes(b['seed'], off, r)
            got = b''
            if not loc:
                bad.append('va 0x%x (%s+0x%x): no page directory' % (
                    va, bo, off))
                continue
            try:
                got = self.read(aper, pdb, va, r)
            except Exception as e:  # noqa: BLE001 - read page by page
                pg = b''
                for p in range(0, r, 4096):
                    try:
                        pg += self.read(aper, pdb, va + p, 4096)
                    except Exception as e2:  # noqa: BLE001
                        bad.append('va 0x%x (%s+0x%x): %s' % (
                            va + p, bo, off + p,
                            str(e2).split(': ', 1)[-1]))
                        first = va + p if first is None else first
                        break
                    if pg[p:p + 4096] != want[p:p + 4096]:
                        break
                got = pg
                del e
            nbytes += r
            if got and got != want[:len(got)]:
                i = next(i for i in range(len(got)) if got[i] != want[i])
                h = self.holder(c, aper, pdb, va + i)
                bad.append('va 0x%x: not %s+0x%x%s' % (
                    va + i, bo, off + i, ' (holds %s)' % h if h else ''))
                first = va + i if first is None else min(first, va + i)
        ok = not bad
        det = []
        if not ok:
            det = ['%d bytes compared; differ at: %s' % (nbytes, bad[0])]
            det += bad[1:6]
            if first is not None:
                det += self.chain(aper, pdb, first)
        self.result(ok, tag, 'bytes read through the page tables equal what '
                    'the guest wrote through the BO mmaps', det, 'bytes')

        # Holes fault; sparse reads as sparse.
        probes, bad, first = 0, [], None
        for s, e in subtract([c.window], want_mapped):
            for va in sorted({s, max(s, e - 4096)}):
                sp = any(rs <= va < re_ for rs, re_ in want_sparse)
                t = (self.translate(aper, pdb, va) if loc else
                     {'status': 'fault'})
                probes += 1
                want = 'sparse' if sp else 'fault'
                if t['status'] != want:
                    bad.append('0x%x is %s, not %s' % (va, t['status'], want))
                    first = va if first is None else first
        ok = not bad
        det = []
        if not ok:
            det = ['%d probes: %s' % (probes, ', '.join(bad[:6]))]
            if loc:
                det += self.chain(aper, pdb, first)
        self.result(ok, tag, 'unmapped VAs fault or read as sparse', det,
                    'holes')

    def check_big_small(self, tag, aper, pdb, walked):
        """A valid 64 KiB PTE over valid 4 KiB PTEs is an inconsistency of
        its own: report it whatever the walker's precedence."""
        both, unreadable, pages = [], 0, 0
        pd0 = {}
        for m in walked:
            if m['sparse'] or m['page-size'] != 1 << 16:
                continue
            for va in range(m['va'], m['va'] + m['size'], 1 << 16):
                pages += 1
                key = va >> 21
                if key not in pd0:
                    t = self.translate(aper, pdb, va)
                    pd0[key] = next((st.get('entry-hi', 0) for st in
                                     t['steps'] if st['level'] == 'PD0'), 0)
                saper, sbase = pde_target(pd0[key])
                if saper == 'invalid':
                    continue
                b = self.read_table(saper, sbase + ((va >> 12) & 0x1ff) * 8,
                                    128)
                if b is None:
                    unreadable += 1
                    continue
                ptes = struct.unpack('<16Q', b)
                valid = [(va + i * 4096, e) for i, e in enumerate(ptes)
                         if e & 1]
                if valid:
                    both.append((va, valid))
        det = []
        for va, valid in both[:4]:
            det.append('64 KiB page 0x%x: valid big PTE over %d valid small '
                       'PTEs (first: va 0x%x = 0x%016x, %s)' % (
                           va, len(valid), valid[0][0], valid[0][1],
                           pte_str(valid[0][1])))
        if both:
            det += self.chain(aper, pdb, both[0][1][0][0])
        elif unreadable:
            det.append('%d of %d small PTE groups not readable through BAR2' %
                       (unreadable, pages))
        self.result(not both, tag, 'no 64 KiB page has big and small PTEs '
                    'both valid', det, 'big+small')

    def check_legacy(self, c, what):
        """The kernel's own mapping of a legacy client's BO (GEM_NEW without
        VM_INIT) holds the BO's bytes."""
        self.checks += 1
        tag = '%s %s' % (c.name, what)
        pdbs = self.query_pdbs()
        users = [p for p in pdbs['pdbs'] if p['role'] == 'user']
        self.bar2 = next(((p['aperture'], p['pdb'], None) for p in
                          pdbs['pdbs'] if p['role'] == 'bar2'), None)
        if self.expect == 'corrupt':
            self.note_corruption(tag)
        name = 'the kernel\'s mapping of the legacy client\'s BO holds its ' \
               'bytes'
        if not users or not c.bos:
            self.result(False, tag, name, ['no user PDB'], 'legacy')
            return
        p = max(users, key=lambda p: p['last-seq'])
        aper, pdb = p['aperture'], p['pdb']
        walked = self.walk(aper, pdb, c.window)
        mapped = [m for m in walked if not m['sparse']]
        bname, b = next(iter(c.bos.items()))
        det = ['PDB %s:0x%x maps %s' % (aper, pdb, fmt(merge(
            [(m['va'], m['va'] + m['size']) for m in mapped])))]
        total = sum(m['size'] for m in mapped)
        ok = total == b['size']
        first = None
        if not ok:
            det.append('%d bytes mapped, the BO has %d' % (total, b['size']))
            first = mapped[0]['va'] if mapped else None
        else:
            got = b''.join(self.read(aper, pdb, m['va'], m['size'])
                           for m in sorted(mapped, key=lambda m: m['va']))
            want = pattern_bytes(b['seed'], 0, b['size'])
            if got != want:
                ok = False
                i = next(i for i in range(len(got)) if got[i] != want[i])
                off = 0
                for m in sorted(mapped, key=lambda m: m['va']):
                    if i < off + m['size']:
                        first = m['va'] + i - off
                        break
                    off += m['size']
                det.append('differs at %s+0x%x (va 0x%x)' % (bname, i, first))
        if first is not None:
            det += self.chain(aper, pdb, first)
        self.result(ok, tag, name, det, 'legacy')
        self.check_big_small(tag, aper, pdb, walked)

    def summary(self):
        """Log what the device saw: PDBs by role, page sizes, BAR traffic."""
        pdbs = self.query_pdbs(mappings=True)
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
        if self.thread:
            # A check may still be running (the boot was stopped early).
            self.lock.acquire(timeout=10)
        if self.expect == 'corrupt':
            try:
                pdbs = self.qmp.cmd('x-nv-vmbind-query-pdbs', id=self.dev)
            except Exception:  # noqa: BLE001 - QEMU may have exited
                pdbs = getattr(self, 'last_pdbs', {})
            corrupted = 'corrupted-pte' in pdbs
            caught = bool(self.mismatches)
            if corrupted and self.corrupt_at is None:
                after = 'after the last checkpoint'
            elif corrupted:
                after = 'before checkpoint %d of %d' % (self.corrupt_at,
                                                         self.checks)
            else:
                after = ''
            det = []
            cv = self.corrupt_value()
            if corrupted:
                det.append('the device corrupted the PTE at vram 0x%x (PDB '
                           '0x%x%s) %s' % (
                               pdbs['corrupted-pte'],
                               pdbs.get('corrupted-pdb', 0),
                               ', 0x%08x -> 0x%08x' % cv[1:] if cv else '',
                               after))
            ok = corrupted and caught
            if caught:
                det += ['caught by %s: %s' % m for m in self.mismatches[:3]]
            elif corrupted and self.corrupt_seen and not any(
                    live for _, _, live in self.corrupt_seen):
                # Overwritten by the guest before any checkpoint saw it.
                ok = True
                det.append('NOT caught, but provably overwritten by the guest '
                           'before use: ' + ', '.join(
                               'at %s it held 0x%08x' % (t, v)
                               for t, v, _ in self.corrupt_seen[:3]))
            else:
                det.append('NOT caught' + (
                    '' if not self.corrupt_seen else ' (still in memory at '
                    '%s)' % ', '.join(t for t, _, live in self.corrupt_seen
                                      if live)))
            return [(ok, 'host: the device corrupted a PTE write and the '
                     'check caught it (or the guest provably overwrote it '
                     'before use)' + ''.join('\n# ' + d for d in det))]
        out = list(self.res)
        out.append((self.checks > 0, 'host: checkpoints were checked\n# %d '
                    'checkpoints' % self.checks))
        return out
