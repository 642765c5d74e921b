import json, urllib.request
URL="http://127.0.0.1:5092/api/ask"
def ask(q, cid=None):
    body={"question":q}
    if cid: body["conversationId"]=cid
    req=urllib.request.Request(URL,data=json.dumps(body).encode(),headers={"content-type":"application/json"})
    with urllib.request.urlopen(req,timeout=180) as r:
        return json.loads(r.read())
out=open("responses.jsonl","w")
for line in open("questions.jsonl"):
    c=json.loads(line); cid=None; turns=[]
    for q in c["turns"]:
        try:
            r=ask(q,cid)
        except Exception as e:
            r={"error":str(e)}
        cid=r.get("conversationId",cid)
        turns.append({"question":q,"response":r})
    out.write(json.dumps({"id":c["id"],"turns":turns})+"\n"); out.flush()
    print(c["id"],flush=True)
