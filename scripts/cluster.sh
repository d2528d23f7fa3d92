#!/usr/bin/env bash
# `make cluster`: the production layout on one machine (docs/operations.md) —
#   PostgreSQL, Redis and the object store (SeaweedFS), started if they are down;
#   two app nodes (uvicorn, one process each) and two job workers (run_worker = db_worker + reaper);
#   nginx from Debian's packages in front: balances HTTP and WebSockets over the nodes, serves the
#   static files with long cache headers, overwrites X-Forwarded-For with the client's address and
#   refuses /metrics.
# Prints the address. Safe to run again (what runs is kept).
#
#   scripts/cluster.sh              start (or complete) the cluster
#   scripts/cluster.sh stop         stop the nodes, the workers and nginx it started (not the servers)
#   scripts/cluster.sh node N       (re)start app node N (1 or 2)
#   scripts/cluster.sh worker N     (re)start job worker N
#   scripts/cluster.sh env          print the environment the nodes run with (for manage.py by hand)
#
# CLUSTER_DIR (var/cluster), CLUSTER_PORT (8800: the proxy; the nodes take the next two),
# CLUSTER_DB (qualityweek_cluster), CLUSTER_REDIS_DB (1), S3_PORT (18333) choose where it lives.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${CLUSTER_DIR:-$ROOT/var/cluster}
PORT=${CLUSTER_PORT:-8800}
NODE_PORTS=($((PORT + 1)) $((PORT + 2)))
DB=${CLUSTER_DB:-qualityweek_cluster}
S3_PORT=${S3_PORT:-18333}
mkdir -p "$DIR/logs" "$DIR/run" "$DIR/var"

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/${CLUSTER_REDIS_DB:-1}}
export QUIZ_STORE=redis  # live quiz games shared by the nodes (docs/decisions/0016)
export CACHE_KEY_PREFIX=${CACHE_KEY_PREFIX:-qwcluster}
export VAR_DIR=$DIR/var
export DEBUG=0
export SECRET_KEY=${SECRET_KEY:-$(cat "$DIR/secret_key" 2>/dev/null || { head -c 48 /dev/urandom | base64 | tr -d '\n' | tee "$DIR/secret_key"; })}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}
export CSRF_TRUSTED_ORIGINS=${CSRF_TRUSTED_ORIGINS:-$SITE_URL}
# Plain HTTP on loopback: no TLS redirect, no secure-only cookies (a real server terminates TLS at nginx).
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export OTP_REQUIRED_ROLES=${OTP_REQUIRED_ROLES:-}  # the demo logins have no TOTP app
export BEHIND_PROXY=1
export METRICS_ALLOWED_IPS=${METRICS_ALLOWED_IPS:-127.0.0.1,::1}
export LOG_FORMAT=${LOG_FORMAT:-json}
export DB_POOL_MAX_SIZE=${DB_POOL_MAX_SIZE:-10}
export JOB_LEASE_SECONDS=${JOB_LEASE_SECONDS:-15} JOB_REAP_SECONDS=${JOB_REAP_SECONDS:-5}
export JOB_STEP_HOLD_DIR=${JOB_STEP_HOLD_DIR:-}
export STORAGE_S3_BUCKET=${STORAGE_S3_BUCKET:-qualityweek}
export STORAGE_S3_ENDPOINT_URL=${STORAGE_S3_ENDPOINT_URL:-http://127.0.0.1:$S3_PORT}
export STORAGE_S3_ACCESS_KEY=${STORAGE_S3_ACCESS_KEY:-qualityweek-dev}
export STORAGE_S3_SECRET_KEY=${STORAGE_S3_SECRET_KEY:-qualityweek-dev-secret-key}
PY=$ROOT/.venv/bin/python

alive() { [ -f "$DIR/run/$1.pid" ] && kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null; }

stop_one() {  # SIGTERM (a node finishes its requests in flight), SIGKILL after 10 s
  local name=$1 pid
  [ -f "$DIR/run/$name.pid" ] || return 0
  pid=$(cat "$DIR/run/$name.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$DIR/run/$name.pid"
}

start_node() {
  local n=$1 port=${NODE_PORTS[$(($1 - 1))]}
  stop_one "node$n"
  # --no-proxy-headers: the address nginx connects from stays REMOTE_ADDR; the client's address is
  # read from the X-Forwarded-For nginx writes (BEHIND_PROXY, core/http.py), nowhere else.
  setsid "$PY" -m uvicorn qualityweek.asgi:application --host 127.0.0.1 --port "$port" --no-access-log \
    --no-proxy-headers --timeout-graceful-shutdown 20 >>"$DIR/logs/node$n.log" 2>&1 < /dev/null &
  echo $! > "$DIR/run/node$n.pid"
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$(cat "$DIR/run/node$n.pid")" 2>/dev/null || break
    sleep 0.2
  done
  echo "Узел $n не запустился, см. $DIR/logs/node$n.log" >&2
  tail -20 "$DIR/logs/node$n.log" >&2
  return 1
}

start_worker() {
  local n=$1
  stop_one "worker$n"
  WORKER_METRICS_PORT=$((PORT + 90 + n)) setsid "$PY" manage.py run_worker --no-startup-delay --no-reload \
    --worker-id "worker$n" >>"$DIR/logs/worker$n.log" 2>&1 < /dev/null &
  echo $! > "$DIR/run/worker$n.pid"
}

nginx_conf() {
  local static=$VAR_DIR/static
  mkdir -p "$DIR/nginx/tmp"
  cat > "$DIR/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $DIR/run/nginx.pid;
error_log $DIR/logs/nginx-error.log warn;
$( [ "$(id -u)" -eq 0 ] && echo "user www-data;" )
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format main '\$remote_addr [\$time_iso8601] "\$request" \$status \$body_bytes_sent '
                  '\$request_time \$upstream_addr \$upstream_response_time rid=\$request_id';
  access_log $DIR/logs/nginx-access.log main;
  client_body_temp_path $DIR/nginx/tmp/body;
  proxy_temp_path $DIR/nginx/tmp/proxy;
  fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
  uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
  scgi_temp_path $DIR/nginx/tmp/scgi;
  client_max_body_size 200m;
  sendfile on;
  server_tokens off;

  upstream qualityweek {
    server 127.0.0.1:${NODE_PORTS[0]} max_fails=1 fail_timeout=5s;
    server 127.0.0.1:${NODE_PORTS[1]} max_fails=1 fail_timeout=5s;
    keepalive 32;
  }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }

  server {
    listen 127.0.0.1:$PORT;
    proxy_http_version 1.1;
    # A node that is down (refused, timed out) is skipped and the request goes to the other one; a
    # request a node had already taken when it died is not sent twice.
    proxy_next_upstream error timeout;
    proxy_connect_timeout 2s;

    location /static/ {
      alias $static/;
      access_log off;
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
    location = /metrics { return 404; }  # scraped on each node's own port, never through here
    location /ws/ {
      proxy_pass http://qualityweek;
      # The client's address, written over whatever the client sent (core/http.py reads the last one).
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-ID \$request_id;
      proxy_set_header Host \$http_host;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 1h;
    }
    location / {
      proxy_pass http://qualityweek;
      # The client's address, written over whatever the client sent (core/http.py reads the last one).
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-ID \$request_id;
      proxy_set_header Host \$http_host;
      proxy_set_header Connection "";
    }
  }
}
NGINX
  [ "$(id -u)" -eq 0 ] && chown -R www-data "$DIR/nginx/tmp" || true
}

start_nginx() {
  command -v nginx >/dev/null 2>&1 || {
    echo "» Устанавливаю nginx из пакетов Debian"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  }
  nginx_conf
  nginx -t -q -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/logs/nginx-error.log"
  if alive nginx; then
    nginx -s reload -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/logs/nginx-error.log"
  else
    nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/logs/nginx-error.log"
  fi
}

case "${1:-start}" in
  stop)
    for name in nginx node1 node2 worker1 worker2; do stop_one "$name"; done
    exit 0 ;;
  node) start_node "$2"; exit 0 ;;
  worker) start_worker "$2"; exit 0 ;;
  env) env | grep -E '^(DATABASE_URL|REDIS_URL|CACHE_KEY_PREFIX|VAR_DIR|DEBUG|SECRET_KEY|ALLOWED_HOSTS|SITE_URL|CSRF_TRUSTED_ORIGINS|SECURE_|OTP_|BEHIND_PROXY|METRICS_|LOG_FORMAT|DB_POOL|JOB_|STORAGE_S3)' | sed 's/^/export /'; exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop|node N|worker N|env]" >&2; exit 2 ;;
esac

source scripts/bootstrap.sh  # with the dev group: the object store's binary is a dev dependency

# PostgreSQL and Redis: started if they are down (as .ci/run does).
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/cluster.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
if [[ $DATABASE_URL == postgres://postgres@127.0.0.1:5432/* ]]; then
  createdb -h 127.0.0.1 -U postgres "${DATABASE_URL##*/}" 2>/dev/null || true
fi
OBJECTSTORE_DIR=${OBJECTSTORE_DIR:-$ROOT/var/seaweedfs} S3_PORT=$S3_PORT S3_BUCKET=$STORAGE_S3_BUCKET \
  S3_ACCESS_KEY=$STORAGE_S3_ACCESS_KEY S3_SECRET_KEY=$STORAGE_S3_SECRET_KEY bash scripts/objectstore.sh >/dev/null

$PY manage.py migrate --no-input >"$DIR/logs/migrate.log"
$PY manage.py load_demo --if-empty >"$DIR/logs/demo.log"
$PY manage.py collectstatic --no-input >"$DIR/logs/collectstatic.log"

for n in 1 2; do alive "node$n" || start_node "$n"; done
for n in 1 2; do alive "worker$n" || start_worker "$n"; done
start_nginx

echo
echo "Кластер Недели качества: http://127.0.0.1:$PORT/  (nginx → узлы :${NODE_PORTS[0]} и :${NODE_PORTS[1]}, 2 обработчика задач)"
echo "Объектное хранилище: $STORAGE_S3_ENDPOINT_URL (бакет $STORAGE_S3_BUCKET); журналы: $DIR/logs/"
echo "Метрики: http://127.0.0.1:${NODE_PORTS[0]}/metrics и :${NODE_PORTS[1]}/metrics (только с этой машины)"
$PY manage.py print_logins
echo "Остановить: scripts/cluster.sh stop"
