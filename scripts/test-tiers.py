#!/usr/bin/python3
"""Reads the tier tags of every test suite from its `@Suite(...)` line (Tests/FleetTestSupport/TestTags.swift).

    test-tiers.py filter pure files    a `swift test --filter` regex selecting the suites tagged with any of
                                       the given tiers
    test-tiers.py each chain           one such regex per suite of the given tiers, a line each
    test-tiers.py list                 every suite with its tiers; untagged ones say so

Swift Testing 6.3 cannot select by tag from the command line, so the tags are read from the source here.
Only the Python 3 standard library is used.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIERS = ("pure", "files", "processes", "sshd", "chain")
SUITE = re.compile(r"@Suite\b")
DECLARATION = re.compile(r"\s*(?:(?:public|internal|package|private|fileprivate|final)\s+)*(?:struct|class|enum|actor)\s+(\w+)")


def suites():
    """(file, suite type name, tiers) for every @Suite under Tests/, in file order."""
    found = []
    for folder, _, files in sorted(os.walk(os.path.join(ROOT, "Tests"))):
        if "FleetTestSupport" in folder:
            continue
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for match in SUITE.finditer(text):
                end = match.end()
                arguments = ""
                if end < len(text) and text[end] == "(":
                    depth, i = 0, end
                    while i < len(text):
                        depth += {"(": 1, ")": -1}.get(text[i], 0)
                        i += 1
                        if depth == 0:
                            break
                    arguments, end = text[end:i], i
                declaration = DECLARATION.match(text, end)
                if not declaration:
                    continue
                tags = re.search(r"\.tags\(([^)]*)\)", arguments)
                tiers = [t for t in re.findall(r"\.(\w+)", tags.group(1)) if t in TIERS] if tags else []
                found.append((os.path.relpath(path, ROOT), declaration.group(1), tiers))
    return found


def main(argv):
    if argv[:1] == ["list"]:
        for path, name, tiers in suites():
            print(f"{','.join(tiers) or 'UNTAGGED':<16} {name:<40} {path}")
        return 0
    if argv[:1] == ["each"] and argv[1:] and all(t in TIERS for t in argv[1:]):
        for name in sorted({name for _, name, tiers in suites() if set(tiers) & set(argv[1:])}):
            print(r"\.(" + name + r")(/|$)")
        return 0
    if argv[:1] == ["filter"] and argv[1:] and all(t in TIERS for t in argv[1:]):
        names = sorted({name for _, name, tiers in suites() if set(tiers) & set(argv[1:])})
        if not names:
            sys.stderr.write(f"test-tiers: no suite is tagged {' or '.join(argv[1:])}\n")
            return 1
        print(r"\.(" + "|".join(names) + r")(/|$)")
        return 0
    sys.stderr.write(f"usage: test-tiers.py list | filter TIER... | each TIER... (tiers: {', '.join(TIERS)})\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
