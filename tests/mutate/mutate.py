#!/usr/bin/env python3
"""Mutation testing: do the tests notice when the code is wrong?

Makes mechanical mutants of core/ and of the ingest -> store -> ack path
(flipped comparisons, off-by-one bounds, && for ||, dropped statements,
swapped branches), one at a time, in a scratch copy of the tree, builds
each and runs the suites that cover its file, cheapest first, until one
fails (the mutant is killed) or none does (it survived).  Prints every
survivor with its diff, and the kill rate.

    tests/mutate/mutate.py [--count N|all] [--seed S] [--keep DIR] [ID...]

A mutant's id is a hash of its file, its line's text and the change, so it
survives unrelated edits.  tests/mutate/equivalent.txt lists the survivors
that are equivalent (no test can tell them apart): "ID FILE:LINE reason";
a reason "live: ..." explains a survivor that still counts against the score.
The goal is 90 % of the non-equivalent mutants killed; the exit status is 1
below it.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(TOP, "tests", "mutate")

# The ingest -> store -> ack path, besides core/.
PATH_FILES = ["daemon/validate.c", "daemon/ingest.c", "daemon/ingest_parse.c",
              "daemon/ingest_store.c", "daemon/correct.c",
              "daemon/book.c"]
# Suites per file, in the order they are tried; "unit" is every unit test
# (built with ASan and UBSan).
CORE_SUITES = ["unit", "test_ingest", "test_corrections", "test_alerts"]
PATH_SUITES = ["unit", "test_ingest", "test_plain", "test_corrections",
               "test_batch_fates", "test_faults", "test_metrics", "test_crash",
               "test_commit_loop"]
GOAL = 90.0


def targets():
    core = sorted("core/" + f for f in os.listdir(os.path.join(TOP, "core"))
                  if f.endswith(".c"))
    # A file listed but gone is an error, not a file quietly left out
    # (daemon/store.c was, after the store's split into rooms).
    gone = [f for f in PATH_FILES if not os.path.exists(os.path.join(TOP, f))]
    if gone:
        sys.exit("mutate: listed but not in the tree: " + ", ".join(gone))
    return core + PATH_FILES


def suites_for(path):
    return CORE_SUITES if path.startswith("core/") else PATH_SUITES


def mask(lines):
    """Each line with comments, strings and character constants blanked,
    so that operators are only found in code."""
    out, in_comment = [], False
    for line in lines:
        m, i, n = [], 0, len(line)
        while i < n:
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    m.append("  ")
                    i += 2
                else:
                    m.append(" ")
                    i += 1
            elif line.startswith("/*", i):
                in_comment = True
                m.append("  ")
                i += 2
            elif line.startswith("//", i):
                m.append(" " * (n - i))
                break
            elif c in "\"'":
                j = i + 1
                while j < n and line[j] != c:
                    j += 2 if line[j] == "\\" else 1
                m.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
                i = j + 1
            else:
                m.append(c)
                i += 1
        out.append("".join(m)[:n].ljust(n))
    return out


CMP = re.compile(r"(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])")
FLIP = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="],
        ">=": [">", "<"], "==": ["!="], "!=": ["=="]}
LOGIC = re.compile(r"(&&|\|\|)")
OFF = re.compile(r"([+-]) 1\b(?!\.)")
IF = re.compile(r"^(\s*(?:\}\s*else\s+)?if\s*)\((.*)\)(\s*\{?\s*)$")
STMT = re.compile(r"^\s*(?:[\w.\->\[\]*]+\s*(?:[-+*/|&]?=|\+\+|--)|\w+\s*\().*;\s*$")
SKIP_STMT = re.compile(r"^\s*(return|break|continue|goto|case|default|"
                       r"static|const|struct|enum|unsigned|int|char|size_t|"
                       r"double|bool|int64_t|uint64_t|uint32_t|dec_t|when_t|"
                       r"json_t|sqlite3_stmt|else|do)\b")


def balanced(s):
    d = 0
    for c in s:
        d += c == "("
        d -= c == ")"
        if d < 0:
            return False
    return d == 0


def sites(path):
    """Every mutant of one file: (line number, kind, new line)."""
    with open(os.path.join(TOP, path)) as f:
        lines = f.read().split("\n")
    masked = mask(lines)
    found = []
    depth = 0
    for no, (line, m) in enumerate(zip(lines, masked), 1):
        code = m.strip()
        inside = depth > 0
        depth += m.count("{") - m.count("}")
        if not inside or not code or code.startswith("#"):
            continue
        for x in CMP.finditer(m):
            for to in FLIP[x.group(1)]:
                found.append((no, "cmp %s -> %s" % (x.group(1), to),
                              line[:x.start()] + to + line[x.end():]))
        for x in LOGIC.finditer(m):
            to = "||" if x.group(1) == "&&" else "&&"
            found.append((no, "%s -> %s" % (x.group(1), to),
                          line[:x.start()] + to + line[x.end():]))
        for x in OFF.finditer(m):
            found.append((no, "off-by-one %s 1 -> %s 2" % (x.group(1), x.group(1)),
                          line[:x.start()] + x.group(1) + " 2" + line[x.end():]))
        x = IF.match(m)
        if x and balanced(x.group(2)):
            s, e = x.start(2), x.end(2)
            found.append((no, "swap branches: if (!(...))",
                          line[:s] + "!(" + line[s:e] + ")" + line[e:]))
        if (STMT.match(m) and not SKIP_STMT.match(m) and balanced(m)
                and not lines[no - 2].rstrip().endswith((",", "(", "&&", "||"))
                and "{" not in m and "}" not in m):
            found.append((no, "drop statement",
                          re.match(r"\s*", line).group(0) + ";"))
    out, seen = [], {}
    for no, kind, new in found:
        key = "%s\0%s\0%s\0%s" % (path, lines[no - 1].strip(), kind, new.strip())
        # Identical lines in one file: their first, second... copy.
        seen[key] = seen.get(key, 0) + 1
        key += "\0%d" % seen[key]
        mid = hashlib.sha1(key.encode()).hexdigest()[:8]
        out.append({"id": mid, "file": path, "line": no, "kind": kind,
                    "old": lines[no - 1], "new": new})
    return out


def equivalents():
    eq = {}
    p = os.path.join(HERE, "equivalent.txt")
    if os.path.exists(p):
        for raw in open(p):
            raw = raw.strip()
            if raw and not raw.startswith("#"):
                parts = raw.split(None, 2)
                eq[parts[0]] = parts[2] if len(parts) > 2 else ""
    return eq


def sh(cmd, cwd, timeout, log, env=None):
    """Runs cmd in its own process group, all of which dies on a timeout."""
    with open(log, "ab") as f:
        p = subprocess.Popen(cmd, cwd=cwd, shell=True, stdout=f,
                             stderr=subprocess.STDOUT, start_new_session=True,
                             env=dict(os.environ, **(env or {})))
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            return 124


def build(tree, log):
    """The programs, and the unit tests with ASan: a dropped free() is a
    leak, which LeakSanitizer reports."""
    return sh("make -j2 all unit tools && make SAN=1 -j2 unit", tree, 900, log)


def run_suite(tree, suite, units, log):
    """A mutant may loop for ever: each suite gets a few times what it
    needs (TEST_TIMEOUT), and the lot a bound of its own."""
    if suite == "unit":
        for u in units:  # one at a time: the first failure is enough
            rc = sh("sh tests/run.sh build-san -- %s" % u, tree, 120, log,
                    {"TEST_TIMEOUT": "60"})
            if rc != 0:
                return rc
        return 0
    return sh("sh tests/run.sh build -- %s" % suite, tree, 400, log,
              {"TEST_TIMEOUT": "300"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", default=os.environ.get("MUTANTS", "60"))
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--keep", help="scratch tree to use (kept)")
    ap.add_argument("ids", nargs="*")
    a = ap.parse_args()

    every = [m for f in targets() for m in sites(f)]
    if a.ids:
        chosen = [m for m in every if m["id"] in a.ids]
    elif a.count == "all":
        chosen = every
    else:
        # A fixed sample spread over the files: the same mutants every run.
        rng = random.Random(a.seed)
        chosen = sorted(rng.sample(every, min(int(a.count), len(every))),
                        key=lambda m: (m["file"], m["line"]))
    eq = equivalents()
    units = sorted("test_" + f[5:-2] for f in os.listdir(os.path.join(TOP, "tests/unit"))
                   if f.startswith("test_") and f.endswith(".c"))

    tree = a.keep or tempfile.mkdtemp(prefix="tiendo-mutate.")
    if not os.path.exists(os.path.join(tree, "Makefile")):
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                "--exclude-standard"], cwd=TOP, check=True,
                               stdout=subprocess.PIPE).stdout.split(b"\0")
        for rel in filter(None, (x.decode() for x in files)):
            src, dst = os.path.join(TOP, rel), os.path.join(tree, rel)
            if os.path.isfile(src):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
    log = os.path.join(tree, "mutate.log")
    print("mutate: %d mutants of %d sites in %d files; scratch tree %s"
          % (len(chosen), len(every), len(targets()), tree), flush=True)
    if build(tree, log) != 0:
        print("mutate: the unmutated tree does not build; see %s" % log)
        return 2
    for s in sorted({s for m in chosen for s in suites_for(m["file"])}):
        if os.path.exists(os.path.join(tree, "mutate.done")):
            break  # checked by the run that made it
        if run_suite(tree, s, units, log) != 0:
            print("mutate: suite %s fails on the unmutated tree; see %s" % (s, log))
            return 2

    # With --keep, verdicts are remembered: an interrupted run goes on.
    done_file = os.path.join(tree, "mutate.done")
    done = {}
    if a.keep and os.path.exists(done_file):
        for raw in open(done_file):
            mid, _, verdict = raw.rstrip("\n").partition(" ")
            done[mid] = verdict
    killed, survived, stillborn, t0 = [], [], [], time.time()
    for i, m in enumerate(chosen, 1):
        if m["id"] in done:
            v = done[m["id"]]
            (killed if v.startswith("killed") else
             stillborn if v.startswith("stillborn") else survived).append(m)
            print("%3d/%d %s %s:%d %s: %s (before)" % (
                i, len(chosen), m["id"], m["file"], m["line"], m["kind"], v))
            continue
        path = os.path.join(tree, m["file"])
        orig = open(path).read()
        lines = orig.split("\n")
        assert lines[m["line"] - 1] == m["old"]
        lines[m["line"] - 1] = m["new"]
        with open(path, "w") as f:
            f.write("\n".join(lines))
        try:
            if build(tree, log) != 0:
                stillborn.append(m)
                verdict = "stillborn (does not build)"
            else:
                verdict = None
                for s in suites_for(m["file"]):
                    if run_suite(tree, s, units, log) != 0:
                        verdict = "killed by %s" % s
                        killed.append(m)
                        break
                if verdict is None:
                    survived.append(m)
                    verdict = "SURVIVED" + (" (equivalent)" if m["id"] in eq else "")
        finally:
            with open(path, "w") as f:
                f.write(orig)
            os.utime(path)
        print("%3d/%d %s %s:%d %s: %s" % (i, len(chosen), m["id"], m["file"],
                                         m["line"], m["kind"], verdict), flush=True)
        with open(done_file, "a") as f:
            f.write("%s %s\n" % (m["id"], verdict))

    print("\nsurvivors:")
    for m in survived:
        print("  %s %s:%d %s%s\n    - %s\n    + %s" % (
            m["id"], m["file"], m["line"], m["kind"],
            " [equivalent: %s]" % eq[m["id"]] if m["id"] in eq else "",
            m["old"].strip(), m["new"].strip()))
    # A reason that starts with "live:" explains a survivor that a test
    # could kill but does not yet: it still counts against the score.
    live = [m for m in survived
            if m["id"] not in eq or eq[m["id"]].startswith("live:")]
    counted = len(killed) + len(live)
    rate = 100.0 * len(killed) / counted if counted else 100.0
    print("\nmutation score: %d killed, %d survived (%d of them equivalent), "
          "%d stillborn, of %d mutants in %d s" % (
              len(killed), len(survived), len(survived) - len(live),
              len(stillborn), len(chosen), time.time() - t0))
    print("kill rate: %.1f %% of the %d non-equivalent mutants (goal %.0f %%)"
          % (rate, counted, GOAL))
    if not a.keep:
        shutil.rmtree(tree, ignore_errors=True)
    return 0 if rate >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
