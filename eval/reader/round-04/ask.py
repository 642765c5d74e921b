import json, urllib.request, time
URL="http://127.0.0.1:5094/api/ask"
def ask(q, cid=None):
    body={"question":q}
    if cid: body["conversationId"]=cid
    req=urllib.request.Request(URL, data=json.dumps(body).encode(), headers={"content-type":"application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read().decode())
qs=[json.loads(l) for l in open("/tmp/reader/round-04/questions.jsonl")]
out=open("/tmp/reader/round-04/responses.jsonl","w")
for q in qs:
    cid=None; turns=[]
    for t in q["turns"]:
        try:
            r=ask(t,cid)
        except Exception as e:
            r={"error":str(e)}
        cid=r.get("conversationId",cid)
        turns.append({"question":t,"response":r})
    out.write(json.dumps({"id":q["id"],"turns":turns},ensure_ascii=False)+"\n"); out.flush()
    print(q["id"], flush=True)
