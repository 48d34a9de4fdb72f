#!/bin/sh
# One-shot jobs run from temporalio/admin-tools, replacing the deprecated auto-setup image:
#   schema     create or upgrade Temporal's two databases (before the server starts)
#   namespace  register the namespace and Borgflow's search attributes (once the server is up)
# Both are safe to repeat on every `docker compose up`.
set -eu

fail() {
  echo "temporal-setup: $*" >&2
  exit 1
}

# temporal-sql-tool reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD from the
# environment, which keeps the password off the command line. `create` and `setup-schema -v 0.0`
# leave an existing database alone; `update-schema` applies only the versions it lacks.
setup_schema() {
  schema_root=/etc/temporal/schema/postgresql/v12
  for pair in temporal:temporal temporal_visibility:visibility; do
    database=${pair%%:*}
    versions="$schema_root/${pair#*:}/versioned"
    temporal-sql-tool --db "$database" create
    temporal-sql-tool --db "$database" setup-schema -v 0.0
    temporal-sql-tool --db "$database" update-schema -d "$versions"
  done
}

# The compose health check only proves the port is open; the frontend answers a little later.
wait_for_server() {
  attempt=1
  until temporal operator cluster health >/dev/null 2>&1; do
    [ "$attempt" -lt 60 ] || fail "Temporal at $TEMPORAL_ADDRESS is not healthy after 2 minutes"
    attempt=$((attempt + 1))
    sleep 2
  done
}

register_namespace() {
  namespace=${TEMPORAL_NAMESPACE:?}
  retention=${NAMESPACE_RETENTION:-720h}
  if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
    temporal operator namespace update --namespace "$namespace" --retention "$retention"
  else
    temporal operator namespace create --namespace "$namespace" --retention "$retention"
  fi
}

# BORGFLOW_SEARCH_ATTRIBUTES holds Name=Type pairs separated by spaces.
register_search_attributes() {
  known=$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE")
  for pair in ${BORGFLOW_SEARCH_ATTRIBUTES:?}; do
    name=${pair%%=*}
    printf '%s\n' "$known" | grep -qw -- "$name" && continue
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --name "$name" --type "${pair#*=}"
  done
}

case ${1:-} in
  schema)
    setup_schema
    ;;
  namespace)
    wait_for_server
    register_namespace
    register_search_attributes
    ;;
  *)
    fail "usage: temporal-setup.sh schema|namespace"
    ;;
esac
