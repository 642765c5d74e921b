import json,sys
ids=sys.argv[1:]
for line in open("responses.jsonl"):
    c=json.loads(line)
    if ids and c["id"] not in ids: continue
    print("#"*20,c["id"])
    for t in c["turns"]:
        r=t["response"]
        print("Q:",t["question"]); print("grounded:",r.get("grounded"))
        print(r.get("answer"))
        for ct in r.get("citations",[]):
            print(f'  [{ct["id"]}] {ct["documentId"]} / {ct.get("section")}: {ct["quote"]!r}')
        print("--")
