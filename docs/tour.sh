#!/usr/bin/env bash
# The README's tour as one script: each user's steps from a new asset to a signed lease.
#
# Against `make run` on a fresh database (the tour registers fixed codes and names):
#   make run              # terminal 1
#   bash docs/tour.sh     # terminal 2; stops at the first unexpected answer
#
# Apart from the `step` lines, the commands are the README's, block by block, exactly as written
# (tests/e2e/test_readme_tour.py checks that and runs this script against a live server; set
# API=http://host:port/api/v1 to point it elsewhere).
set -euo pipefail
step() { printf '\n== %s\n' "$1"; }

step "A tour: from a new asset to a signed lease"
API=${API:-http://127.0.0.1:8000/api/v1}
J='Content-Type: application/json'
json() {  # one value of the JSON answer on stdin, e.g. `json results 0 id`
  python3 -c 'import json, sys
answer = sys.stdin.read()
try:
    value = json.loads(answer)
    for key in sys.argv[1:]:
        value = value[int(key)] if isinstance(value, list) else value[key]
except (ValueError, KeyError, IndexError, TypeError):
    sys.exit("unexpected answer: " + answer[:500])
print(json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value)' "$@"
}
signin() {  # the Authorization header of a demo user
  echo "Authorization: Token $(curl -s $API/auth/token/ -H "$J" \
    -d "{\"username\": \"$1\", \"password\": \"demo-pass-2026\"}" | json token)"
}
OFFICER=$(signin demo_asset_officer)
APPROVER=$(signin demo_asset_approver)
MANAGER=$(signin demo_outlet_manager)
PLANNER=$(signin demo_planner)
step "1. Asset officer: register an asset, read its assessment, propose repurposing"
ASSET=$(curl -s $API/assets/ -H "$OFFICER" -H "$J" -d '{
  "register_code": "KIB-C-2026-0001", "item_code": "1.3.3.01.01.01.001",
  "name": "Eks Kantor UPT Beji", "category": "building", "use": "office", "status": "idle",
  "condition": "good", "land_area_m2": 850, "building_area_m2": 320,
  "address": "Jl. Margonda Raya, Kemiri Muka",
  "geometry": {"type": "Point", "coordinates": [106.8326, -6.3799]}}' | json id)
curl -s $API/assets/$ASSET/ -H "$OFFICER" | json kelurahan_code          # 32.76.06.1004
curl -s $API/assets/$ASSET/assessment/ -H "$OFFICER" | json repurposable  # True
curl -s $API/assets/$ASSET/assessment/ -H "$OFFICER" -H 'Accept-Language: en' | json checks 2 detail
RECLASSIFICATION=$(curl -s $API/assets/$ASSET/reclassifications/ -H "$OFFICER" -H "$J" \
  -d '{"reason": "Kantor UPT pindah ke gedung baru; bangunan kosong, cocok untuk gerai UMKM."}' | json id)
step "2. Approver: decide the reclassification (four eyes)"
REVIEWER=$(signin demo_bkd_reviewer)
curl -s $API/reclassifications/$RECLASSIFICATION/review/ -H "$REVIEWER" -H "$J" \
  -d '{"note": "Ditelaah BKD: sesuai rencana pemanfaatan."}' | json status       # reviewed
SK=$(mktemp) && printf '%%PDF-1.4\n%% SK Wali Kota (contoh)\n%%%%EOF\n' > "$SK"
DECREE=$(curl -s $API/documents/ -H "$APPROVER" -F kind=decree \
  -F reclassification=$RECLASSIFICATION -F "file=@$SK;filename=sk.pdf" | json id)
curl -s $API/reclassifications/$RECLASSIFICATION/approve/ -H "$APPROVER" -H "$J" -d "{
  \"note\": \"Disetujui dalam rapat BKD 12/2026\", \"decree_number\": \"SK 028/123/Kpts/2026\",
  \"decree_date\": \"2026-03-02\", \"decree_document\": $DECREE,
  \"handover_number\": \"BAST 028/45/2026\", \"handover_date\": \"2026-03-09\"
}" | json status                                                                 # approved
curl -s $API/assets/$ASSET/ -H "$APPROVER" | json status                        # designated_economic
step "3. Outlet manager: an outlet with stalls, and an allocation round"
OUTLET=$(curl -s $API/outlets/ -H "$MANAGER" -H "$J" \
  -d "{\"asset\": $ASSET, \"name\": \"Gerai UMKM Kemiri Muka\", \"opening_hours\": \"08:00-21:00\"}" | json id)
curl -s $API/outlets/$OUTLET/stalls/ -H "$MANAGER" -H "$J" -d '[
  {"code": "K-01", "kind": "kiosk", "area_m2": 6, "monthly_fee": 250000, "has_power": true},
  {"code": "K-02", "kind": "kiosk", "area_m2": 6, "monthly_fee": 250000, "has_power": true},
  {"code": "D-01", "kind": "kitchen", "area_m2": 12, "monthly_fee": 500000, "has_water": true}]' | json 2 code
CLOSES=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=14)).isoformat())')
ROUND=$(curl -s $API/rounds/ -H "$MANAGER" -H "$J" -d "{\"name\": \"Putaran 1 Gerai Kemiri Muka\",
  \"outlets\": [$OUTLET], \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"$CLOSES\",
  \"women_reserve_share\": 0.5}" | json id)
curl -s -X POST $API/rounds/$ROUND/open/ -H "$MANAGER" | json status   # open; seed_commitment published
step "4. Vendor: register, apply"
VENDOR="Authorization: Token $(curl -s $API/vendors/register/ -H "$J" -d '{
  "username": "siti_aminah", "password": "kue-lapis-legit-2026", "full_name": "Siti Aminah",
  "nik": "3276065705900001", "phone": "081234567890", "business_name": "Kue Siti",
  "product_category": "culinary", "wub_participant": true, "women_programme": true,
  "home_kelurahan_code": "32.76.06.1004"}' | json token)"
curl -s $API/vendors/me/ -H "$VENDOR" | json nik_masked                  # 3276********0001
curl -s $API/rounds/ -H "$VENDOR" | json results 0 groups                # open rounds, vacant stalls
curl -s $API/rounds/$ROUND/applications/ -H "$VENDOR" -H "$J" \
  -d "{\"choices\": [{\"outlet\": $OUTLET, \"stall_kind\": \"kitchen\"}, {\"outlet\": $OUTLET, \"stall_kind\": \"kiosk\"}]}" \
  | json status                                                          # submitted
step "5. Outlet manager: close, allocate, publish the results"
curl -s -X POST $API/rounds/$ROUND/close/ -H "$MANAGER" | json status       # closed
curl -s -X POST $API/rounds/$ROUND/allocate/ -H "$MANAGER" | json status    # allocated
curl -s $API/rounds/$ROUND/results/ -H "$MANAGER" | json applications 0 assigned   # D-01, first choice
step "6. Vendor: accept the offer; the lease is signed"
OFFER=$(curl -s $API/applications/mine/ -H "$VENDOR" | json results 0 offer id)
curl -s -X POST $API/offers/$OFFER/accept/ -H "$VENDOR" | json lease status   # active
curl -s $API/leases/ -H "$VENDOR" | json results 0                          # stall D-01, 12 months
curl -s $API/leases/ -H "$MANAGER" | json count                             # the manager sees every lease
step "7. Planner: the register, the districts, the programme"
curl -s "$API/assets/?district=32.76.06&status=idle&repurposable=true" -H "$PLANNER" | json count
curl -s "$API/stats/districts/?level=kecamatan" -H "$PLANNER" | json results 5 repurposable
curl -s $API/stats/programme/ -H "$PLANNER" | json programmes             # WUB and women: 1 placed each
curl -s $API/stats/programme/ -H "$PLANNER" | json without_outlet kecamatan 0 name
curl -s "$API/assets/?district=99" -H "$PLANNER"; echo                        # 400, in Indonesian
curl -s "$API/assets/?district=99" -H "$PLANNER" -H 'Accept-Language: en'; echo
step "The tour reached a signed lease."
