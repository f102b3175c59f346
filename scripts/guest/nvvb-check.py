# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side check of the nvvb guest driver against the nv-vmbind device.

A hook for scripts/guest/boot.py.  After its suite, the guest test
(linux-guest-driver/tests/nvvb/nvvb-test.c, run with -w) leaves VMs with
mappings, sparse regions, a BO shared by two VMs and an evicted BO, prints
the driver's debugfs dump (what the guest's drm_gpuvm believes) between
"nvvb-guest: vm dump begin" and "... end", then stops at
"nvvb-guest: host-check ready" until the host answers.  This hook then:

 1. runs x-nv-vmbind-verify: the device's page tables must equal its own
    GPUVM (an empty list);
 2. runs x-nv-vmbind-query-vms and requires every VM of the dump to be
    there with the same kernel-managed window, the same mappings (va,
    range, BO id, offset, flags) and the same sparse regions, and no VM the
    dump does not have.

At "nvvb-guest: host-check empty" (the guest closed everything) the
device must have no VM left.  Each step adds a TAP result.

ctx.args: device=ID (default gpu0).
"""

import re

VM_RE = re.compile(r'^vm (\d+) pid \S+ comm .* kernel (0x[0-9a-f]+) '
                   r'(0x[0-9a-f]+) mappings (\d+) regions (\d+)$')
MAP_RE = re.compile(r'^map (0x[0-9a-f]+) (0x[0-9a-f]+) bo (\d+) '
                    r'(0x[0-9a-f]+) flags (0x[0-9a-f]+)$')
REGION_RE = re.compile(r'^region (0x[0-9a-f]+) (0x[0-9a-f]+)$')


def fmt_map(m):
    return 'va 0x%x range 0x%x bo %d offset 0x%x flags 0x%x' % m


class Hook:
    def __init__(self, ctx):
        self.ctx = ctx
        self.dev = ctx.args.get('device', 'gpu0')
        self.res = []
        self.dumping = False
        self.vms = {}           # id -> {'kernel': (s, r), 'maps': [], 'regions': []}
        self.cur = None

    def ok(self, cond, name):
        self.res.append((bool(cond), name))
        self.ctx.log('%s - %s' % ('ok' if cond else 'not ok', name))

    def line(self, text):
        text = text.strip()
        if text == 'nvvb-guest: vm dump begin':
            self.dumping, self.vms, self.cur = True, {}, None
        elif text == 'nvvb-guest: vm dump end':
            self.dumping = False
        elif self.dumping:
            self.parse(text)
        elif text == 'nvvb-guest: host-check ready':
            self.check_ready()
            self.ctx.send('go\n')
        elif text == 'nvvb-guest: host-check empty':
            self.check_empty()
            self.ctx.send('go\n')

    def parse(self, text):
        m = VM_RE.match(text)
        if m:
            self.cur = {'kernel': (int(m.group(2), 16), int(m.group(3), 16)),
                        'maps': [], 'regions': [],
                        'nmaps': int(m.group(4)), 'nregions': int(m.group(5))}
            self.vms[int(m.group(1))] = self.cur
            return
        m = MAP_RE.match(text)
        if m and self.cur is not None:
            self.cur['maps'].append((int(m.group(1), 16), int(m.group(2), 16),
                                     int(m.group(3)), int(m.group(4), 16),
                                     int(m.group(5), 16)))
            return
        m = REGION_RE.match(text)
        if m and self.cur is not None:
            self.cur['regions'].append((int(m.group(1), 16),
                                        int(m.group(2), 16)))

    def qmp(self, cmd, **args):
        if not self.ctx.qmp:
            raise RuntimeError('no QMP connection')
        return self.ctx.qmp.cmd(cmd, **args)

    def check_verify(self, when):
        try:
            mism = self.qmp('x-nv-vmbind-verify', id=self.dev)
        except Exception as e:  # noqa: BLE001 - reported as a failure
            self.ok(False, 'host (%s): x-nv-vmbind-verify failed: %s' % (when, e))
            return
        for m in mism[:10]:
            self.ctx.log('mismatch: vm %d va 0x%x size 0x%x expected %s actual %s'
                         % (m['vm'], m['va'], m['size'], m['expected'],
                            m['actual']))
        self.ok(not mism, 'host (%s): device page tables equal its GPUVM '
                '(x-nv-vmbind-verify: %d mismatches)' % (when, len(mism)))

    def check_ready(self):
        dump_ok = bool(self.vms) and all(
            len(v['maps']) == v['nmaps'] and len(v['regions']) == v['nregions']
            for v in self.vms.values())
        self.ok(dump_ok, 'host: guest debugfs dump read (%d VMs, %d mappings, '
                '%d regions)' % (len(self.vms),
                                 sum(len(v['maps']) for v in self.vms.values()),
                                 sum(len(v['regions']) for v in self.vms.values())))
        self.check_verify('final state')
        try:
            dev_vms = self.qmp('x-nv-vmbind-query-vms', id=self.dev)
        except Exception as e:  # noqa: BLE001
            self.ok(False, 'host: x-nv-vmbind-query-vms failed: %s' % e)
            return
        dev = {v['id']: v for v in dev_vms}
        self.ok(set(dev) == set(self.vms),
                'host: the device has the guest\'s VMs (guest %s, device %s)'
                % (sorted(self.vms), sorted(dev)))
        for vid in sorted(self.vms):
            g = self.vms[vid]
            d = dev.get(vid)
            if d is None:
                continue
            dk = (d['kernel-start'], d['kernel-range'])
            dmaps = [(m['va'], m['range'], m['bo'], m['offset'], m['flags'])
                     for m in d['mappings']]
            dregs = [(r['va'], r['range']) for r in d['regions']]
            problems = []
            if dk != g['kernel']:
                problems.append('kernel window guest 0x%x+0x%x device 0x%x+0x%x'
                                % (g['kernel'] + dk))
            for m in sorted(set(g['maps']) - set(dmaps)):
                problems.append('only in guest: ' + fmt_map(m))
            for m in sorted(set(dmaps) - set(g['maps'])):
                problems.append('only on device: ' + fmt_map(m))
            if sorted(g['regions']) != sorted(dregs):
                problems.append('regions guest %s device %s'
                                % ([(hex(a), hex(b)) for a, b in g['regions']],
                                   [(hex(a), hex(b)) for a, b in dregs]))
            for p in problems[:10]:
                self.ctx.log('VM %d: %s' % (vid, p))
            self.ok(not problems, 'host: VM %d: device GPUVM equals the guest\'s '
                    'drm_gpuvm (%d mappings, %d regions)'
                    % (vid, len(g['maps']), len(g['regions'])))

    def check_empty(self):
        try:
            dev_vms = self.qmp('x-nv-vmbind-query-vms', id=self.dev)
        except Exception as e:  # noqa: BLE001
            self.ok(False, 'host: x-nv-vmbind-query-vms failed: %s' % e)
            return
        self.ok(not dev_vms, 'host: no VM left on the device after the guest '
                'closed its files (%d)' % len(dev_vms))
        self.check_verify('after close')

    def results(self):
        if not self.res:
            return [(False, 'host: the guest never reached the host check')]
        return self.res
