import json, re, glob, os
M={"python-backend-frameworks-how-to-choose":"000","which-web-python-backend-to-choose":"001","django-flask-fastapi-which-is-better":"002","python-mvf-most-valuable-frameworks":"003"}
docs={}
for p in glob.glob("/work/shared/corpus/*.txt"):
    docs[os.path.basename(p)[:3]]=open(p).read()
norm=lambda s: re.sub(r'[^a-z0-9]+','',s.lower())
nd={k:norm(v) for k,v in docs.items()}
tot=0;bad=[]
for line in open("responses.jsonl"):
    r=json.loads(line)
    for ti,t in enumerate(r["turns"]):
        for c in t["response"].get("citations",[]) or []:
            tot+=1
            ok = norm(c["quote"]) in nd[M[c["documentId"]]]
            if not ok: bad.append((r["id"],ti,c["documentId"],c["quote"]))
print("total",tot,"unfaithful",len(bad))
for b in bad: print(b)
