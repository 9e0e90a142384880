#!/bin/sh
# Starts albatross-sandbox with a world (the bundled demo unless WORLD is
# set), opens albatross against it, and stops the sandbox when the UI
# exits. Every address the client is given is on loopback.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${ALBATROSS_BIN:-$top}
dir=$(mktemp -d "${TMPDIR:-/tmp}/albatross-demo.XXXXXX")
pid=""

stop() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

"$bin/albatross-sandbox" --env-file "$dir/env" ${WORLD:+--world "$WORLD"} \
    2>"$dir/sandbox.log" &
pid=$!

# The sandbox writes the env file once it accepts connections.
tries=0
while [ ! -s "$dir/env" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "albatross-sandbox failed to start:" >&2
        cat "$dir/sandbox.log" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
        echo "albatross-sandbox did not start within 15 s" >&2
        exit 1
    fi
    sleep 0.05
done

# Only the sandbox's settings: none of the user's AWS profiles or
# kubeconfig can send a request elsewhere.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN \
    AWS_WEB_IDENTITY_TOKEN_FILE AWS_DEFAULT_REGION
: >"$dir/aws-config"
export AWS_CONFIG_FILE="$dir/aws-config" AWS_SHARED_CREDENTIALS_FILE="$dir/aws-config"
set -a
. "$dir/env"
set +a
export AWS_EC2_METADATA_DISABLED=true

status=0
"$bin/albatross" "$@" || status=$?
exit "$status"
