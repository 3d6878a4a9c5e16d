#!/usr/bin/env python3
# make-aedat4-seeds.py
#
# Copyright 2026 The Evscope authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Cuts small fuzzing seeds for fuzz-aedat4 from the real AEDAT 4.0 fixtures:
# the IOHeader and the first few packets, with the data table position set
# to -1 (no table), without the 14-byte magic line that fuzz-aedat4 adds.
#
# Usage: make-aedat4-seeds.py FIXTURES_DIR OUT_DIR

import os
import struct
import sys

MAGIC = b'#!AER-DAT4.0\r\n'


def packets(data, start, end):
    at = start
    while at + 8 <= end:
        stream, size = struct.unpack_from('<ii', data, at)
        if size <= 0 or at + 8 + size > end:
            return
        yield at, at + 8 + size
        at += 8 + size


def seeds(path, out_dir, name):
    data = open(path, 'rb').read()
    assert data.startswith(MAGIC)
    length = struct.unpack_from('<I', data, 14)[0]
    header = bytearray(data[14:18 + length])
    # IOHeader: root table, vtable, field 1 = dataTablePosition (int64)
    fb = header[4:]
    root = struct.unpack_from('<I', fb, 0)[0]
    vt = root - struct.unpack_from('<i', fb, root)[0]
    off = struct.unpack_from('<H', fb, vt + 6)[0]
    table = struct.unpack_from('<q', fb, root + off)[0]
    struct.pack_into('<q', fb, root + off, -1)
    header[4:] = fb
    first = 18 + length
    all_packets = list(packets(data, first, table if table > 0 else len(data)))
    for n in (1, 2, 4):
        body = b''.join(data[a:b] for a, b in all_packets[:n])
        with open(os.path.join(out_dir, '%s-%d' % (name, n)), 'wb') as f:
            f.write(bytes(header) + body)


def main():
    fixtures, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    seeds(os.path.join(fixtures, 'tonic', 'sample.aedat4'), out_dir, 'tonic')
    seeds(os.path.join(fixtures, 'aestream', 'davis.aedat4'), out_dir, 'davis')


if __name__ == '__main__':
    main()
