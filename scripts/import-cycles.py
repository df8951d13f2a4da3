#!/usr/bin/env python3
"""Import circles between the server's modules, and the layers they form.

Usage: scripts/import-cycles.py   (from the repository root)

Two levels, both must be free of circles (exit 1 names each circle):
- capabilities: the top-level folders and files of server/src (`loyalty/`, `http/`, `events.rs`
  …; the crate root's own items, `AppState` and the clock, are below everything);
- modules: every file, where a folder's `mod.rs` is the folder's module.
An import is a `crate::…` path (also in `use crate::{a, b::c}` groups), a `super::…` or a
`self::…` path in the code; comments and `#[cfg(test)]` parts are left out. Circles are the
strongly connected components with more than one member (Tarjan). Prints the capabilities in
layers: each imports only from the layers below it.
"""
import os
import re
import sys

ROOT = 'server/src'


def module_files():
    """Module path (tuple) -> source without comments and tests."""
    found = {}
    for folder, _, files in os.walk(ROOT):
        for name in files:
            if not name.endswith('.rs'):
                continue
            path = os.path.join(folder, name)
            parts = tuple(os.path.relpath(path, ROOT)[:-3].split(os.sep))
            if parts[-1] == 'mod':
                parts = parts[:-1]
            if parts in (('lib',), ('main',)):
                continue
            text = open(path, encoding='utf-8').read().split('#[cfg(test)]')[0]
            text = '\n'.join(l for l in text.split('\n') if not l.strip().startswith('//'))
            found[parts] = text
    return found


def expand(group):
    """`a, b::c, d::{e, f}` -> ['a', 'b::c', 'd::e', 'd::f'] (one level of nesting is enough)."""
    out, depth, item = [], 0, ''
    for ch in group + ',':
        if ch == ',' and depth == 0:
            item = item.strip()
            if item:
                m = re.match(r'([\w:]*?)::\{(.*)\}$', item, re.S)
                out += [f'{m.group(1)}::{x}' for x in expand(m.group(2))] if m else [item]
            item = ''
            continue
        depth += ch == '{'
        depth -= ch == '}'
        item += ch
    return out


def imported_paths(text, here):
    """Absolute module paths (tuples) that `text` names."""
    paths = []
    for m in re.finditer(r'\b(crate|super|self)::(\{[^;]*?\}|[\w:*]+)', text):
        start, rest = m.group(1), m.group(2)
        items = expand(rest[1:-1]) if rest.startswith('{') else [rest]
        # `super` of module a::b is a, of a (a/mod.rs) the crate; `self` is the module itself
        base = {'crate': (), 'super': here[:-1], 'self': here}[start]
        for item in items:
            segs = tuple(s for s in item.split('::') if s and s not in ('self', '*'))
            paths.append(base + segs)
    return paths


def circles(graph):
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main():
    files = module_files()
    modules = {m: set() for m in files}
    for here, text in files.items():
        for path in imported_paths(text, here):
            # the longest module prefix of the path (the rest names an item)
            for cut in range(len(path), 0, -1):
                if path[:cut] in files:
                    if path[:cut] != here:
                        modules[here].add(path[:cut])
                    break
    capabilities = {}
    for m, deps in modules.items():
        capabilities.setdefault(m[0], set()).update(d[0] for d in deps if d[0] != m[0])
    name = '::'.join
    bad = False
    for level, graph, show in (('capabilities', capabilities, str), ('modules', modules, name)):
        for circle in circles(graph):
            bad = True
            print(f'import circle among {level}: ' + ' '.join(show(c) for c in circle))
            for c in circle:
                print(f'   {show(c)} -> ' + ', '.join(sorted(show(d) for d in graph[c] if d in circle)))
    if bad:
        return 1
    layer = {}

    def depth(c):
        if c not in layer:
            layer[c] = 1 + max((depth(d) for d in capabilities[c]), default=0)
        return layer[c]

    for c in capabilities:
        depth(c)
    print(f'no import circles among {len(capabilities)} capabilities and {len(modules)} '
          'server modules; the capabilities in layers (each imports only from layers below):')
    for n in sorted(set(layer.values()), reverse=True):
        members = sorted(c for c in layer if layer[c] == n)
        print(f'  {n}: ' + ', '.join(
            f"{c} (-> {', '.join(sorted(capabilities[c]))})" if capabilities[c] else c
            for c in members))
    return 0


sys.exit(main())
