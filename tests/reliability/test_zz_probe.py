from __future__ import annotations
import random, json
from tests.reliability.services import in_process
from tests.reliability.world import role_headers, new_uscc, enterprise_body, new_id_number, parcel_body, inspection_body

async def test_probe(infra, tmp_path):
    async with in_process(infra, tmp_path, max_body_bytes=1024*1024) as s:
        reg = s.clients["parcel-registry"]; enf = s.clients["enforcement"]; ev = s.clients["evaluation"]; cr = s.clients["credit-ledger"]
        rng = random.Random()
        u = new_uscc(rng)
        body = enterprise_body("a\u0000b", [new_id_number(rng)])
        raw = json.dumps(body).encode()
        for ct in [None, "Application/JSON", "application/vnd.x+json", "APPLICATION/JSON; charset=utf-8", " application/json"]:
            h = role_headers("admin") | ({"content-type": ct} if ct else {})
            try:
                r = await reg.put(f"/v1/enterprises/{u}", content=raw, headers=h); print("NULCT", repr(ct), r.status_code, r.text[:200])
            except BaseException as e:
                print("NULCT", repr(ct), "EXC", repr(e)[:300])
        h = role_headers("admin") | {"content-type": "application/vnd.x+json"}
        p = parcel_body(u, "ronghua"); p["name"] = "x\u0000y"
        r = await reg.put("/v1/parcels/NULP", content=json.dumps(p).encode(), headers=h); print("NULPARCEL", r.status_code, r.text[:200])
        ins = inspection_body("NUL-INS-1", "NULP"); ins["inspector"] = "x\u0000"
        r = await enf.post("/v1/inspections", content=json.dumps(ins).encode(), headers=h); print("NULINS", r.status_code, r.text[:200])
        r = await ev.post("/v1/objections", content=json.dumps({"parcel_id":"NULP","year":2024,"statement":"a\u0000"}).encode(), headers=h); print("NULOBJ", r.status_code, r.text[:200])
        r = await cr.post("/v1/repairs", content=json.dumps({"subject_ref":u,"record_id":"r","evidence":["a\u0000"]}).encode(), headers=h); print("NULREP", r.status_code, r.text[:200])
