#!/bin/sh
# Starts as root only to give the data directory to PUID:PGID, then becomes that account: borg's
# cache, Borgflow's keys and restored files then belong to the host user who owns the backups.
set -eu

: "${DATA_DIR:=/data}"
: "${PUID:=1000}"
: "${PGID:=1000}"

fail() {
  echo "borgflow-entrypoint: $*" >&2
  exit 64
}

require_id() {
  case $2 in
    '' | *[!0-9]*) fail "$1 must be a numeric id, got '$2'" ;;
  esac
}

# ssh refuses to run for a uid without a passwd entry, and any PUID may be asked for. The home sits
# in the data volume so known_hosts survives a new container.
ensure_account() {
  getent group "$PGID" >/dev/null || groupadd --gid "$PGID" borgflow
  getent passwd "$PUID" >/dev/null && return 0
  useradd --uid "$PUID" --gid "$PGID" --no-create-home --home-dir "$DATA_DIR/home" \
    --shell /usr/sbin/nologin borgflow
}

# The whole tree is walked only when its owner is wrong (first start, or PUID changed): the borg
# cache can hold a great many files.
own_dir() {
  mkdir -p "$1"
  [ "$(stat -c %u:%g "$1")" = "$PUID:$PGID" ] || chown -R "$PUID:$PGID" "$1"
}

# Repository and restore roots are the host's own directories: say what is wrong, never chown them.
warn_unwritable_roots() {
  set -f
  old_ifs=$IFS
  IFS=:
  for root in ${REPOSITORY_ROOTS:-} ${RESTORE_ROOTS:-}; do
    [ -d "$root" ] || continue
    setpriv --reuid "$PUID" --regid "$PGID" --init-groups test -w "$root" ||
      echo "borgflow-entrypoint: $root is not writable by uid $PUID; chown it on the host" >&2
  done
  IFS=$old_ifs
  set +f
}

# A container started with `user:` is already unprivileged: nothing to set up or drop.
if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi

require_id PUID "$PUID"
require_id PGID "$PGID"
ensure_account
for dir in "$DATA_DIR" "$DATA_DIR/home" "$DATA_DIR/borg" "$DATA_DIR/borg/.cache"; do
  own_dir "$dir"
done

if [ "$PUID" = 0 ]; then
  exec "$@"
fi

warn_unwritable_roots
HOME=$(getent passwd "$PUID" | cut -d: -f6)
export HOME
exec setpriv --reuid "$PUID" --regid "$PGID" --init-groups "$@"
