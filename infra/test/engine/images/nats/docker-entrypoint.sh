#!/bin/sh
# As in the official alpine image: options alone mean "run nats-server with them".
set -e
if [ "${1#-}" != "$1" ]; then
  set -- nats-server "$@"
fi
exec "$@"
