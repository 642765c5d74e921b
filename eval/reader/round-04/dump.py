import json, re, glob
docs={}
for p in glob.glob("/work/shared/corpus/*.txt"):
    t=open(p).read(); docs[p]=t
def norm(s): return re.sub(r'[^a-z0-9]','',s.lower())
titlemap={}
for p,t in docs.items():
    titlemap[norm(t.splitlines()[0]) if not t.startswith("LOG") else None]=p
# map by title substring
def find_doc(title):
    nt=norm(title)
    for p,t in docs.items():
        if nt and nt in norm(t[:3000]): return p
    return None
ids=set()
for l in open("responses.jsonl"):
    r=json.loads(l)
    print("="*100); print("###", r["id"])
    for i,t in enumerate(r["turns"]):
        resp=t["response"]
        print(f"--- Q{i+1}: {t['question']}")
        print(f"[grounded={resp.get('grounded')} cid={resp.get('conversationId')}]")
        print(resp.get("answer"))
        for c in resp.get("citations") or []:
            p=find_doc(c.get("title") or "")
            ids.add((c["documentId"], p))
            ok = p is not None and norm(c["quote"]) in norm(docs[p])
            anyok = any(norm(c["quote"]) in norm(d) for d in docs.values())
            print(f"   [{c['id']}] {c['documentId']} | sec={c.get('section')} | verbatim={'OK' if ok else ('OTHERDOC' if anyok else 'NO')} :: {c['quote']}")
        print("   sugg:", resp.get("suggestions"))
print(ids)
