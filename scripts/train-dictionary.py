#!/usr/bin/env python3
"""Builds the zstd dictionary of packed values (migrations/src/packing.dict) from real data.

The corpus is what the service stores for the real published tables of tests/fixtures/real,
the seed report and the imported spreadsheets: their documents, history entries and change-feed
snapshots, as the API tests write them on PostgreSQL. Not the benchmark's generated data set,
so that the storage the benchmark measures is not a dictionary fitted to itself.

    JIXIAO_TEST_KEEP_DATABASES=1 TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        cargo test --test api -- real_tables seed:: import_xlsx
    pip install zstandard lz4
    python3 scripts/train-dictionary.py postgres://postgres@127.0.0.1:5432 --out FILE
    # then drop the kept databases: the script prints the statements

The dictionary is raw content: the distinct documents (shortest first), then the distinct
feed snapshots, cut to the last --size bytes (the snapshots, short, gain most from being
nearest). On the benchmark's generated 10k set, held out, it packed documents to 2,600 bytes
(LZ4: 4,506; zstd trained by COVER on the same corpus: 3,143) and snapshots to 262 (LZ4: 506).

A dictionary once shipped never changes (rows packed with it must read for ever): a new one
takes a new tag in migrations/src/packing.rs, and the old stays to read the old rows.
"""
import argparse
import struct
import subprocess

import lz4.block
import zstandard


def psql(url, db, sql):
    out = subprocess.run(
        ["psql", f"{url}/{db}", "-AtX", "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line for line in out.split("\n") if line]


def unpack(hexed, dictionary):
    raw = bytes.fromhex(hexed[2:])  # \x…
    if not raw or raw[0] not in (0, 1):
        return raw
    size = struct.unpack("<I", raw[1:5])[0]
    if raw[0] == 0:
        return lz4.block.decompress(raw[5:], uncompressed_size=size)
    return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(raw[5:], max_output_size=size)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server", help="postgres://user@host:port (no database)")
    ap.add_argument("--pattern", default="jx_%", help="databases to read (LIKE pattern)")
    ap.add_argument("--current", default="migrations/src/packing.dict",
                    help="the dictionary the corpus was packed with")
    ap.add_argument("--size", type=int, default=112640)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    current = zstandard.ZstdCompressionDict(open(args.current, "rb").read())
    dbs = psql(args.server, "postgres",
               f"select datname from pg_database where datname like '{args.pattern}'")
    samples = {"documents": [], "history": [], "feed": []}
    for db in dbs:
        for kind, sql in (
            ("documents", "select document from evaluations"),
            ("history", "select changes from evaluation_history"),
            ("feed", "select data from changes where data is not null"),
        ):
            try:
                rows = psql(args.server, db, sql)
            except subprocess.CalledProcessError:
                continue  # a database of a migration test, not migrated that far
            samples[kind] += [unpack(r, current) for r in rows]
    for kind, v in samples.items():
        print(f"{kind}: {len(v)} samples, {len(set(v))} distinct, {sum(map(len, set(v)))} bytes")
    # One copy of each text: the JSON and CSV paths of a table store the same document.
    documents = sorted(set(samples["documents"]), key=lambda s: (len(s), s))
    feed = sorted(set(samples["feed"]))
    content = (b"".join(documents) + b"".join(feed))[-args.size:]
    open(args.out, "wb").write(content)
    print(f"{args.out}: {len(content)} bytes from {len(dbs)} databases")
    for db in dbs:
        print(f'DROP DATABASE "{db}";')


if __name__ == "__main__":
    main()
