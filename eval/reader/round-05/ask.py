import json, urllib.request
from concurrent.futures import ThreadPoolExecutor
def ask(q,cid=None):
    body={"question":q}
    if cid: body["conversationId"]=cid
    req=urllib.request.Request("http://127.0.0.1:5095/api/ask",data=json.dumps(body).encode(),headers={"content-type":"application/json"})
    try:
        return json.loads(urllib.request.urlopen(req,timeout=180).read())
    except Exception as e:
        return {"error":str(e)}
def run(c):
    cid=None; turns=[]
    for q in c["turns"]:
        r=ask(q,cid); cid=r.get("conversationId",cid)
        turns.append({"question":q,"response":r})
    return {"id":c["id"],"turns":turns}
qs=[json.loads(l) for l in open("questions.jsonl")]
with ThreadPoolExecutor(4) as ex: res=list(ex.map(run,qs))
with open("responses.jsonl","w") as f:
    for r in res: f.write(json.dumps(r)+"\n")
print("done")
