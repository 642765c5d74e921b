import json,sys
want=set(sys.argv[1:])
for l in open("responses.jsonl"):
    c=json.loads(l)
    if want and c["id"] not in want: continue
    print("="*100); print(c["id"])
    for t in c["turns"]:
        r=t["response"]
        print("-"*60); print("Q:",t["question"]); print("grounded:",r.get("grounded"))
        print("A:",r.get("answer"))
        for ci in r.get("citations",[]):
            print(f'  [{ci["id"]}] {ci["documentId"]} | {ci.get("section")} | {ci["quote"]}')
        print("  sugg:",r.get("suggestions"))
