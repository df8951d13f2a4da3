#!/usr/bin/env python3
"""Import circles between the server's modules: exits 1 and names them when there are any.

Usage: scripts/import-cycles.py   (from the repository root)

A module is a top-level module of server/src (its folder counts as one) or a module of
server/src/http; an edge is a `crate::…` path (or, inside http/, `super::…`) in its code,
comments and `#[cfg(test)]` parts left out. Circles are the strongly connected components
with more than one module (Tarjan).
"""
import os,re,sys
root='server/src'
mods={}
for dp,dn,fn in os.walk(root):
    for f in fn:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f)
        rel=os.path.relpath(p,root)[:-3]
        parts=rel.split('/')
        if parts[-1]=='mod': parts=parts[:-1]
        # top-level module granularity (http/x kept as http::x)
        name='::'.join(parts[:2]) if parts[0]=='http' else parts[0]
        txt=open(p).read()
        # strip tests
        txt=txt.split('#[cfg(test)]')[0]
        txt='\n'.join(l for l in txt.split('\n') if not l.strip().startswith('//'))
        deps=set()
        for m in re.finditer(r'crate::([a-z_]+)(?:::([a-z_]+))?',txt):
            a,b=m.group(1),m.group(2)
            d=f'{a}::{b}' if a=='http' and b else a
            if d!=name: deps.add(d)
        for m in re.finditer(r'super::([a-z_]+)',txt):
            if parts[0]=='http' and len(parts)==2:
                deps.add('http::'+m.group(1))
        mods.setdefault(name,set()).update(deps)
mods={k:{d for d in v if d in mods or d.split('::')[0] in mods} for k,v in mods.items()}
# find cycles (pairs and longer via SCC)
idx={};low={};st=[];on=set();sccs=[];i=[0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=i[0];i[0]+=1;st.append(v);on.add(v)
    for w in mods.get(v,()):
        if w not in mods: continue
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        c=[]
        while True:
            w=st.pop();on.discard(w);c.append(w)
            if w==v:break
        if len(c)>1: sccs.append(sorted(c))
for v in list(mods):
    if v not in idx: sc(v)
for c in sccs:
    print('import circle:', ' '.join(c))
    for a in c:
        print('  ', a, '->', ', '.join(sorted(d for d in mods[a] if d in c)))
if not sccs:
    print(f'no import circles among {len(mods)} server modules')
sys.exit(1 if sccs else 0)
