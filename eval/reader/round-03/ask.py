import json, urllib.request, time
URL="http://127.0.0.1:5093/api/ask"
def ask(q, cid=None):
    body={"question":q}
    if cid: body["conversationId"]=cid
    req=urllib.request.Request(URL,data=json.dumps(body).encode(),headers={"content-type":"application/json"})
    for attempt in range(2):
        try:
            with urllib.request.urlopen(req,timeout=180) as r: return json.loads(r.read())
        except Exception as e:
            err=str(e); time.sleep(2)
    return {"error":err}
out=open("responses.jsonl","w")
for line in open("questions.jsonl"):
    q=json.loads(line); cid=None; turns=[]
    for t in q["turns"]:
        r=ask(t,cid); cid=r.get("conversationId",cid)
        turns.append({"question":t,"response":r})
    out.write(json.dumps({"id":q["id"],"turns":turns})+"\n"); out.flush()
    print(q["id"], flush=True)
