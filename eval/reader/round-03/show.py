import json,sys
ids=sys.argv[1:]
for line in open("responses.jsonl"):
    r=json.loads(line)
    if ids and r["id"] not in ids: continue
    print("#"*20, r["id"])
    for t in r["turns"]:
        R=t["response"]
        print(">>> Q:", t["question"])
        print(R.get("answer"))
        print("  grounded:",R.get("grounded"))
        for c in R.get("citations") or []:
            print(f'  [{c["id"]}] {c["documentId"][:18]} §{c.get("section")}: {c["quote"]!r}')
        print()
