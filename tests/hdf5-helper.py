#!/usr/bin/env python3
# hdf5-helper.py
#
# Copyright 2026 The Evscope authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Independent HDF5 writer and checker for test-hdf5 (h5py + numpy):
#   hdf5-helper.py write VARIANT OUT.h5 EXPECTED.bin
#   hdf5-helper.py check-dsec FILE.h5 EXPECTED.bin
#   hdf5-helper.py check-prophesee FILE.h5 EXPECTED.bin
# EXPECTED.bin: u64 n, u32 width, u32 height, i64 t[n], u16 x[n], u16 y[n], u8 p[n]
# (little-endian).  Errors go to stderr with exit status 1.

import struct
import sys

import h5py
import numpy as np

N = 50000
WIDTH, HEIGHT = 346, 260


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


def write_expected(path, t, x, y, p, width=0, height=0):
    with open(path, "wb") as f:
        f.write(struct.pack("<QII", len(t), width, height))
        f.write(np.asarray(t, "<i8").tobytes())
        f.write(np.asarray(x, "<u2").tobytes())
        f.write(np.asarray(y, "<u2").tobytes())
        f.write(np.asarray(p, "u1").tobytes())


def read_expected(path):
    data = open(path, "rb").read()
    n, width, height = struct.unpack_from("<QII", data, 0)
    at = 16
    t = np.frombuffer(data, "<i8", n, at); at += 8 * n
    x = np.frombuffer(data, "<u2", n, at); at += 2 * n
    y = np.frombuffer(data, "<u2", n, at); at += 2 * n
    p = np.frombuffer(data, "u1", n, at)
    return t, x, y, p, width, height


def events(seed):
    rng = np.random.RandomState(seed)
    t = 1_000_000 + np.cumsum(rng.randint(0, 4, N)).astype(np.int64)
    x = rng.randint(0, WIDTH, N)
    y = rng.randint(0, HEIGHT, N)
    p = rng.randint(0, 2, N)
    return t, x, y, p


def compression_args(kind, chunk=4096):
    if kind is None:
        return {}
    if kind == "contiguous":
        return {"chunks": None}
    if kind == "gzip":
        return {"chunks": (chunk,), "compression": "gzip", "compression_opts": 4}
    if kind == "gzip-shuffle":
        return {"chunks": (chunk,), "compression": "gzip", "shuffle": True}
    if kind == "blosc":
        # FORMATS.md §4.1: blosc, clevel 5, byte shuffle, zstd
        return {"chunks": (chunk,), "compression": 32001,
                "compression_opts": (0, 0, 0, 0, 5, 1, 5)}
    raise ValueError(kind)


def polarity(p, kind):
    if kind == "bool":
        return p.astype(bool)
    if kind == "pm1":
        return np.where(p > 0, 1, -1).astype(np.int8)
    if kind == "pm1f":
        return np.where(p > 0, 1.0, -1.0).astype(np.float32)
    return p.astype(kind)


VARIANTS = {
    # name: layout, x/y dtype, t dtype ("s" suffix = float seconds), p kind, compression
    "dsec-blosc": ("dsec", "<u2", "<u4", "<u1", "blosc"),
    "dsec-i32-gzip": ("dsec", "<i4", "<i8", "pm1", "gzip"),
    "dsec-plain": ("dsec", "<u2", "<u8", "bool", None),
    "rvt-float": ("rvt", "<f4", "<i8", "<i1", "gzip-shuffle"),
    "rvt-u32-bool": ("rvt", "<u2", "<u4", "bool", "contiguous"),
    "rvt-seconds": ("rvt", "<i2", "<f8s", "pm1f", "blosc"),
    "eu": ("eu", "<i2", "<f8s", "bool", "gzip"),
    "eu-legacy": ("eu-legacy", "<u2", "<f8s", "<u1", None),
    "evlib": ("eu", "<u2", "<f8s", "pm1", "blosc"),
    "prophesee-plain": ("prophesee", None, None, None, "gzip"),
}


def write_variant(name, out, expected):
    seed = sorted(VARIANTS).index(name) + 1 if name in VARIANTS else 99
    t, x, y, p = events(seed)
    width, height = 0, 0

    if name == "bad-lengths":
        with h5py.File(out, "w") as f:
            f["events/x"] = x.astype("<u2")
            f["events/y"] = y.astype("<u2")
            f["events/t"] = t[:-1]
            f["events/p"] = p.astype("u1")
            f["ms_to_idx"] = np.zeros(3, "<u8")
        write_expected(expected, t[:0], x[:0], y[:0], p[:0])
        return
    if name == "bad-filter":
        with h5py.File(out, "w") as f:
            for key, values in (("x", x), ("y", y), ("t", t), ("p", p)):
                ds = f.create_dataset("events/" + key, shape=(N,), dtype="<i4",
                                      chunks=(N,), compression=32008,
                                      allow_unknown_filter=True)
                ds.id.write_direct_chunk((0,), b"\0" * 64)
        write_expected(expected, t[:0], x[:0], y[:0], p[:0])
        return

    layout, xy_type, t_type, p_kind, comp = VARIANTS[name]
    keep = np.ones(N, bool)

    if layout == "prophesee":
        dtype = np.dtype({"names": ["x", "y", "p", "t"], "formats": ["<u2", "<u2", "<i2", "<i8"],
                          "offsets": [0, 2, 4, 8], "itemsize": 16})
        records = np.zeros(N, dtype)
        records["x"], records["y"], records["p"], records["t"] = x, y, p, t
        with h5py.File(out, "w") as f:
            f.attrs["version"] = "1.0"
            f.attrs["geometry"] = "%dx%d" % (WIDTH, HEIGHT)
            f.create_dataset("CD/events", data=records, maxshape=(None,),
                             **compression_args(comp, 16384))
            f.create_dataset("CD/indexes", data=np.zeros(1, [("id", "<u8"), ("ts", "<i8")]))
        write_expected(expected, t, x, y, p, WIDTH, HEIGHT)
        return

    xs = x.astype(xy_type)
    ys = y.astype(xy_type)
    if name == "dsec-i32-gzip":
        # Out-of-range coordinates are dropped by the reader.
        xs[100] = -1
        ys[2000] = 70000
        keep[[100, 2000]] = False
    if t_type.endswith("s"):
        ts = (t / 1e6).astype(t_type[:-1])
    else:
        ts = t
    ps = polarity(p, p_kind)

    with h5py.File(out, "w") as f:
        args = compression_args(comp)
        if layout == "dsec":
            t_offset = 5_000_000_123
            ts = (t - t[0]).astype(t_type)
            f.create_dataset("events/x", data=xs, **args)
            f.create_dataset("events/y", data=ys, **args)
            f.create_dataset("events/t", data=ts, **args)
            f.create_dataset("events/p", data=ps, **args)
            ms = np.searchsorted(ts, np.arange(0, int(ts[-1]) // 1000 + 1) * 1000, "left")
            f["ms_to_idx"] = ms.astype("<u8")
            f["t_offset"] = np.int64(t_offset)
            t = t - t[0] + t_offset
        elif layout == "rvt":
            for key, values in (("x", xs), ("y", ys), ("p", ps), ("t", ts)):
                f.create_dataset("events/" + key, data=values, **args)
            f["events/width"] = np.int64(WIDTH)
            f["events/height"] = np.int64(HEIGHT)
            width, height = WIDTH, HEIGHT
        else:
            names = ("xs", "ys", "ts", "ps") if layout == "eu" else ("x", "y", "ts", "p")
            for key, values in zip(names, (xs, ys, ts, ps)):
                f.create_dataset("events/" + key, data=values, **args)
            if layout == "eu":
                f.attrs["sensor_resolution"] = np.array([HEIGHT, WIDTH])
                f.attrs["num_events"] = N
                width, height = WIDTH, HEIGHT
    write_expected(expected, t[keep], x[keep], y[keep], p[keep], width, height)


def check_attrs(f, required):
    for key, value in required.items():
        got = f.attrs.get(key)
        if isinstance(got, bytes):
            got = got.decode()
        if got != value:
            fail("attribute %s is %r, expected %r" % (key, got, value))


def check_dsec(path, expected, attrs):
    t, x, y, p, width, height = read_expected(expected)
    with h5py.File(path, "r") as f:
        ev = f["events"]
        for key, dtype in (("x", "<u2"), ("y", "<u2"), ("p", "u1")):
            if ev[key].dtype != np.dtype(dtype):
                fail("events/%s has dtype %s" % (key, ev[key].dtype))
        for key in ("x", "y", "t", "p"):
            # Blosc (32001) must use the zstd codec (5), as DSEC does, with
            # byte (1) or bit (2) shuffle, so that DSEC's readers decode it
            code, _flags, values, _name = ev[key].id.get_create_plist().get_filter(0)
            if code == 32001 and (len(values) < 7 or values[6] != 5 or values[5] not in (1, 2)):
                fail("events/%s: Blosc parameters %s are not zstd with shuffle" % (key, values))
        t_offset = int(f["t_offset"][()])
        tr = ev["t"][:].astype(np.int64)
        if not np.array_equal(tr + t_offset, t):
            fail("events/t + t_offset differs")
        if not (np.array_equal(ev["x"][:], x) and np.array_equal(ev["y"][:], y)
                and np.array_equal(ev["p"][:], p)):
            fail("events/x, y or p differ")
        if t_offset != t[0]:
            fail("t_offset %d is not the first time %d" % (t_offset, t[0]))
        ms = f["ms_to_idx"][:].astype(np.int64)
        if len(ms) != tr[-1] // 1000 + 1:
            fail("ms_to_idx has %d rows, expected %d" % (len(ms), tr[-1] // 1000 + 1))
        for k, i in enumerate(ms):
            if not (tr[i] >= k * 1000 and (i == 0 or tr[i - 1] < k * 1000)):
                fail("ms_to_idx[%d] = %d breaks t[i] >= k*1000 > t[i-1]" % (k, i))
        plist = ev["x"].id.get_create_plist()
        filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        wanted = 32001 if h5py.h5z.filter_avail(32001) else 1
        if wanted not in filters:
            fail("events/x filters %r lack %d" % (filters, wanted))
        if ev["x"].chunks is None:
            fail("events/x is not chunked")
        if width:
            check_attrs(f, {"width": width, "height": height})
        check_attrs(f, attrs)


def ecf_decode(buf):
    """FORMATS.md §3.3, written separately from Evscope's C decoder."""
    header, t0 = struct.unpack_from("<IQ", buf, 0)
    n, pyxp, pxp = header >> 2, (header >> 1) & 1, header & 1
    pos, cur = 12, t0
    ts = []
    while len(ts) < n:
        b = buf[pos]
        if b >> 4 == 15:
            dt, j = 0, 0
            while buf[pos] >> 4 == 15:
                dt |= (buf[pos] & 15) << (4 * j)
                j += 1
                pos += 1
            cur += dt
            continue
        pos += 1
        cur += b >> 4
        c = b & 15
        if c == 15:
            c = struct.unpack_from("<H", buf, pos)[0]
            pos += 2
        ts += [cur] * c
    xs, ys, ps = [], [], []
    if pyxp:
        while len(xs) < n:
            w0, w1, w2 = struct.unpack_from("<III", buf, pos)
            pos += 12
            for v in (w0 >> 8, (w0 & 0xFF) | (w1 >> 16) << 8,
                      (w1 & 0xFFFF) | (w2 >> 24) << 16, w2 & 0xFFFFFF):
                ys.append((v >> 12) & 0x7FF)
                xs.append((v >> 1) & 0x7FF)
                ps.append(v & 1)
        return ts, xs[:n], ys[:n], ps[:n]
    while len(ys) < n:
        v = struct.unpack_from("<H", buf, pos)[0]
        pos += 2
        c = v & 31
        if c == 31:
            c = struct.unpack_from("<H", buf, pos)[0]
            pos += 2
        ys += [v >> 5] * c
    if pxp:
        while len(xs) < n:
            a0, a1, a2 = struct.unpack_from("<HHH", buf, pos)
            pos += 6
            for v in (a0 >> 4, (a0 & 0xF) | (a1 >> 8) << 4, (a1 & 0xFF) | (a2 >> 12) << 8,
                      a2 & 0xFFF):
                xs.append(v >> 1)
                ps.append(v & 1)
        return ts, xs[:n], ys, ps[:n]
    while len(xs) < n:
        v = struct.unpack_from("<H", buf, pos)[0]
        pos += 2
        xs.append(v >> 5)
        for j in range(5):
            if v & (1 << (4 - j)):
                xs.append((v >> 5) + j + 1)
    while len(ps) < n:
        b = buf[pos]
        pos += 1
        c = b & 127
        if c == 127:
            c = struct.unpack_from("<H", buf, pos)[0]
            pos += 2
        ps += [b >> 7] * c
    return ts, xs, ys, ps


def check_prophesee(path, expected, attrs):
    t, x, y, p, width, height = read_expected(expected)
    n = len(t)
    with h5py.File(path, "r") as f:
        check_attrs(f, {"version": "1.0"})
        if width:
            check_attrs(f, {"geometry": "%dx%d" % (width, height)})
        check_attrs(f, attrs)
        for group in ("CD", "EXT_TRIGGER"):
            for key in ("events", "indexes"):
                if key not in f[group]:
                    fail("/%s/%s is missing" % (group, key))
        ds = f["CD/events"]
        dt = ds.dtype
        if dt.names != ("x", "y", "p", "t") or dt.itemsize != 16 \
                or [dt.fields[k][1] for k in dt.names] != [0, 2, 4, 8]:
            fail("CD/events dtype %r" % (dt,))
        if ds.chunks != (16384,) or ds.maxshape != (None,) or ds.shape != (n,):
            fail("CD/events chunks %r maxshape %r shape %r" % (ds.chunks, ds.maxshape, ds.shape))
        plist = ds.id.get_create_plist()
        if plist.get_nfilters() != 1 or plist.get_filter(0)[0] != 0x8ECF:
            fail("CD/events is not ECF-filtered")
        tt, xx, yy, pp = [], [], [], []
        for k in range(0, n, 16384):
            mask, chunk = ds.id.read_direct_chunk((k,))
            ct, cx, cy, cp = ecf_decode(chunk)
            if len(ct) != min(16384, n - k):
                fail("chunk at %d holds %d events" % (k, len(ct)))
            tt += ct; xx += cx; yy += cy; pp += cp
        if not (np.array_equal(tt, t) and np.array_equal(xx, x) and np.array_equal(yy, y)
                and np.array_equal(pp, p)):
            fail("decoded ECF events differ")
        ix = f["CD/indexes"][:]
        offset = int(f["CD/indexes"].attrs["offset"])
        if offset != -t[0]:
            fail("CD/indexes offset %d" % offset)
        v = t + offset
        if len(ix) != v[-1] // 2000 + 2:
            fail("CD/indexes has %d rows, expected %d" % (len(ix), v[-1] // 2000 + 2))
        if ix[0]["id"] != 0 or ix[0]["ts"] != -1:
            fail("CD/indexes[0] is %r" % (ix[0],))
        for k in range(1, len(ix)):
            lo = (k - 1) * 2000
            first = int(np.searchsorted(v, lo, "left"))
            if first < n and v[first] < lo + 2000:
                want = (first, v[first])
            else:
                want = (ix[k - 1]["id"], ix[k - 1]["ts"])
            if (ix[k]["id"], ix[k]["ts"]) != want:
                fail("CD/indexes[%d] is %r, expected %r" % (k, ix[k], want))
        if f["EXT_TRIGGER/events"].shape != (0,):
            fail("EXT_TRIGGER/events is not empty")


def parse_attrs(args):
    return dict(a.split("=", 1) for a in args)


def main():
    command = sys.argv[1]
    if command == "write":
        write_variant(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "check-dsec":
        check_dsec(sys.argv[2], sys.argv[3], parse_attrs(sys.argv[4:]))
    elif command == "check-prophesee":
        check_prophesee(sys.argv[2], sys.argv[3], parse_attrs(sys.argv[4:]))
    elif command == "probe":
        pass
    else:
        fail("unknown command " + command)


if __name__ == "__main__":
    main()
