#!/usr/bin/env python3
"""Turns the statements of one jixiao write, as PostgreSQL logged them, into a pgbench script.

    benches/replay.py LOG_EXCERPT > replay.sql

LOG_EXCERPT holds the server log lines (`log_statement = all`, the default `log_line_prefix`
with the backend's pid in brackets) from just before one POST of an evaluation. The first
committed transaction in it (`BEGIN` to `COMMIT` on one backend) that inserts an evaluation
is the write. Each statement comes out
with its parameters written in as literals, and the values that must differ per transaction
(the evaluation's id, its natural key, the history entry's id) become expressions of a
random pgbench variable, so that pgbench can run the same statements many times over, on
8 connections, with no jixiao process in the way: the throughput PostgreSQL itself gives the
statements the service sends (`benches/run.sh --writes` prints it beside pgbench's and
jixiao's).
"""

import re
import sys

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d [^\[]*\[(\d+)\]", re.M)
STATEMENT = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)", re.S)
PARAMETERS = re.compile(r"DETAIL:  parameters: (.*)", re.S)
PARAMETER = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def entries(text):
    """(pid, text) of each log entry, in order."""
    starts = [(m.start(), m.group(1)) for m in ENTRY.finditer(text)]
    for i, (start, pid) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        yield pid, text[start:end]


def the_write(text):
    """[sql, {n: literal}] of each statement of the first transaction in the excerpt that
    creates an evaluation (a new instance runs start-up transactions of its own first)."""
    open_ = {}
    for pid, entry in entries(text):
        s = STATEMENT.search(entry)
        if s:
            sql = s.group(1).strip()
            if sql == "BEGIN":
                open_[pid] = []
            if pid not in open_:
                continue
            open_[pid].append([sql, {}])
            if sql in ("COMMIT", "ROLLBACK"):
                done = open_.pop(pid)
                if sql == "COMMIT" and any(
                    q.startswith('INSERT INTO "evaluations"') for q, _ in done
                ):
                    return done
            continue
        p = PARAMETERS.search(entry)
        if p and open_.get(pid):
            open_[pid][-1][1] = {int(n): v for n, v in PARAMETER.findall(p.group(1))}
    sys.exit("replay.py: no committed creation of an evaluation in the excerpt")


def main():
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        statements = the_write(f.read())
    fresh = {}
    for sql, values in statements:
        if sql.startswith('INSERT INTO "evaluations"'):
            fresh[values[1]] = "('e' || :r)"
            fresh[values[2]] = "('k' || :r)"
        elif sql.startswith('INSERT INTO "evaluation_history"'):
            fresh[values[1]] = "('h' || :r)"
    if len(fresh) != 3:
        sys.exit("replay.py: the transaction is not an evaluation's creation")
    out = ["\\set r random(1, 9000000000000000000)"]
    for sql, values in statements:
        sql = re.sub(r"\$(\d+)\b", lambda m: values[int(m.group(1))], sql)
        for literal, expression in fresh.items():
            sql = sql.replace(literal, expression)
        out.append(sql.replace("\n", " ") + ";")
    print("\n".join(out))


if __name__ == "__main__":
    main()
