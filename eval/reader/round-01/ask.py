import json, urllib.request, time
URL="http://127.0.0.1:5091/api/ask"
def ask(q, cid=None):
    body={"question":q}
    if cid: body["conversationId"]=cid
    req=urllib.request.Request(URL,data=json.dumps(body).encode(),headers={"content-type":"application/json"})
    for attempt in range(3):
        try:
            with urllib.request.urlopen(req,timeout=300) as r: return json.loads(r.read())
        except Exception as e:
            err=str(e); time.sleep(2)
    return {"error":err}
out=open("responses.jsonl","w")
for line in open("questions.jsonl"):
    c=json.loads(line); cid=None; turns=[]
    for q in c["turns"]:
        r=ask(q,cid); cid=r.get("conversationId",cid)
        turns.append({"question":q,"response":r})
    out.write(json.dumps({"id":c["id"],"turns":turns},ensure_ascii=False)+"\n"); out.flush()
    print(c["id"], flush=True)
