#!/bin/bash
# Re-typed outline of the repo's setup script: start the stack, create the datasources through the API with
# fixed uids, then POST each dashboard file (HTTP-API form) to /api/dashboards/db after replacing the
# placeholder uids.
set -e
docker-compose up -d
until curl -s http://localhost:3000/api/health >/dev/null; do sleep 2; done
curl -s -X POST http://localhost:3000/api/datasources -H 'Content-Type: application/json' \
  -d '{"uid":"prometheus-claude-code","name":"Prometheus","type":"prometheus","url":"http://prometheus:9090","access":"proxy","isDefault":true}'
curl -s -X POST http://localhost:3000/api/datasources -H 'Content-Type: application/json' \
  -d '{"uid":"loki-claude-code","name":"Loki","type":"loki","url":"http://loki:3100","access":"proxy"}'
for f in config/grafana/dashboards/*.json; do
  sed -e 's/"uid": "PROMETHEUS_UID"/"uid": "prometheus-claude-code"/g' -e 's/"uid": "LOKI_UID"/"uid": "loki-claude-code"/g' "$f" |
    curl -s -X POST http://localhost:3000/api/dashboards/db -H 'Content-Type: application/json' -d @-
done
