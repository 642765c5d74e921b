import json,re,glob
docs={}
for p in glob.glob("/work/shared/corpus/*.txt"):
    docs[p.split("/")[-1].split(".")[0]]=open(p).read()
M={"python-backend-frameworks-how-to-choose":"000","which-web-python-backend-to-choose":"001","django-flask-fastapi-which-is-better":"002","python-mvf-most-valuable-frameworks":"003"}
norm=lambda s: re.sub(r'[^a-z0-9]','',s.lower())
nd={k:norm(v) for k,v in docs.items()}
bad=0;tot=0
for l in open("responses.jsonl"):
    r=json.loads(l)
    for ti,t in enumerate(r["turns"]):
        resp=t["response"]
        print(f"===== {r['id']} t{ti+1}: {t['question']}")
        if "error" in resp: print("ERROR",resp); continue
        print("grounded:",resp.get("grounded"))
        print(resp["answer"])
        for c in resp.get("citations",[]):
            tot+=1
            did=str(c.get("documentId"))
            match=[k for k in nd if k.startswith(M.get(did,"zz"))]
            ok = any(norm(c["quote"]) in nd[k] for k in match) if match else None
            anyok=any(norm(c["quote"]) in v for v in nd.values())
            if not ok: bad+=1
            print(f"  [{c.get('id')}] {did} | {c.get('section')} | ok={ok} any={anyok} | {c['quote']}")
        print()
print("citations",tot,"unfaithful",bad)
