import json,re,glob
docs={}
for f in glob.glob("/work/shared/corpus/*.txt"):
    docs[f]=open(f).read()
norm=lambda s: re.sub(r'[^0-9a-z]','',s.lower())
titles={}
ids=set()
for line in open("responses.jsonl"):
    c=json.loads(line)
    for t in c["turns"]:
        for ct in t["response"].get("citations",[]):
            ids.add((ct["documentId"],ct["title"]))
for i in sorted(ids): print(i)
# map by title in first line
m={}
for did,title in ids:
    for f,txt in docs.items():
        if norm(title) in norm(txt): m[did]=f
print(m)
bad=[]; total=0
for line in open("responses.jsonl"):
    c=json.loads(line)
    for ti,t in enumerate(c["turns"]):
        for ct in t["response"].get("citations",[]):
            total+=1
            f=m.get(ct["documentId"])
            if not f or norm(ct["quote"]) not in norm(docs[f]):
                other=[g for g in docs if norm(ct["quote"]) in norm(docs[g])]
                bad.append((c["id"],ti,ct["id"],ct["documentId"],ct["quote"],other))
print("total",total,"unfaithful",len(bad))
for b in bad: print(b)
