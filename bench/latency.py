"""The DID list at scale: are its totals exact, how fast is each filter's first page, and how fast is a cursor walk at
any depth. One keep-alive HTTP connection; each request is timed from sending it to reading the whole body.
Usage: latency.py BASE_URL TOKEN TENANT_ID REQUESTS MODE
  MODE totals: every filter's total against count(*) in PostgreSQL (psql; PG_PORT and PG_DB in the environment).
  MODE latency: p50/p95/max per query, then cursor walks (page_size 200) over the whole list, a status, a tenant, a
  provider and a route type, each to its end, checked for order and completeness, and random cursors from those walks.
  MODE history: GET /api/v1/dids/{id}/history for random numbers of the tenant and of the inventory (psql picks them):
  p50/p95/max, and how many entries those histories held."""
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse

base, token, tenant, count, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": f"Bearer {token}"}
rng = random.Random(7)


def get(path):
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    ms = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}: {body[:300]!r}")
    return json.loads(body), ms


def psql(sql):
    return subprocess.run([os.environ.get("PSQL", "psql"), "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", os.environ["PG_DB"],
                           "-qtAc", sql], capture_output=True, text=True, check=True).stdout.strip()


def q(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))], ms[-1]


# (name, query string, SQL condition on phone_numbers p for the exact count, or None for number search)
routed = "EXISTS (SELECT 1 FROM did_assignments a WHERE a.phone_number_id = p.id AND a.assigned_type = '{}')"
filters = [
    ("no filter", "", "true"),
    ("status=UNASSIGNED", "status=UNASSIGNED", "status = 'UNASSIGNED'"),
    ("status=ALLOCATED", "status=ALLOCATED", "status = 'ALLOCATED'"),
    ("status=ASSIGNED", "status=ASSIGNED", "status = 'ASSIGNED'"),
    ("tenant_id (100,000 numbers)", f"tenant_id={tenant}", f"tenant_id = '{tenant}'"),
    ("provider=twilio", "provider=twilio", "provider = 'twilio'"),
    ("assigned_type=USER", "assigned_type=USER", routed.format("USER")),
    ("assigned_type=QUEUE (none routed)", "assigned_type=QUEUE", routed.format("QUEUE")),
    ("tenant_id + status=ALLOCATED", f"tenant_id={tenant}&status=ALLOCATED", f"tenant_id = '{tenant}' AND status = 'ALLOCATED'"),
    ("provider + status=UNASSIGNED", "provider=telnyx&status=UNASSIGNED", "provider = 'telnyx' AND status = 'UNASSIGNED'"),
    ("tenant_id + assigned_type=IVR", f"tenant_id={tenant}&assigned_type=IVR", f"tenant_id = '{tenant}' AND " + routed.format("IVR")),
    ("provider + status + assigned_type", "provider=bandwidth&status=ASSIGNED&assigned_type=EXTERNAL",
     "provider = 'bandwidth' AND status = 'ASSIGNED' AND " + routed.format("EXTERNAL")),
    ("country=CA", "country=CA", "country = 'CA'"),
    ("number_type=TOLL_FREE", "number_type=TOLL_FREE", "number_type = 'TOLL_FREE'"),
    ("tenant_id + country=US", f"tenant_id={tenant}&country=US", f"tenant_id = '{tenant}' AND country = 'US'"),
    ("country=CA + status=UNASSIGNED", "country=CA&status=UNASSIGNED", "country = 'CA' AND status = 'UNASSIGNED'"),
    ("number_type=TOLL_FREE + assigned_type=USER", "number_type=TOLL_FREE&assigned_type=USER",
     "number_type = 'TOLL_FREE' AND " + routed.format("USER")),
]

if mode == "history":
    print(f"| history of a random number ({count} requests each) | entries (min-max) | p50 ms | p95 ms | max ms |")
    print("|---|---|---:|---:|---:|")
    worst = 0
    for name, where in [("held by the tenant (bulk allocated, ~40 route changes)", f"tenant_id = '{tenant}'"),
                        ("in the inventory (imported, one change)", "tenant_id IS NULL")]:
        ids = psql(f"SELECT id FROM phone_numbers WHERE {where} ORDER BY random() LIMIT {count}").split()
        ms, sizes = [], []
        for i in ids:
            page, took = get(f"/api/v1/dids/{i}/history?page_size=100")
            ms.append(took)
            sizes.append(page["total"])
        p50, p95, top = q(ms)
        worst = max(worst, p95)
        print(f"| {name} | {min(sizes)}-{max(sizes)} | {p50:.1f} | {p95:.1f} | {top:.1f} |")
    print(f"\nworst p95: {worst:.1f} ms (target < 50 ms)")
    sys.exit(0)

if mode == "totals":
    print("| filter | total | count(*) | exact |")
    print("|---|---:|---:|---|")
    wrong = 0
    for name, query, condition in filters:
        page, _ = get(f"/api/v1/dids?page_size=1&{query}")
        truth = int(psql(f"SELECT count(*) FROM phone_numbers p WHERE {condition}"))
        ok = page["total"] == truth and page["total_at_least"] is None
        wrong += not ok
        print(f"| {name} | {page['total']} | {truth} | {'yes' if ok else 'NO'} |")
    print(f"\n{len(filters) - wrong} of {len(filters)} totals exact")
    sys.exit(1 if wrong else 0)

searches = [
    ("number: 4-digit substring", lambda: f"number={rng.randrange(10000):04d}"),
    ("number: 2-digit substring", lambda: f"number={rng.randrange(100):02d}"),
    ("number: '+1' and 4 digits (prefix)", lambda: f"number=%2B1{rng.randrange(2000, 10000)}"),
    ("page=50 of 200 (rows 9,801-10,000)", lambda: "page=50&page_size=200"),
    ("status=UNASSIGNED, page=50 of 200", lambda: "status=UNASSIGNED&page=50&page_size=200"),
]
print(f"| first page ({count} requests each) | first ms | p50 ms | p95 ms | max ms | total |")
print("|---|---:|---:|---:|---:|---:|")
worst = 0.0
for name, query in [(n, (lambda s=s: s)) for n, s, _ in filters] + searches:
    first, first_ms = get(f"/api/v1/dids?{query()}")
    ms = [get(f"/api/v1/dids?{query()}")[1] for _ in range(count)]
    p50, p95, top = q(ms)
    worst = max(worst, p95)
    total = first["total"] if first["total"] is not None else f">= {first['total_at_least']}"
    print(f"| {name} | {first_ms:.1f} | {p50:.1f} | {p95:.1f} | {top:.1f} | {total} |")

print("\n| cursor walk to the end, page_size 200 | pages | items = total | p50 ms | p95 ms | max ms | p95 first / last 10% of pages |")
print("|---|---:|---|---:|---:|---:|---|")
cursors = {}
for name, query in [("whole list", ""), ("status=UNASSIGNED", "status=UNASSIGNED"), ("tenant_id", f"tenant_id={tenant}"),
                    ("provider=voxbone", "provider=voxbone"), ("assigned_type=USER", "assigned_type=USER")]:
    page, _ = get(f"/api/v1/dids?page_size=200&{query}")
    total, seen, last, ordered, ms, found = page["total"], len(page["items"]), page["items"][-1]["number"], True, [], []
    while page["next_cursor"]:
        cursor = page["next_cursor"]
        found.append(cursor)
        page, took = get(f"/api/v1/dids?page_size=200&{query}&cursor={cursor}")
        ms.append(took)
        ordered &= page["items"][0]["number"] > last
        last, seen = page["items"][-1]["number"], seen + len(page["items"])
    cursors[name] = (query, found)
    p50, p95, top = q(ms)
    tenth = max(1, len(ms) // 10)
    worst = max(worst, p95)
    print(f"| {name} | {len(ms) + 1} | {'yes' if seen == total and ordered else f'NO ({seen} of {total})'} | {p50:.1f} | {p95:.1f} | {top:.1f} | "
          f"{q(ms[:tenth])[1]:.1f} / {q(ms[-tenth:])[1]:.1f} |")

print(f"\n| a random cursor of the walk ({count} requests each) | p50 ms | p95 ms | max ms |")
print("|---|---:|---:|---:|")
for name, (query, found) in cursors.items():
    ms = [get(f"/api/v1/dids?page_size=200&{query}&cursor={rng.choice(found)}")[1] for _ in range(count)]
    p50, p95, top = q(ms)
    worst = max(worst, p95)
    print(f"| {name} | {p50:.1f} | {p95:.1f} | {top:.1f} |")

print(f"\nworst p95: {worst:.1f} ms (target < 50 ms). 'first' is each query's first request, not counted in p50/p95.")
