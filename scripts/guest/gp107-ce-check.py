# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side check of the copy engine's accesses on nv-vmbind-gp107.

A hook for scripts/guest/boot.py, used by gp107-accel.sh.  The guest test
(tests/guest/nouveau/nouveau-exec-test.c, run with -p PORT) stops after
each EXEC it waited for with

    @nvvb ce-check NAME chans=C1,C2,... bytes=N
    @nvvb expect-unmapped NAME chan=C va=VA1,VA2,...
    @nvvb ce-mark

while every BO those channels touched is still mapped, and waits for the
host's answer ("go").  This hook then takes the accesses the device
recorded since the previous checkpoint for those channels
(x-nv-vmbind-ce-log: channel, PDB, VA, aperture, physical address, size,
read/write) and translates every page of every access through the
channel's page directory as the tables are now (x-nv-vmbind-translate,
which bypasses the device's TLB): each must be mapped, in the recorded
aperture, at the recorded address.  The written bytes must reach N (the
copies the guest asked for).  So a translation the copy engine got wrong
(a stale TLB entry, a walker bug, x-corrupt-ce) is caught from outside,
even where the data the guest compares happened to come out right.

ce-mark starts a new window without a check: channel ids and page
directories are reused, and a channel's teardown (7.x emits a last fence)
would otherwise be compared with the tables of a later VM at the same
address.  expect-unmapped asks that each VA translate to nothing (a fault) in
channel C's VM now: BOs the guest made TTM evict, which nouveau unmaps
when their page size differs from their new placement's, so that the
next EXEC works only if drm_gpuvm_exec_validate moves them back.

The protocol goes through a serial port of its own (ctx.args proto=PATH,
a QEMU socket chardev on the guest's ttyS1), or through the console.

ctx.args: device=ID (default gpu0), proto=PATH, expect=ok|corrupt (with
corrupt, a mismatch is what must be found: one result says whether it was).
"""

import threading

APER = {'vid': 'vid', 'sys': 'sys', 'ncoh': 'ncoh', 'peer': 'peer'}
# Pages translated per checkpoint at most (one QMP call each).
MAX_PAGES = 20000
# Mismatches named per checkpoint.
MAX_NAMED = 6


class Hook:
    def __init__(self, ctx):
        self.ctx = ctx
        self.qmp = ctx.qmp
        self.dev = ctx.args.get('device', 'gpu0')
        self.expect = ctx.args.get('expect', 'ok')
        self.after = 0          # first access not yet checked
        self.pdbs = {}          # channel -> (aperture, PDB) last seen
        self.res = []
        self.mismatches = 0
        self.checks = 0
        self.lock = threading.Lock()
        self.sock = None
        self.thread = None
        path = ctx.args.get('proto')
        if path:
            try:
                self.sock = ctx.connect_unix(path, 10)
            except OSError:
                self.ctx.log('protocol port %s: cannot connect' % path)
            else:
                self.thread = threading.Thread(target=self.reader,
                                               daemon=True)
                self.thread.start()

    # ---- protocol ----

    def reader(self):
        self.ctx.read_lines(self.sock, self.proto_line)

    def send(self, text):
        if self.sock:
            try:
                self.sock.sendall(text.encode())
            except OSError:
                pass
        else:
            self.ctx.send(text)

    def line(self, text):
        if not self.sock:
            self.proto_line(text)

    def proto_line(self, text):
        i = text.find('@nvvb ')
        if i < 0:
            return
        words = text[i + len('@nvvb '):].split()
        if words == ['ce-mark']:
            with self.lock:
                try:
                    self.after = self.qmp.cmd('x-nv-vmbind-ce-log',
                                              id=self.dev,
                                              after=2 ** 63)['total']
                finally:
                    self.send('go\n')
            return
        if len(words) < 2 or words[0] not in ('ce-check', 'expect-unmapped'):
            return
        try:
            with self.lock:
                name = words[1]
                f = dict(w.split('=', 1) for w in words[2:])
                if words[0] == 'ce-check':
                    chans = [int(c, 0) for c in f['chans'].split(',')]
                    self.check(name, chans, int(f.get('bytes', '0'), 0))
                else:
                    self.unmapped(name, int(f['chan'], 0),
                                  [int(v, 0) for v in f['va'].split(',')])
        except Exception as e:  # noqa: BLE001 - reported as a failure
            self.res.append((False, 'host: ce-check raised %r\n# %s'
                             % (e, text)))
        finally:
            self.send('go\n')

    # ---- the check ----

    def accesses(self, chans):
        """The recorded accesses of chans since the last checkpoint."""
        out, seq, lost = [], self.after, 0
        while True:
            log = self.qmp.cmd('x-nv-vmbind-ce-log', id=self.dev, after=seq)
            lost += log['lost']
            out += [a for a in log['accesses'] if a['channel'] in chans]
            if log['next'] >= log['total'] or log['next'] == seq:
                self.after = log['total']
                return out, lost
            seq = log['next']

    def unmapped(self, name, chan, vas):
        """The VAs translate to nothing in chan's VM (its PDB as the
        last checkpoint's accesses recorded it)."""
        pdb = self.pdbs.get(chan)
        if pdb is None:
            self.res.append((False, 'host: %s: no recorded access tells '
                             'channel %d\'s page directory' % (name, chan)))
            return
        got = []
        for va in vas:
            t = self.qmp.cmd('x-nv-vmbind-translate', id=self.dev,
                             pdb=pdb[1], va=va, pdb_aperture=pdb[0])
            got.append('0x%x %s' % (va, t['status']))
        ok = all(g.endswith(' fault') for g in got)
        self.res.append((ok, 'host: %s: the evicted BOs\' VAs are unmapped '
                         'in channel %d\'s VM (%s)' % (name, chan,
                                                      ', '.join(got))))

    def check(self, name, chans, want_bytes):
        self.checks += 1
        acc, lost = self.accesses(chans)
        for a in acc:
            self.pdbs[a['channel']] = (a['pdb-aperture'], a['pdb'])
        rd = sum(a['size'] for a in acc if not a['write'])
        wr = sum(a['size'] for a in acc if a['write'])
        bad, pages, cut = [], 0, False
        for a in acc:
            va, end = a['va'], a['va'] + a['size']
            while va < end:
                if pages >= MAX_PAGES:
                    cut = True
                    break
                pages += 1
                t = self.qmp.cmd('x-nv-vmbind-translate', id=self.dev,
                                 pdb=a['pdb'], va=va,
                                 pdb_aperture=a['pdb-aperture'],
                                 access='write' if a['write'] else 'read')
                want = a['address'] + (va - a['va'])
                if (t['status'] != 'mapped' or
                        t.get('aperture') != a['aperture'] or
                        t.get('address') != want):
                    bad.append('channel %d %s VA 0x%x: device %s 0x%x, '
                               'tables %s %s 0x%x' %
                               (a['channel'],
                                'write' if a['write'] else 'read', va,
                                a['aperture'], want, t['status'],
                                t.get('aperture', '-'),
                                t.get('address', 0)))
                    ps = 4096
                else:
                    ps = t['page-size']
                va = (va & ~(ps - 1)) + ps
        self.mismatches += len(bad)
        what = ('host: ce-check %s: %d accesses of channels %s (%d bytes '
                'read, %d written, %d pages) translate as the VM\'s page '
                'tables say' % (name, len(acc), ','.join(map(str, chans)),
                                rd, wr, pages))
        ok = not bad and acc and wr >= want_bytes and not lost and not cut
        detail = ''
        if not acc:
            detail += '\n# no access recorded'
        if wr < want_bytes:
            detail += '\n# %d bytes written, the guest copied %d' % (
                wr, want_bytes)
        if lost:
            detail += '\n# %d accesses no longer recorded' % lost
        if cut:
            detail += '\n# more than %d pages: stopped' % MAX_PAGES
        for b in bad[:MAX_NAMED]:
            detail += '\n# ' + b
        if len(bad) > MAX_NAMED:
            detail += '\n# ... %d more' % (len(bad) - MAX_NAMED)
        if self.expect == 'corrupt':
            self.ctx.log(('MISMATCH ' if bad else 'match ') + what + detail)
        else:
            self.res.append((bool(ok), what + detail))

    def results(self):
        if self.thread:
            self.lock.acquire(timeout=10)
        if self.expect == 'corrupt':
            return [(self.mismatches > 0,
                     'host: x-corrupt-ce: the ce-check found %d accesses '
                     'away from their translation in %d checkpoints' %
                     (self.mismatches, self.checks))]
        if not self.checks:
            return [(False, 'host: the guest reached no ce-check')]
        return self.res
