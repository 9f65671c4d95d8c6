# Sourced by the bench/ scripts: services up, apps built and started on spare ports, helpers to
# submit and await jobs. Benchmarks use their own database and vhost, longhaul_bench.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source bin/lib/jdk.sh
use_jdk
BENCH_DB="${BENCH_DB:-longhaul_bench}"
LOGS="$ROOT/bench/logs"
mkdir -p "$LOGS"

bench_services() {
  bin/services >/dev/null
  export PGOPTIONS="-c client_min_messages=warning"
  psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname = '$BENCH_DB'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "create database $BENCH_DB owner longhaul"
  rabbitmqctl -q list_vhosts | grep -qx "$BENCH_DB" || rabbitmqctl -q add_vhost "$BENCH_DB" >/dev/null
  rabbitmqctl -q set_permissions -p "$BENCH_DB" longhaul '.*' '.*' '.*' >/dev/null
  [[ -f api/target/quarkus-app/quarkus-run.jar && -f worker/target/quarkus-app/quarkus-run.jar ]] \
    || bin/mvn -q -B install -DskipTests
}

# the bench api's admin key: random, made once per checkout, kept in the git-ignored logs folder
KEY_FILE="$LOGS/admin-key"
[[ -s "$KEY_FILE" ]] || (umask 077; printf 'lh_bench_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" >"$KEY_FILE")
export LONGHAUL_KEY=$(cat "$KEY_FILE")
# the bench apps run on the local services' development passwords
export LONGHAUL_ALLOW_DEFAULT_CREDENTIALS=true
AUTH="Authorization: Bearer $LONGHAUL_KEY"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start_app MODULE PORT [JVM options...]
start_app() {
  local module=$1 port=$2; shift 2
  QUARKUS_HTTP_PORT=$port QUARKUS_MANAGEMENT_PORT=$((port + 1000)) LONGHAUL_BOOTSTRAP_ADMIN_KEY="$LONGHAUL_KEY" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$BENCH_DB" RABBITMQ_VIRTUAL_HOST=$BENCH_DB java "$@" -jar "$module/target/quarkus-app/quarkus-run.jar" \
    >"$LOGS/$module.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$((port + 1000))/q/health/ready" >/dev/null && return 0; sleep 0.5; done
  echo "bench: $module did not start; see bench/logs/$module.log" >&2; exit 1
}

API_PORT=18080
WORKER_PORT=18081
api() { echo "http://127.0.0.1:$API_PORT$1"; }

# submit JSON -> prints the job id
submit() {
  curl -sf -XPOST "$(api /api/jobs)" -H "$AUTH" -H 'Content-Type: application/json' -d "$1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# await ID -> waits for a final state; fails unless SUCCEEDED. GET /api/jobs/{id}?wait=60 answers
# when the job ends, so the api is not polled while the job it measures runs
await_job() {
  python3 - "$API_PORT" "$1" <<'PY' || exit 1
import http.client, json, os, sys
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
headers = {"Authorization": "Bearer " + os.environ["LONGHAUL_KEY"]}
while True:
    connection.request("GET", "/api/jobs/" + sys.argv[2] + "?wait=60", headers=headers)
    response = connection.getresponse()
    job = json.loads(response.read())
    if job["state"] == "SUCCEEDED":
        break
    if job["state"] in ("FAILED", "CANCELLED"):
        sys.exit(f"bench: job {sys.argv[2]} ended {job['state']}: {json.dumps(job)}")
PY
}

# run_job JSON -> submits the job, waits until it ends, and prints the seconds from the POST to the
# answer that says SUCCEEDED, timed inside one client process; fails unless SUCCEEDED. It waits with
# GET /api/jobs/{id}?wait=60, which answers when the job ends, rather than polling: a poll costs the
# api 1 to 10 ms of CPU, which the job then lacks. Timing around `await_job "$(submit ..)"` would
# also count two interpreter start-ups (0.1 to 0.2 s each here), which are the client's, not the
# system's; psql's side is timed with its start-up (about 50 ms).
run_job() {
  python3 - "$API_PORT" "$1" <<'PY' || exit 1
import http.client, json, os, sys, time
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
headers = {"Authorization": "Bearer " + os.environ["LONGHAUL_KEY"], "Content-Type": "application/json"}
began = time.perf_counter()
connection.request("POST", "/api/jobs", body=sys.argv[2], headers=headers)
response = connection.getresponse()
body = response.read()
if response.status >= 300:
    sys.exit(f"bench: submit answered {response.status}: {body.decode()}")
job_id = json.loads(body)["id"]
while True:
    connection.request("GET", "/api/jobs/" + job_id + "?wait=60", headers=headers)
    job = json.loads(connection.getresponse().read())
    if job["state"] == "SUCCEEDED":
        break
    if job["state"] in ("FAILED", "CANCELLED"):
        sys.exit(f"bench: job {job_id} ended {job['state']}: {json.dumps(job)}")
print(f"{time.perf_counter() - began:.2f}")
PY
}

# upload FILE NAME -> uploads the CSV and prints its id and curl's own time for the transfer
upload() {
  curl -sf -XPOST "$(api /api/uploads)?name=$2" -H "$AUTH" -H 'Content-Type: text/csv' --data-binary "@$1" \
    -w '\n%{time_total}\n' | python3 -c 'import json,sys; lines = sys.stdin.read().split("\n"); print(json.loads(lines[0])["id"], lines[1])'
}

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# ensure_orders N [CUSTOMERS]: seeds the bench database with N orders of CUSTOMERS customers (N/25,
# at least 1,000, by default) unless it already holds exactly that many of each
ensure_orders() {
  local customers=${2:-$(( $1 / 25 > 1000 ? $1 / 25 : 1000 ))} have
  have=$(psql -h 127.0.0.1 -U longhaul -d "$BENCH_DB" -Atc "select (select count(*) from shop.orders) || ' ' || (select count(*) from shop.customers)" 2>/dev/null || echo 0)
  if [[ "$have" != "$1 $customers" ]]; then
    echo "bench: seeding $1 orders of $customers customers (once)" >&2
    await_job "$(submit "{\"kind\":\"seed\",\"params\":{\"customers\":$customers,\"orders\":$1,\"reset\":true}}")"
  fi
}

bench_psql() { psql -X -h 127.0.0.1 -U longhaul -d "$BENCH_DB" "$@"; }

# cpu_seconds: the CPU seconds used so far by PostgreSQL, RabbitMQ, the api, the worker and the
# load generator (live processes only), as key=value pairs; the difference of two calls says where
# a phase's CPU went
cpu_seconds() {
  local tick; tick=$(getconf CLK_TCK)
  for p in /proc/[0-9]*; do
    [[ -r $p/stat ]] || continue
    local cmd stat group
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-300) || continue
    stat=$(cat "$p/stat" 2>/dev/null) || continue
    case "$cmd" in
      *postgres*) group=postgres ;; *beam.smp*) group=rabbitmq ;; *api/target/quarkus-app*) group=api ;;
      *worker/target/quarkus-app*) group=worker ;; *bench/lib/*.java*) group=load ;; *) continue ;;
    esac
    # utime and stime are fields 14 and 15, counted after the command's closing parenthesis
    awk -v g="$group" '{sub(/.*\) /, ""); print g, $12 + $13}' <<<"$stat"
  done | awk -v tick="$tick" '{s[$1] += $2} END {for (k in s) printf "%s=%.2f ", k, s[k] / tick}'
}
