#!/bin/sh
# Debian's Prometheus build refuses --web.enable-otlp-receiver (its OTLP ingestion is patched out): drop
# that one flag, loudly, and run the real server with every other argument of the Compose file.
set -e
for arg in "$@"; do
  shift
  if [ "$arg" = --web.enable-otlp-receiver ]; then
    echo "engine tier: dropping --web.enable-otlp-receiver (not in Debian's build)" >&2
    continue
  fi
  set -- "$@" "$arg"
done
exec /bin/prometheus "$@"
