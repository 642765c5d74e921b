import json,re
m={'python-backend-frameworks-how-to-choose':'000_8a0ada6cba144acb','which-web-python-backend-to-choose':'001_799210cf8b5fe87c','django-flask-fastapi-which-is-better':'002_1a685cd95e09720d','python-mvf-most-valuable-frameworks':'003_ca296f1cd4b1f29f'}
def norm(s): return re.sub(r'[\W_]+','',s.lower())
docs={k:norm(open(f'/work/shared/corpus/{v}.txt').read()) for k,v in m.items()}
bad=0;tot=0
for l in open("responses.jsonl"):
    c=json.loads(l)
    for i,t in enumerate(c["turns"]):
        for ci in t["response"].get("citations",[]):
            tot+=1
            if norm(ci["quote"]) not in docs[ci["documentId"]]:
                bad+=1
                other=[k for k,d in docs.items() if norm(ci["quote"]) in d]
                print("UNFAITHFUL",c["id"],i,ci["id"],ci["documentId"],other,ci["quote"][:150])
print(tot,bad)
